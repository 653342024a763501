use jiff::tz::TimeZone;

use super::*;
use crate::destination::fixtures::lead;

fn record<'a>(lead: &'a Lead, zone: &'a TimeZone) -> Record<'a> {
    Record {
        lead,
        spam: false,
        spam_reason: None,
        delivery: Standing::Delivered,
        zone,
    }
}

/// Reads a whole file back with the `csv` crate's reader, as a spreadsheet would.
fn read(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("the file starts with a BOM");
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn file(delimiter: Delimiter, records: &[Record]) -> Vec<u8> {
    let mut out = head(delimiter);
    out.extend(rows(delimiter, records));
    out
}

#[test]
fn possible_formulas_get_a_leading_quote_and_nothing_else_does() {
    let cases = [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("+79123456789", "'+79123456789"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("Ivan", "Ivan"),
        ("2026-11-23 18:59:47", "2026-11-23 18:59:47"),
        (" =1", " =1"),
        ("a=b", "a=b"),
        ("", ""),
    ];
    for (cell, written) in cases {
        assert_eq!(guard(cell.to_owned()), written, "{cell:?}");
    }
}

#[test]
fn the_header_lists_every_column_once_after_a_bom() {
    let head = head(Delimiter::Semicolon);
    assert!(head.starts_with(b"\xEF\xBB\xBFid;received_at;received_local;site;kind;name;phone;"));
    assert!(head.ends_with(b";spam;spam_reason;delivery;expected_response_by\r\n"));
    let names: Vec<&str> = COLUMNS.iter().map(|(n, _)| *n).collect();
    for (i, n) in names.iter().enumerate() {
        assert!(!names[..i].contains(n), "{n} twice");
    }
}

#[test]
fn a_lead_becomes_one_row_of_its_columns() {
    let lead = lead();
    let moscow = TimeZone::get("Europe/Moscow").unwrap();
    let rows = read(&file(Delimiter::Semicolon, &[record(&lead, &moscow)]), b';');
    assert_eq!(rows.len(), 2);
    let row: std::collections::BTreeMap<&str, &str> = rows[0]
        .iter()
        .map(String::as_str)
        .zip(rows[1].iter().map(String::as_str))
        .collect();
    let expected = [
        ("id", "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b"),
        ("received_at", "2026-11-23T15:59:47.681Z"),
        ("received_local", "2026-11-23 18:59:47"),
        ("kind", "callback"),
        ("name", "Ivan Petrov"),
        ("phone", "'+79123456789"),
        ("channel", "paid_search"),
        ("source", "yandex"),
        ("medium", "cpc"),
        ("campaign", "spring"),
        ("click_ids", "yclid=8412395817"),
        ("visits", "2"),
        ("first_touch_channel", ""),
        ("spam", "false"),
        ("delivery", "delivered"),
    ];
    for (column, value) in expected {
        assert_eq!(row[column], value, "{column}");
    }
    assert_eq!(row.len(), COLUMNS.len());
}

/// A name with the delimiter, quotes and a line break, and hostile cells,
/// read back by a real CSV reader with either delimiter.
#[test]
fn awkward_cells_round_trip_through_a_csv_reader() {
    let mut awkward = lead();
    awkward.contact.name = Some("Ivan; \"Vanya\"\nPetrov, Jr.".into());
    awkward.message = Some("=HYPERLINK(\"http://evil\",\"x\")".into());
    awkward.product = Some("-2+3".into());
    let mut spam = lead();
    spam.contact.name = Some("@SUM(1+1)*cmd|' /C calc'!A0".into());
    let utc = TimeZone::UTC;
    let spam_record = Record {
        spam: true,
        spam_reason: Some("honeypot"),
        delivery: Standing::NoDelivery,
        ..record(&spam, &utc)
    };
    for (delimiter, byte) in [(Delimiter::Semicolon, b';'), (Delimiter::Comma, b',')] {
        let rows = read(&file(delimiter, &[record(&awkward, &utc), spam_record]), byte);
        assert_eq!(rows.len(), 3, "{delimiter:?}");
        let at = |name: &str| COLUMNS.iter().position(|(n, _)| *n == name).unwrap();
        assert_eq!(rows[1][at("name")], "Ivan; \"Vanya\"\nPetrov, Jr.");
        assert_eq!(rows[1][at("message")], "'=HYPERLINK(\"http://evil\",\"x\")");
        assert_eq!(rows[1][at("product")], "'-2+3");
        assert_eq!(rows[1][at("received_local")], "2026-11-23 15:59:47");
        assert_eq!(rows[2][at("name")], "'@SUM(1+1)*cmd|' /C calc'!A0");
        assert_eq!(
            (
                rows[2][at("spam")].as_str(),
                rows[2][at("spam_reason")].as_str(),
                rows[2][at("delivery")].as_str()
            ),
            ("true", "honeypot", "")
        );
    }
}

#[test]
fn delimiters_have_names() {
    assert_eq!(Delimiter::parse("semicolon"), Some(Delimiter::Semicolon));
    assert_eq!(Delimiter::parse("comma"), Some(Delimiter::Comma));
    assert_eq!(Delimiter::parse(";"), None);
}
