//! Personal data and lead ids, against the real Worker and its local D1: a
//! reused id with other content is refused, an exact repeat is not; an
//! erasure (by id, phone or email) leaves no row of its leads in any table;
//! the sweeper deletes what a site no longer keeps, and nothing pending.
//! Every case uses the `privacy` site (edge/sites.toml, `retention_days = 1`)
//! and phone numbers and emails of its own, so no other case's lead is touched.

use std::time::Duration;

use leadwire_tests::wait::until;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::post;
use crate::faults::admin;
use crate::support::{Stack, DELIVERY_TIMEOUT, ORIGIN};

/// Sweeps run every 2 s; one is enough, a few may be busy.
const SWEPT: Duration = Duration::from_secs(30);
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A Russian mobile number of this case's own: `+7912` and seven digits.
fn own_phone() -> String {
    format!("+7912{:07}", Uuid::new_v4().as_u128() % 10_000_000)
}

/// `+79123456789` as people write it: `+7 (912) 345-67-89`.
fn spaced(e164: &str) -> String {
    let d = &e164[2..];
    format!("+7 ({}) {}-{}-{}", &d[0..3], &d[3..6], &d[6..8], &d[8..10])
}

/// `8 (912) 345-67-89`: the same number, national.
fn national(e164: &str) -> String {
    spaced(e164).replacen("+7", "8", 1)
}

fn callback(id: &Uuid, phone: &str) -> Value {
    json!({
        "v": 1, "id": id, "site": "privacy", "kind": "callback",
        "contact": {"phone": phone, "name": "Ivan"},
        "page": {"url": "http://127.0.0.1:8080/privacy"}
    })
}

fn form(id: &Uuid, email: &str) -> Value {
    json!({
        "v": 1, "id": id, "site": "privacy", "kind": "form",
        "contact": {"email": email}, "message": "Please call",
        "page": {"url": "http://127.0.0.1:8080/privacy"}
    })
}

/// Posts a lead and checks the answer's status; returns the body.
fn posted(stack: &Stack, body: &Value, status: u16) -> Value {
    let answer = post(stack, "text/plain", Some(ORIGIN), body.to_string());
    assert_eq!(answer.status, status, "{body} → {}", answer.body);
    answer.body
}

fn quoted(ids: &[String]) -> String {
    ids.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(",")
}

/// Waits until D1 has recorded one attempt of each lead (so every table has its rows).
fn attempted(stack: &Stack, ids: &[String]) {
    let sql = format!(
        "SELECT count(DISTINCT lead_id) AS n FROM attempts WHERE lead_id IN ({})",
        quoted(ids)
    );
    until("D1 to record the leads' attempts", DELIVERY_TIMEOUT, || {
        (stack.count(&sql) == ids.len() as i64).then_some(())
    })
    .unwrap();
}

/// Rows of any table of the collector's D1 (its migrations' bookkeeping
/// aside) in which any column holds any of `needles`: a table another
/// feature adds later is searched too.
fn rows_holding(stack: &Stack, needles: &[String]) -> Vec<Value> {
    let columns = stack
        .collector()
        .query(
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_cf_%' \
               AND m.name NOT LIKE 'd1_%'",
        )
        .unwrap_or_else(|e| panic!("the schema: {e}"));
    let mut tables: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for row in &columns {
        if let (Some(t), Some(c)) = (row["t"].as_str(), row["c"].as_str()) {
            tables.entry(t.to_owned()).or_default().push(c.to_owned());
        }
    }
    assert!(
        ["leads", "deliveries", "attempts"]
            .iter()
            .all(|t| tables.contains_key(*t)),
        "{tables:?}"
    );
    let selects: Vec<String> = tables
        .iter()
        .map(|(table, columns)| {
            let any = columns
                .iter()
                .flat_map(|c| {
                    needles
                        .iter()
                        .map(move |n| format!("instr(coalesce(CAST(\"{c}\" AS TEXT), ''), '{n}') > 0"))
                })
                .collect::<Vec<_>>()
                .join(" OR ");
            format!("SELECT '{table}' AS t, count(*) AS n FROM \"{table}\" WHERE {any}")
        })
        .collect();
    // One query per table: D1 limits the terms of a compound SELECT.
    let counts: Vec<Value> = selects
        .iter()
        .flat_map(|select| {
            stack
                .collector()
                .query(select)
                .unwrap_or_else(|e| panic!("searching every table: {e}"))
        })
        .collect();
    counts.into_iter().filter(|r| r["n"].as_i64() != Some(0)).collect()
}

