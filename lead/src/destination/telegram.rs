//! `telegram`: the lead as one HTML-formatted message from a bot to a chat,
//! a group's forum topic or a channel, with the Bot API's `sendMessage`
//! (<https://core.telegram.org/bots/api#sendmessage>).
//!
//! The text is built from [`summary::lines`]: a bold title, then one
//! `Label: value` row each. Everything the visitor typed is HTML-escaped
//! (`<`, `>`, `&`, and `"` inside `href`), because in HTML mode every `<`
//! that is not part of a supported tag is refused
//! (<https://core.telegram.org/bots/api#formatting-options>); only http(s)
//! addresses and the E.164 phone become links. Telegram counts its limit of
//! 4096 characters *after* entity parsing, so the visible text is measured
//! (in UTF-16 units, which is never less than Telegram's count) and long
//! values are cut before they are escaped: a cut never falls inside a tag or
//! an entity.
//!
//! The Bot API has no idempotency key: a retry after an attempt whose outcome
//! is unknown may post the lead twice ([`Guarantee::AtLeastOnce`]).

use serde::Deserialize;
use serde_json::json;

use super::summary::{self, Value};
use super::text::{clean, escape_html, escape_html_text, is_e164, is_web_address, utf16_len, web_url};
use super::{cut, Act, Answer, Delivery, Guarantee, Kind, Outcome, Problem, Request};
use crate::site::Destination;

pub struct Telegram;

/// The Bot API's own address, when `url` / `url_secret` do not name a stand-in.
const API: &str = "https://api.telegram.org";

/// `sendMessage`'s limit on `text`, counted after entities parsing.
const TEXT_LIMIT: usize = 4096;
/// Any one value is cut to this many characters first (a long message
/// should not push the phone, source and page out of the text).
const VALUE_CAP: usize = 1500;
/// The title carries the product, which the visitor may have typed at length.
const TITLE_CAP: usize = 256;
/// Fitting the text never cuts a value below this; rows are dropped instead.
const VALUE_FLOOR: usize = 40;

/// `[[site.destination]]` keys of a Telegram destination.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The Worker secret holding the bot token.
    token_secret: String,
    /// A chat id (a number, possibly negative) or a public `@username`.
    chat: serde_json::Value,
    /// A forum topic: `message_thread_id`.
    topic: Option<i64>,
    /// The Bot API base, for a stand-in; default [`API`].
    url: Option<String>,
    /// Or: the Worker secret holding it.
    url_secret: Option<String>,
    /// `ru` or `en`; default: the visitor's language.
    language: Option<String>,
}

/// Where the message goes, as `chat_id` takes it.
#[derive(Debug, PartialEq, Eq)]
enum Chat {
    Id(i64),
    Name(String),
}

