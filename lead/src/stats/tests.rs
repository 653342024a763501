use jiff::tz::TimeZone;
use serde_json::json;

use super::*;
use crate::delivery::DeliveryState::{Delivered as D, Disabled as X, Failed as F, Pending as P};

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<Timestamp>().unwrap().as_millisecond()
}

fn leads(key: &str, spam: bool, standing: Standing, n: u64) -> LeadCount {
    LeadCount {
        key: key.into(),
        spam,
        standing,
        n,
    }
}

fn event(key: &str, event: &str, n: u64) -> FunnelCount {
    FunnelCount {
        key: key.into(),
        event: event.into(),
        n,
    }
}

#[test]
fn a_lead_stands_by_all_its_deliveries() {
    let cases: &[(&[DeliveryState], Standing)] = &[
        (&[], Standing::NoDelivery),
        (&[D], Standing::Delivered),
        (&[D, D], Standing::Delivered),
        (&[D, P], Standing::Pending),
        (&[P, D], Standing::Pending),
        (&[D, F], Standing::Failed),
        (&[F, P], Standing::Failed),
        (&[P, F, D], Standing::Failed),
        (&[D, X], Standing::Failed),
    ];
    for (states, expected) in cases {
        assert_eq!(Standing::of(states.iter().copied()), *expected, "{states:?}");
        assert_eq!(Standing::parse(expected.as_str()), Some(*expected));
    }
}

#[test]
fn conversion_is_each_step_over_the_one_before_and_null_after_a_zero() {
    let mut f = Funnel::default();
    for (e, n) in [
        ("shown", 200),
        ("opened", 50),
        ("started", 0),
        ("accepted", 9),
        ("delivered", 9),
    ] {
        f.add(e, n);
    }
    f.add("no_such_event", 7);
    f.add("messenger", 3);
    let c = f.conversion();
    assert_eq!(c.opened, Some(0.25));
    assert_eq!(c.started, Some(0.0));
    assert_eq!(c.submitted, None, "started is 0");
    assert_eq!(c.accepted, None, "submitted is 0");
    assert_eq!(c.delivered, Some(1.0));
    assert_eq!(f.messenger, 3);
    assert_eq!(
        serde_json::to_value(c).unwrap(),
        json!({"opened": 0.25, "started": 0.0, "submitted": null, "accepted": null, "delivered": 1.0})
    );
}

#[test]
fn the_period_is_whole_days_of_the_sites_zone() {
    let moscow = zone("Europe/Moscow");
    let now = ms("2026-11-23T22:30:00Z"); // already the 24th in Moscow
    let p = Period::new(None, None, &moscow, now).unwrap();
    assert_eq!(
        (p.since.to_string(), p.until.to_string()),
        ("2026-10-26".into(), "2026-11-24".into())
    );
    assert_eq!(p.days().len(), 30);
    assert_eq!(p.to_ms, ms("2026-11-24T21:00:00Z"));

    let p = Period::new(Some("2026-11-01"), Some("2026-11-03"), &moscow, now).unwrap();
    assert_eq!(p.days(), ["2026-11-01", "2026-11-02", "2026-11-03"]);
    assert_eq!(
        (p.from_ms, p.to_ms),
        (ms("2026-10-31T21:00:00Z"), ms("2026-11-03T21:00:00Z"))
    );

    let p = Period::new(None, Some("2026-02-10"), &TimeZone::UTC, now).unwrap();
    assert_eq!(p.since.to_string(), "2026-01-12");
}

#[test]
fn a_bad_period_names_its_field() {
    let utc = TimeZone::UTC;
    let now = ms("2026-11-23T10:00:00Z");
    let cases: &[(Option<&str>, Option<&str>, &str, &str)] = &[
        (Some("2026-13-01"), None, "since", "invalid"),
        (Some("yesterday"), None, "since", "invalid"),
        (Some("2026-1-1"), None, "since", "invalid"),
        (None, Some("2026-11-31"), "until", "invalid"),
        (Some("2026-11-05"), Some("2026-11-04"), "since", "after_until"),
        (Some("2026-11-24"), None, "since", "after_until"),
        (Some("2025-11-22"), Some("2026-11-23"), "since", "too_long"),
    ];
    for (since, until, field, code) in cases {
        let e = Period::new(*since, *until, &utc, now).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            (*field, *code),
            "{since:?} {until:?}"
        );
    }
    assert!(
        Period::new(Some("2025-11-23"), Some("2026-11-23"), &utc, now).is_ok(),
        "366 days"
    );
}

