use serde_json::json;

use super::*;
use crate::wire::Touch;

#[test]
fn every_event_has_one_row_and_the_funnel_is_in_order() {
    use Event::*;
    let all = [
        Shown, Opened, Started, Submitted, Messenger, Accepted, Delivered, Failed,
    ];
    for (i, event) in all.into_iter().enumerate() {
        assert_eq!(event.row().event, event, "{event:?} has no row");
        assert_eq!(Event::parse(event.as_str()), Some(event));
        assert!(EVENTS[..i].iter().all(|r| r.name != event.as_str()), "{event:?} twice");
    }
    assert_eq!(EVENTS.len(), all.len());
    assert_eq!(steps(), [Shown, Opened, Started, Submitted, Accepted, Delivered]);
    let widget: Vec<&str> = EVENTS
        .iter()
        .filter(|r| r.side == Side::Widget)
        .map(|r| r.name)
        .collect();
    assert_eq!(widget, ["shown", "opened", "started", "submitted", "messenger"]);
    assert_eq!(Event::parse("Shown"), None);
}

#[test]
fn each_event_takes_its_modes() {
    use LeadKind::*;
    let cases: &[(Event, Option<LeadKind>, bool)] = &[
        (Event::Shown, None, true),
        (Event::Shown, Some(Callback), false),
        (Event::Opened, Some(Chat), true),
        (Event::Opened, Some(PhoneClick), false),
        (Event::Opened, None, false),
        (Event::Started, Some(Form), true),
        (Event::Submitted, Some(PhoneClick), true),
        (Event::Submitted, None, false),
        (Event::Messenger, Some(MessengerClick), true),
        (Event::Messenger, Some(Callback), false),
        (Event::Delivered, Some(MessengerClick), true),
    ];
    for (event, mode, takes) in cases {
        assert_eq!(event.takes(*mode), *takes, "{event:?} {mode:?}");
    }
}

fn touch(url: &str, referrer: Option<&str>) -> Touch {
    Touch {
        url: url.into(),
        referrer: referrer.map(Into::into),
        at: Some(1_780_000_000_000),
    }
}

fn beacon() -> Beacon {
    Beacon {
        page: Page {
            url: "https://shop.example/price?x=\"1\"".into(),
            title: None,
            referrer: None,
        },
        touches: Touches {
            first: Some(touch(
                "https://shop.example/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring",
                None,
            )),
            last: None,
            visits: Some(2),
        },
        counts: vec![
            Count {
                event: Event::Shown,
                mode: None,
                n: 1,
            },
            Count {
                event: Event::Opened,
                mode: Some(LeadKind::Callback),
                n: 3,
            },
        ],
    }
}

#[test]
fn the_widgets_json_parses_back_to_the_same_beacon() {
    let sent = beacon();
    let body = sent.to_json();
    assert_eq!(Beacon::parse(body.as_bytes()), Ok(sent));
    let value: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(value["counts"][0], json!({"event": "shown", "mode": "", "n": 1}));
    assert_eq!(value["v"], 1);
}

/// A valid beacon with `counts` replaced, or with `edit` applied.
fn body(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_str(&beacon().to_json()).expect("JSON");
    edit(&mut value);
    serde_json::to_vec(&value).expect("bytes")
}