impl Chat {
    fn parse(value: &serde_json::Value) -> Result<Chat, String> {
        let bad = || format!("chat: {value} must be a chat id (a number, e.g. -1001234567890) or @channelname");
        match value {
            serde_json::Value::Number(n) => n.as_i64().filter(|id| *id != 0).map(Chat::Id).ok_or_else(bad),
            serde_json::Value::String(s) => {
                let s = s.trim();
                if let Some(name) = s.strip_prefix('@') {
                    // Telegram usernames: 5-32 of a-z, 0-9 and underscores.
                    let ok =
                        (5..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                    return if ok { Ok(Chat::Name(s.to_owned())) } else { Err(bad()) };
                }
                s.parse::<i64>()
                    .ok()
                    .filter(|id| *id != 0)
                    .map(Chat::Id)
                    .ok_or_else(bad)
            }
            _ => Err(bad()),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        match self {
            Chat::Id(id) => json!(id),
            Chat::Name(name) => json!(name),
        }
    }
}

impl Kind for Telegram {
    fn check(&self, destination: &Destination) -> Vec<String> {
        let s = match super::settings::<Settings>(destination) {
            Ok(s) => s,
            Err(e) => return vec![e.detail],
        };
        let mut problems = Vec::new();
        if s.token_secret.trim().is_empty() {
            problems.push("token_secret: name the Worker secret holding the bot token".into());
        }
        if let Err(e) = Chat::parse(&s.chat) {
            problems.push(e);
        }
        if s.topic.is_some_and(|t| t <= 0) {
            problems.push("topic: a forum topic id is a positive number".into());
        }
        if s.url.is_some() && s.url_secret.is_some() {
            problems.push("url, url_secret: give at most one".into());
        }
        if let Some(url) = &s.url {
            if !is_web_address(url) {
                problems.push(format!("url: {url:?} is not an http(s) address"));
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
        let chat = Chat::parse(&settings.chat).map_err(|e| Problem::new("config", e))?;
        let token = delivery.secret_value(&settings.token_secret)?;
        // The token becomes part of the path: refuse anything that could change it.
        if !is_token(&token) {
            return Err(Problem::new(
                "secret_invalid",
                format!("{} does not hold a bot token (digits:letters)", settings.token_secret),
            ));
        }
        let base = delivery.endpoint(&settings.url, &settings.url_secret, Some(API))?;
        let locale = summary::locale(settings.language.as_deref(), delivery.lead);
        let text = message(&summary::title(delivery.lead, locale), summary::lines(delivery, locale));
        let mut body = json!({
            "chat_id": chat.to_json(),
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": true},
        });
        if let Some(topic) = settings.topic {
            body["message_thread_id"] = json!(topic);
        }
        let url = format!("{}/bot{token}/sendMessage", base.trim_end_matches('/'));
        Ok(Request::post_json(url, &body))
    }

    fn classify(&self, answer: &Answer) -> Outcome {
        classify(answer)
    }

    fn guarantee(&self) -> Guarantee {
        Guarantee::AtLeastOnce
    }
}

/// `123456:ABC-def_…`, as @BotFather gives it.
fn is_token(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, key)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !key.is_empty()
                && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

/// One row, with how many characters of its value may be shown.
struct Row {
    label: String,
    value: Value,
    cap: usize,
}

impl Row {
    /// The value as shown: cleaned, then cut (before any escaping).
    fn shown(&self) -> String {
        cut(&clean(self.value.as_str()), self.cap)
    }

    /// The row's markup and the text Telegram shows for it.
    fn render(&self) -> (String, String) {
        let label = clean(&self.label);
        let shown = self.shown();
        // Text between tags keeps `"` as typed; only the `href` needs it escaped.
        let markup = match &self.value {
            Value::Phone(phone) if is_e164(phone) => {
                format!(
                    "<a href=\"tel:{}\">{}</a>",
                    escape_html(phone),
                    escape_html_text(&shown)
                )
            }
            Value::Link(link) => match web_url(link) {
                Some(href) => format!(
                    "<a href=\"{}\">{}</a>",
                    escape_html(href.as_str()),
                    escape_html_text(&shown)
                ),
                None => escape_html_text(&shown),
            },
            Value::Text(_) | Value::Phone(_) => escape_html_text(&shown),
        };
        (
            format!("<b>{}:</b> {markup}", escape_html_text(&label)),
            format!("{label}: {shown}"),
        )
    }
}

/// The whole text: its markup and the visible length of it.
fn render(title: &str, rows: &[Row]) -> (String, usize) {
    let title = cut(&clean(title), TITLE_CAP);
    let mut markup = format!("<b>{}</b>\n", escape_html_text(&title));
    let mut visible = utf16_len(&title) + 1;
    for row in rows {
        let (m, v) = row.render();
        markup.push('\n');
        markup.push_str(&m);
        visible += 1 + utf16_len(&v);
    }
    (markup, visible)
}

/// The message: the title and the rows, cut to fit [`TEXT_LIMIT`].
fn message(title: &str, lines: Vec<summary::Line>) -> String {
    let mut rows: Vec<Row> = lines
        .into_iter()
        .map(|l| Row {
            label: l.label,
            value: l.value,
            cap: VALUE_CAP,
        })
        .collect();
    loop {
        let (markup, visible) = render(title, &rows);
        if visible <= TEXT_LIMIT {
            return markup;
        }
        let over = visible - TEXT_LIMIT;
        // Shorten the longest value that can still give; each turn lowers a
        // cap or drops a row, so this ends.
        let longest = rows
            .iter_mut()
            .filter(|r| r.cap > VALUE_FLOOR)
            .max_by_key(|r| r.shown().chars().count());
        match longest {
            Some(row) => {
                let now = row.shown().chars().count();
                row.cap = now.saturating_sub(over).clamp(VALUE_FLOOR, row.cap - 1);
            }
            None => {
                rows.pop();
            }
        }
    }
}

/// The Bot API's answer: `{"ok": …, "error_code", "description", "parameters"}`
/// (<https://core.telegram.org/bots/api#making-requests>).
#[derive(Deserialize, Default)]
struct Reply {
    #[serde(default)]
    ok: bool,
    error_code: Option<u16>,
    description: Option<String>,
    parameters: Option<Parameters>,
}

/// <https://core.telegram.org/bots/api#responseparameters>
#[derive(Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
    migrate_to_chat_id: Option<i64>,
}

/// Telegram's answers by `error_code` and a fragment of `description`
/// (lower case; "" matches any): the first row that matches decides, and
/// its note says what to do. Codes not listed go by HTTP's meaning.
const ANSWERS: &[(u16, &str, Act, &str)] = &[
    // Flood control; `parameters.retry_after` says how long to wait.
    (429, "", Act::Retry(None), "rate limited"),
    // A revoked or mistyped token.
    (401, "", Act::Disable, "put the bot's current token in the secret"),
    (
        403,
        "bot was blocked",
        Act::Disable,
        "the user blocked the bot: unblock it",
    ),
    (403, "bot was kicked", Act::Disable, "add the bot to the chat again"),
    (
        403,
        "user is deactivated",
        Act::Disable,
        "the chat's user deleted their account: set another chat",
    ),
    // Any other 403 ("bot is not a member of the channel chat", …): the bot cannot write there.
    (403, "", Act::Disable, "let the bot write to the chat"),
    (400, "chat not found", Act::Disable, "check chat and add the bot to it"),
    // The bot's own path is unknown: a malformed token or a deleted bot.
    (404, "", Act::Disable, "check the bot token"),
    // Everything else we sent wrong ("can't parse entities", "message is too long", …).
    (400, "", Act::Failed, "fix the message and replay"),
];

fn classify(answer: &Answer) -> Outcome {
    let reply: Reply = serde_json::from_str(answer.body).unwrap_or_default();
    if reply.ok {
        return Outcome::Delivered;
    }
    let code = reply.error_code.unwrap_or(answer.status);
    let description = reply
        .description
        .as_deref()
        .map(|d| cut(d.trim(), 300))
        .unwrap_or_else(|| format!("answered HTTP {}", answer.status));
    let parameters = reply.parameters.as_ref();
    // A group that became a supergroup answers with its new id; the old one never works again.
    if let Some(new_id) = parameters.and_then(|p| p.migrate_to_chat_id) {
        return Outcome::Failed {
            reason: format!("Telegram: {description}; set chat = \"{new_id}\" and replay"),
        };
    }
    let lower = description.to_lowercase();
    let row = ANSWERS
        .iter()
        .find(|(c, fragment, _, _)| *c == code && lower.contains(fragment));
    match row {
        Some((_, _, act, note)) => act.outcome(
            parameters.and_then(|p| p.retry_after).or(answer.retry_after_secs),
            format!("Telegram: {description}; {note}"),
        ),
        // 2xx without `"ok": true` is not Telegram's success: try again. Else
        // 5xx and the rest go by their status, with Telegram's words.
        None => Outcome::from_status(&Answer {
            status: if (200..300).contains(&code) { 502 } else { code },
            ..*answer
        })
        .with_reason(format!("Telegram: {description}")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{answer, destination, hostile_lead, json_body, lead, request, with_secret};
    use super::super::{user_agent, Method};
    use super::*;

    const TG: &str = "id = \"tg\"\nkind = \"telegram\"\ntoken_secret = \"TG_TOKEN\"\nchat = \"-1001234567890\"";

    /// What Telegram shows for `html`: tags dropped, the entities Telegram knows decoded.
    fn visible(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    }

    /// Every tag in `html`, which must be ours: `<b>`, `<a href="…">` and their ends.
    fn tags(html: &str) -> Vec<String> {
        html.split('<')
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap_or("").to_owned())
            .collect()
    }

    #[test]
    fn the_fixture_lead_is_one_readable_message() {
        let r = request(&Telegram, &lead(), &destination(TG));
        assert_eq!(r.method, Method::Post);
        assert_eq!(
            r.url,
            "https://api.telegram.org/bot123456:ABC-telegram-token/sendMessage"
        );
        assert_eq!(
            r.headers,
            vec![("content-type", "application/json".to_owned()), user_agent()]
        );
        // The lead's visitor spoke Russian and the destination names no language.
        let text = "<b>Заказ обратного звонка: PVC window 1200x1500, +79123456789</b>\n\
            \n<b>Имя:</b> Ivan Petrov\
            \n<b>Телефон:</b> <a href=\"tel:+79123456789\">+79123456789</a>\
            \n<b>Email:</b> ivan@example.com\
            \n<b>Сообщение:</b> Please call after lunch\
            \n<b>Товар:</b> PVC window 1200x1500\
            \n<b>measure_visit:</b> да\
            \n<b>service:</b> balcony\
            \n<b>Перезвонить:</b> 2026-11-24 09:00–09:30 Europe/Moscow\
            \n<b>Обещано:</b> вт 24.11 09:00 (Europe/Moscow)\
            \n<b>Источник:</b> paid_search · yandex / cpc / spring\
            \n<b>Страница:</b> <a href=\"https://shop.example/windows?utm_source=yandex\">https://shop.example/windows?utm_source=yandex</a>\
            \n<b>Откуда пришёл:</b> <a href=\"https://yandex.ru/\">https://yandex.ru/</a>\
            \n<b>Заявка:</b> 6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b";
        assert_eq!(
            json_body(&r),
            json!({
                "chat_id": -1001234567890_i64,
                "text": text,
                "parse_mode": "HTML",
                "link_preview_options": {"is_disabled": true},
            })
        );
    }

    #[test]
    fn a_topic_a_channel_name_a_stand_in_and_a_language() {
        let d = destination(
            "id = \"tg\"\nkind = \"telegram\"\ntoken_secret = \"TG_TOKEN\"\nchat = \"@shop_leads\"\n\
             topic = 42\nurl = \"http://127.0.0.1:8787/\"\nlanguage = \"en\"",
        );
        let r = request(&Telegram, &lead(), &d);
        assert_eq!(r.url, "http://127.0.0.1:8787/bot123456:ABC-telegram-token/sendMessage");
        let body = json_body(&r);
        assert_eq!(body["chat_id"], "@shop_leads");
        assert_eq!(body["message_thread_id"], 42);
        let text = body["text"].as_str().unwrap_or_default();
        assert!(
            text.starts_with(
                "<b>Callback request: PVC window 1200x1500, +79123456789</b>\n\n<b>Name:</b> Ivan Petrov\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_hostile_lead_is_escaped_and_fits() {
        let r = request(&Telegram, &hostile_lead(), &destination(TG));
        let text = json_body(&r)["text"].as_str().unwrap_or_default().to_owned();
        for raw in [
            "<script>",
            "</script>",
            "<i>",
            "<!here>",
            "<a href=\"x\">",
            "<b>\u{202E}",
        ] {
            assert!(!text.contains(raw), "{raw} reached Telegram raw");
        }
        assert!(text
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; *bold* _it_ `code` [x](http://evil) &amp; &lt;b&gt;RTL"));
        assert!(text.contains("&lt;a href=\"x\"&gt;&amp;amp;&lt;/a&gt; @channel &lt;!here&gt; 🙂 xxx"));
        assert!(text.contains("&lt;i&gt;product&lt;/i&gt; &amp; \"quotes\""));
        assert!(!text.contains('\u{202E}'), "the RTL override is dropped");
        for tag in tags(&text) {
            assert!(
                tag == "b" || tag == "/b" || tag == "/a" || tag.starts_with("a href=\""),
                "a tag we did not write: <{tag}>"
            );
        }
        let shown = visible(&text);
        assert!(shown.encode_utf16().count() <= TEXT_LIMIT, "{}", shown.len());
        // The message was cut to its cap; the rows after it are all there.
        let message = shown.lines().find(|l| l.contains("@channel")).unwrap_or_default();
        assert!(
            message.ends_with("x…") && message.chars().count() < VALUE_CAP + 20,
            "{message}"
        );
        assert!(
            shown.ends_with("Заявка: 6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b"),
            "{shown}"
        );
    }

    #[test]
    fn only_http_addresses_become_links_and_attributes_stay_quoted() {
        let mut l = lead();
        l.page.url = "https://shop.example/?q=\"><script>&x=1".into();
        l.attribution.deciding.referrer = Some("javascript:alert(1)".into());
        let text = json_body(&request(&Telegram, &l, &destination(TG)))["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            text.contains("<a href=\"https://shop.example/?q=%22%3E%3Cscript%3E&amp;x=1\">https://shop.example/?q=\"&gt;&lt;script&gt;&amp;x=1</a>"),
            "{text}"
        );
        assert!(text.contains("<b>Откуда пришёл:</b> javascript:alert(1)\n"), "{text}");
        assert_eq!(escape_html("a\"<&>"), "a&quot;&lt;&amp;&gt;");
    }

    #[test]
    fn many_long_values_are_cut_to_telegrams_limit_never_inside_markup() {
        let mut l = hostile_lead();
        for i in 0..40 {
            l.fields.insert(
                format!("field_{i:02}"),
                crate::wire::FieldValue::Text(format!("<&> 🙂 {}", "y".repeat(900))),
            );
        }
        let text = json_body(&request(&Telegram, &l, &destination(TG)))["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let shown = visible(&text);
        let len = shown.encode_utf16().count();
        assert!((TEXT_LIMIT - 200..=TEXT_LIMIT).contains(&len), "{len}");
        // Every entity is whole and every tag closed.
        assert_eq!(text.matches("<b>").count(), text.matches("</b>").count());
        assert_eq!(text.matches("<a href").count(), text.matches("</a>").count());
        for piece in text.split('&').skip(1) {
            assert!(
                ["amp;", "lt;", "gt;", "quot;"].iter().any(|e| piece.starts_with(e)),
                "a broken entity: &{}",
                cut(piece, 10)
            );
        }
    }

    #[test]
    fn telegrams_answers() {
        let cases: &[(u16, Option<u64>, &str, Outcome)] = &[
            (
                200,
                None,
                r#"{"ok":true,"result":{"message_id":7,"chat":{"id":-1001234567890,"type":"supergroup"},"date":1795449600,"text":"x"}}"#,
                Outcome::Delivered,
            ),
            (
                429,
                Some(5),
                r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}"#,
                Outcome::Retry {
                    after_secs: Some(35),
                    reason: "Telegram: Too Many Requests: retry after 35; rate limited".into(),
                },
            ),
            (
                403,
                None,
                r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#,
                Outcome::Disable {
                    reason: "Telegram: Forbidden: bot was blocked by the user; the user blocked the bot: unblock it"
                        .into(),
                },
            ),
            (
                403,
                None,
                r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the supergroup chat"}"#,
                Outcome::Disable {
                    reason: "Telegram: Forbidden: bot was kicked from the supergroup chat; add the bot to the chat again"
                        .into(),
                },
            ),
            (
                403,
                None,
                r#"{"ok":false,"error_code":403,"description":"Forbidden: user is deactivated"}"#,
                Outcome::Disable {
                    reason: "Telegram: Forbidden: user is deactivated; the chat's user deleted their account: set another chat".into(),
                },
            ),
            (
                401,
                None,
                r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#,
                Outcome::Disable {
                    reason: "Telegram: Unauthorized; put the bot's current token in the secret".into(),
                },
            ),
            (
                400,
                None,
                r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#,
                Outcome::Disable {
                    reason: "Telegram: Bad Request: chat not found; check chat and add the bot to it".into(),
                },
            ),
            (
                400,
                None,
                r#"{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Unsupported start tag \"script\" at byte offset 12"}"#,
                Outcome::Failed {
                    reason: "Telegram: Bad Request: can't parse entities: Unsupported start tag \"script\" at byte offset 12; fix the message and replay".into(),
                },
            ),
            (
                400,
                None,
                r#"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001557912345}}"#,
                Outcome::Failed {
                    reason: "Telegram: Bad Request: group chat was upgraded to a supergroup chat; set chat = \"-1001557912345\" and replay".into(),
                },
            ),
            (
                500,
                None,
                r#"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#,
                Outcome::Retry {
                    after_secs: None,
                    reason: "Telegram: Internal Server Error".into(),
                },
            ),
            (
                502,
                None,
                "<html><body>502 Bad Gateway</body></html>",
                Outcome::Retry {
                    after_secs: None,
                    reason: "Telegram: answered HTTP 502".into(),
                },
            ),
            (
                200,
                None,
                "<html>a captive portal</html>",
                Outcome::Retry {
                    after_secs: None,
                    reason: "Telegram: answered HTTP 200".into(),
                },
            ),
        ];
        for (status, retry_after_secs, body, want) in cases {
            let got = Telegram.classify(&answer(*status, *retry_after_secs, body));
            assert_eq!(&got, want, "{status} {body}");
        }
    }

    #[test]
    fn settings_are_checked_by_key() {
        let problems =
            |extra: &str| Telegram.check(&destination(&format!("id = \"tg\"\nkind = \"telegram\"\n{extra}")));
        let good = [
            "token_secret = \"TG_TOKEN\"\nchat = \"-1001234567890\"",
            "token_secret = \"TG_TOKEN\"\nchat = -1001234567890\ntopic = 42\nlanguage = \"ru\"",
            "token_secret = \"TG_TOKEN\"\nchat = \"@shop_leads\"\nurl_secret = \"TG_API\"",
            "token_secret = \"TG_TOKEN\"\nchat = \"123456789\"\nurl = \"http://127.0.0.1:8787\"",
        ];
        for g in good {
            assert_eq!(problems(g), Vec::<String>::new(), "{g}");
        }
        let bad = [
            ("chat = \"1\"", "token_secret"),
            ("token_secret = \"\"\nchat = \"1\"", "token_secret"),
            ("token_secret = \"T\"", "chat"),
            ("token_secret = \"T\"\nchat = \"shop_leads\"", "chat"),
            ("token_secret = \"T\"\nchat = \"@shop\"", "chat"),
            ("token_secret = \"T\"\nchat = \"@shop-leads\"", "chat"),
            ("token_secret = \"T\"\nchat = 0", "chat"),
            ("token_secret = \"T\"\nchat = \"1\"\ntopic = 0", "topic"),
            (
                "token_secret = \"T\"\nchat = \"1\"\nurl = \"https://a.example\"\nurl_secret = \"U\"",
                "url_secret",
            ),
            ("token_secret = \"T\"\nchat = \"1\"\nurl = \"ftp://a.example\"", "url"),
            ("token_secret = \"T\"\nchat = \"1\"\nlanguage = \"de\"", "language"),
            ("token_secret = \"T\"\nchat = \"1\"\nchannel = \"x\"", "channel"),
        ];
        for (settings, key) in bad {
            let p = problems(settings);
            assert!(p.len() == 1 && p[0].contains(key), "{settings}: {p:?}");
        }
    }

    #[test]
    fn a_missing_or_malformed_token_is_a_problem_naming_the_secret_only() {
        let lead = lead();
        let d = destination(TG);
        for token in [None, Some("123456:ABC/../../getMe?x="), Some("not a token")] {
            let problem = with_secret(&lead, &d, "TG_TOKEN", token, |delivery| {
                Telegram.request(delivery).err()
            })
            .unwrap_or_else(|| Problem::new("none", ""));
            assert!(problem.detail.contains("TG_TOKEN"), "{problem}");
            assert!(!problem.detail.contains("ABC"), "{problem}");
        }
    }
}