/// The SQL's day (shift by the segment's offset, take the UTC date) is the
/// local day at every quarter hour of periods that cross DST changes and of
/// zones with offsets of 5:45 and -3:30.
#[test]
fn the_shifted_day_is_the_local_day_across_dst_changes() {
    let cases = [
        ("Europe/Berlin", "2026-03-27", "2026-03-31"),
        ("Europe/Berlin", "2026-10-23", "2026-10-27"),
        ("America/St_Johns", "2026-03-06", "2026-03-10"),
        ("Australia/Lord_Howe", "2026-04-03", "2026-04-07"),
        ("Asia/Kathmandu", "2026-01-01", "2026-01-03"),
        ("Europe/Moscow", "2026-01-01", "2026-12-31"),
    ];
    for (name, since, until) in cases {
        let tz = zone(name);
        let p = Period::new(Some(since), Some(until), &tz, ms("2027-01-01T00:00:00Z")).unwrap();
        let offsets = p.offsets();
        let mut at = p.from_ms;
        while at < p.to_ms {
            assert_eq!(shifted_day(at, &offsets), day_of(at, &tz), "{name} at {at}");
            at += 15 * 60 * 1000;
        }
        assert_eq!(day_of(p.from_ms, &tz), since);
        assert_eq!(day_of(p.to_ms - 1, &tz), until);
    }
    let berlin = Period::new(Some("2026-03-01"), Some("2026-11-30"), &zone("Europe/Berlin"), 0).unwrap();
    assert_eq!(berlin.offsets().len(), 3, "{:?}", berlin.offsets());
}

#[test]
fn rows_by_channel_sort_by_leads_and_the_total_adds_them_up() {
    let p = Period::new(Some("2026-11-01"), Some("2026-11-02"), &TimeZone::UTC, 0).unwrap();
    let counts = [
        leads("direct", false, Standing::Delivered, 1),
        leads("paid_search", false, Standing::Delivered, 2),
        leads("paid_search", false, Standing::Failed, 1),
        leads("paid_search", true, Standing::NoDelivery, 4),
        leads("organic_search", false, Standing::Pending, 1),
    ];
    let funnel = [
        event("paid_search", "shown", 10),
        event("paid_search", "opened", 5),
        event("email", "shown", 3),
    ];
    let r = report("shop", By::Channel, &p, &counts, None, &funnel);
    let keys: Vec<&str> = r.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["paid_search", "direct", "organic_search", "email"]);
    let paid = &r.rows[0];
    assert_eq!(
        (paid.leads, paid.spam, paid.delivered, paid.failed, paid.pending),
        (3, 4, 2, 1, 0)
    );
    assert_eq!(paid.conversion.unwrap().opened, Some(0.5));
    let t = &r.total;
    assert_eq!((t.leads, t.spam, t.delivered, t.failed, t.pending), (5, 4, 3, 1, 1));
    assert_eq!(t.funnel.unwrap().shown, 13);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["by"], "channel");
    assert_eq!(v["total"]["key"], "");
    assert_eq!(v["rows"][3]["leads"], 0);
}

#[test]
fn source_and_destination_rows_have_no_funnel_and_the_total_counts_each_lead_once() {
    let p = Period::new(Some("2026-11-01"), Some("2026-11-01"), &TimeZone::UTC, 0).unwrap();
    let by_destination = [
        leads("crm", false, Standing::Delivered, 2),
        leads("chat", false, Standing::Failed, 2),
        leads("", true, Standing::NoDelivery, 1),
    ];
    let per_lead = [
        leads("callback", false, Standing::Failed, 2),
        leads("callback", true, Standing::NoDelivery, 1),
    ];
    let funnel = [event("callback", "opened", 4)];
    let r = report("shop", By::Destination, &p, &by_destination, Some(&per_lead), &funnel);
    assert!(r.rows.iter().all(|r| r.funnel.is_none() && r.conversion.is_none()));
    assert_eq!(r.rows.len(), 3, "no row made of funnel counts alone");
    assert_eq!((r.total.leads, r.total.failed, r.total.spam), (2, 2, 1));
    assert_eq!(
        r.total.funnel.unwrap().opened,
        4,
        "the total still has the site's funnel"
    );
    assert_eq!(serde_json::to_value(&r.rows[0]).unwrap()["funnel"], json!(null));
}

#[test]
fn rows_by_day_are_every_day_of_the_period_in_order() {
    let p = Period::new(Some("2026-10-30"), Some("2026-11-02"), &TimeZone::UTC, 0).unwrap();
    let counts = [
        leads("2026-11-01", false, Standing::Pending, 2),
        leads("2026-10-30", false, Standing::Pending, 5),
    ];
    let r = report("shop", By::Day, &p, &counts, None, &[event("2026-10-31", "shown", 1)]);
    let days: Vec<(&str, u64)> = r.rows.iter().map(|r| (r.key.as_str(), r.leads)).collect();
    assert_eq!(
        days,
        [
            ("2026-10-30", 5),
            ("2026-10-31", 0),
            ("2026-11-01", 2),
            ("2026-11-02", 0)
        ]
    );
    assert_eq!(r.rows[1].funnel.unwrap().shown, 1);
    assert_eq!(r.rows[1].conversion.unwrap().opened, Some(0.0));
}

#[test]
fn by_has_one_name_each() {
    for (name, by) in By::WIRE_NAMES {
        assert_eq!(By::parse(name), Some(*by));
        assert_eq!(serde_json::to_value(by).unwrap(), json!(name));
    }
    assert_eq!(By::parse("week"), None);
}
