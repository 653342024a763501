//! Cloudflare Turnstile on the `turnstile` site (edge/sites.toml), against the
//! siteverify stand-in (tests/src/turnstile.rs) playing Cloudflare's test
//! keys, and the stand-in `api.js` in the browser: a good token is
//! delivered; a failed or misdirected one is refused by name and
//! nothing is stored; an outage never costs the lead: it is held, and
//! delivered once an operator releases it.

use leadwire_tests::turnstile::{Behaviour, Outage, TestKey, DUMMY_TOKEN, SECRET};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::post;
use crate::faults::admin;
use crate::support::{block_on, Stack, DELIVERY_TIMEOUT, ORIGIN};

/// Puts the stand-in back to passing good tokens when a case ends, however it ends.
struct Standin<'a>(&'a Stack);

impl Drop for Standin<'_> {
    fn drop(&mut self) {
        self.0.siteverify.reset();
    }
}

fn callback(token: Option<&str>) -> Value {
    let mut body = json!({
        "v": 1, "id": Uuid::new_v4(), "site": "turnstile", "kind": "callback",
        "contact": {"phone": "8 (912) 345-67-89"},
        "page": {"url": "http://127.0.0.1:8080/turnstile.html"},
        "signals": {"elapsed_ms": 24_000},
    });
    if let Some(token) = token {
        body["signals"]["turnstile"] = token.into();
    }
    body
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_owned()
}

fn posted(stack: &Stack, body: &Value) -> crate::api::Answer {
    post(stack, "text/plain", Some(ORIGIN), body.to_string())
}

fn delivered(stack: &Stack, id: &str) {
    stack
        .receiver
        .wait_for(&format!("lead {id} at the receiver"), DELIVERY_TIMEOUT, |d| {
            d.lead_id() == Some(id)
        })
        .unwrap();
}

pub fn a_verified_token_is_delivered_and_a_retry_checks_it_idempotently(stack: &Stack) {
    let _reset = Standin(stack);
    let body = callback(Some(DUMMY_TOKEN));
    let id = id_of(&body);
    let answer = posted(stack, &body);
    assert_eq!(answer.status, 202, "{}", answer.body);
    delivered(stack, &id);
    let checks = stack.siteverify.checks_of(&id);
    assert_eq!(checks.len(), 1, "one siteverify call: {checks:?}");
    assert_eq!(
        (checks[0].field("secret"), checks[0].field("response")),
        (Some(SECRET), Some(DUMMY_TOKEN)),
        "the documented request: the secret key and the token"
    );
    assert!(checks[0].passed());
    // The same lead again (a retry whose first answer was lost): the lead id
    // is the idempotency key, so Cloudflare answers as before; it is stored once.
    let again = posted(stack, &body);
    assert_eq!(again.status, 202, "{}", again.body);
    assert_eq!(stack.siteverify.checks_of(&id).len(), 2);
    assert_eq!(
        stack.count(&format!(
            "SELECT count(*) AS n FROM leads WHERE id = '{id}' AND spam = 0"
        )),
        1
    );
    assert_eq!(stack.receiver.deliveries_of(&id).len(), 1);
}

pub fn failed_and_misdirected_tokens_are_refused_by_name(stack: &Stack) {
    let _reset = Standin(stack);
    let refused = |what: &str, body: Value, code: &str| {
        let answer = posted(stack, &body);
        assert_eq!(
            (
                answer.status,
                &answer.body["error"]["code"],
                &answer.body["error"]["fields"][0]["field"],
                &answer.body["error"]["fields"][0]["code"],
            ),
            (
                403,
                &json!("turnstile_failed"),
                &json!("signals.turnstile"),
                &json!(code)
            ),
            "{what}: {}",
            answer.body
        );
        id_of(&body)
    };
    let mut ids = Vec::new();
    stack.siteverify.behave(Behaviour::Key(TestKey::AlwaysFails));
    ids.push(refused("always fails", callback(Some(DUMMY_TOKEN)), "invalid"));
    stack.siteverify.reset();
    ids.push(refused("not the dummy token", callback(Some("forged")), "invalid"));
    ids.push(refused("too long", callback(Some(&"x".repeat(2049))), "invalid"));
    stack.siteverify.answer_for("evil.example", "lead");
    ids.push(refused(
        "another hostname",
        callback(Some(DUMMY_TOKEN)),
        "wrong_hostname",
    ));
    stack.siteverify.answer_for("127.0.0.1", "login");
    ids.push(refused("another action", callback(Some(DUMMY_TOKEN)), "wrong_action"));
    let listed = ids.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(",");
    assert_eq!(
        stack.count(&format!("SELECT count(*) AS n FROM leads WHERE id IN ({listed})")),
        0,
        "nothing refused is stored"
    );
    // The too-long token never reached Cloudflare; the others did, once each.
    assert_eq!(stack.siteverify.checks_of(&ids[2]).len(), 0);
    for id in ids.iter().filter(|id| **id != ids[2]) {
        assert_eq!(stack.siteverify.checks_of(id).len(), 1, "{id}");
    }
}

