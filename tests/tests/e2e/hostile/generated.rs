//! The cases that are tables crossed with tables (every URL field × every
//! bad URL, every text field × every invisible character), sizes, and the
//! transport-level requests only a raw client can send.

use serde_json::{json, Value};

use super::{Case, Checks, Expect, Wire};

/// What a visitor's browser never sends as an address.
const BAD_URLS: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "file:///etc/passwd",
    "not a url",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://files.example/x",
    "//evil.example/",
    "http://",
    "https://",
    "mailto:x@example.com",
    "about:blank",
    "chrome://settings",
    "/relative/path",
    "http:// spaced.example/",
    "https://[::1",
    "",
];

/// (where in the submission, the field named, where the forwarded lead would show it)
const URL_FIELDS: &[(&str, &str, Option<&str>)] = &[
    ("/page/url", "page.url", None),
    ("/page/referrer", "page.referrer", Some("/data/page/referrer")),
    (
        "/touches/first/url",
        "touches.first.url",
        Some("/data/attribution/first_touch"),
    ),
    (
        "/touches/first/referrer",
        "touches.first.referrer",
        Some("/data/attribution/first_touch/referrer"),
    ),
    (
        "/touches/last/url",
        "touches.last.url",
        Some("/data/attribution/last_touch"),
    ),
    (
        "/touches/last/referrer",
        "touches.last.referrer",
        Some("/data/attribution/last_touch/referrer"),
    ),
];

/// Addresses that look odd but are web addresses: kept.
const ODD_GOOD_URLS: &[&str] = &[
    "https://пример.рф/путь?q=1",
    "http://[::1]:8080/landing",
    "HTTPS://SHOP.EXAMPLE/Landing",
    "https://shop.example/?q=\"<script>alert(1)</script>\"",
    // A URL parser drops leading C0 controls and spaces (WHATWG URL), as browsers do: kept, without them.
    "\u{0}http://a.example/",
];

/// Characters a visitor cannot see, or that move or hide text.
const INVISIBLE: &[(&str, &str)] = &[
    ("NUL", "\u{0}"),
    ("SOH", "\u{1}"),
    ("BEL", "\u{7}"),
    ("backspace", "\u{8}"),
    ("an ANSI colour escape", "\u{1b}[31m"),
    ("DEL", "\u{7f}"),
    ("NEL (U+0085)", "\u{85}"),
    ("CSI (U+009B)", "\u{9b}"),
    ("CR", "\r"),
    ("LF", "\n"),
    ("CR LF", "\r\n"),
    ("a vertical tab", "\u{b}"),
    ("a form feed", "\u{c}"),
    ("LRE (U+202A)", "\u{202A}"),
    ("RLE (U+202B)", "\u{202B}"),
    ("PDF (U+202C)", "\u{202C}"),
    ("LRO (U+202D)", "\u{202D}"),
    ("RLO (U+202E)", "\u{202E}"),
    ("LRI (U+2066)", "\u{2066}"),
    ("RLI (U+2067)", "\u{2067}"),
    ("FSI (U+2068)", "\u{2068}"),
    ("PDI (U+2069)", "\u{2069}"),
    ("LRM (U+200E)", "\u{200E}"),
    ("RLM (U+200F)", "\u{200F}"),
    ("ALM (U+061C)", "\u{061C}"),
    ("a zero-width space", "\u{200B}"),
    ("a byte order mark", "\u{FEFF}"),
    ("a word joiner", "\u{2060}"),
    ("a soft hyphen", "\u{AD}"),
    ("tag characters", "\u{E0041}\u{E0042}"),
    ("a line separator", "\u{2028}"),
    ("a paragraph separator", "\u{2029}"),
];

/// (where in the submission, where in the forwarded lead, may hold lines)
const TEXT_FIELDS: &[(&str, &str, bool)] = &[
    ("/contact/name", "/data/contact/name", false),
    ("/message", "/data/message", true),
    ("/product", "/data/product", false),
    ("/consent/text", "/data/consent/text", true),
    ("/page/title", "/data/page/title", false),
];

pub fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    urls(&mut all);
    text(&mut all);
    nesting(&mut all);
    sizes(&mut all);
    transport(&mut all);
    methods(&mut all);
    all
}

