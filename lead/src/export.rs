//! Leads as CSV for a spreadsheet (`GET /v1/admin/leads.csv`): one table of
//! columns, each a header and how to read it from a stored lead.
//!
//! What makes the file open right in Excel and LibreOffice: a UTF-8 byte
//! order mark first (else Excel reads Cyrillic as cp1251), `;` between cells
//! by default (Excel in Russian and most European locales splits on it, `,` is
//! their decimal mark), quoting per RFC 4180, and the
//! formula-injection guard OWASP advises: a cell starting with `=`, `+`, `-`,
//! `@`, a tab or a CR gets a leading `'`, so `=HYPERLINK(…)` typed by a visitor
//! stays text. An E.164 phone starts with `+` and is guarded too (else the
//! spreadsheet reads it as a number and drops the plus).
//! The collector writes the header once, then each page of leads as it is
//! read, so memory stays flat however many leads there are.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::stats::Standing;
use crate::wire::Lead;

/// Written before the header: Excel reads the file as UTF-8 only with it.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// The character between cells (`delimiter=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    Semicolon,
    Comma,
}

crate::wire_names::wire_names! {
    Delimiter {
        Semicolon => "semicolon",
        Comma => "comma",
    }
}

impl Delimiter {
    fn byte(self) -> u8 {
        match self {
            Delimiter::Semicolon => b';',
            Delimiter::Comma => b',',
        }
    }
}

/// One stored lead and what the store knows beside it.
#[derive(Clone, Copy)]
pub struct Record<'a> {
    pub lead: &'a Lead,
    pub spam: bool,
    pub spam_reason: Option<&'a str>,
    /// Where the lead stands with its deliveries (`Standing::of`).
    pub delivery: Standing,
    /// The site's zone, for `received_local`.
    pub zone: &'a TimeZone,
}

type Cell = fn(&Record) -> String;

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// Every column, in order: its header and its cell.
pub const COLUMNS: &[(&str, Cell)] = &[
    ("id", |r| r.lead.id.to_string()),
    ("received_at", |r| r.lead.received_at.clone()),
    ("received_local", |r| local_time(&r.lead.received_at, r.zone)),
    ("site", |r| r.lead.site.clone()),
    ("kind", |r| r.lead.kind.as_str().to_owned()),
    ("name", |r| text(&r.lead.contact.name)),
    ("phone", |r| text(&r.lead.contact.phone)),
    ("email", |r| text(&r.lead.contact.email)),
    ("message", |r| text(&r.lead.message)),
    ("product", |r| text(&r.lead.product)),
    ("page_url", |r| r.lead.page.url.clone()),
    ("channel", |r| r.lead.attribution.deciding.channel.as_str().to_owned()),
    ("source", |r| text(&r.lead.attribution.deciding.source)),
    ("medium", |r| text(&r.lead.attribution.deciding.medium)),
    ("campaign", |r| text(&r.lead.attribution.deciding.campaign)),
    ("term", |r| text(&r.lead.attribution.deciding.term)),
    ("content", |r| text(&r.lead.attribution.deciding.content)),
    ("referrer", |r| text(&r.lead.attribution.deciding.referrer)),
    ("landing_page", |r| text(&r.lead.attribution.deciding.landing_page)),
    ("click_ids", |r| {
        let ids = &r.lead.attribution.deciding.click_ids;
        ids.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }),
    ("visits", |r| {
        r.lead.attribution.visits.map(|v| v.to_string()).unwrap_or_default()
    }),
    ("first_touch_channel", |r| {
        let first = r.lead.attribution.first_touch.as_ref();
        first
            .map(|t| t.classification.channel.as_str().to_owned())
            .unwrap_or_default()
    }),
    ("first_touch_source", |r| {
        let first = r.lead.attribution.first_touch.as_ref();
        first.and_then(|t| t.classification.source.clone()).unwrap_or_default()
    }),
    ("spam", |r| r.spam.to_string()),
    ("spam_reason", |r| r.spam_reason.unwrap_or_default().to_owned()),
    ("delivery", |r| r.delivery.as_str().to_owned()),
    ("expected_response_by", |r| text(&r.lead.expected_response_by)),
];

/// `2026-11-23 18:59:47` in the site's zone: a form every spreadsheet reads as a time.
fn local_time(rfc3339: &str, zone: &TimeZone) -> String {
    rfc3339
        .parse::<Timestamp>()
        .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Characters a spreadsheet may start a formula (or a DDE call) with.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as written: a leading `'` before a possible formula.
pub fn guard(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// The file's beginning: the byte order mark and the header row.
pub fn head(delimiter: Delimiter) -> Vec<u8> {
    let mut out = BOM.to_vec();
    out.extend(rows_of(
        delimiter,
        std::iter::once(COLUMNS.iter().map(|(name, _)| (*name).to_owned()).collect()),
    ));
    out
}

/// The rows of these records.
pub fn rows(delimiter: Delimiter, records: &[Record]) -> Vec<u8> {
    rows_of(
        delimiter,
        records
            .iter()
            .map(|r| COLUMNS.iter().map(|(_, cell)| guard(cell(r))).collect()),
    )
}

/// RFC 4180: a cell holding the delimiter, a quote or a line break is
/// quoted, its quotes doubled; rows end in CRLF. By hand: the `csv` crate
/// did the same for 26 KB more Worker wasm (17 KB gzipped); its reader checks
/// these rows in the tests.
fn rows_of(delimiter: Delimiter, rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let d = delimiter.byte() as char;
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(d);
            }
            if cell.contains([d, '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&cell.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(cell);
            }
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests;
