//! The widget's side of the wire without serde (see [`crate::json`] for why):
//! a [`Submission`] written exactly as serde writes it, and the touches the
//! widget keeps read back. Each writer destructures its type whole, so a new
//! field does not compile until it is written here too.

use super::*;
use crate::json::{int, member, object, push_int, text, Obj, Read, View};

impl Submission {
    /// The body the widget posts: the same JSON serde writes (tested below).
    pub fn to_json(&self) -> String {
        let Submission {
            v,
            id,
            site,
            kind,
            contact,
            message,
            page,
            touches,
            product,
            fields,
            slot,
            consent,
            transcript,
            messenger,
            signals,
            locale,
        } = self;
        let mut out = String::with_capacity(1024);
        object(&mut out, |o| {
            o.int("v", i64::from(*v));
            o.text("id", id.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
            o.text("site", site);
            o.text("kind", kind.as_str());
            o.key("contact").object(|o| {
                let RawContact { phone, name, email } = contact;
                o.opt_text("phone", phone.as_deref());
                o.opt_text("name", name.as_deref());
                o.opt_text("email", email.as_deref());
            });
            o.opt_text("message", message.as_deref());
            o.key("page").object(|o| {
                let Page { url, title, referrer } = page;
                o.text("url", url);
                o.opt_text("title", title.as_deref());
                o.opt_text("referrer", referrer.as_deref());
            });
            o.key("touches").object(|o| touches.write(o));
            o.opt_text("product", product.as_deref());
            o.key("fields").object(|o| {
                for (id, value) in fields {
                    match value {
                        FieldValue::Flag(f) => o.flag(id, *f),
                        FieldValue::Text(t) => o.text(id, t),
                    }
                }
            });
            match slot {
                Some(Slot { start, end }) => o.key("slot").object(|o| {
                    o.text("start", &rfc3339(*start));
                    o.text("end", &rfc3339(*end));
                }),
                None => o.key("slot").null(),
            }
            match consent {
                Some(Consent { text, accepted }) => o.key("consent").object(|o| {
                    o.text("text", text);
                    o.flag("accepted", *accepted);
                }),
                None => o.key("consent").null(),
            }
            o.key("transcript").array(transcript, |v, ChatTurn { from, text }| {
                v.object(|o| {
                    o.text("from", from.as_str());
                    o.text("text", text);
                })
            });
            match messenger {
                Some(MessengerClick { channel, ref_code }) => o.key("messenger").object(|o| {
                    o.text("channel", channel.as_str());
                    o.text("ref_code", ref_code);
                }),
                None => o.key("messenger").null(),
            }
            o.key("signals").object(|o| {
                let Signals {
                    honeypot,
                    elapsed_ms,
                    turnstile,
                } = signals;
                o.opt_text("honeypot", honeypot.as_deref());
                match elapsed_ms {
                    Some(ms) => o.int("elapsed_ms", i64::try_from(*ms).unwrap_or(i64::MAX)),
                    None => o.key("elapsed_ms").null(),
                }
                // Left out when absent, as serde leaves it: bodies of sites without Turnstile stay as they were.
                if let Some(token) = turnstile {
                    o.text("turnstile", token);
                }
            });
            o.opt_text("locale", locale.as_deref());
        });
        out
    }
}

impl Speaker {
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Bot => "bot",
            Speaker::Visitor => "visitor",
        }
    }
}

impl Touches {
    /// Writes the members of the touches object into `o`.
    pub fn write(&self, o: &mut Obj) {
        let Touches { first, last, visits } = self;
        for (key, touch) in [("first", first), ("last", last)] {
            match touch {
                Some(Touch { url, referrer, at }) => o.key(key).object(|o| {
                    o.text("url", url);
                    o.opt_text("referrer", referrer.as_deref());
                    match at {
                        Some(at) => o.int("at", *at),
                        None => o.key("at").null(),
                    }
                }),
                None => o.key(key).null(),
            }
        }
        match visits {
            Some(n) => o.int("visits", i64::from(*n)),
            None => o.key("visits").null(),
        }
    }
}

impl Read for Touches {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(Touches {
            first: member(v, "first"),
            last: member(v, "last"),
            visits: int(v, "visits").and_then(|n| u32::try_from(n).ok()),
        })
    }
}

impl Read for Touch {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(Touch {
            url: text(v, "url")?,
            referrer: text(v, "referrer"),
            at: int(v, "at"),
        })
    }
}

impl Read for FieldError {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(FieldError {
            field: text(v, "field")?,
            code: text(v, "code").unwrap_or_default(),
            message: text(v, "message").unwrap_or_default(),
        })
    }
}

impl ErrorBody {
    /// The field errors of an error answer (none when it has none or is no error).
    pub fn fields_of<V: View>(v: &V) -> Vec<FieldError> {
        v.get("error")
            .map(|e| crate::json::list(&e, "fields"))
            .unwrap_or_default()
    }
}