fn urls(all: &mut Vec<Case>) {
    for (pointer, field, shown_at) in URL_FIELDS {
        for bad in BAD_URLS {
            let expect = match shown_at {
                None => Expect::Refused(field.to_string()),
                Some(at) => Expect::RefusedOrNull(field.to_string(), at.to_string()),
            };
            all.push(Case::lead(
                "urls",
                format!("{field} = {bad:?}"),
                &[(pointer, json!(bad))],
                expect,
            ));
        }
    }
    for good in ODD_GOOD_URLS {
        let checks = Checks::default();
        let name = format!("page.url = {good:?} is kept");
        all.push(Case::lead(
            "urls",
            name,
            &[("/page/url", json!(good))],
            Expect::Accepted(checks),
        ));
    }
}

fn text(all: &mut Vec<Case>) {
    for (pointer, shown_at, lines) in TEXT_FIELDS {
        for (what, chars) in INVISIBLE {
            let typed = format!("Ann{chars}a <b>x</b>");
            let checks = Checks {
                contains: vec![(shown_at.to_string(), "<b>x</b>".into())],
                one_line: if *lines { vec![] } else { vec![shown_at.to_string()] },
                ..Checks::default()
            };
            let name = format!("{what} in {}", &pointer[1..].replace('/', "."));
            all.push(Case::lead(
                "control and bidi",
                name,
                &[(pointer, json!(typed))],
                Expect::Accepted(checks),
            ));
        }
    }
}

fn nesting(all: &mut Vec<Case>) {
    for depth in [16, 127, 128, 129, 500, 5_000, 20_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        let expect = || Expect::AnyRefusal;
        all.push(Case::raw_lead(
            "nesting",
            format!("arrays {depth} deep in fields.service"),
            &[("/kind", json!("form")), ("/fields/service", json!("@@"))],
            &[("\"@@\"", arrays.as_str())],
            expect(),
        ));
        all.push(Case::raw_lead(
            "nesting",
            format!("objects {depth} deep in contact.name"),
            &[("/contact/name", json!("@@"))],
            &[("\"@@\"", objects.as_str())],
            expect(),
        ));
        all.push(Case::bytes(
            "nesting",
            format!("a body of arrays {depth} deep"),
            arrays.into_bytes(),
            expect(),
        ));
    }
}