pub fn a_reused_id_with_other_content_is_refused_and_an_exact_repeat_is_not(stack: &Stack) {
    let id = Uuid::new_v4();
    let phone = own_phone();
    let first = callback(&id, &spaced(&phone));
    posted(stack, &first, 202);
    attempted(stack, &[id.to_string()]);
    // The widget's outbox retrying: the same body, and the same number written another way.
    posted(stack, &first, 202);
    posted(stack, &callback(&id, &national(&phone)), 202);
    let changes: &[(&str, &str, Value)] = &[
        ("another phone", "/contact/phone", json!(own_phone())),
        ("another name", "/contact/name", json!("Olga")),
        ("a message", "/message", json!("Also a question")),
        ("another kind", "/kind", json!("form")),
    ];
    for (what, pointer, value) in changes {
        let mut other = first.clone();
        match other.pointer_mut(pointer) {
            Some(slot) => *slot = value.clone(),
            None => other["message"] = value.clone(),
        }
        let answer = posted(stack, &other, 409);
        assert_eq!(answer["error"]["code"], "id_reused", "{what}: {answer}");
        assert_eq!(answer["error"]["fields"][0]["field"], "id", "{what}: {answer}");
        assert_eq!(answer["error"]["fields"][0]["code"], "id_reused", "{what}: {answer}");
    }
    // The stored lead is the first, with its one delivery and one attempt.
    let rows = stack
        .collector()
        .query(&format!(
            "SELECT json_extract(lead, '$.contact.phone') AS phone, json_extract(lead, '$.contact.name') AS name, \
               (SELECT count(*) FROM deliveries WHERE lead_id = '{id}') AS deliveries, \
               (SELECT count(*) FROM attempts WHERE lead_id = '{id}') AS attempts, \
               fingerprint FROM leads WHERE id = '{id}'"
        ))
        .unwrap_or_else(|e| panic!("the lead: {e}"));
    let row = rows.first().unwrap_or_else(|| panic!("lead {id} is stored"));
    assert_eq!(
        (&row["phone"], &row["name"], &row["deliveries"], &row["attempts"]),
        (&json!(phone), &json!("Ivan"), &json!(1), &json!(1)),
        "{row}"
    );
    assert!(
        row["fingerprint"].as_str().is_some_and(|f| f.starts_with("v1:")),
        "{row}"
    );
    assert_eq!(stack.receiver.deliveries_of(&id.to_string()).len(), 1, "delivered once");
}

pub fn erasure_by_id_phone_and_email_leaves_no_row_of_those_leads(stack: &Stack) {
    let (phone_a, phone_b, phone_keep) = (own_phone(), own_phone(), own_phone());
    let tag = Uuid::new_v4().simple().to_string();
    let email = format!("Ivan.{tag}@Example.COM");
    let ids: Vec<Uuid> = (0..6).map(|_| Uuid::new_v4()).collect();
    let mut with_email = callback(&ids[4], &phone_keep);
    with_email["contact"]["email"] = json!(email.to_lowercase());
    let leads = [
        callback(&ids[0], &phone_a),            // erased by id
        callback(&ids[1], &spaced(&phone_b)),   // erased by phone …
        callback(&ids[2], &national(&phone_b)), // … as typed another way
        form(&ids[3], &email),                  // erased by email …
        with_email,                             // … in another case
        callback(&ids[5], &phone_keep),         // kept: another number, no email
    ];
    for lead in &leads {
        posted(stack, lead, 202);
    }
    let all: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    attempted(stack, &all);

    // Bad input is named, and erases nothing.
    let refused: &[(&str, &str, Option<Value>, &str, &str)] = &[
        ("DELETE", "leads/not-a-uuid", None, "id", "invalid"),
        ("POST", "erase", Some(json!({})), "id", "required"),
        (
            "POST",
            "erase",
            Some(json!({"phone": national(&phone_b)})),
            "phone",
            "country_needed",
        ),
        (
            "POST",
            "erase",
            Some(json!({"phone": "call me", "country": "RU"})),
            "phone",
            "invalid",
        ),
        ("POST", "erase", Some(json!({"email": "nobody"})), "email", "invalid"),
        (
            "POST",
            "erase",
            Some(json!({"id": all[0], "email": email})),
            "email",
            "not_allowed",
        ),
        ("POST", "erase", Some(json!({"name": "Ivan"})), "name", "invalid"),
    ];
    for (method, path, body, field, code) in refused {
        let answer = admin(stack, method, path, body.clone());
        assert_eq!(answer.status, 400, "{method} {path} {body:?}: {}", answer.body);
        assert_eq!(
            (
                answer.body["error"]["fields"][0]["field"].as_str(),
                answer.body["error"]["fields"][0]["code"].as_str()
            ),
            (Some(*field), Some(*code)),
            "{method} {path} {body:?}: {}",
            answer.body
        );
    }
    let still = format!("SELECT count(*) AS n FROM leads WHERE id IN ({})", quoted(&all));
    assert_eq!(stack.count(&still), 6, "a refused erasure erases nothing");

    let by_id = admin(stack, "DELETE", &format!("leads/{}", ids[0]), None);
    assert_eq!((by_id.status, &by_id.body), (200, &json!({"erased": 1, "more": false})));
    let by_phone = admin(stack, "POST", "erase", Some(json!({"phone": spaced(&phone_b)})));
    assert_eq!(
        (by_phone.status, &by_phone.body),
        (200, &json!({"erased": 2, "more": false}))
    );
    let by_email = admin(stack, "POST", "erase", Some(json!({"email": email.to_uppercase()})));
    assert_eq!(
        (by_email.status, &by_email.body),
        (200, &json!({"erased": 2, "more": false}))
    );
    let again = admin(stack, "DELETE", &format!("leads/{}", ids[0]), None);
    assert_eq!(
        (again.status, &again.body["erased"]),
        (200, &json!(0)),
        "erasing twice is harmless"
    );

    let erased = &all[..5];
    let mut needles: Vec<String> = erased.to_vec();
    needles.extend([phone_a, phone_b, email.to_lowercase(), tag]);
    let left = rows_holding(stack, &needles);
    assert!(left.is_empty(), "rows of erased leads remain: {left:?}");
    let kept = rows_holding(stack, &[all[5].clone()]);
    let kept: Vec<(&str, i64)> = kept
        .iter()
        .filter_map(|r| Some((r["t"].as_str()?, r["n"].as_i64()?)))
        .collect();
    assert_eq!(
        kept,
        [("attempts", 1), ("deliveries", 1), ("leads", 1)],
        "the other lead stays whole"
    );
}

