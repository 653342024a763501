//! The report over the in-memory store: the query string read, days of the
//! site's zone, groups, totals and the funnel.

use lead::attribution::Channel;
use lead::delivery::DeliveryState::{self, Delivered, Failed, Pending};
use lead::wire::LeadKind;

use super::*;
use crate::store::stats::memory::{Counter, MemoryStats, StoredLead};
use crate::tests::block_on;

/// 2026-11-23T12:00:00Z, a Monday; 15:00 in Moscow.
const NOON: i64 = 1_795_435_200_000;
const HOUR: i64 = 3_600_000;

fn params(query: &[(&str, &str)]) -> Result<StatsParams, FieldError> {
    StatsParams::read(query.iter().copied())
}

#[test]
fn the_query_string_is_read_and_bad_parts_are_named() {
    let p = params(&[("site", "shop"), ("by", "campaign"), ("since", "2026-11-01")]).unwrap();
    assert_eq!(
        (p.site.as_str(), p.by, p.since.as_deref()),
        ("shop", By::Campaign, Some("2026-11-01"))
    );
    assert_eq!(params(&[("site", "shop")]).unwrap().by, By::Day, "by day unless asked");
    let cases: &[(&[(&str, &str)], &str, &str)] = &[
        (&[], "site", "required"),
        (&[("site", "")], "site", "required"),
        (&[("site", "shop"), ("by", "week")], "by", "invalid"),
        (&[("site", "shop"), ("from", "2026-11-01")], "from", "invalid"),
    ];
    for (query, field, code) in cases {
        let e = params(query).unwrap_err();
        assert_eq!((e.field.as_str(), e.code.as_str()), (*field, *code), "{query:?}");
    }
}

fn stored(
    kind: &str,
    channel: Channel,
    campaign: Option<&str>,
    at: i64,
    deliveries: &[(&str, DeliveryState)],
) -> StoredLead {
    let mut lead = crate::tests::lead(kind);
    lead.site = "shop".into();
    lead.attribution.deciding.channel = channel;
    lead.attribution.deciding.campaign = campaign.map(str::to_owned);
    StoredLead {
        lead,
        received_at: at,
        spam: None,
        deliveries: deliveries.iter().map(|(d, s)| (d.to_string(), *s)).collect(),
    }
}

fn counter(day: &str, mode: &str, channel: &str, event: &str, n: u64) -> Counter {
    Counter {
        site: "shop".into(),
        day: day.into(),
        mode: mode.into(),
        channel: channel.into(),
        campaign: String::new(),
        event: event.into(),
        n,
    }
}

/// Three leads on the 23rd (Moscow), one at 22:30 UTC that is the 24th there,
/// a spam lead, another site's lead and one before the period.
fn store() -> MemoryStats {
    let store = MemoryStats::default();
    let mut spam = stored("form", Channel::PaidSearch, Some("spring"), NOON, &[]);
    spam.spam = Some("honeypot".into());
    let mut other_site = stored("callback", Channel::PaidSearch, None, NOON, &[("crm", Delivered)]);
    other_site.lead.site = "other".into();
    store.leads.borrow_mut().extend([
        stored(
            "callback",
            Channel::PaidSearch,
            Some("spring"),
            NOON,
            &[("crm", Delivered), ("chat", Delivered)],
        ),
        stored(
            "form",
            Channel::PaidSearch,
            Some("spring"),
            NOON + HOUR,
            &[("crm", Delivered), ("chat", Failed)],
        ),
        stored("callback", Channel::Direct, None, NOON + 2 * HOUR, &[("crm", Pending)]),
        stored(
            "callback",
            Channel::OrganicSearch,
            None,
            NOON + 10 * HOUR + HOUR / 2,
            &[("crm", Delivered)],
        ),
        spam,
        other_site,
        stored(
            "callback",
            Channel::Direct,
            None,
            NOON - 30 * 24 * HOUR,
            &[("crm", Delivered)],
        ),
    ]);
    store.funnel.borrow_mut().extend([
        counter("2026-11-23", "", "paid_search", "shown", 40),
        counter("2026-11-23", "callback", "paid_search", "opened", 10),
        counter("2026-11-23", "form", "paid_search", "opened", 10),
        counter("2026-11-24", "callback", "organic_search", "opened", 2),
        counter("2026-11-22", "callback", "direct", "opened", 99),
    ]);
    store
}

