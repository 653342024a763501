//! `slack`: the lead as a Block Kit message posted to a Slack incoming
//! webhook (<https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks>).
//!
//! The message is a `header` with the title, `section`s with the rows of
//! [`summary::lines`] as `*Label:* value` mrkdwn lines, and a `context` with
//! the source and the page; the top-level `text` is the notification's
//! fallback. Slack parses `&`, `<` and `>` as control characters, so the
//! visitor's text has them as `&amp;`, `&lt;`, `&gt;`
//! (<https://docs.slack.dev/messaging/formatting-message-text#escaping>):
//! no `<!channel>`, `<@U…>` or `<http://evil|x>` of theirs becomes a mention
//! or a link, and `verbatim` stops Slack from linking bare names and URLs.
//! Slack has no escape for `*`, `_`, `~` and `` ` `` (a backslash does not
//! work; Slack suggests spaces around the character,
//! <https://github.com/slackhq/slack-api-docs/issues/34>): a typed marker
//! that could open or close formatting gets an invisible zero-width space on
//! each side instead. Only http(s) addresses and the E.164 phone are links.
//!
//! Incoming webhooks take no idempotency key: a retry after an attempt whose
//! outcome is unknown may post the lead twice ([`Guarantee::AtLeastOnce`]).

use serde::Deserialize;
use serde_json::json;

use super::summary::{self, Value};
use super::text::{clean, escape_html_text, is_e164, utf16_len, web_url};
use super::{cut, Act, Answer, Delivery, Guarantee, Kind, Outcome, Problem, Request};
use crate::site::Destination;

pub struct Slack;

/// A text object's most characters; a section's text is one
/// (<https://docs.slack.dev/reference/block-kit/composition-objects/text-object>).
const TEXT_LIMIT: usize = 3000;
/// A header's `plain_text` most characters.
const HEADER_LIMIT: usize = 150;
/// A message's most blocks.
const MAX_BLOCKS: usize = 50;
/// Any one value is cut to this many characters before it is escaped.
const VALUE_CAP: usize = 1500;
/// What a link shows of its address.
const LINK_SHOWN: usize = 300;
/// Labels are the site's own field ids at most; keep them short.
const LABEL_CAP: usize = 100;

/// Put on each side of a typed `*`, `_`, `~` or `` ` ``: invisible, and
/// Slack no longer reads the character as a formatting marker.
const ZWSP: char = '\u{200B}';

/// `[[site.destination]]` keys of a Slack destination.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The incoming webhook URL. It is a credential: prefer `url_secret`.
    url: Option<String>,
    /// Or: the Worker secret holding it.
    url_secret: Option<String>,
    /// `ru` or `en`; default: the visitor's language.
    language: Option<String>,
}

impl Kind for Slack {
    fn check(&self, destination: &Destination) -> Vec<String> {
        let s = match super::settings::<Settings>(destination) {
            Ok(s) => s,
            Err(e) => return vec![e.detail],
        };
        let mut problems = Vec::new();
        if s.url.is_some() == s.url_secret.is_some() {
            problems.push("url, url_secret: needs exactly one".into());
        }
        if let Some(url) = &s.url {
            if !is_webhook(url) {
                problems.push("url: must be a https://hooks.slack.com/… incoming webhook".into());
            }
        }
        if let Some(language) = &s.language {
            if language != "ru" && language != "en" {
                problems.push(format!("language: {language:?} must be \"ru\" or \"en\""));
            }
        }
        problems
    }

    fn request(&self, delivery: &Delivery) -> Result<Request, Problem> {
        let settings: Settings = delivery.settings()?;
        let url = delivery.endpoint(&settings.url, &settings.url_secret, None)?;
        if !is_webhook(&url) {
            // Name where the URL came from, never the URL: it is the credential.
            let from = settings.url_secret.as_deref().unwrap_or("url");
            return Err(Problem::new(
                "secret_invalid",
                format!("{from} does not hold a https://hooks.slack.com/… webhook URL"),
            ));
        }
        let locale = summary::locale(settings.language.as_deref(), delivery.lead);
        let body = message(delivery, locale);
        Ok(Request::post_json(url, &body))
    }