pub fn retention_sweeps_old_leads_of_a_short_retention_site_and_keeps_the_rest(stack: &Stack) {
    let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    let mut on_demo = callback(&ids[3], &own_phone());
    on_demo["site"] = json!("demo");
    on_demo["consent"] = json!({"text": crate::api::CONSENT, "accepted": true});
    for lead in [
        callback(&ids[0], &own_phone()), // two days old, delivered: swept
        callback(&ids[1], &own_phone()), // two days old, a retry due: kept until it settles
        callback(&ids[2], &own_phone()), // new: kept
        on_demo,                         // two days old on a site keeping 180 days: kept
    ] {
        posted(stack, &lead, 202);
    }
    let all: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    attempted(stack, &all);
    let two_days_ago = jiff::Timestamp::now().as_millisecond() - 2 * DAY_MS;
    let tomorrow = jiff::Timestamp::now().as_millisecond() + DAY_MS;
    let old = quoted(&[all[0].clone(), all[1].clone(), all[3].clone()]);
    stack
        .collector()
        .query(&format!(
            "UPDATE leads SET received_at = {two_days_ago} WHERE id IN ({old}); \
             UPDATE deliveries SET state = 'pending', next_attempt_at = {tomorrow} WHERE lead_id = '{}'",
            all[1]
        ))
        .unwrap_or_else(|e| panic!("dating the leads back: {e}"));
    let rows_of = |id: &str| {
        stack.count(&format!(
            "SELECT (SELECT count(*) FROM leads WHERE id = '{id}') + \
               (SELECT count(*) FROM deliveries WHERE lead_id = '{id}') + \
               (SELECT count(*) FROM attempts WHERE lead_id = '{id}') AS n"
        ))
    };
    until("the sweeper to delete the old delivered lead", SWEPT, || {
        (rows_of(&all[0]) == 0).then_some(())
    })
    .unwrap();
    let kept: Vec<i64> = all[1..].iter().map(|id| rows_of(id)).collect();
    assert_eq!(kept, [3, 3, 3], "pending, new and long-kept leads stay whole");
    // Once its delivery settles, the old lead goes on a following sweep.
    stack
        .collector()
        .query(&format!(
            "UPDATE deliveries SET state = 'delivered', next_attempt_at = NULL WHERE lead_id = '{}'",
            all[1]
        ))
        .unwrap_or_else(|e| panic!("settling the delivery: {e}"));
    until("the sweeper to delete the settled old lead", SWEPT, || {
        (rows_of(&all[1]) == 0).then_some(())
    })
    .unwrap();
    assert_eq!((rows_of(&all[2]), rows_of(&all[3])), (3, 3));
}