pub fn an_outage_holds_the_lead_until_an_operator_releases_it(stack: &Stack) {
    let _reset = Standin(stack);
    let since = jiff::Timestamp::now();
    let held = |body: Value| {
        let answer = posted(stack, &body);
        assert_eq!(answer.status, 202, "{}", answer.body);
        id_of(&body)
    };
    stack.siteverify.behave(Behaviour::Outage(Outage::Hang));
    let started = std::time::Instant::now();
    let timed_out = held(callback(Some(DUMMY_TOKEN)));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the collector gave up on siteverify after its timeout"
    );
    stack.siteverify.behave(Behaviour::Outage(Outage::Unavailable));
    let unavailable = held(callback(Some(DUMMY_TOKEN)));
    stack.siteverify.behave(Behaviour::Outage(Outage::InternalError));
    let internal = held(callback(Some(DUMMY_TOKEN)));
    // A spent or expired token: what an offline visitor's outbox sends later.
    stack.siteverify.behave(Behaviour::Key(TestKey::AlreadySpent));
    let spent = held(callback(Some(DUMMY_TOKEN)));
    stack.siteverify.reset();
    let missing = held(callback(None));
    let reasons = [
        (&spent, "turnstile_expired"),
        (&timed_out, "turnstile_unavailable"),
        (&unavailable, "turnstile_unavailable"),
        (&internal, "turnstile_unavailable"),
        (&missing, "turnstile_missing"),
    ];
    let listed = admin(
        stack,
        "GET",
        &format!("leads?since={since}&site=turnstile&spam=true"),
        None,
    );
    assert_eq!(listed.status, 200, "{}", listed.body);
    for (id, reason) in reasons {
        let lead = listed.body["leads"]
            .as_array()
            .and_then(|all| all.iter().find(|l| l["id"] == json!(id)))
            .unwrap_or_else(|| panic!("{id} is not listed as held: {}", listed.body));
        assert_eq!(lead["spam_reason"], json!(reason), "{id}");
        assert_eq!(lead["deliveries"], json!([]), "{id} is held, not queued");
        assert!(
            stack.receiver.deliveries_of(id).is_empty(),
            "{id} was forwarded while held"
        );
    }

    let released = admin(stack, "POST", &format!("leads/{timed_out}/release"), None);
    assert_eq!(
        (released.status, &released.body["replayed"]),
        (202, &json!(1)),
        "{}",
        released.body
    );
    delivered(stack, &timed_out);
    // The attempt is recorded just after the receiver answers.
    let detail = leadwire_tests::wait::until("the released lead recorded as delivered", DELIVERY_TIMEOUT, || {
        let detail = admin(stack, "GET", &format!("leads/{timed_out}"), None).body;
        (detail["deliveries"][0]["state"] == json!("delivered")).then_some(detail)
    })
    .unwrap();
    assert_eq!(
        (&detail["spam"], &detail["spam_reason"]),
        (&json!(false), &json!("turnstile_unavailable")),
        "released, and the reason it was held is kept: {detail}"
    );
    let twice = admin(stack, "POST", &format!("leads/{timed_out}/release"), None);
    assert_eq!((twice.status, &twice.body["error"]["code"]), (409, &json!("not_held")));
    let unknown = admin(stack, "POST", &format!("leads/{}/release", Uuid::new_v4()), None);
    assert_eq!(unknown.status, 404);
    // The others stay held until released.
    assert!(stack.receiver.deliveries_of(&unavailable).is_empty());
}

pub fn the_widget_renders_the_challenge_and_its_token_is_verified(stack: &Stack) {
    let _reset = Standin(stack);
    let case = Uuid::new_v4().simple().to_string();
    let page = format!("{}turnstile.html?case={case}", stack.site.url);
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&page).await;
        browser
            .widget(".launcher")
            .await
            .click()
            .await
            .expect("click the launcher");
        let challenge = browser
            .widget(".turnstile .cf-turnstile-stand-in[data-state=solved]")
            .await;
        let attr = |name: &'static str| {
            let challenge = challenge.clone();
            async move { challenge.attr(name).await.ok().flatten() }
        };
        assert_eq!(attr("data-sitekey").await.as_deref(), Some("1x00000000000000000000AA"));
        assert_eq!(attr("data-action").await.as_deref(), Some("lead"));
        assert_eq!(attr("data-appearance").await.as_deref(), Some("interaction-only"));
        browser
            .widget("#lw-phone")
            .await
            .send_keys("8 (912) 345-67-89")
            .await
            .expect("type the phone");
        browser.submit().await;
        let confirmation = browser.widget_text(".done").await;
        assert!(confirmation.starts_with("Thank you"), "confirmation: {confirmation}");
        browser.close().await;
    });
    let delivery = stack
        .receiver
        .wait_for("the turnstile lead at the receiver", DELIVERY_TIMEOUT, |d| {
            d.body.contains(&case)
        })
        .unwrap();
    let id = delivery.lead_id().expect("data.id").to_owned();
    let checks = stack.siteverify.checks_of(&id);
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(
        checks[0].field("response"),
        Some(DUMMY_TOKEN),
        "the widget's token was checked"
    );
    assert!(checks[0].passed());
}
