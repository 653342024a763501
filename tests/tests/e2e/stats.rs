//! The report and the CSV export against the real Worker and its local D1: a
//! site of the case's own (created through the admin API, so no other case's
//! lead is counted), leads posted from three sources in two modes (one spam by
//! its honeypot, one with a name that is a formula, one with `;`, quotes and a
//! line break), funnel counters written into D1 as the widget's beacons would;
//! then `/v1/admin/stats` by every grouping equals what was posted, the CSV
//! read by Python's csv module has those leads with the formula guarded, and
//! the inbox's `kind` and `channel` filters narrow the list.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use leadwire_tests::receiver::http_agent;
use leadwire_tests::wait::until;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::{call, post, Answer};
use crate::support::{Stack, ADMIN_TOKEN, DELIVERY_TIMEOUT, ORIGIN};

const ZONE: &str = "Europe/Moscow";
const HOSTILE_NAME: &str = "=HYPERLINK(\"x\")";
const AWKWARD_NAME: &str = "Ivan; \"Vanya\" Petrov";
const AWKWARD_MESSAGE: &str = "Call after 6;\nask for \"Vanya\"";

fn admin(stack: &Stack, path: &str) -> Answer {
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    call(stack, "GET", path, &[("authorization", bearer.as_str())], None)
}

/// A site of this run's own: Moscow days, one webhook to the test receiver.
fn create_site(stack: &Stack) -> String {
    let id = format!("stats-{}", &Uuid::new_v4().simple().to_string()[..8]);
    let day = json!(["09:00-18:00"]);
    let site = json!({
        "id": id, "origins": [ORIGIN], "default_country": "RU",
        "hours": {"time_zone": ZONE, "week": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day,
            "sat": day, "sun": day}},
        "limits": {"client": {"leads": 1000, "seconds": 60}, "phone": {"leads": 1000, "seconds": 3600}},
        "destination": [{"id": "crm", "url_secret": "DEMO_WEBHOOK_URL", "secret": "DEMO_WEBHOOK_SECRET"}]
    });
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
    let body = json!({"version": 0, "site": site}).to_string();
    let answer = call(stack, "PUT", &format!("v1/admin/sites/{id}"), &headers, Some(body));
    assert_eq!(answer.status, 200, "creating {id}: {}", answer.body);
    id
}

/// One of the case's leads: what it is, and what the CSV and the stats should say of it.
struct Posted {
    kind: &'static str,
    query: &'static str,
    name: &'static str,
    message: Option<&'static str>,
    spam: bool,
    channel: &'static str,
    source: &'static str,
    campaign: &'static str,
}

const LEADS: &[Posted] = &[
    Posted {
        kind: "callback",
        query: "?utm_source=yandex&utm_medium=cpc&utm_campaign=spring",
        name: "Anna",
        message: None,
        spam: false,
        channel: "paid_search",
        source: "yandex",
        campaign: "spring",
    },
    Posted {
        kind: "form",
        query: "?utm_source=yandex&utm_medium=cpc&utm_campaign=spring",
        name: HOSTILE_NAME,
        message: Some("-2+3"),
        spam: false,
        channel: "paid_search",
        source: "yandex",
        campaign: "spring",
    },
    Posted {
        kind: "callback",
        query: "?utm_source=newsletter&utm_medium=email&utm_campaign=autumn",
        name: AWKWARD_NAME,
        message: Some(AWKWARD_MESSAGE),
        spam: false,
        channel: "email",
        source: "newsletter",
        campaign: "autumn",
    },
    Posted {
        kind: "callback",
        query: "",
        name: "Oleg",
        message: None,
        spam: false,
        channel: "direct",
        source: "(direct)",
        campaign: "",
    },
    Posted {
        kind: "form",
        query: "?utm_source=yandex&utm_medium=cpc&utm_campaign=spring",
        name: "Bot",
        message: None,
        spam: true,
        channel: "paid_search",
        source: "yandex",
        campaign: "spring",
    },
];

/// Posts every lead of [`LEADS`]; answers their ids with their phones.
fn post_leads(stack: &Stack, site: &str) -> Vec<(String, String)> {
    LEADS
        .iter()
        .map(|p| {
            let id = Uuid::new_v4();
            let phone = format!("+7912{:07}", id.as_u128() % 10_000_000);
            let body = json!({
                "v": 1, "id": id, "site": site, "kind": p.kind,
                "contact": {"phone": phone, "name": p.name},
                "message": p.message,
                "page": {"url": format!("{ORIGIN}/{}", p.query)},
                "signals": {"honeypot": if p.spam { "http://cheap.example" } else { "" }, "elapsed_ms": 24_000}
            });
            let answer = post(stack, "text/plain", Some(ORIGIN), body.to_string());
            assert_eq!(answer.status, 202, "{body} → {}", answer.body);
            (id.to_string(), phone)
        })
        .collect()
}