fn report_of(query: &[(&str, &str)]) -> Report {
    let moscow = TimeZone::get("Europe/Moscow").unwrap();
    match block_on(build(&store(), &params(query).unwrap(), &moscow, NOON)) {
        Ok(report) => report,
        Err(_) => panic!("no report for {query:?}"),
    }
}

fn keys_and_leads(report: &Report) -> Vec<(&str, u64)> {
    report.rows.iter().map(|r| (r.key.as_str(), r.leads)).collect()
}

#[test]
fn by_channel_counts_the_sites_leads_of_the_period_with_their_funnel() {
    let r = report_of(&[
        ("site", "shop"),
        ("by", "channel"),
        ("since", "2026-11-23"),
        ("until", "2026-11-24"),
    ]);
    assert_eq!(
        keys_and_leads(&r),
        [("paid_search", 2), ("direct", 1), ("organic_search", 1)]
    );
    let paid = &r.rows[0];
    assert_eq!((paid.spam, paid.delivered, paid.failed, paid.pending), (1, 1, 1, 0));
    let funnel = paid.funnel.unwrap();
    assert_eq!((funnel.shown, funnel.opened), (40, 20));
    assert_eq!(paid.conversion.unwrap().opened, Some(0.5));
    assert_eq!(
        (r.total.leads, r.total.spam, r.total.delivered, r.total.pending),
        (4, 1, 2, 1)
    );
    assert_eq!(
        r.total.funnel.unwrap().opened,
        22,
        "the 22nd's counters are outside the period"
    );
}

#[test]
fn by_day_the_days_are_the_sites_and_every_one_is_there() {
    let r = report_of(&[("site", "shop"), ("since", "2026-11-22"), ("until", "2026-11-24")]);
    assert_eq!(r.by, By::Day);
    assert_eq!(
        keys_and_leads(&r),
        [("2026-11-22", 0), ("2026-11-23", 3), ("2026-11-24", 1)]
    );
    assert_eq!(r.rows[0].funnel.unwrap().opened, 99);
}

#[test]
fn one_channel_by_day_is_what_the_consoles_chart_stacks() {
    let r = report_of(&[
        ("site", "shop"),
        ("since", "2026-11-22"),
        ("until", "2026-11-24"),
        ("channel", "paid_search"),
    ]);
    assert_eq!(
        keys_and_leads(&r),
        [("2026-11-22", 0), ("2026-11-23", 2), ("2026-11-24", 0)]
    );
    assert_eq!(r.total.spam, 1, "the spam lead is paid search too");
    let funnel = r.total.funnel.unwrap();
    assert_eq!((funnel.shown, funnel.opened), (40, 20), "only paid search's counters");
    let none = report_of(&[("site", "shop"), ("by", "channel"), ("channel", "social")]);
    assert_eq!(none.total.leads, 0);
}

#[test]
fn by_destination_a_lead_counts_per_delivery_and_once_in_the_total() {
    let r = report_of(&[
        ("site", "shop"),
        ("by", "destination"),
        ("since", "2026-11-23"),
        ("until", "2026-11-24"),
    ]);
    assert_eq!(keys_and_leads(&r), [("crm", 4), ("chat", 2), ("", 0)]);
    let chat = &r.rows[1];
    assert_eq!((chat.delivered, chat.failed), (1, 1));
    assert_eq!(r.rows[2].spam, 1, "spam has no delivery");
    assert!(r.rows.iter().all(|row| row.funnel.is_none()));
    assert_eq!((r.total.leads, r.total.failed), (4, 1));
    assert!(r.total.funnel.is_some());
}

#[test]
fn the_default_period_is_the_last_thirty_days_of_the_sites_zone() {
    let r = report_of(&[("site", "shop"), ("by", "mode")]);
    assert_eq!((r.since.as_str(), r.until.as_str()), ("2026-10-25", "2026-11-23"));
    assert_eq!(keys_and_leads(&r), [("callback", 2), ("form", 1), ("", 0)]);
    let callback = &r.rows[0];
    assert_eq!(callback.key, LeadKind::Callback.as_str());
    assert_eq!(callback.conversion.unwrap().opened, None, "shown is counted under ''");
}