fn sizes(all: &mut Vec<Case>) {
    let refused = |f: &str| Expect::Refused(f.to_owned());
    let accepted = || Expect::Accepted(Checks::default());
    let kept_to = |at: &str, n: usize| {
        Expect::Accepted(Checks {
            max_chars: vec![(at.to_owned(), n)],
            ..Checks::default()
        })
    };
    let s = |c: &str, n: usize| json!(c.repeat(n));
    let form = ("/kind", json!("form"));
    let table: Vec<(String, Vec<(&str, Value)>, Expect)> = vec![
        (
            "a name of 200 Cyrillic letters".into(),
            vec![("/contact/name", s("я", 200))],
            accepted(),
        ),
        (
            "a name of 200 emoji".into(),
            vec![("/contact/name", s("🙂", 200))],
            accepted(),
        ),
        (
            "a name of 201 letters".into(),
            vec![("/contact/name", s("n", 201))],
            refused("contact.name"),
        ),
        (
            "a name of 201 Cyrillic letters".into(),
            vec![("/contact/name", s("я", 201))],
            refused("contact.name"),
        ),
        (
            "a name of 10,000 letters".into(),
            vec![("/contact/name", s("n", 10_000))],
            refused("contact.name"),
        ),
        (
            "a message of 5,000 characters".into(),
            vec![("/message", s("m", 5_000))],
            accepted(),
        ),
        (
            "a message of 5,001 characters".into(),
            vec![("/message", s("m", 5_001))],
            refused("message"),
        ),
        (
            "a message of 30,000 characters".into(),
            vec![("/message", s("m", 30_000))],
            refused("message"),
        ),
        (
            "a product of 5,000 characters".into(),
            vec![("/product", s("p", 5_000))],
            kept_to("/data/product", 200),
        ),
        (
            "a consent text of 2,001 characters".into(),
            vec![("/consent/text", s("c", 2_001))],
            refused("consent.text"),
        ),
        (
            "a page title of 5,000 characters".into(),
            vec![("/page/title", s("t", 5_000))],
            kept_to("/data/page/title", 300),
        ),
        (
            "a page URL of 5,000 characters".into(),
            vec![(
                "/page/url",
                json!(format!("http://127.0.0.1:8080/?q={}", "a".repeat(5_000))),
            )],
            kept_to("/data/page/url", 2_048),
        ),
        (
            "a touch URL of 30,000 characters".into(),
            vec![(
                "/touches/first/url",
                json!(format!("http://127.0.0.1:8080/?utm_source=x&q={}", "a".repeat(30_000))),
            )],
            kept_to("/data/attribution/first_touch/landing_page", 2_048),
        ),
        (
            "a phone of 65 characters".into(),
            vec![("/contact/phone", s("9", 65))],
            refused("contact.phone"),
        ),
        (
            "an email of 300 characters".into(),
            vec![("/contact/email", json!(format!("{}@example.com", "a".repeat(288))))],
            refused("contact.email"),
        ),
        (
            "a field answer of 1,001 characters".into(),
            vec![form.clone(), ("/fields/service", s("d", 1_001))],
            refused("fields.service"),
        ),
        (
            "a transcript of 51 turns".into(),
            vec![
                ("/kind", json!("chat")),
                ("/transcript", json!(vec![json!({"from": "visitor", "text": "hi"}); 51])),
            ],
            refused("transcript"),
        ),
        (
            "a ref code of 17 characters".into(),
            vec![
                ("/kind", json!("messenger_click")),
                ("/contact", json!({})),
                ("/messenger", json!({"channel": "telegram", "ref_code": "K".repeat(17)})),
            ],
            refused("messenger.ref_code"),
        ),
        (
            "2,000 unknown form fields".into(),
            vec![
                form,
                (
                    "/fields",
                    Value::Object((0..2_000).map(|i| (format!("f{i}"), json!(true))).collect()),
                ),
            ],
            refused("fields"),
        ),
        (
            "a site id of 10,000 characters".into(),
            vec![("/site", s("s", 10_000))],
            Expect::Status(404, Some("site_not_found".into()), Some("site".into())),
        ),
    ];
    for (name, set, expect) in table {
        let set: Vec<(&str, Value)> = set;
        let pairs: Vec<(&str, Value)> = set.into_iter().collect();
        all.push(Case::lead(
            "huge",
            name,
            &pairs.iter().map(|(p, v)| (*p, v.clone())).collect::<Vec<_>>(),
            expect,
        ));
    }
    // The limit itself, to the byte: the title pads the body (it is cut, not refused).
    for (size, expect) in [
        (lead::limits::BODY_BYTES, Expect::Accepted(Checks::default())),
        (
            lead::limits::BODY_BYTES + 1,
            Expect::Status(413, Some("payload_too_large".into()), None),
        ),
    ] {
        all.push(Case::sized(
            "huge",
            format!("a body of exactly {size} bytes"),
            size,
            expect,
        ));
    }
}