#[test]
fn bad_beacons_are_refused_naming_each_field() {
    let counts = |c: serde_json::Value| body(|v| v["counts"] = c);
    let one = |event: &str, mode: &str, n: i64| counts(json!([{"event": event, "mode": mode, "n": n}]));
    let cases: Vec<(Vec<u8>, Vec<(&str, &str)>)> = vec![
        (one("clicked", "", 1), vec![("counts[0].event", "unknown_event")]),
        (
            one("accepted", "callback", 1),
            vec![("counts[0].event", "not_a_widget_event")],
        ),
        (one("opened", "fax", 1), vec![("counts[0].mode", "unknown_mode")]),
        (one("opened", "", 1), vec![("counts[0].mode", "mode_not_taken")]),
        (one("shown", "form", 1), vec![("counts[0].mode", "mode_not_taken")]),
        (one("shown", "", 0), vec![("counts[0].n", "out_of_range")]),
        (one("shown", "", 1001), vec![("counts[0].n", "out_of_range")]),
        (
            counts(json!([{"event": "shown", "n": 1}, {"event": "opened", "mode": "chat", "n": -1}])),
            vec![("counts[1].n", "invalid")],
        ),
        (
            counts(json!([{"event": "shown", "n": 1}, {"event": "x", "mode": "y", "n": 2000}])),
            vec![
                ("counts[1].event", "unknown_event"),
                ("counts[1].mode", "unknown_mode"),
                ("counts[1].n", "out_of_range"),
            ],
        ),
        (counts(json!([])), vec![("counts", "out_of_range")]),
        (
            counts(json!(vec![json!({"event": "shown", "n": 1}); MAX_COUNTS + 1])),
            vec![("counts", "out_of_range")],
        ),
        (
            counts(json!([{"event": "shown", "n": 1, "id": "abc"}])),
            vec![("counts[0].id", "invalid")],
        ),
        (body(|v| v["v"] = json!(2)), vec![("v", "unsupported_version")]),
        (body(|v| v["visitor"] = json!("x")), vec![("visitor", "invalid")]),
        (body(|v| v["page"]["url"] = json!(7)), vec![("page.url", "invalid")]),
        (
            body(|v| v["touches"]["first"]["fp"] = json!(1)),
            vec![("touches.first.fp", "invalid")],
        ),
        (b"{\"v\":1,".to_vec(), vec![("", "malformed_json")]),
        (
            [beacon().to_json(), "{}".into()].concat().into_bytes(),
            vec![("", "trailing_characters")],
        ),
        (vec![b' '; BEACON_BYTES + 1], vec![("body", "too_large")]),
    ];
    for (body, want) in cases {
        let text = String::from_utf8_lossy(&body).chars().take(200).collect::<String>();
        let errors = Beacon::parse(&body).expect_err(&text);
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn bump_counts_within_the_beacons_limits() {
    let mut counts = Vec::new();
    bump(&mut counts, Event::Opened, Some(LeadKind::Form));
    bump(&mut counts, Event::Opened, Some(LeadKind::Form));
    bump(&mut counts, Event::Opened, Some(LeadKind::Chat));
    assert_eq!(
        counts,
        [
            Count {
                event: Event::Opened,
                mode: Some(LeadKind::Form),
                n: 2
            },
            Count {
                event: Event::Opened,
                mode: Some(LeadKind::Chat),
                n: 1
            },
        ]
    );
    for _ in 0..2 * MAX_N {
        bump(&mut counts, Event::Shown, None);
    }
    assert_eq!(counts[2].n, MAX_N);
    let mut full = vec![counts[0]; MAX_COUNTS];
    bump(&mut full, Event::Shown, None);
    assert_eq!(full.len(), MAX_COUNTS, "a new entry past the limit is dropped");
}

#[test]
fn a_beacons_counts_are_keyed_by_the_rules_leads_get() {
    let keys = beacon().keys("shop", "2026-05-01");
    let key = |mode, event| Key {
        site: "shop".into(),
        day: "2026-05-01".into(),
        mode,
        channel: "paid_search",
        campaign: "spring".into(),
        event,
    };
    assert_eq!(keys, [(key("", Event::Shown), 1), (key("callback", Event::Opened), 3)]);

    // The deciding touch is the last one with a source; without touches, the page.
    let cases: &[(Touches, Option<&str>, &str, &str)] = &[
        (
            Touches {
                first: Some(touch(
                    "https://shop.example/?utm_campaign=a&utm_medium=email&utm_source=x",
                    None,
                )),
                last: Some(touch("https://shop.example/", Some("https://www.google.com/"))),
                visits: Some(3),
            },
            None,
            "organic_search",
            "",
        ),
        (Touches::default(), Some("https://vk.com/feed"), "organic_social", ""),
        (Touches::default(), None, "direct", ""),
    ];
    for (touches, referrer, channel, campaign) in cases {
        let mut b = beacon();
        b.touches = touches.clone();
        b.page.referrer = referrer.map(Into::into);
        let (key, _) = &b.keys("shop", "d")[0];
        assert_eq!(
            (key.channel, key.campaign.as_str()),
            (*channel, *campaign),
            "{touches:?} {referrer:?}"
        );
    }
}

#[test]
fn a_leads_events_carry_its_kind_and_attribution() {
    let lead: Lead = serde_json::from_value(json!({
        "id": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b", "site": "shop", "kind": "form",
        "contact": {"phone": null, "name": null, "email": "a@b.example"}, "message": null,
        "page": {"url": "https://shop.example/", "title": null, "referrer": null},
        "attribution": {"channel": "paid_search", "source": "yandex", "medium": "cpc", "campaign": "spring",
            "term": null, "content": null, "referrer": null, "landing_page": null,
            "first_touch": null, "last_touch": null, "visits": 1},
        "received_at": "2026-11-23T15:59:47.681Z"
    }))
    .expect("a lead");
    let key = Key::of_lead(&lead, "2026-11-23", Event::Accepted);
    assert_eq!(
        (
            key.site.as_str(),
            key.mode,
            key.channel,
            key.campaign.as_str(),
            key.event
        ),
        ("shop", "form", "paid_search", "spring", Event::Accepted)
    );
}

#[test]
fn a_tally_adds_by_key_and_holds_at_most_max_keys() {
    let key = |campaign: String| Key {
        site: "s".into(),
        day: "2026-05-01".into(),
        mode: "",
        channel: "direct",
        campaign,
        event: Event::Shown,
    };
    let mut tally = Tally::default();
    tally.add(key("a".into()), 2);
    tally.add(key("a".into()), 3);
    tally.add(key("b".into()), 1);
    assert_eq!(tally.len(), 2);
    let (counts, dropped) = tally.take();
    assert_eq!(counts, [(key("a".into()), 5), (key("b".into()), 1)]);
    assert_eq!(dropped, 0);
    assert!(tally.is_empty(), "taken");

    for i in 0..MAX_KEYS + 10 {
        tally.add(key(i.to_string()), 1);
    }
    tally.add(key("0".into()), 1);
    assert_eq!(tally.len(), MAX_KEYS);
    let (counts, dropped) = tally.take();
    assert_eq!(dropped, 10, "new keys past the cap are dropped and counted");
    assert_eq!(
        counts.iter().map(|(_, n)| n).sum::<u64>(),
        MAX_KEYS as u64 + 1,
        "known keys still add"
    );
}

#[test]
fn the_day_is_the_sites_day() {
    let at = |s: &str| s.parse::<jiff::Timestamp>().expect("a time").as_millisecond();
    let cases: &[(&str, Option<&str>, &str)] = &[
        // 21:00 UTC is midnight in Moscow (UTC+3).
        ("2026-03-01T20:59:59.999Z", Some("Europe/Moscow"), "2026-03-01"),
        ("2026-03-01T21:00:00Z", Some("Europe/Moscow"), "2026-03-02"),
        ("2026-03-01T21:00:00Z", None, "2026-03-01"),
        ("2026-03-01T23:59:59Z", None, "2026-03-01"),
        ("2026-03-02T00:00:00Z", None, "2026-03-02"),
        ("2026-03-02T00:00:00Z", Some("Mars/Olympus"), "2026-03-02"),
        ("2026-12-31T22:00:00Z", Some("Asia/Vladivostok"), "2027-01-01"),
        ("2026-01-01T02:00:00Z", Some("America/New_York"), "2025-12-31"),
    ];
    for (time, zone, want) in cases {
        assert_eq!(day(at(time), *zone), *want, "{time} in {zone:?}");
    }
}

#[test]
fn a_refusal_never_quotes_what_was_sent() {
    let sent = body(|b| {
        b["counts"][0]["event"] = json!(79123456789u64);
        b["page"]["title"] = json!(["anna@example.com"]);
    });
    let errors = Beacon::parse(&sent).unwrap_err();
    assert_eq!(errors[0].field, "counts[0].event");
    for e in &errors {
        assert!(!e.message.contains("79123456789"), "{e:?}");
    }
    let repeated = br#"{"v":1,"v":1,"page":{"url":"http://127.0.0.1:8080/"},"touches":{},"counts":[]}"#;
    assert_eq!(
        Beacon::parse(repeated).unwrap_err()[0].field,
        "v",
        "a repeated key is named"
    );
}
