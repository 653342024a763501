//! Sites changed live through the admin API (`/v1/admin/sites`), on the
//! `sites-live` site of edge/sites.toml: a change reaches a page loaded after
//! the isolate's cache life (the stack sets it to 1 s) and the next lead,
//! while a lead accepted before it goes where it was accepted for; writes are
//! versioned and checked; a site's own secrets show in no answer and no log.

use std::time::Duration;

use lead::hours::BusinessHours;
use leadwire_tests::receiver::Receiver;
use leadwire_tests::wait::until;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::{call, post, Answer};
use crate::support::browser::Session;
use crate::support::{block_on, saturday_noon_in_moscow, Stack, ADMIN_TOKEN, DELIVERY_TIMEOUT, ORIGIN, SITES_KEY};

const SITE: &str = "sites-live";
const PAGE: &str = "sites-live.html";
/// The site's own signing key for its CRMs (given through the API, sealed by the Worker).
const SIGNING: &str = "whsec_Vn/iyjSDEAH3wF3R/LSlueBjL5bUET9bPE7xwCP07M8=";
/// A change is served once the isolate's cached copy expires (1 s): well within this.
const CHANGE_SHOWS_WITHIN: Duration = Duration::from_secs(15);

fn admin(stack: &Stack, method: &str, path: &str, body: Option<&Value>) -> Answer {
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
    call(stack, method, path, &headers, body.map(Value::to_string))
}

/// The site's current version and its JSON as the API shows it.
fn current(stack: &Stack) -> (i64, Value) {
    let answer = admin(stack, "GET", &format!("v1/admin/sites/{SITE}"), None);
    assert_eq!(answer.status, 200, "GET the site: {}", answer.body);
    let version = answer.body["version"].as_i64().expect("a version");
    (version, answer.body["site"].clone())
}

/// Replaces the site (over `version`) and returns the new version.
fn put(stack: &Stack, version: i64, site: &Value) -> i64 {
    let answer = admin(
        stack,
        "PUT",
        &format!("v1/admin/sites/{SITE}"),
        Some(&json!({"version": version, "site": site})),
    );
    assert_eq!(answer.status, 200, "PUT over version {version}: {}", answer.body);
    let written = answer.body["version"].as_i64().expect("the new version");
    assert_eq!(written, version + 1, "{}", answer.body);
    written
}

fn public_config(stack: &Stack, tz: &str) -> Value {
    let path = format!("v1/sites/{SITE}/config?tz={tz}&lang=en");
    let answer = call(stack, "GET", &path, &[("origin", ORIGIN)], None);
    assert_eq!(answer.status, 200, "the public config: {}", answer.body);
    answer.body
}