fn transport(all: &mut Vec<Case>) {
    let t = |name: &str, wire: Wire, expect: Expect| Case::wire("transport", name.to_owned(), wire, expect);
    let head = |lines: &str| Wire::Head(lines.to_owned());
    let transport = || Expect::Transport;
    let post = "POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: text/plain\r\n";
    all.extend([
        t(
            "Content-Length 0",
            Wire::Lead {
                head: format!("{post}Content-Length: 0\r\n\r\n"),
                body: BodyAs::Nothing,
                half_close: false,
            },
            Expect::Status(400, Some("malformed_json".into()), None),
        ),
        t(
            "Content-Length half the body",
            Wire::Lead {
                head: post.into(),
                body: BodyAs::LengthHalf,
                half_close: false,
            },
            Expect::Status(400, Some("malformed_json".into()), None),
        ),
        t(
            "Content-Length more than the body",
            Wire::Lead {
                head: post.into(),
                body: BodyAs::LengthPlus(100),
                half_close: true,
            },
            transport(),
        ),
        t(
            "Content-Length of 10 MB, body short",
            Wire::Lead {
                head: format!("{post}Content-Length: 10000000\r\n\r\n"),
                body: BodyAs::Plain,
                half_close: true,
            },
            transport(),
        ),
        t(
            "Content-Length abc",
            Wire::Lead {
                head: format!("{post}Content-Length: abc\r\n\r\n"),
                body: BodyAs::Plain,
                half_close: true,
            },
            transport(),
        ),
        t(
            "Content-Length -1",
            Wire::Lead {
                head: format!("{post}Content-Length: -1\r\n\r\n"),
                body: BodyAs::Plain,
                half_close: true,
            },
            transport(),
        ),
        t(
            "Content-Length +10",
            Wire::Lead {
                head: format!("{post}Content-Length: +10\r\n\r\n"),
                body: BodyAs::Plain,
                half_close: true,
            },
            transport(),
        ),
        t(
            "Content-Length of 20 digits",
            Wire::Lead {
                head: format!("{post}Content-Length: 99999999999999999999\r\n\r\n"),
                body: BodyAs::Plain,
                half_close: true,
            },
            transport(),
        ),
        t(
            "two Content-Lengths that differ",
            Wire::Lead {
                head: post.into(),
                body: BodyAs::TwoLengths,
                half_close: true,
            },
            transport(),
        ),
        t(
            "Content-Length and chunked together",
            Wire::Lead {
                head: format!("{post}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::Chunked(64),
                half_close: true,
            },
            Expect::TransportOrAccepted,
        ),
        t(
            "chunked in 3 chunks",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::Chunked(200),
                half_close: false,
            },
            Expect::Accepted(Checks::default()),
        ),
        t(
            "chunked in 1-byte chunks",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::Chunked(1),
                half_close: false,
            },
            Expect::Accepted(Checks::default()),
        ),
        t(
            "chunked with chunk extensions",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::ChunkedExtended,
                half_close: false,
            },
            Expect::TransportOrAccepted,
        ),
        t(
            "chunked over 32 KB",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::ChunkedHuge,
                half_close: false,
            },
            Expect::Status(413, Some("payload_too_large".into()), None),
        ),
        t(
            "chunked with a chunk size zz",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::Raw(b"zz\r\n{}\r\n0\r\n\r\n".to_vec()),
                half_close: true,
            },
            transport(),
        ),
        t(
            "chunked with a negative chunk size",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::Raw(b"-5\r\n{}\r\n0\r\n\r\n".to_vec()),
                half_close: true,
            },
            transport(),
        ),
        t(
            "chunked with a chunk size of 2^72",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::Raw(b"ffffffffffffffffff\r\n{}\r\n0\r\n\r\n".to_vec()),
                half_close: true,
            },
            transport(),
        ),
        t(
            "chunked, a chunk shorter than its size",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::Raw(b"400\r\n{\"v\":1}".to_vec()),
                half_close: true,
            },
            transport(),
        ),
        t(
            "chunked without the last chunk",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: chunked\r\n\r\n"),
                body: BodyAs::ChunkedUnended,
                half_close: true,
            },
            Expect::TransportOrAccepted,
        ),
        t(
            "Transfer-Encoding xchunked",
            Wire::Lead {
                head: format!("{post}Transfer-Encoding: xchunked\r\n\r\n"),
                body: BodyAs::Chunked(64),
                half_close: true,
            },
            transport(),
        ),
        t(
            "Content-Encoding gzip on a plain body",
            Wire::Lead {
                head: post.into(),
                body: BodyAs::PlainWith("Content-Encoding: gzip\r\n"),
                half_close: false,
            },
            Expect::TransportOrAccepted,
        ),
        t(
            "Expect: 100-continue",
            Wire::Lead {
                head: post.into(),
                body: BodyAs::PlainWith("Expect: 100-continue\r\n"),
                half_close: false,
            },
            Expect::Accepted(Checks::default()),
        ),
        t(
            "HTTP/1.0 without Host",
            Wire::Lead {
                head: "POST /v1/leads HTTP/1.0\r\nContent-Type: text/plain\r\n".into(),
                body: BodyAs::Plain,
                half_close: false,
            },
            transport(),
        ),
        t("a request line of garbage", head("GARBAGE\r\n\r\n"), transport()),
        t(
            "a header without a colon",
            head("POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\nContent-Length: 0\r\n\r\n"),
            transport(),
        ),
        t(
            "a NUL in a header",
            head("POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n"),
            transport(),
        ),
        t(
            "a bare LF between headers",
            head("POST /v1/leads HTTP/1.1\nHost: 127.0.0.1\nContent-Length: 0\n\n"),
            transport(),
        ),
        t(
            "a 100 KB header",
            Wire::Head(format!(
                "POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {}\r\nContent-Length: 0\r\n\r\n",
                "c".repeat(100_000)
            )),
            transport(),
        ),
        t(
            "HTTP/9.9",
            head("POST /v1/leads HTTP/9.9\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"),
            transport(),
        ),
    ]);
}