    fn classify(&self, answer: &Answer) -> Outcome {
        classify(answer)
    }

    fn guarantee(&self) -> Guarantee {
        Guarantee::AtLeastOnce
    }
}

/// Slack's incoming webhooks, or a local stand-in for tests.
fn is_webhook(url: &str) -> bool {
    !url.chars().any(char::is_whitespace)
        && (url.starts_with("https://hooks.slack.com/")
            || url.starts_with("http://127.0.0.1:")
            || url.starts_with("http://127.0.0.1/"))
}

/// The message: header, rows, context; the title as the fallback text.
fn message(delivery: &Delivery, locale: crate::hours::Locale) -> serde_json::Value {
    let lead = delivery.lead;
    let title = summary::title(lead, locale);
    let source = summary::source(lead);
    // The source and the page go in the context under the rows, not twice.
    let in_context = |v: &Value| match v {
        Value::Text(t) => *t == source,
        Value::Link(l) => *l == lead.page.url,
        Value::Phone(_) => false,
    };
    let lines: Vec<String> = summary::lines(delivery, locale)
        .iter()
        .filter(|l| !in_context(&l.value))
        .map(|l| line(&l.label, &l.value))
        .collect();

    let mut blocks = vec![json!({
        "type": "header",
        // plain_text is shown as it is: no mentions, links or markup to escape.
        "text": {"type": "plain_text", "text": fit(&clean(&title), HEADER_LIMIT)},
    })];
    for text in sections(lines, MAX_BLOCKS - 2) {
        blocks.push(json!({
            "type": "section",
            "text": {"type": "mrkdwn", "text": text, "verbatim": true},
        }));
    }
    let mut context = vec![json!({"type": "mrkdwn", "text": mrkdwn(&source, TEXT_LIMIT), "verbatim": true})];
    if !lead.page.url.trim().is_empty() {
        context.push(json!({"type": "mrkdwn", "text": link(&lead.page.url, TEXT_LIMIT), "verbatim": true}));
    }
    blocks.push(json!({"type": "context", "elements": context}));
    json!({"text": mrkdwn(&cut(&title, HEADER_LIMIT), TEXT_LIMIT), "blocks": blocks})
}

/// One `*Label:* value` line, at most [`TEXT_LIMIT`] long.
fn line(label: &str, value: &Value) -> String {
    let head = format!("*{}:* ", mrkdwn(&cut(label, LABEL_CAP), LABEL_CAP * 5));
    let room = TEXT_LIMIT - utf16_len(&head);
    let value = match value {
        Value::Phone(phone) if is_e164(phone) => format!("<tel:{phone}|{phone}>"),
        Value::Link(address) => link(address, room),
        Value::Text(text) | Value::Phone(text) => mrkdwn(&cut(text, VALUE_CAP), room),
    };
    head + &value
}

/// `<address|address>` for an http(s) address, else the text; at most `room` long.
fn link(address: &str, room: usize) -> String {
    // Slack's three control characters as entities; `|` would end the
    // address and start the label.
    let href = web_url(address).map(|u| escape_html_text(u.as_str()).replace('|', "%7C"));
    match href {
        Some(href) if utf16_len(&href) + 3 + 10 <= room => {
            let label = mrkdwn(&cut(address.trim(), LINK_SHOWN), room - utf16_len(&href) - 3);
            format!("<{href}|{label}>")
        }
        _ => mrkdwn(&cut(address, VALUE_CAP), room),
    }
}

/// The lines packed into as few section texts as fit, at most `max` of them.
fn sections(lines: Vec<String>, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some(last) if utf16_len(last) + 1 + utf16_len(&line) <= TEXT_LIMIT => {
                last.push('\n');
                last.push_str(&line);
            }
            _ => out.push(line),
        }
    }
    out.truncate(max);
    out
}

