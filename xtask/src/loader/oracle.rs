//! The loader's touch keeping equals `lead::touches::record_page_view`: the
//! built `w.js` runs under node on each case (a stand-in browser around it)
//! and must store what the Rust function returns.

use std::io::Write;
use std::process::{Command, Stdio};

use lead::touches::{record_page_view, PageView, StoredTouches, TouchRules};
use lead::wire::{Touch, Touches};
use serde_json::{json, Value};

const T: i64 = 1_700_000_000_000;
const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;
const SITE: &str = "https://s.example/";

/// One page view: what is stored before it (text, as localStorage holds it), the page, the clock.
struct Case {
    name: &'static str,
    stored: Option<String>,
    url: String,
    referrer: Option<String>,
    host: &'static str,
    now: i64,
    expiry_days: u32,
}

fn touch(url: &str, referrer: Option<&str>, at: i64) -> Option<Touch> {
    Some(Touch {
        url: url.into(),
        referrer: referrer.map(Into::into),
        at: Some(at),
    })
}

/// A visit that began at `T` from an ad, last seen at `seen`.
fn visiting(seen: i64, visits: u32) -> Option<String> {
    let state = StoredTouches {
        touches: Touches {
            first: touch("https://s.example/?utm_source=google&utm_medium=cpc", None, T),
            last: touch("https://s.example/?utm_source=google&utm_medium=cpc", None, T),
            visits: Some(visits),
        },
        last_seen_ms: seen,
        expires_at_ms: seen + 180 * DAY,
    };
    Some(state.to_json())
}