/// The counters the widget's beacons would have left for today (`day`).
fn write_funnel(stack: &Stack, site: &str, day: &str) {
    let rows = [
        ("", "paid_search", "spring", "shown", 100),
        ("callback", "paid_search", "spring", "opened", 20),
        ("form", "paid_search", "spring", "opened", 5),
        ("callback", "paid_search", "spring", "started", 10),
        ("callback", "email", "autumn", "opened", 4),
    ];
    let values: Vec<String> = rows
        .iter()
        .map(|(mode, channel, campaign, event, n)| {
            format!("('{site}', '{day}', '{mode}', '{channel}', '{campaign}', '{event}', {n})")
        })
        .collect();
    // Added to whatever the collector counts itself (accepted, delivered).
    let sql = format!(
        "INSERT INTO funnel_daily (site, day, mode, channel, campaign, event, n) VALUES {} \
         ON CONFLICT (site, day, mode, channel, campaign, event) DO UPDATE SET n = n + excluded.n",
        values.join(", ")
    );
    stack
        .collector()
        .query(&sql)
        .unwrap_or_else(|e| panic!("writing funnel counters: {e}"));
}

fn stats(stack: &Stack, site: &str, by: &str, period: &str) -> Value {
    let answer = admin(stack, &format!("v1/admin/stats?site={site}&by={by}{period}"));
    assert_eq!(answer.status, 200, "stats by {by}: {}", answer.body);
    answer.body
}

/// `key → (leads, spam, delivered)` of a report's rows.
fn rows(report: &Value) -> BTreeMap<String, (i64, i64, i64)> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap_or(-1);
            (
                r["key"].as_str().unwrap_or("?").to_owned(),
                (n("leads"), n("spam"), n("delivered")),
            )
        })
        .collect()
}

/// What the posted leads should give, grouped by `key_of`.
fn expected(key_of: impl Fn(&Posted) -> String) -> BTreeMap<String, (i64, i64, i64)> {
    let mut groups = BTreeMap::new();
    for p in LEADS {
        let (leads, spam, delivered) = groups.entry(key_of(p)).or_insert((0, 0, 0));
        if p.spam {
            *spam += 1;
        } else {
            *leads += 1;
            *delivered += 1;
        }
    }
    groups
}

/// Downloads a CSV: (status, content type, content disposition, bytes).
fn download(stack: &Stack, path: &str) -> (u16, String, String, Vec<u8>) {
    let url = format!("{}{path}", stack.collector_url);
    let request = http::Request::builder()
        .uri(&url)
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .body(())
        .expect("request");
    let mut response = http_agent(Duration::from_secs(60))
        .run(request)
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let bytes = response.body_mut().read_to_vec().unwrap_or_default();
    (response.status().as_u16(), content_type, disposition, bytes)
}

/// The file read by Python's csv module, each row a `{header: cell}` object.
fn python_csv(bytes: &[u8], delimiter: char) -> Vec<BTreeMap<String, String>> {
    let script = format!(
        "import csv, io, json, sys\n\
         text = io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8-sig', newline='')\n\
         print(json.dumps(list(csv.DictReader(text, delimiter='{delimiter}'))))"
    );
    let mut python = Command::new("python3")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    python
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("the CSV reaches python");
    let out = python.wait_with_output().expect("python3 ends");
    assert!(
        out.status.success(),
        "python's csv: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python printed JSON")
}