/// RFC 3339 in UTC, as jiff prints a timestamp, without jiff's printer (which
/// would add its formatting machinery to the widget).
fn rfc3339(ts: jiff::Timestamp) -> String {
    let t = jiff::tz::Offset::UTC.to_datetime(ts);
    let mut out = String::with_capacity(24);
    padded(&mut out, i64::from(t.year()), 4);
    for (sep, n) in [
        ('-', t.month()),
        ('-', t.day()),
        ('T', t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(sep);
        padded(&mut out, i64::from(n), 2);
    }
    let ms = t.subsec_nanosecond() / 1_000_000;
    if ms != 0 {
        out.push('.');
        padded(&mut out, i64::from(ms), 3);
    }
    out.push('Z');
    out
}

fn padded(out: &mut String, n: i64, width: usize) {
    let mut digits = String::new();
    push_int(&mut digits, n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Submission {
        let touch = |url: &str| Touch {
            url: url.into(),
            referrer: Some("https://www.google.com/".into()),
            at: Some(1_700_000_000_000),
        };
        Submission {
            contact: RawContact {
                phone: Some("8 (912) 345-67-89".into()),
                name: Some("Анна \"Quote\" \\ back".into()),
                email: Some("anna@example.com".into()),
            },
            message: Some("line one\nline two\t\u{1}".into()),
            touches: Touches {
                first: Some(touch("https://shop.example/?utm_source=yandex")),
                last: Some(Touch {
                    referrer: None,
                    at: None,
                    ..touch("https://shop.example/?gclid=x")
                }),
                visits: Some(3),
            },
            product: Some("Window 3000".into()),
            fields: BTreeMap::from([
                ("service".into(), FieldValue::Text("doors".into())),
                ("visit".into(), FieldValue::Flag(true)),
            ]),
            slot: Some(Slot {
                start: "2026-11-30T07:00:00Z".parse().unwrap(),
                end: "2026-11-30T07:30:00.250Z".parse().unwrap(),
            }),
            consent: Some(Consent {
                text: "I agree".into(),
                accepted: true,
            }),
            transcript: vec![
                ChatTurn {
                    from: Speaker::Bot,
                    text: "Name?".into(),
                },
                ChatTurn {
                    from: Speaker::Visitor,
                    text: "Anna".into(),
                },
            ],
            messenger: Some(MessengerClick {
                channel: Messenger::Telegram,
                ref_code: "K7Q2XM".into(),
            }),
            signals: Signals {
                honeypot: Some("bot".into()),
                elapsed_ms: Some(4_200),
                turnstile: Some("XXXX.DUMMY.TOKEN.XXXX".into()),
            },
            locale: Some("ru".into()),
            ..bare()
        }
    }

    fn bare() -> Submission {
        Submission::new(
            Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
            "demo",
            LeadKind::Callback,
            Page {
                url: "https://shop.example/".into(),
                title: None,
                referrer: None,
            },
        )
    }

    #[test]
    fn writes_what_serde_writes() {
        for submission in [full(), bare()] {
            let ours: serde_json::Value = serde_json::from_str(&submission.to_json()).unwrap();
            let mut serdes = serde_json::to_value(&submission).unwrap();
            // Timestamps are compared by value below; jiff may print them differently.
            let slot = serdes.as_object_mut().unwrap().remove("slot");
            let mut ours_without_slot = ours.clone();
            let our_slot = ours_without_slot.as_object_mut().unwrap().remove("slot");
            assert_eq!(ours_without_slot, serdes);
            let parse = |v: Option<serde_json::Value>| serde_json::from_value::<Option<Slot>>(v.unwrap()).unwrap();
            assert_eq!(parse(our_slot), parse(slot));
            assert_eq!(parse_submission_text(&submission.to_json()), submission);
        }
    }

    fn parse_submission_text(text: &str) -> Submission {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn timestamps_print_as_jiff_prints_them() {
        for ms in [
            0,
            1_700_000_000_000,
            1_764_486_000_123,
            -86_400_000,
            253_402_207_199_000,
        ] {
            let ts = jiff::Timestamp::from_millisecond(ms).unwrap();
            assert_eq!(rfc3339(ts), ts.to_string(), "{ms}");
        }
    }

    #[test]
    fn touches_read_back_what_was_written() {
        let touches = full().touches;
        let mut out = String::new();
        object(&mut out, |o| touches.write(o));
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(Touches::read(&value), Some(touches.clone()));
        assert_eq!(serde_json::from_str::<Touches>(&out).unwrap(), touches);
    }

    #[test]
    fn field_errors_are_read_from_an_error_answer() {
        let body = ErrorBody::new(
            "invalid",
            "x",
            vec![FieldError::new("contact.phone", "invalid", "Bad phone")],
        );
        let value = serde_json::to_value(&body).unwrap();
        assert_eq!(ErrorBody::fields_of(&value), body.error.fields);
        assert!(ErrorBody::fields_of(&serde_json::json!({"ok": true})).is_empty());
    }
}