fn cases() -> Vec<Case> {
    let noise = "x".repeat(3_000);
    let case = |name, stored: Option<String>, url: &str, referrer: Option<&str>, now| Case {
        name,
        stored,
        url: url.into(),
        referrer: referrer.map(Into::into),
        host: "s.example",
        now,
        expiry_days: 180,
    };
    let soon = T + 5 * MINUTE;
    let later = T + 31 * MINUTE;
    let text = |s: &str| Some(s.to_owned());
    let mut cases = vec![
        case("first view, direct", None, SITE, None, T),
        case(
            "first view, tagged",
            None,
            "https://s.example/?utm_source=vk&utm_medium=cpc",
            None,
            T,
        ),
        case(
            "first view, search",
            None,
            SITE,
            Some("https://www.google.com/search?q=okna"),
            T,
        ),
        case("first view, referred", None, SITE, Some("https://partner.example/a"), T),
        case("first view, internal", None, SITE, Some("https://s.example/prev"), T),
        case(
            "internal inside the visit",
            visiting(T, 1),
            "https://s.example/b",
            Some("https://s.example/a"),
            soon,
        ),
        case(
            "tagged inside the visit",
            visiting(T, 1),
            "https://s.example/?yclid=42",
            Some("https://s.example/a"),
            soon,
        ),
        case(
            "search inside the visit",
            visiting(T, 1),
            SITE,
            Some("https://yandex.ru/search/?text=x"),
            soon,
        ),
        case(
            "referred inside the visit",
            visiting(T, 1),
            SITE,
            Some("https://pay.example/ok"),
            soon,
        ),
        case(
            "referred after 31 minutes",
            visiting(T, 1),
            SITE,
            Some("https://partner.example/"),
            later,
        ),
        case("direct after 31 minutes", visiting(T, 2), SITE, None, later),
        case(
            "exactly 30 minutes is the same visit",
            visiting(T, 1),
            SITE,
            Some("https://partner.example/"),
            T + 30 * MINUTE,
        ),
        case(
            "expired",
            visiting(T, 3),
            SITE,
            Some("https://partner.example/"),
            T + 181 * DAY,
        ),
        case(
            "clock backwards",
            visiting(T, 2),
            SITE,
            Some("https://partner.example/"),
            T - 2 * DAY,
        ),
        case("visits at the top stay there", visiting(T, u32::MAX), SITE, None, later),
        case("storage corrupt: not JSON", text("{not json"), SITE, None, T),
        case("storage corrupt: null", text("null"), SITE, None, T),
        case(
            "storage corrupt: array",
            text("[1,2]"),
            "https://s.example/?gclid=x",
            None,
            T,
        ),
        case("storage corrupt: string", text("\"touches\""), SITE, None, T),
        case(
            "storage corrupt: touches not an object",
            text(r#"{"touches":5,"last_seen_ms":1,"expires_at_ms":2}"#),
            SITE,
            None,
            T,
        ),
        case(
            "storage: no first touch",
            text(
                r#"{"touches":{"first":null,"last":null,"visits":4},"last_seen_ms":1700000000000,"expires_at_ms":1800000000000}"#,
            ),
            SITE,
            None,
            soon,
        ),
        case(
            "storage: odd members",
            text(
                r#"{"touches":{"first":{"url":"https://s.example/","referrer":7,"at":"x"},"last":{"url":3},"visits":-1},"last_seen_ms":1700000000000,"expires_at_ms":1800000000000,"extra":true}"#,
            ),
            SITE,
            None,
            later,
        ),
        case(
            "storage: fractional visits",
            text(
                r#"{"touches":{"first":{"url":"https://s.example/","at":1},"visits":2.5},"last_seen_ms":1700000000000,"expires_at_ms":1800000000000}"#,
            ),
            SITE,
            None,
            later,
        ),
        case(
            "storage: fractional clock",
            text(
                r#"{"touches":{"first":{"url":"https://s.example/","at":1}},"last_seen_ms":1700000000000.5,"expires_at_ms":1800000000000}"#,
            ),
            SITE,
            None,
            soon,
        ),
        case(
            "storage: the first widget's bare touches",
            text(
                r#"{"first":{"url":"https://s.example/?utm_source=a","referrer":null,"at":1700000000000},"last":null,"visits":0}"#,
            ),
            SITE,
            Some("https://bing.com/"),
            later,
        ),
        case(
            "storage: bare touches without a time",
            text(r#"{"first":{"url":"https://s.example/"},"visits":3}"#),
            SITE,
            None,
            soon,
        ),
        case(
            "storage: a clock past 2^53",
            text(
                r#"{"touches":{"first":{"url":"https://s.example/","at":1}},"last_seen_ms":9007199254740992,"expires_at_ms":9007199254740992}"#,
            ),
            SITE,
            None,
            T,
        ),
        case(
            "blank tag is no tag",
            None,
            "https://s.example/?utm_source=%20&utm_medium=+",
            None,
            T,
        ),
        case(
            "upper-case tag is no tag",
            None,
            "https://s.example/?UTM_SOURCE=x",
            None,
            T,
        ),
        case(
            "tag in the fragment is no tag",
            None,
            "https://s.example/#?utm_source=x",
            None,
            T,
        ),
        case(
            "percent-encoded tag name",
            None,
            "https://s.example/?utm_%73ource=x",
            None,
            T,
        ),
        case(
            "invalid UTF-8 value is still a value",
            None,
            "https://s.example/?gclid=%FF",
            None,
            T,
        ),
        case(
            "search: country domain, odd case, trailing dot",
            None,
            SITE,
            Some("https://WWW.Google.CO.UK./search?q=x"),
            T,
        ),
        case(
            "search: app",
            None,
            SITE,
            Some("android-app://com.google.android.googlequicksearchbox/"),
            T,
        ),
        case("webmail is no search", None, SITE, Some("https://mail.google.com/"), T),
        case(
            "a lookalike is no search",
            None,
            SITE,
            Some("https://google.evil.com/"),
            T,
        ),
        case("a short second level", None, SITE, Some("https://google.com.tr/"), T),
        case(
            "same site with port and user",
            visiting(T, 1),
            SITE,
            Some("https://user:pw@WWW.S.example:443/x"),
            later,
        ),
        case(
            "a subdomain is the same site",
            visiting(T, 1),
            SITE,
            Some("https://blog.s.example/"),
            later,
        ),
        case(
            "a longer name is not",
            visiting(T, 1),
            SITE,
            Some("https://evils.example/"),
            later,
        ),
        case("not http", None, SITE, Some("javascript:alert(1)"), T),
        case("blank referrer", None, SITE, Some("   "), T),
        case(
            "Rust's whitespace around the referrer",
            None,
            SITE,
            Some("\u{85}https://partner.example/\u{3000}"),
            T,
        ),
        case(
            "a BOM is not whitespace",
            None,
            SITE,
            Some("\u{feff}https://partner.example/"),
            T,
        ),
        case("IPv6", None, "http://[::1]:8080/", Some("http://[::1]/"), T),
        case(
            "long URL keeps its tags",
            None,
            &format!("https://s.example/p?noise={noise}&utm_source=yandex&gclid=AbC-1_z"),
            None,
            T,
        ),
        case(
            "long path",
            None,
            &format!("https://s.example/{noise}?utm_campaign=весна+2&utm_term=a%26b*c~"),
            None,
            T,
        ),
        case(
            "long untagged URL",
            None,
            &format!("https://s.example/{noise}"),
            None,
            T,
        ),
        case(
            "long non-ASCII URL",
            None,
            &format!("https://s.example/{}", "я".repeat(2_100)),
            None,
            T,
        ),
        case(
            "long referrer",
            None,
            SITE,
            Some(&format!("https://partner.example/?q={noise}&utm_source=x")),
            T,
        ),
        case(
            "long click id is cut",
            None,
            &format!("https://s.example/?gclid={noise}&n={noise}"),
            None,
            T,
        ),
    ];
    let mut short = case(
        "the site's shorter expiry applies at once",
        visiting(T, 2),
        SITE,
        None,
        T + 8 * DAY,
    );
    short.expiry_days = 7;
    cases.push(short);
    let mut fresh = case("a new state expires by the site's days", None, SITE, None, T);
    fresh.expiry_days = 30;
    cases.push(fresh);
    let mut no_host = case(
        "no site host: the landing URL's",
        None,
        "https://google.com/",
        Some("https://www.google.com/"),
        T,
    );
    no_host.host = "";
    cases.push(no_host);
    let mut www = case(
        "www. is the same site",
        None,
        "https://www.s.example/",
        Some("https://s.example/a"),
        T,
    );
    www.host = "www.s.example";
    cases.push(www);
    cases
}

fn rust(case: &Case) -> Value {
    let stored = case
        .stored
        .as_deref()
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .and_then(|v| StoredTouches::read(&v));
    let view = PageView {
        url: case.url.clone(),
        referrer: case.referrer.clone(),
        site_host: case.host.into(),
    };
    let out = record_page_view(stored, &view, case.now, &TouchRules::with_expiry_days(case.expiry_days));
    serde_json::from_str(&out.to_json()).expect("StoredTouches::to_json is JSON")
}

/// What the loader stored for each case (`null`: nothing), `capture` as the site's setting.
fn loader(cases: &[Case], capture: bool) -> Vec<Value> {
    let root = leadwire_tests::paths::repo_root();
    let built = crate::loader::build(&root, "0123456789abcdef").unwrap_or_else(|e| panic!("{e}"));
    let path = std::env::temp_dir().join(format!("leadwire-loader-oracle-{}.js", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, built).expect("write the built loader");
    let input: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({"stored": c.stored, "url": c.url, "referrer": c.referrer, "host": c.host, "now": c.now,
                   "expiry_days": c.expiry_days, "capture": capture})
        })
        .collect();
    let mut node = Command::new("node")
        .arg(root.join("xtask/src/loader/oracle.js"))
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node 20+ on the PATH (cargo xtask setup)");
    let fed = node
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(json!(input).to_string().as_bytes()));
    let out = node.wait_with_output().expect("node runs");
    let _ = std::fs::remove_file(&path);
    assert!(matches!(fed, Some(Ok(()))) && out.status.success(), "node failed");
    let stored: Vec<Option<String>> = serde_json::from_slice(&out.stdout).expect("node prints JSON");
    stored
        .into_iter()
        .map(|s| {
            s.map_or(Value::Null, |s| {
                serde_json::from_str(&s).expect("the loader stores JSON")
            })
        })
        .collect()
}

#[test]
fn the_loader_keeps_touches_as_record_page_view_does() {
    let cases = cases();
    let stored = loader(&cases, true);
    let mut wrong = Vec::new();
    for (case, js) in cases.iter().zip(&stored) {
        let want = rust(case);
        if *js != want {
            wrong.push(format!("{}:\n  rust:   {want}\n  loader: {js}", case.name));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_loader_stores_nothing_before_interaction_unless_the_site_allows_it() {
    let cases = cases();
    let stored = loader(&cases[..3], false);
    assert!(stored.iter().all(Value::is_null), "{stored:?}");
}