/// `text` cut to `max` UTF-16 units (never less than Slack's character
/// count), ending with "…" when cut.
fn fit(text: &str, max: usize) -> String {
    if utf16_len(text) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        if used + c.len_utf16() + 1 > max {
            break;
        }
        used += c.len_utf16();
        out.push(c);
    }
    out.push('…');
    out
}

/// Typed text as mrkdwn that shows exactly what was typed, in at most
/// `budget` UTF-16 units: escaped, markers neutralised, cut between
/// characters (never inside an entity) with "…".
fn mrkdwn(text: &str, budget: usize) -> String {
    let chars: Vec<char> = clean(text).chars().collect();
    let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
    let pieces: Vec<String> = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let prev = i.checked_sub(1).and_then(|j| chars.get(j));
            match c {
                '&' => "&amp;".to_owned(),
                '<' => "&lt;".to_owned(),
                // A `>` opening a line would quote it.
                '>' if prev.is_none_or(|p| *p == '\n') => format!("{ZWSP}&gt;"),
                '>' => "&gt;".to_owned(),
                // Inside a word (snake_case, a_b) a marker formats nothing; elsewhere it might.
                '*' | '_' | '~' | '`' if !(word(prev) && word(chars.get(i + 1))) => format!("{ZWSP}{c}{ZWSP}"),
                c => c.to_string(),
            }
        })
        .collect();
    if pieces.iter().map(|p| utf16_len(p)).sum::<usize>() <= budget {
        return pieces.concat();
    }
    let mut out = String::new();
    let mut used = 0;
    for piece in pieces {
        let n = utf16_len(&piece);
        if used + n + 1 > budget {
            break;
        }
        used += n;
        out.push_str(&piece);
    }
    out.push('…');
    out
}

/// Slack's answers by HTTP status (0: any) and the plain-text word of the
/// body ("": any), as documented in
/// <https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks>
/// and the incoming webhooks guide: the first row that matches decides, and
/// its note says what to do. Anything else goes by HTTP's meaning.
const ANSWERS: &[(u16, &str, Act, &str)] = &[
    // Rate limited; the `Retry-After` header says how long to wait.
    (429, "", Act::Retry(None), "rate limited"),
    // 404/410: the webhook or its app was removed.
    (0, "no_service", Act::Disable, "the webhook was removed: make a new one"),
    (
        0,
        "no_active_hooks",
        Act::Disable,
        "the webhook is turned off: turn it on or make a new one",
    ),
    (
        0,
        "invalid_token",
        Act::Disable,
        "the webhook URL is no longer valid: make a new one",
    ),
    // 403: the workspace restricts posting here.
    (
        0,
        "action_prohibited",
        Act::Disable,
        "the workspace forbids this post: ask its admin",
    ),
    (
        0,
        "posting_to_general_channel_denied",
        Act::Disable,
        "only admins may post to this channel",
    ),
    (
        0,
        "channel_not_found",
        Act::Disable,
        "the channel is gone: make a webhook for another",
    ),
    (
        0,
        "channel_is_archived",
        Act::Disable,
        "unarchive the channel or make a webhook for another",
    ),
    // 500: "something strange and unusual happened that was likely not your fault".
    (0, "rollup_error", Act::Retry(None), "Slack's own error"),
    // invalid_payload, no_text, invalid_blocks, …: the message was wrong.
    (400, "", Act::Failed, "fix the message and replay"),
];

