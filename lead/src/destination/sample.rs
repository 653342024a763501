//! The lead the console's "send a test lead" button sends to one destination:
//! plainly a test wherever it lands (the name, the title through the product,
//! the message), one the destination takes (its kinds and channels), with the
//! promise a real one would carry. It is never stored.

use jiff::Timestamp;
use uuid::Uuid;

use crate::attribution::attribute;
use crate::hours::{expected_response_by, Locale};
use crate::site::{Destination, Site};
use crate::widget::Messenger;
use crate::wire::{Contact, Lead, LeadKind, MessengerClick, Page, Touches};

/// The name every test lead carries.
pub const TEST_NAME: &str = "Leadwire test";

/// All zeros after the operator code: plainly not a visitor's number.
const TEST_PHONE: &str = "+79990000000";

/// The kinds a test lead may be, the most telling first: it is the first one
/// the destination takes.
const KINDS: &[LeadKind] = &[
    LeadKind::Callback,
    LeadKind::Form,
    LeadKind::Chat,
    LeadKind::PhoneClick,
    LeadKind::MessengerClick,
];

/// Words by [`Locale`]: (product, which leads the title, and message).
const WORDS: [(&str, &str); 2] = [
    (
        "TEST lead",
        "A test lead sent from the Leadwire console to check this destination. No one needs to call back.",
    ),
    (
        "ТЕСТОВАЯ заявка",
        "Тестовая заявка из консоли Leadwire: проверка этого назначения. Перезванивать не нужно.",
    ),
];

/// A test lead with `id` for `destination` of `site`, as if received at `now`.
pub fn test_lead(site: &Site, destination: &Destination, id: Uuid, now: Timestamp) -> Lead {
    let locale = Locale::from_language(site.widget.locale.as_deref().unwrap_or("en"));
    let (product, message) = WORDS[locale as usize];
    let kind = KINDS
        .iter()
        .copied()
        .find(|k| destination.kinds.is_empty() || destination.kinds.contains(k))
        .unwrap_or(LeadKind::Callback);
    let url = site
        .origins
        .first()
        .map(|origin| format!("{origin}/"))
        .unwrap_or_else(|| "https://example.com/".to_owned());
    let page = Page {
        url,
        title: Some(TEST_NAME.to_owned()),
        referrer: None,
    };
    let mut attribution = attribute(&Touches::default(), &page);
    if let Some(channel) = destination.channels.first() {
        attribution.deciding.channel = *channel;
    }
    let mut lead = Lead {
        id,
        site: site.id.clone(),
        kind,
        contact: Contact {
            phone: Some(TEST_PHONE.to_owned()),
            extension: None,
            name: Some(TEST_NAME.to_owned()),
            email: None,
        },
        message: Some(message.to_owned()),
        page,
        attribution,
        received_at: now.to_string(),
        product: Some(product.to_owned()),
        fields: Default::default(),
        slot: None,
        consent: None,
        transcript: Vec::new(),
        messenger: (kind == LeadKind::MessengerClick).then(|| MessengerClick {
            channel: Messenger::Telegram,
            ref_code: "test".to_owned(),
        }),
        locale: Some(locale.tag().to_owned()),
        expected_response_by: None,
    };
    lead.expected_response_by = expected_response_by(&lead, site.hours.as_ref(), now);
    lead
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{destination, request, site};
    use super::*;
    use crate::attribution::Channel;

    fn now() -> Timestamp {
        // Friday 2026-11-27 18:00 in Moscow: the fixture site is closed until Monday 09:00.
        "2026-11-27T15:00:00Z".parse().expect("a time")
    }

    #[test]
    fn a_test_lead_says_so_and_carries_the_promise() {
        let id = Uuid::from_u128(7);
        let lead = test_lead(&site(), &destination("id = \"x\""), id, now());
        assert_eq!((lead.id, lead.kind), (id, LeadKind::Callback));
        assert_eq!(lead.contact.name.as_deref(), Some(TEST_NAME));
        assert_eq!(lead.expected_response_by.as_deref(), Some("2026-11-30T06:00:00Z"));
        assert_eq!(lead.page.url, "https://shop.example/");
        assert_eq!(lead.received_at, "2026-11-27T15:00:00Z");
        let title = super::super::summary::title(&lead, Locale::En);
        assert_eq!(title, "Callback request: TEST lead, +79990000000");
    }

    #[test]
    fn a_test_lead_is_one_the_destination_takes() {
        #[rustfmt::skip]
        let cases: &[(&str, LeadKind, Channel)] = &[
            ("id = \"x\"",                                         LeadKind::Callback,       Channel::Direct),
            ("id = \"x\"\nkinds = [\"phone_click\"]",              LeadKind::PhoneClick,     Channel::Direct),
            ("id = \"x\"\nkinds = [\"chat\", \"form\"]",           LeadKind::Form,           Channel::Direct),
            ("id = \"x\"\nkinds = [\"messenger_click\"]",          LeadKind::MessengerClick, Channel::Direct),
            ("id = \"x\"\nchannels = [\"paid_search\"]",           LeadKind::Callback,       Channel::PaidSearch),
        ];
        for (toml_text, kind, channel) in cases {
            let d = destination(toml_text);
            let lead = test_lead(&site(), &d, Uuid::from_u128(1), now());
            assert_eq!(
                (lead.kind, lead.attribution.deciding.channel),
                (*kind, *channel),
                "{toml_text}"
            );
            assert!(d.takes(&lead), "{toml_text}");
            let promised = lead.expected_response_by.is_some();
            assert_eq!(promised, *kind == LeadKind::Callback, "{toml_text}");
        }
    }

    #[test]
    fn every_kind_builds_its_request_from_a_test_lead() {
        let russian = Site {
            widget: crate::widget::WidgetSettings {
                locale: Some("ru".into()),
                ..Default::default()
            },
            ..site()
        };
        let lead = test_lead(&russian, &destination("id = \"x\""), Uuid::from_u128(1), now());
        assert!(lead
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("Тестовая заявка")));
        let webhook = destination("id = \"x\"\nurl_secret = \"CRM_URL\"\nsecret = \"CRM_SECRET\"");
        let body = request(&super::super::webhook::Webhook, &lead, &webhook)
            .body
            .unwrap_or_default();
        assert!(body.contains("\"name\":\"Leadwire test\""), "{body}");
        assert!(
            body.contains("\"expected_response_by\":\"2026-11-30T06:00:00Z\""),
            "{body}"
        );
    }
}