pub fn the_report_and_the_csv_equal_the_posted_leads(stack: &Stack) {
    let site = create_site(stack);
    let ids = post_leads(stack, &site);
    let today = jiff::Zoned::now().in_tz(ZONE).expect("Moscow's zone").date();
    write_funnel(stack, &site, &today.to_string());
    // Today and yesterday: a run across midnight in Moscow still sees every lead.
    let period = format!("&since={}&until={today}", today.yesterday().expect("a day"));
    let delivered = LEADS.iter().filter(|p| !p.spam).count() as i64;
    until("every lead of the site delivered", DELIVERY_TIMEOUT, || {
        let report = stats(stack, &site, "mode", &period);
        (report["total"]["delivered"].as_i64() == Some(delivered)).then_some(())
    })
    .unwrap();

    // Each grouping of leads equals the posted leads grouped so.
    let groupings: [(&str, &dyn Fn(&Posted) -> String); 4] = [
        ("channel", &|p| p.channel.to_owned()),
        ("source", &|p| p.source.to_owned()),
        ("campaign", &|p| p.campaign.to_owned()),
        ("mode", &|p| p.kind.to_owned()),
    ];
    for (by, key_of) in groupings {
        let report = stats(stack, &site, by, &period);
        // Rows of funnel counters alone (mode '' holds `shown`) have no lead to compare.
        let mut with_leads = rows(&report);
        with_leads.retain(|_, counts| *counts != (0, 0, 0));
        assert_eq!(with_leads, expected(key_of), "by {by}: {report}");
        let total = &report["total"];
        assert_eq!(
            (
                total["leads"].as_i64(),
                total["spam"].as_i64(),
                total["failed"].as_i64()
            ),
            (Some(delivered), Some(1), Some(0)),
            "by {by}"
        );
        let leads: Vec<i64> = report["rows"]
            .as_array()
            .map(|r| r.iter().filter_map(|r| r["leads"].as_i64()).collect())
            .unwrap_or_default();
        assert!(leads.windows(2).all(|w| w[0] >= w[1]), "most leads first: {leads:?}");
    }

    // The funnel as written, and the conversion between its steps.
    let by_channel = stats(stack, &site, "channel", &period);
    let paid = by_channel["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["key"] == "paid_search"))
        .expect("a paid_search row")
        .clone();
    assert_eq!(
        (
            &paid["funnel"]["shown"],
            &paid["funnel"]["opened"],
            &paid["funnel"]["started"]
        ),
        (&json!(100), &json!(25), &json!(10)),
        "{paid}"
    );
    assert_eq!(
        (&paid["conversion"]["opened"], &paid["conversion"]["started"]),
        (&json!(0.25), &json!(0.4)),
        "{paid}"
    );
    let by_mode = stats(stack, &site, "mode", &period);
    let callback = by_mode["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["key"] == "callback"))
        .expect("a callback row")
        .clone();
    assert_eq!(callback["funnel"]["opened"], 24, "{callback}");
    assert_eq!(
        callback["conversion"]["opened"],
        Value::Null,
        "shown has no mode: {callback}"
    );
    let no_mode = by_mode["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["key"] == ""))
        .expect("a row of the counters tied to no mode");
    assert_eq!(
        (&no_mode["leads"], &no_mode["funnel"]["shown"]),
        (&json!(0), &json!(100))
    );
    let by_source = stats(stack, &site, "source", &period);
    assert!(
        by_source["rows"]
            .as_array()
            .is_some_and(|r| r.iter().all(|r| r["funnel"].is_null())),
        "{by_source}"
    );
    assert_eq!(by_source["total"]["funnel"]["shown"], 100, "{by_source}");

    // By destination: the one webhook took every lead; by day: both days, today's with the leads.
    let by_destination = stats(stack, &site, "destination", &period);
    assert_eq!(
        rows(&by_destination),
        BTreeMap::from([
            ("crm".to_owned(), (delivered, 0, delivered)),
            (String::new(), (0, 1, 0))
        ]),
        "{by_destination}"
    );
    let by_day = stats(stack, &site, "day", &period);
    let days: Vec<&str> = by_day["rows"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["key"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(days, [today.yesterday().expect("a day").to_string(), today.to_string()]);
    let sum: i64 = rows(&by_day).values().map(|(leads, _, _)| leads).sum();
    assert_eq!(sum, delivered, "{by_day}");
    assert_eq!(by_day["rows"][1]["funnel"]["shown"], 100, "{by_day}");

    // Bad input is a 400 naming the field; an unknown site a 404.
    let refusals = [
        ("v1/admin/stats?by=channel".to_owned(), 400, "site"),
        (format!("v1/admin/stats?site={site}&by=week"), 400, "by"),
        (format!("v1/admin/stats?site={site}&since=2026-13-01"), 400, "since"),
        (
            format!("v1/admin/stats?site={site}&since=2020-01-01&until=2026-01-01"),
            400,
            "since",
        ),
        ("v1/admin/stats?site=no-such-site".to_owned(), 404, "site"),
    ];
    for (path, status, field) in refusals {
        let answer = admin(stack, &path);
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert_eq!(
            answer.body["error"]["fields"][0]["field"], field,
            "{path}: {}",
            answer.body
        );
    }

    check_csv(stack, &site, &ids);
    check_inbox_filters(stack, &site);
}

fn check_csv(stack: &Stack, site: &str, ids: &[(String, String)]) {
    let (status, content_type, disposition, bytes) = download(stack, &format!("v1/admin/leads.csv?site={site}"));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"leads-{site}-")) && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert!(bytes.starts_with("\u{feff}id;".as_bytes()), "a BOM, then the header");
    std::fs::write(stack.artifacts.join("stats-leads.csv"), &bytes).expect("the CSV kept as an artifact");
    let file = python_csv(&bytes, ';');
    let not_spam: Vec<(&Posted, &(String, String))> = LEADS.iter().zip(ids).filter(|(p, _)| !p.spam).collect();
    assert_eq!(
        file.len(),
        not_spam.len(),
        "spam is left out unless asked for: {file:?}"
    );
    for (posted, (id, phone)) in &not_spam {
        let row = file
            .iter()
            .find(|r| r.get("id") == Some(id))
            .unwrap_or_else(|| panic!("lead {id} in the CSV"));
        let cell = |name: &str| row.get(name).map(String::as_str).unwrap_or("<missing>");
        let name = if posted.name.starts_with('=') {
            format!("'{}", posted.name)
        } else {
            posted.name.to_owned()
        };
        assert_eq!(cell("name"), name, "{row:?}");
        assert_eq!(cell("phone"), format!("'{phone}"), "an E.164 phone is guarded as text");
        assert_eq!(
            (cell("kind"), cell("channel"), cell("source"), cell("campaign")),
            (posted.kind, posted.channel, posted.source, posted.campaign)
        );
        assert_eq!(
            (cell("site"), cell("spam"), cell("delivery")),
            (site, "false", "delivered")
        );
        let message = match posted.message {
            Some(m) if m.starts_with('-') => format!("'{m}"),
            Some(m) => m.to_owned(),
            None => String::new(),
        };
        assert_eq!(cell("message"), message, "{row:?}");
        assert!(cell("received_local").len() == 19, "{row:?}");
    }

    // The spam lead on request, with its reason; a comma file reads the same.
    let (_, _, _, spam) = download(stack, &format!("v1/admin/leads.csv?site={site}&spam=true"));
    let spam = python_csv(&spam, ';');
    assert_eq!(spam.len(), 1, "{spam:?}");
    assert_eq!(
        (
            spam[0]["spam"].as_str(),
            spam[0]["spam_reason"].is_empty(),
            spam[0]["delivery"].as_str()
        ),
        ("true", false, "")
    );
    let (_, _, _, comma) = download(
        stack,
        &format!("v1/admin/leads.csv?site={site}&delimiter=comma&kind=callback"),
    );
    let comma = python_csv(&comma, ',');
    assert_eq!(comma.len(), 3, "{comma:?}");
    assert!(comma
        .iter()
        .any(|r| r["name"] == AWKWARD_NAME && r["message"] == AWKWARD_MESSAGE));
    for (query, field) in [
        ("delimiter=tab", "delimiter"),
        ("channel=tv", "channel"),
        ("colour=red", "colour"),
    ] {
        let answer = admin(stack, &format!("v1/admin/leads.csv?site={site}&{query}"));
        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
        assert_eq!(answer.body["error"]["fields"][0]["field"], field, "{query}");
    }
}

fn check_inbox_filters(stack: &Stack, site: &str) {
    let list = |query: &str| {
        let answer = admin(stack, &format!("v1/admin/leads?site={site}&{query}"));
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        answer.body["leads"].as_array().cloned().unwrap_or_default()
    };
    let forms = list("kind=form");
    assert_eq!(forms.len(), 1, "{forms:?}");
    assert_eq!(
        (
            &forms[0]["name"],
            &forms[0]["channel"],
            &forms[0]["source"],
            &forms[0]["campaign"]
        ),
        (
            &json!(HOSTILE_NAME),
            &json!("paid_search"),
            &json!("yandex"),
            &json!("spring")
        )
    );
    assert!(
        forms[0]["phone"].as_str().is_some_and(|p| p.starts_with("+7912")),
        "{forms:?}"
    );
    assert_eq!(forms[0]["email"], Value::Null);
    let email = list("channel=email");
    assert_eq!(email.len(), 1, "{email:?}");
    assert_eq!(email[0]["name"], AWKWARD_NAME);
    assert_eq!(list("channel=paid_search&kind=callback").len(), 1);
    assert_eq!(list("channel=paid_search&spam=true").len(), 1);
    let bad = admin(stack, &format!("v1/admin/leads?site={site}&kind=fax"));
    assert_eq!(
        (bad.status, &bad.body["error"]["fields"][0]["field"]),
        (400, &json!("kind"))
    );
}
