//! The CSV stream over the in-memory store: pages joined into one file, every
//! lead once, newest first, the inbox's filters applied.

use futures_util::StreamExt;
use lead::attribution::Channel;
use lead::delivery::DeliveryState;
use lead::wire::LeadKind;

use super::*;
use crate::store::stats::memory::{MemoryStats, StoredLead};
use crate::tests::block_on;

const T0: i64 = 1_795_435_200_000;

fn stored(i: i64) -> StoredLead {
    let kinds = ["callback", "form"];
    let mut lead = crate::tests::lead(kinds[(i % 2) as usize]);
    lead.site = "shop".into();
    lead.contact.name = Some(format!("visitor {i}"));
    if i % 3 == 0 {
        lead.attribution.deciding.channel = Channel::PaidSearch;
    }
    StoredLead {
        lead,
        // Every tenth pair arrives in the same millisecond: the keyset's id breaks the tie.
        received_at: T0 + i - i % 2 * ((i % 10 == 1) as i64),
        spam: None,
        deliveries: vec![("crm".into(), DeliveryState::Delivered)],
    }
}

fn store(n: i64) -> MemoryStats {
    let store = MemoryStats::default();
    store.leads.borrow_mut().extend((0..n).map(stored));
    store
}

/// The whole download, chunk by chunk.
fn chunks(store: MemoryStats, filter: LeadFilter) -> Vec<Vec<u8>> {
    let stream = csv(store, filter, Delimiter::Semicolon, TimeZone::UTC);
    block_on(stream.collect::<Vec<_>>())
        .into_iter()
        .map(|c| c.unwrap_or_else(|e| panic!("{}", e.0)))
        .collect()
}

/// The file's rows after the header, as (name, kind, channel).
fn rows_of(chunks: &[Vec<u8>]) -> Vec<(String, String, String)> {
    let file = chunks.concat();
    let text = std::str::from_utf8(&file).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM first");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (name, kind, channel) = (at("name"), at("kind"), at("channel"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[name].to_owned(), r[kind].to_owned(), r[channel].to_owned())
        })
        .collect()
}

fn filter(limit: u32) -> LeadFilter {
    LeadFilter {
        limit,
        ..Default::default()
    }
}

#[test]
fn pages_join_into_one_file_with_every_lead_once_newest_first() {
    let chunks = chunks(store(1_201), filter(PAGE));
    assert_eq!(chunks.len(), 1 + 3, "the header, then three pages");
    let rows = rows_of(&chunks);
    assert_eq!(rows.len(), 1_201);
    let names: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(names.len(), 1_201, "no lead twice");
    assert_eq!(rows[0].0, "visitor 1200");
    assert_eq!(rows[1_200].0, "visitor 0");
}

#[test]
fn a_page_exactly_full_ends_with_an_empty_one() {
    let chunks = chunks(store(10), filter(5));
    assert_eq!(chunks.iter().map(Vec::len).filter(|n| *n == 0).count(), 1);
    assert_eq!(rows_of(&chunks).len(), 10);
}

#[test]
fn no_lead_is_a_header_alone() {
    let chunks = chunks(store(0), filter(PAGE));
    assert_eq!(rows_of(&chunks).len(), 0);
    assert!(chunks[0].starts_with(b"\xEF\xBB\xBFid;"));
}

#[test]
fn the_inboxs_filters_narrow_the_file() {
    let by_kind = LeadFilter {
        kind: Some(LeadKind::Form),
        ..filter(7)
    };
    let rows = rows_of(&chunks(store(30), by_kind));
    assert_eq!(rows.len(), 15);
    assert!(rows.iter().all(|r| r.1 == "form"));
    let by_channel = LeadFilter {
        channel: Some(Channel::PaidSearch),
        ..filter(7)
    };
    let rows = rows_of(&chunks(store(30), by_channel));
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| r.2 == "paid_search"));
    let spam_only = LeadFilter {
        spam: true,
        ..filter(7)
    };
    assert!(rows_of(&chunks(store(30), spam_only)).is_empty());
}

#[test]
fn the_file_name_keeps_only_safe_characters() {
    assert_eq!(file_name(Some("shop"), T0), "leads-shop-2026-11-23.csv");
    assert_eq!(file_name(Some("a\"b\r\nc/../d"), T0), "leads-abcd-2026-11-23.csv");
    assert_eq!(file_name(None, T0), "leads-all-2026-11-23.csv");
}