/// Waits until the public config has `label` on its launcher (past the isolate's cache).
fn until_served(stack: &Stack, label: &str) {
    until(
        &format!("the launcher label {label:?} served"),
        CHANGE_SHOWS_WITHIN,
        || (public_config(stack, "Europe/Moscow")["widget"]["theme"]["launcher_label"]["en"] == label).then_some(()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// The promise the callback dialog makes under `hours` at the stack's pinned
/// clock, in the browser's zone, in English.
fn promise(hours: &Value, browser_tz: &str) -> String {
    let hours: BusinessHours = serde_json::from_value(hours.clone()).expect("the site's hours");
    let now = jiff::Timestamp::from_millisecond(saturday_noon_in_moscow()).expect("a time");
    let english = lead::widget::dialog_locale(lead::widget::LanguageHints {
        asked: Some("en"),
        ..Default::default()
    });
    lead::widget::callback_times(&hours, now, browser_tz, english).promise
}

/// The launcher's text and the callback dialog's promise on a freshly loaded page.
async fn shown(browser: &Session, stack: &Stack) -> (String, String) {
    browser.goto(&format!("{}{PAGE}", stack.site.url)).await;
    let launcher = browser.widget(".launcher").await;
    let label = launcher.text().await.expect("the launcher's text").trim().to_owned();
    launcher.click().await.expect("open the widget");
    let promise = browser.widget_text("#lw-promise").await.trim().to_owned();
    (label, promise)
}

fn lead(id: &Uuid) -> Value {
    json!({
        "v": 1, "id": id, "site": SITE, "kind": "callback",
        "contact": {"phone": "+7 912 345-67-89"},
        "page": {"url": format!("http://127.0.0.1:8080/{PAGE}")}
    })
}

fn post_lead(stack: &Stack) -> String {
    let id = Uuid::new_v4();
    let answer = post(stack, "application/json", Some(ORIGIN), lead(&id).to_string());
    assert_eq!(answer.status, 202, "a lead for {SITE}: {}", answer.body);
    id.to_string()
}

/// Waits until `receiver` was sent lead `id` and answered `status`, signed with the site's own key.
fn arrived(receiver: &Receiver, what: &str, id: &str, status: u16) {
    let delivery = receiver
        .wait_for(what, DELIVERY_TIMEOUT, |d| {
            d.lead_id() == Some(id) && d.answered == status
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        delivery.verified,
        "{what}: signed with the site's own key (a sealed secret)"
    );
}

/// The launcher label, a holiday and the destination, changed in one PATCH:
/// a page loaded after the cache life shows the new label and promise, the
/// next lead goes to the new CRM, and the lead accepted before the change
/// (held in flight by the old CRM's 500s) is delivered to the old one.
pub fn a_change_reaches_the_page_and_the_next_lead_while_one_in_flight_keeps_its_destination(stack: &Stack) {
    let old_crm = Receiver::start(0, SIGNING, None).expect("the old CRM");
    let new_crm = Receiver::start(0, SIGNING, None).expect("the new CRM");
    old_crm.answer_with(500);
    let case = Uuid::new_v4().simple().to_string();
    let (old_label, new_label) = (format!("Call me {case}"), format!("Ring me {case}"));

    // The starting point, whatever ran before: open all Saturday, the old
    // CRM, its signing key a secret of the site's own.
    let (version, mut site) = current(stack);
    site["widget"]["theme"]["launcher_label"] = json!({"en": old_label});
    site["hours"]["holidays"] = json!([]);
    site["destination"] = json!([{"id": "crm", "url": old_crm.url, "secret": "CRM_SIGNING"}]);
    site["secrets"] = json!({"CRM_SIGNING": SIGNING});
    let version = put(stack, version, &site);
    until_served(stack, &old_label);
    let hours_before = site["hours"].clone();

    let (browser_tz, before) = block_on(async {
        let browser = stack.driver.session().await;
        let tz = browser
            .run("return Intl.DateTimeFormat().resolvedOptions().timeZone")
            .await
            .as_str()
            .unwrap_or("UTC")
            .to_owned();
        let shown = shown(&browser, stack).await;
        browser.close().await;
        (tz, shown)
    });
    assert_eq!(
        before,
        (old_label.clone(), promise(&hours_before, &browser_tz)),
        "before the change"
    );

    // A lead accepted now is held in flight: the old CRM answers 500.
    let in_flight = post_lead(stack);
    old_crm
        .wait_for("the first attempt at the old CRM", DELIVERY_TIMEOUT, |d| {
            d.lead_id() == Some(in_flight.as_str()) && d.answered == 500
        })
        .unwrap_or_else(|e| panic!("{e}"));

    // The change: label, a holiday on the pinned Saturday, the destination
    // now the new CRM at an address with a code, given as a site secret.
    let saturday = jiff::Timestamp::from_millisecond(saturday_noon_in_moscow())
        .expect("a time")
        .in_tz("Europe/Moscow")
        .expect("Moscow")
        .date()
        .to_string();
    let code = Uuid::new_v4().simple().to_string();
    let patch = json!({
        "widget": {"theme": {"launcher_label": {"en": new_label}}},
        "hours": {"holidays": [saturday]},
        "destination": [{"id": "crm", "url_secret": "CRM_URL", "secret": "CRM_SIGNING"}],
        "secrets": {"CRM_URL": format!("{}/{code}", new_crm.url)}
    });
    let answer = admin(
        stack,
        "PATCH",
        &format!("v1/admin/sites/{SITE}"),
        Some(&json!({"version": version, "patch": patch})),
    );
    assert_eq!(answer.status, 200, "the PATCH: {}", answer.body);
    assert_eq!(answer.body["version"].as_i64(), Some(version + 1), "{}", answer.body);
    until_served(stack, &new_label);

    let (_, site_after) = current(stack);
    let after = block_on(async {
        let browser = stack.driver.session().await;
        let shown = shown(&browser, stack).await;
        browser.close().await;
        shown
    });
    let promise_after = promise(&site_after["hours"], &browser_tz);
    assert_ne!(promise_after, before.1, "a holiday today changes the promise");
    assert_eq!(after, (new_label, promise_after), "a page loaded after the change");

    // The next lead goes to the new CRM; the one in flight, to the old.
    let next = post_lead(stack);
    arrived(&new_crm, "the next lead at the new CRM", &next, 200);
    old_crm.answer_with(200);
    arrived(&old_crm, "the lead in flight at the old CRM", &in_flight, 200);
    assert!(
        new_crm.deliveries_of(&in_flight).is_empty(),
        "the lead accepted before the change never reaches the new CRM"
    );
    assert!(
        old_crm.deliveries_of(&next).is_empty(),
        "the lead accepted after the change never reaches the old CRM"
    );
}

/// The error answer's fields, by name.
fn fields(answer: &Answer) -> Vec<String> {
    answer.body["error"]["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub fn stale_writes_conflict_rollbacks_restore_and_invalid_writes_change_nothing(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    let (v0, site) = current(stack);
    let labelled = |label: &str| {
        let mut site = site.clone();
        site["widget"]["theme"]["launcher_label"] = json!({"en": label});
        site
    };
    let (a, b) = (format!("A {case}"), format!("B {case}"));
    let v1 = put(stack, v0, &labelled(&a));
    let (_, site_a) = current(stack);
    let v2 = put(stack, v1, &labelled(&b));

    // A write over v1, now stale.
    let path = format!("v1/admin/sites/{SITE}");
    let stale = admin(
        stack,
        "PUT",
        &path,
        Some(&json!({"version": v1, "site": labelled("stale")})),
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.body["error"]["code"], "version_conflict", "{}", stale.body);
    assert_eq!(fields(&stale), ["version"], "{}", stale.body);
    assert!(
        stale.body["error"]["fields"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&v2.to_string())),
        "the conflict names the current version {v2}: {}",
        stale.body
    );
    let (version, served) = current(stack);
    assert_eq!(
        (version, &served["widget"]["theme"]["launcher_label"]["en"]),
        (v2, &json!(b))
    );

    // One call puts v1's content back, as v3.
    let rollback = format!("v1/admin/sites/{SITE}/rollback");
    let answer = admin(stack, "POST", &rollback, Some(&json!({"version": v2, "to": v1})));
    assert_eq!(answer.status, 200, "the rollback: {}", answer.body);
    let (v3, restored) = current(stack);
    assert_eq!(v3, v2 + 1, "a rollback is a new version");
    assert_eq!(restored, site_a, "version {v1}'s content");
    until_served(stack, &a);
    let versions = admin(stack, "GET", &format!("v1/admin/sites/{SITE}/versions"), None);
    assert_eq!(versions.status, 200, "{}", versions.body);
    let listed: Vec<i64> = versions.body["versions"]
        .as_array()
        .map(|v| v.iter().filter_map(|v| v["version"].as_i64()).collect())
        .unwrap_or_default();
    assert!(listed.starts_with(&[v3, v2, v1]), "newest first: {listed:?}");
    let stale = admin(stack, "POST", &rollback, Some(&json!({"version": v2, "to": v1})));
    assert_eq!(stale.status, 409, "a rollback over a stale version: {}", stale.body);
    let gone = admin(stack, "POST", &rollback, Some(&json!({"version": v3, "to": v3 + 1000})));
    assert_eq!(gone.status, 404, "a version never kept: {}", gone.body);

    // A write with four bad fields names each, and changes nothing.
    let mut bad = restored.clone();
    bad["widget"]["theme"]["color"] = json!("red");
    bad["hours"]["time_zone"] = json!("Mars/Olympus_Mons");
    bad["retention_days"] = json!(0);
    bad["destination"] = json!([{"id": "crm", "url": "ftp://crm.example/hook"}]);
    let invalid = admin(stack, "PUT", &path, Some(&json!({"version": v3, "site": bad})));
    assert_eq!(invalid.status, 422, "{}", invalid.body);
    assert_eq!(invalid.body["error"]["code"], "invalid_site", "{}", invalid.body);
    let named = fields(&invalid);
    for field in [
        "site.widget.theme.color",
        "site.hours.time_zone",
        "site.retention_days",
        "site.destination[0].url",
    ] {
        assert!(named.iter().any(|f| f == field), "{field} not named: {named:?}");
    }
    let mut renamed = restored.clone();
    renamed["id"] = json!("another-site");
    let mismatch = admin(stack, "PUT", &path, Some(&json!({"version": v3, "site": renamed})));
    assert_eq!(mismatch.status, 422, "{}", mismatch.body);
    assert!(fields(&mismatch).contains(&"site.id".to_owned()), "{}", mismatch.body);
    let patch = json!({"version": v3, "patch": {"default_country": "ZZ"}});
    let invalid_patch = admin(stack, "PATCH", &path, Some(&patch));
    assert_eq!(invalid_patch.status, 422, "{}", invalid_patch.body);
    assert!(
        fields(&invalid_patch).contains(&"site.default_country".to_owned()),
        "{}",
        invalid_patch.body
    );
    assert_eq!(current(stack), (v3, restored), "nothing written by a refused write");
}

/// Secrets given through the API, sealed by the Worker: no answer and no log
/// line shows one, nor does the stored row; reads show `set` and `last4`.
pub fn site_secrets_never_appear_in_an_answer_the_log_or_the_database(stack: &Stack) {
    let crm = Receiver::start(0, SIGNING, None).expect("a CRM");
    let (code, token) = (Uuid::new_v4().simple().to_string(), Uuid::new_v4().simple().to_string());
    let url = format!("{}/{code}", crm.url);
    let token_value = format!("tok-{token}-tail");
    // What must never show: each value whole, and the parts that identify it.
    let hidden: Vec<(&str, String)> = vec![
        ("the CRM address's code", code[..28].to_owned()),
        ("the token", token.clone()),
        ("the signing key", SIGNING.trim_start_matches("whsec_")[..24].to_owned()),
        ("SITES_KEY", SITES_KEY.to_owned()),
    ];
    let mut answers: Vec<(String, String)> = Vec::new();
    let mut note =
        |what: &str, answer: &Answer| answers.push((format!("{what} ({})", answer.status), answer.body.to_string()));

    let path = format!("v1/admin/sites/{SITE}");
    let (version, mut site) = current(stack);
    site["destination"] = json!([{"id": "crm", "url_secret": "CRM_URL", "secret": "CRM_SIGNING"}]);
    site["secrets"] = json!({"CRM_URL": url, "CRM_SIGNING": SIGNING, "PROBE_TOKEN": token_value});
    let written = admin(stack, "PUT", &path, Some(&json!({"version": version, "site": site})));
    assert_eq!(written.status, 200, "{}", written.body);
    note("PUT", &written);
    let version = version + 1;

    let read = admin(stack, "GET", &path, None);
    note("GET", &read);
    assert_eq!(
        read.body["site"]["secrets"],
        json!({
            "CRM_URL": {"set": true, "last4": &code[28..]},
            "CRM_SIGNING": {"set": true, "last4": &SIGNING[SIGNING.len() - 4..]},
            "PROBE_TOKEN": {"set": true, "last4": "tail"},
        }),
        "a read shows that each is set and its last four characters"
    );
    // Keeping with {"set": true}, as a read shows it, and removing with null.
    let patch = json!({"version": version, "patch": {"secrets": {"PROBE_TOKEN": null, "CRM_SIGNING": {"set": true}}}});
    let patched = admin(stack, "PATCH", &path, Some(&patch));
    assert_eq!(patched.status, 200, "{}", patched.body);
    note("PATCH", &patched);
    let read = admin(stack, "GET", &path, None);
    note("GET after the PATCH", &read);
    let names: Vec<&String> = read.body["site"]["secrets"]
        .as_object()
        .map(|s| s.keys().collect())
        .unwrap_or_default();
    assert_eq!(names, ["CRM_SIGNING", "CRM_URL"], "{}", read.body);

    // The delivery opens them: the lead reaches the address with the code, signed with the key.
    let id = post_lead(stack);
    arrived(&crm, "a lead sent with the site's own secrets", &id, 200);

    // Refused writes that carry secrets do not echo them.
    let mut bad = read.body["site"].clone();
    bad["secrets"]["NEW_TOKEN"] = json!(token_value);
    bad["widget"]["theme"]["color"] = json!("red");
    let refused = [
        bad.clone(),
        json!({"id": SITE, "secrets": {"bad name!": token_value}}),
        {
            let mut b = read.body["site"].clone();
            b["destination"] = json!([{"id": "crm", "url": format!("ftp://user:{token}@crm.example/{code}")}]);
            b
        },
    ];
    for body in refused {
        let answer = admin(
            stack,
            "PUT",
            &path,
            Some(&json!({"version": version + 1, "site": body})),
        );
        assert!((400..500).contains(&answer.status), "{}", answer.body);
        note("a refused PUT", &answer);
    }
    let stale = admin(stack, "PUT", &path, Some(&json!({"version": 0, "site": bad})));
    note("a stale PUT", &stale);
    for (what, answer) in [
        ("the list", admin(stack, "GET", "v1/admin/sites", None)),
        ("the versions", admin(stack, "GET", &format!("{path}/versions"), None)),
        (
            "a rollback",
            admin(
                stack,
                "POST",
                &format!("{path}/rollback"),
                Some(&json!({"version": version + 1, "to": version})),
            ),
        ),
        ("GET after the rollback", admin(stack, "GET", &path, None)),
        (
            "the public config",
            call(
                stack,
                "GET",
                &format!("v1/sites/{SITE}/config"),
                &[("origin", ORIGIN)],
                None,
            ),
        ),
    ] {
        assert!(answer.status < 500, "{what}: {}", answer.body);
        note(what, &answer);
    }

    // Stored sealed: the rows hold none of the values.
    let rows = stack
        .collector()
        .query(&format!(
            "SELECT config FROM sites WHERE id = '{SITE}' UNION ALL SELECT config FROM site_versions WHERE id = '{SITE}'"
        ))
        .unwrap_or_else(|e| panic!("the stored site: {e}"));
    let stored: String = rows.iter().map(Value::to_string).collect();
    assert!(
        stored.contains("enc:v1:"),
        "secrets are stored sealed: {} rows",
        rows.len()
    );

    let log = std::fs::read_to_string(stack.artifacts.join("wrangler.log")).expect("wrangler's log");
    for (what, value) in &hidden {
        for (answer, body) in &answers {
            assert!(
                !body.contains(value.as_str()),
                "{what} in the answer to {answer}: {body}"
            );
        }
        assert!(!stored.contains(value.as_str()), "{what} stored in the clear");
        assert!(!log.contains(value.as_str()), "{what} in wrangler's log");
    }
}

/// `cargo xtask sites push` writes a file's site through the API, and `pull`
/// writes the collector's sites back as TOML that reads as a sites file.
/// Runs the xtask binary that `cargo xtask test` was started with.
pub fn cargo_xtask_sites_push_and_pull_go_through_the_api(stack: &Stack) {
    let repo = leadwire_tests::paths::repo_root();
    let text = std::fs::read_to_string(repo.join("edge/sites.toml")).expect("edge/sites.toml");
    let file: lead::site::SitesFile = toml::from_str(&text).expect("edge/sites.toml parses");
    let mut site = file.site(SITE).cloned().expect("the sites-live site");
    let label = format!("Pushed {}", Uuid::new_v4().simple());
    site.widget.theme.launcher_label = serde_json::from_value(json!({"en": label})).expect("a label");
    let dir = leadwire_tests::paths::TempDir::new("leadwire-sites-push").expect("a temp dir");
    let path = dir.path().join("sites.toml");
    let pushed = lead::site::SitesFile { sites: vec![site] };
    std::fs::write(&path, toml::to_string(&pushed).expect("TOML")).expect("written");
    let (before, _) = current(stack);

    // The xtask binary `cargo xtask test` runs from, beside this test's own
    // directory: a nested `cargo xtask` would wait on the lock this run holds.
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            Some(
                exe.parent()?
                    .parent()?
                    .join(format!("xtask{}", std::env::consts::EXE_SUFFIX)),
            )
        })
        .filter(|path| path.exists())
        .expect("target/debug/xtask: run the tests with `cargo xtask test` (or `cargo build -p xtask` first)");
    let xtask = |args: &[&str]| {
        let out = std::process::Command::new(&binary)
            .current_dir(&repo)
            .arg("sites")
            .args(args)
            .args([
                "--url",
                stack.collector_url.trim_end_matches('/'),
                "--token",
                ADMIN_TOKEN,
            ])
            .output()
            .expect("cargo xtask runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "cargo xtask sites {args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let said = xtask(&["push", "--file", &path.to_string_lossy()]);
    assert!(said.contains(&format!("{SITE}: version {}", before + 1)), "{said}");
    let (after, served) = current(stack);
    assert_eq!(after, before + 1);
    assert_eq!(served["widget"]["theme"]["launcher_label"]["en"], json!(label));

    let pulled = xtask(&["pull"]);
    let back: lead::site::SitesFile = toml::from_str(&pulled).unwrap_or_else(|e| panic!("{e}\n{pulled}"));
    let site = back.site(SITE).expect("the pushed site pulled back");
    assert_eq!(site.widget.theme.launcher_label.get("en"), Some(label.as_str()));
    assert!(!pulled.contains("enc:v1:"), "no sealed value in a pull either");
}

/// The public config carries an `ETag`: the same config answers `304` to
/// `If-None-Match` (a page revalidates for nothing), another tag gets the
/// config, and a change to the site gives a new tag.
pub fn the_config_is_revalidated_by_its_etag(stack: &Stack) {
    let path = format!("v1/sites/{SITE}/config?tz=Europe/Moscow&lang=en");
    let get = |tag: Option<&str>| {
        let mut headers = vec![("origin", ORIGIN)];
        headers.extend(tag.map(|t| ("if-none-match", t)));
        call(stack, "GET", &path, &headers, None)
    };
    let first = get(None);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.cache_control.as_deref(), Some("public, max-age=30"));
    let tag = first.etag.expect("the config has an ETag");
    assert_eq!(get(Some(&tag)).status, 304, "the same config is not sent again");
    assert_eq!(get(Some("\"another\"")).status, 200);

    let (version, site) = current(stack);
    let label = site["widget"]["theme"]["launcher_label"].clone();
    let patch = |version: i64, label: Value| {
        let body = json!({"version": version, "patch": {"widget": {"theme": {"launcher_label": label}}}});
        let answer = admin(stack, "PATCH", &format!("v1/admin/sites/{SITE}"), Some(&body));
        assert_eq!(answer.status, 200, "PATCH the label: {}", answer.body);
        answer.body["version"].as_i64().expect("the new version")
    };
    let changed = patch(version, json!({"en": "Revalidate me", "ru": "Проверь меня"}));
    until_served(stack, "Revalidate me");
    let after = get(Some(&tag));
    assert_eq!(after.status, 200, "a changed site is sent again: {}", after.body);
    assert_ne!(after.etag.as_deref(), Some(tag.as_str()), "a change gives a new tag");
    patch(changed, label);
}
