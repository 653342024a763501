//! `cargo xtask demo --destination KIND --url URL [--token T] [--chat ID] [--to EMAIL]`:
//! the demo site's leads go to one destination of that kind — a real portal,
//! a real bot, or a stand-in — instead of the demo receiver. The demo builds
//! the Worker from a copy of `edge/sites.toml` whose demo site has that one
//! destination; what the flags give travels as Worker vars, never in the file.

use std::path::PathBuf;

use lead::site::SitesFile;
use serde_json::{json, Value};

use crate::step::Failure;

/// What the flags gave.
#[derive(Default)]
pub struct Flags {
    pub kind: Option<String>,
    pub url: Option<String>,
    pub token: Option<String>,
    pub chat: Option<String>,
    pub to: Option<String>,
}

/// Where a destination key's value comes from.
enum From {
    /// A Worker var holding this flag's value; the key names the var.
    Var(&'static str, Flag),
    /// The flag's value, written into the file (not a secret).
    Plain(Flag),
    /// The flag's value as a one-element list.
    List(Flag),
    /// A fixed value.
    Fixed(&'static str),
}

#[derive(Clone, Copy)]
enum Flag {
    Url,
    Token,
    Chat,
    To,
}

impl Flag {
    fn name(self) -> &'static str {
        match self {
            Flag::Url => "--url",
            Flag::Token => "--token",
            Flag::Chat => "--chat",
            Flag::To => "--to",
        }
    }

    fn value(self, flags: &Flags) -> Option<&str> {
        match self {
            Flag::Url => flags.url.as_deref(),
            Flag::Token => flags.token.as_deref(),
            Flag::Chat => flags.chat.as_deref(),
            Flag::To => flags.to.as_deref(),
        }
        .filter(|v| !v.is_empty())
    }
}

/// Per kind: its keys and where each comes from. `--url` is what the product
/// gives you (an incoming-webhook URL, an account address, an API base).
const KEYS: &[(&str, &[(&str, From)])] = &[
    (
        "webhook",
        &[
            ("url_secret", From::Var("DEMO_DEST_URL", Flag::Url)),
            ("secret", From::Var("DEMO_DEST_SECRET", Flag::Token)),
        ],
    ),
    ("bitrix24", &[("url_secret", From::Var("DEMO_DEST_URL", Flag::Url))]),
    (
        "amocrm",
        &[
            ("url_secret", From::Var("DEMO_DEST_URL", Flag::Url)),
            ("token_secret", From::Var("DEMO_DEST_TOKEN", Flag::Token)),
        ],
    ),
    (
        "telegram",
        &[
            ("url_secret", From::Var("DEMO_DEST_URL", Flag::Url)),
            ("token_secret", From::Var("DEMO_DEST_TOKEN", Flag::Token)),
            ("chat", From::Plain(Flag::Chat)),
        ],
    ),
    (
        "email",
        &[
            ("url_secret", From::Var("DEMO_DEST_URL", Flag::Url)),
            ("token_secret", From::Var("DEMO_DEST_TOKEN", Flag::Token)),
            ("to", From::List(Flag::To)),
            // The provider's documented sender for trying it before a domain is verified.
            ("from", From::Fixed("Leadwire demo <onboarding@resend.dev>")),
        ],
    ),
    ("slack", &[("url_secret", From::Var("DEMO_DEST_URL", Flag::Url))]),
];

/// The sites file to build the demo Worker with, and the vars it names.
pub fn prepare(flags: &Flags) -> Result<(PathBuf, Vec<(String, String)>), Failure> {
    let kind = flags.kind.as_deref().unwrap_or("webhook");
    let usage = "use: cargo xtask demo --destination KIND --url URL [--token TOKEN] [--chat ID] [--to EMAIL]";
    let Some((_, keys)) = KEYS.iter().find(|(k, _)| *k == kind) else {
        let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
        let hubspot = if kind == "hubspot" {
            " (hubspot needs a portal id and form guid: configure it in edge/sites.toml)"
        } else {
            ""
        };
        return Err(Failure::new(
            format!("--destination {kind} cannot be tried from the demo{hubspot}"),
            format!("pick one of {}", known.join(", ")),
        ));
    };
    let mut settings = serde_json::Map::new();
    let mut vars = Vec::new();
    for (key, from) in keys.iter() {
        let needed = |flag: Flag| {
            flag.value(flags)
                .map(str::to_owned)
                .ok_or_else(|| Failure::new(format!("--destination {kind} needs {}", flag.name()), usage))
        };
        let value = match from {
            From::Var(var, flag) => {
                vars.push(((*var).to_owned(), needed(*flag)?));
                Value::from(*var)
            }
            From::Plain(flag) => Value::from(needed(*flag)?),
            From::List(flag) => json!([needed(*flag)?]),
            From::Fixed(v) => Value::from(*v),
        };
        settings.insert((*key).to_owned(), value);
    }
    let path = leadwire_tests::paths::repo_root().join("edge/sites.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| Failure::new(e.to_string(), "run from the repository"))?;
    let mut sites: SitesFile =
        toml::from_str(&text).map_err(|e| Failure::new(format!("edge/sites.toml: {e}"), "fix the file"))?;
    let demo = sites
        .sites
        .iter_mut()
        .find(|s| s.id == "demo")
        .ok_or_else(|| Failure::new("edge/sites.toml has no demo site", "restore it from git"))?;
    let mut destination: lead::site::Destination =
        serde_json::from_value(json!({"id": format!("try-{kind}"), "kind": kind}))
            .map_err(|e| Failure::new(e.to_string(), "report this"))?;
    destination.settings = settings.into_iter().collect();
    demo.destinations = vec![destination];
    let problems = sites.problems();
    if !problems.is_empty() {
        return Err(Failure::new(problems.join("; "), usage));
    }
    let out = leadwire_tests::paths::repo_root().join(format!("target/demo-sites-{kind}.json"));
    let json = serde_json::to_string_pretty(&sites).map_err(|e| Failure::new(e.to_string(), "report this"))?;
    std::fs::write(&out, json).map_err(|e| Failure::new(e.to_string(), "check that target/ is writable"))?;
    Ok((out, vars))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_telegram_destination_takes_its_chat_and_keeps_the_token_out_of_the_file() {
        let flags = Flags {
            kind: Some("telegram".into()),
            url: Some("http://127.0.0.1:9100/telegram".into()),
            token: Some("123:secret-token".into()),
            chat: Some("-100123".into()),
            to: None,
        };
        let (path, vars) = prepare(&flags).expect("telegram is prepared");
        let file = std::fs::read_to_string(path).expect("the file was written");
        assert!(!file.contains("secret-token"), "the token stays out of the file");
        assert!(file.contains("\"chat\": \"-100123\""));
        assert!(vars.contains(&("DEMO_DEST_TOKEN".into(), "123:secret-token".into())));
    }

    #[test]
    fn a_missing_flag_is_named() {
        let flags = Flags {
            kind: Some("amocrm".into()),
            url: Some("https://shop.amocrm.ru".into()),
            ..Flags::default()
        };
        let error = prepare(&flags).expect_err("a missing token is refused");
        assert!(error.to_string().contains("--token"), "{error}");
    }
}