fn classify(answer: &Answer) -> Outcome {
    // Success is HTTP 200 with the body "ok".
    if (200..300).contains(&answer.status) {
        return Outcome::Delivered;
    }
    let word = answer.body.lines().next().unwrap_or("").trim();
    // A proxy's page is no word of Slack's.
    let said = if word.is_empty() || word.starts_with('<') || word.starts_with('{') {
        format!("answered HTTP {}", answer.status)
    } else {
        format!("{} (HTTP {})", cut(word, 100), answer.status)
    };
    let row = ANSWERS
        .iter()
        .find(|(status, w, _, _)| (*status == 0 || *status == answer.status) && (w.is_empty() || *w == word));
    match row {
        Some((_, _, act, note)) => act.outcome(answer.retry_after_secs, format!("Slack: {said}; {note}")),
        None => Outcome::from_status(answer).with_reason(format!("Slack: {said}")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{answer, destination, hostile_lead, json_body, lead, request, with_secret};
    use super::super::{user_agent, Method};
    use super::*;

    const SLACK: &str = "id = \"slack\"\nkind = \"slack\"\nurl_secret = \"SLACK_URL\"\nlanguage = \"en\"";

    /// Every section's, context's and the fallback's mrkdwn text.
    fn texts(body: &serde_json::Value) -> Vec<String> {
        let mut out = vec![body["text"].as_str().unwrap_or_default().to_owned()];
        for block in body["blocks"].as_array().into_iter().flatten() {
            if block["type"] == "section" {
                out.push(block["text"]["text"].as_str().unwrap_or_default().to_owned());
            }
            for element in block["elements"].as_array().into_iter().flatten() {
                out.push(element["text"].as_str().unwrap_or_default().to_owned());
            }
        }
        out
    }

    /// Each `<…>` Slack would parse specially in `text`.
    fn specials(text: &str) -> Vec<String> {
        text.split('<')
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap_or("").to_owned())
            .collect()
    }

    #[test]
    fn the_fixture_lead_is_one_block_kit_message() {
        let r = request(&Slack, &lead(), &destination(SLACK));
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://hooks.slack.com/services/T000/B000/XXXX");
        assert_eq!(
            r.headers,
            vec![("content-type", "application/json".to_owned()), user_agent()]
        );
        let rows = "*Name:* Ivan Petrov\n\
            *Phone:* <tel:+79123456789|+79123456789>\n\
            *Email:* ivan@example.com\n\
            *Message:* Please call after lunch\n\
            *Product:* PVC window 1200x1500\n\
            *measure_visit:* yes\n\
            *service:* balcony\n\
            *Callback at:* 2026-11-24 09:00–09:30 Europe/Moscow\n\
            *Promised:* Tue 24.11 09:00 (Europe/Moscow)\n\
            *Referrer:* <https://yandex.ru/|https://yandex.ru/>\n\
            *Lead:* 6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b";
        assert_eq!(
            json_body(&r),
            json!({
                "text": "Callback request: PVC window 1200x1500, +79123456789",
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": "Callback request: PVC window 1200x1500, +79123456789"}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": rows, "verbatim": true}},
                    {"type": "context", "elements": [
                        {"type": "mrkdwn", "text": "paid_search · yandex / cpc / spring", "verbatim": true},
                        {"type": "mrkdwn", "text": "<https://shop.example/windows?utm_source=yandex|https://shop.example/windows?utm_source=yandex>", "verbatim": true},
                    ]},
                ],
            })
        );
    }

    #[test]
    fn a_hostile_lead_cannot_mention_link_or_format() {
        let body = json_body(&request(&Slack, &hostile_lead(), &destination(SLACK)));
        let z = ZWSP;
        let all = texts(&body).join("\n");
        for raw in ["<script>", "<!here>", "<b>", "<i>", "<a href", "\u{202E}"] {
            assert!(!all.contains(raw), "{raw:?} reached Slack raw");
        }
        // Only our own links are left for Slack to parse.
        for special in specials(&all) {
            assert!(
                special.starts_with("tel:+") || special.starts_with("https://"),
                "Slack would parse <{special}>"
            );
        }
        let section = texts(&body)[1].clone();
        assert!(
            section.starts_with(&format!(
                "*Name:* &lt;script&gt;alert(1)&lt;/script&gt; {z}*{z}bold{z}*{z} {z}_{z}it{z}_{z} \
                 {z}`{z}code{z}`{z} [x](http://evil) &amp; &lt;b&gt;RTL\n"
            )),
            "{section}"
        );
        assert!(section.contains("@channel &lt;!here&gt; 🙂 xxx"), "{section}");
        assert!(section.contains("*Product:* &lt;i&gt;product&lt;/i&gt; &amp; \"quotes\"\n"));
        // The header is plain text: shown as typed, no entity needed, within 150.
        let header = body["blocks"][0]["text"]["text"].as_str().unwrap_or_default();
        assert_eq!(header, "Callback request: <i>product</i> & \"quotes\", +79123456789");
        // The 5000-character message was cut; every text fits its block.
        let message = section.lines().find(|l| l.contains("@channel")).unwrap_or_default();
        assert!(
            message.ends_with("x…") && message.chars().count() <= VALUE_CAP + 100,
            "{message}"
        );
        for text in texts(&body) {
            assert!(text.encode_utf16().count() <= TEXT_LIMIT);
        }
    }

    #[test]
    fn only_http_addresses_become_links_and_a_bar_cannot_relabel_them() {
        let mut l = lead();
        l.page.url = "https://shop.example/a|https://bank.example?q=<!here>&x=1".into();
        l.attribution.deciding.referrer = Some("javascript:alert(1)".into());
        let body = json_body(&request(&Slack, &l, &destination(SLACK)));
        let page = body["blocks"][2]["elements"][1]["text"].as_str().unwrap_or_default();
        assert_eq!(
            page,
            "<https://shop.example/a%7Chttps://bank.example?q=%3C!here%3E&amp;x=1|\
             https://shop.example/a|https://bank.example?q=&lt;!here&gt;&amp;x=1>"
        );
        let section = body["blocks"][1]["text"]["text"].as_str().unwrap_or_default();
        assert!(section.contains("*Referrer:* javascript:alert(1)\n"), "{section}");
    }

    #[test]
    fn many_long_values_stay_within_block_limits() {
        let mut l = hostile_lead();
        l.product = Some(format!("🙂{}", "p&".repeat(200)));
        for i in 0..60 {
            l.fields.insert(
                format!("field_{i:02}"),
                crate::wire::FieldValue::Text(format!("<&> *x* {}", "&".repeat(1400))),
            );
        }
        let body = json_body(&request(&Slack, &l, &destination(SLACK)));
        let blocks = body["blocks"].as_array().cloned().unwrap_or_default();
        assert_eq!(blocks.len(), MAX_BLOCKS);
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(blocks[MAX_BLOCKS - 1]["type"], "context");
        let header = blocks[0]["text"]["text"].as_str().unwrap_or_default();
        assert!(
            header.encode_utf16().count() <= HEADER_LIMIT && header.ends_with('…'),
            "{header}"
        );
        for text in texts(&body) {
            assert!(text.encode_utf16().count() <= TEXT_LIMIT, "{}", text.len());
            // Cut between characters: every `&` starts a whole entity.
            for piece in text.split('&').skip(1) {
                assert!(
                    ["amp;", "lt;", "gt;"].iter().any(|e| piece.starts_with(e)),
                    "&{}",
                    cut(piece, 10)
                );
            }
        }
    }

    #[test]
    fn slacks_answers() {
        let cases: &[(u16, Option<u64>, &str, Outcome)] = &[
            (200, None, "ok", Outcome::Delivered),
            (
                429,
                Some(30),
                "",
                Outcome::Retry {
                    after_secs: Some(30),
                    reason: "Slack: answered HTTP 429; rate limited".into(),
                },
            ),
            (
                404,
                None,
                "no_service",
                Outcome::Disable {
                    reason: "Slack: no_service (HTTP 404); the webhook was removed: make a new one".into(),
                },
            ),
            (
                410,
                None,
                "no_service",
                Outcome::Disable {
                    reason: "Slack: no_service (HTTP 410); the webhook was removed: make a new one".into(),
                },
            ),
            (
                403,
                None,
                "invalid_token",
                Outcome::Disable {
                    reason: "Slack: invalid_token (HTTP 403); the webhook URL is no longer valid: make a new one"
                        .into(),
                },
            ),
            (
                403,
                None,
                "action_prohibited",
                Outcome::Disable {
                    reason: "Slack: action_prohibited (HTTP 403); the workspace forbids this post: ask its admin"
                        .into(),
                },
            ),
            (
                404,
                None,
                "channel_not_found",
                Outcome::Disable {
                    reason: "Slack: channel_not_found (HTTP 404); the channel is gone: make a webhook for another"
                        .into(),
                },
            ),
            (
                410,
                None,
                "channel_is_archived",
                Outcome::Disable {
                    reason:
                        "Slack: channel_is_archived (HTTP 410); unarchive the channel or make a webhook for another"
                            .into(),
                },
            ),
            (
                403,
                None,
                "no_active_hooks",
                Outcome::Disable {
                    reason:
                        "Slack: no_active_hooks (HTTP 403); the webhook is turned off: turn it on or make a new one"
                            .into(),
                },
            ),
            (
                400,
                None,
                "invalid_payload",
                Outcome::Failed {
                    reason: "Slack: invalid_payload (HTTP 400); fix the message and replay".into(),
                },
            ),
            (
                400,
                None,
                "no_text",
                Outcome::Failed {
                    reason: "Slack: no_text (HTTP 400); fix the message and replay".into(),
                },
            ),
            (
                500,
                None,
                "rollup_error",
                Outcome::Retry {
                    after_secs: None,
                    reason: "Slack: rollup_error (HTTP 500); Slack's own error".into(),
                },
            ),
            (
                503,
                Some(60),
                "<html>Service Unavailable</html>",
                Outcome::Retry {
                    after_secs: Some(60),
                    reason: "Slack: answered HTTP 503".into(),
                },
            ),
        ];
        for (status, retry_after_secs, body, want) in cases {
            let got = Slack.classify(&answer(*status, *retry_after_secs, body));
            assert_eq!(&got, want, "{status} {body}");
        }
    }

    #[test]
    fn settings_are_checked_by_key() {
        let problems = |extra: &str| Slack.check(&destination(&format!("id = \"s\"\nkind = \"slack\"\n{extra}")));
        for good in [
            "url_secret = \"SLACK_URL\"",
            "url = \"https://hooks.slack.com/services/T000/B000/XXXX\"\nlanguage = \"ru\"",
            "url = \"http://127.0.0.1:8787/slack\"",
        ] {
            assert_eq!(problems(good), Vec::<String>::new(), "{good}");
        }
        for (settings, key) in [
            ("", "url_secret"),
            ("url = \"https://hooks.slack.com/x\"\nurl_secret = \"S\"", "url_secret"),
            ("url = \"https://evil.example/services/x\"", "url"),
            ("url = \"http://hooks.slack.com/services/x\"", "url"),
            ("url_secret = \"S\"\nlanguage = \"fr\"", "language"),
            ("url_secret = \"S\"\nchannel = \"#leads\"", "channel"),
        ] {
            let p = problems(settings);
            assert!(p.len() == 1 && p[0].contains(key), "{settings}: {p:?}");
        }
    }

    #[test]
    fn a_secret_that_is_no_webhook_url_is_named_not_shown() {
        let attacker = Some("https://attacker.example/collect?token=xoxb-1");
        let problem = with_secret(&lead(), &destination(SLACK), "SLACK_URL", attacker, |delivery| {
            Slack.request(delivery).err()
        })
        .unwrap_or_else(|| Problem::new("none", ""));
        assert_eq!(problem.code, "secret_invalid");
        assert!(
            problem.detail.contains("SLACK_URL") && !problem.detail.contains("attacker"),
            "{problem}"
        );
    }
}