fn methods(all: &mut Vec<Case>) {
    let m =
        |name: String, head: String, expect: Expect| Case::wire("methods and paths", name, Wire::Head(head), expect);
    let req = |method: &str, path: &str, extra: &str| {
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}Content-Length: 0\r\n\r\n")
    };
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        all.push(m(
            format!("{method} /v1/leads"),
            req(method, "/v1/leads", ""),
            Expect::AnyRefusal,
        ));
    }
    for method in ["HEAD", "TRACE", "FOO", "CONNECT"] {
        all.push(m(
            format!("{method} /v1/leads"),
            req(method, "/v1/leads", ""),
            Expect::Transport,
        ));
    }
    for path in [
        "/v1/leads/",
        "/V1/LEADS",
        "/v1/leadsx",
        "/v1/leads/1",
        "/v1/sites/%3Cscript%3E/config",
        "/v1/sites/%00/config",
        "/v1/admin/leads",
    ] {
        all.push(m(format!("POST {path}"), req("POST", path, ""), Expect::AnyRefusal));
    }
    let long = format!("/v1/{}", "a".repeat(10_000));
    all.push(m(
        "POST a path of 10,000 characters".into(),
        req("POST", &long, ""),
        Expect::Transport,
    ));
    for (what, auth) in [
        ("no token", ""),
        ("a wrong token", "Authorization: Bearer wrong\r\n"),
        ("an empty bearer", "Authorization: Bearer \r\n"),
        (
            "a 10 KB token",
            &format!("Authorization: Bearer {}\r\n", "t".repeat(10_000)),
        ),
        ("Basic", "Authorization: Basic dGVzdDp0ZXN0\r\n"),
    ] {
        all.push(m(
            format!("GET /v1/admin/leads with {what}"),
            req("GET", "/v1/admin/leads", auth),
            Expect::Status(401, None, None),
        ));
    }
}

/// How a transport case writes the lead after its head.
pub enum BodyAs {
    Nothing,
    Plain,
    /// A header more, then the body with its length.
    PlainWith(&'static str),
    LengthHalf,
    LengthPlus(usize),
    TwoLengths,
    Chunked(usize),
    ChunkedExtended,
    ChunkedHuge,
    ChunkedUnended,
    Raw(Vec<u8>),
}

impl BodyAs {
    /// The bytes after `head` (which ends in the header lines, or in the blank line when complete).
    pub fn write(&self, head: &str, lead: &[u8]) -> Vec<u8> {
        let length = |n: usize| format!("Content-Length: {n}\r\n\r\n");
        let mut out = head.as_bytes().to_vec();
        let complete = head.ends_with("\r\n\r\n");
        let tail: Vec<u8> = match self {
            BodyAs::Nothing => vec![],
            BodyAs::Plain if complete => lead.to_vec(),
            BodyAs::Plain => [length(lead.len()).as_bytes(), lead].concat(),
            BodyAs::PlainWith(extra) => [extra.as_bytes(), length(lead.len()).as_bytes(), lead].concat(),
            BodyAs::LengthHalf => [length(lead.len() / 2).as_bytes(), lead].concat(),
            BodyAs::LengthPlus(n) => [length(lead.len() + n).as_bytes(), lead].concat(),
            BodyAs::TwoLengths => [
                format!("Content-Length: {}\r\n", lead.len()).as_bytes(),
                length(lead.len() / 2).as_bytes(),
                lead,
            ]
            .concat(),
            BodyAs::Chunked(size) => super::raw::chunked(lead, *size),
            BodyAs::ChunkedExtended => {
                let half = lead.len() / 2;
                let mut body = format!("{:x};name=value\r\n", half).into_bytes();
                body.extend_from_slice(&lead[..half]);
                body.extend_from_slice(format!("\r\n{:x};x\r\n", lead.len() - half).as_bytes());
                body.extend_from_slice(&lead[half..]);
                body.extend_from_slice(b"\r\n0\r\nX-Trailer: t\r\n\r\n");
                body
            }
            BodyAs::ChunkedHuge => super::raw::chunked(&[lead, " ".repeat(40_000).as_bytes()].concat(), 4_096),
            BodyAs::ChunkedUnended => {
                let mut body = super::raw::chunked(lead, 64);
                body.truncate(body.len() - 5);
                body
            }
            BodyAs::Raw(bytes) => bytes.clone(),
        };
        out.extend_from_slice(&tail);
        out
    }
}
