//! `cargo xtask demo`: the whole product on this machine, until Ctrl-C.

use std::time::Duration;

use leadwire_tests::collector::{Collector, CollectorOptions};
use leadwire_tests::paths::repo_root;
use leadwire_tests::receiver::{Delivery, Receiver};
use leadwire_tests::static_site::StaticSite;
use leadwire_tests::wait::port_in_use;
use leadwire_tests::DEMO_SECRET;

use crate::step::{step, Failure};
use crate::try_destination::Flags;

const COLLECTOR_PORT: u16 = 8787;
const SITE_PORT: u16 = 8080;
const RECEIVER_PORT: u16 = 9000;
/// Cron triggers do not fire under wrangler dev; the demo runs the sweeper itself.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

struct Options {
    webhook: Option<String>,
    secret: Option<String>,
    destination: Flags,
    /// The console's token; a fresh random one when not given.
    admin_token: Option<String>,
}

const USAGE: &str = "use: cargo xtask demo [--webhook URL [--secret whsec_…]] \
     [--destination KIND --url URL [--token TOKEN] [--chat ID] [--to EMAIL]] [--admin-token TOKEN]";

fn parse(args: &[String]) -> Result<Options, Failure> {
    let mut options = Options {
        webhook: None,
        secret: None,
        destination: Flags::default(),
        admin_token: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--webhook" => &mut options.webhook,
            "--secret" => &mut options.secret,
            "--destination" => &mut options.destination.kind,
            "--url" => &mut options.destination.url,
            "--token" => &mut options.destination.token,
            "--chat" => &mut options.destination.chat,
            "--to" => &mut options.destination.to,
            "--admin-token" => &mut options.admin_token,
            other => return Err(Failure::new(format!("unknown option {other}"), USAGE)),
        };
        *slot = Some(
            args.next()
                .cloned()
                .ok_or_else(|| Failure::new(format!("{arg} needs a value"), USAGE))?,
        );
    }
    if let Some(secret) = &options.secret {
        lead::signing::WebhookSecret::parse(secret).map_err(|e| {
            Failure::new(
                format!("--secret: {e}"),
                "pass a Standard Webhooks secret: whsec_ followed by 24-64 bytes in base64",
            )
        })?;
    }
    if let Some(token) = &options.admin_token {
        // It travels in an Authorization header: visible ASCII, no spaces.
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Failure::new(
                "--admin-token: a token is letters, digits and punctuation, without spaces",
                "pass another token, or leave the option out for a fresh random one",
            ));
        }
    }
    Ok(options)
}

/// The token the console signs in with: the one asked for, else 122 random bits.
fn admin_token(options: &Options) -> String {
    options
        .admin_token
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let options = parse(args)?;
    // One destination of the kind asked for: the Worker is built from a sites
    // file naming it, and what the flags gave goes in as vars.
    let tried = match &options.destination.kind {
        Some(_) => Some(crate::try_destination::prepare(&options.destination)?),
        None => None,
    };
    if let Some((path, _)) = &tried {
        // Read by edge/build.rs in the builds below (xtask's and wrangler's).
        std::env::set_var("LEADWIRE_SITES", path);
    }
    crate::setup::tools(false)?;
    crate::build::all()?;
    let mut ports = vec![COLLECTOR_PORT, SITE_PORT];
    if options.webhook.is_none() && tried.is_none() {
        ports.push(RECEIVER_PORT);
    }
    if let Some(port) = ports.into_iter().find(|p| port_in_use(*p)) {
        return Err(Failure::new(
            format!("127.0.0.1:{port} is already in use"),
            "stop whatever listens there (an earlier demo?) and run the command again",
        ));
    }
    leadwire_tests::process::stop_all_on_ctrl_c();
    let secret = options.secret.clone().unwrap_or_else(|| DEMO_SECRET.to_owned());
    let admin_token = admin_token(&options);
    let receiver = match (&options.webhook, &tried) {
        (Some(_), _) | (_, Some(_)) => None,
        (None, None) => Some(step(
            &format!("Starting the demo CRM receiver on 127.0.0.1:{RECEIVER_PORT}"),
            || {
                Receiver::start(RECEIVER_PORT, &secret, Some(Box::new(print_lead)))
                    .map_err(|e| Failure::new(e, "free the port"))
            },
        )?),
    };
    let webhook = options
        .webhook
        .clone()
        .or_else(|| receiver.as_ref().map(|r| r.url.clone()))
        .unwrap_or_default();
    let _site = step(&format!("Serving demo-site/ on 127.0.0.1:{SITE_PORT}"), || {
        StaticSite::start(vec![repo_root().join("demo-site")], SITE_PORT).map_err(|e| Failure::new(e, "free the port"))
    })?;
    let state = repo_root().join("target/demo-state");
    let log = crate::step::log_dir().join("wrangler-demo.log");
    let mut collector = step(
        &format!("Starting the Worker with wrangler dev on 127.0.0.1:{COLLECTOR_PORT}"),
        || {
            Collector::start(CollectorOptions {
                port: COLLECTOR_PORT,
                vars: [
                    ("DEMO_WEBHOOK_URL".to_owned(), webhook.clone()),
                    ("DEMO_WEBHOOK_SECRET".to_owned(), secret.clone()),
                    ("ADMIN_TOKEN".to_owned(), admin_token.clone()),
                ]
                .into_iter()
                .chain(tried.iter().flat_map(|(_, vars)| vars.iter().cloned()))
                .collect(),
                persist_to: state.clone(),
                wrangler_env: None,
                log: log.clone(),
                sweep_every: Some(SWEEP_EVERY),
            })
            .map_err(|e| Failure::new(e, format!("read {} for wrangler's own words", log.display())))
        },
    )?;
    println!();
    println!("  Open   http://127.0.0.1:{SITE_PORT}/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring");
    println!("         and press \"Contact us\" (more pages are linked from there).");
    match (&options.webhook, &options.destination.kind) {
        (_, Some(kind)) => println!(
            "  Leads  go to your {kind} destination at {}",
            redact_url(options.destination.url.as_deref().unwrap_or(""))
        ),
        (Some(url), None) => println!(
            "  Leads  go to your endpoint {}, signed with {}",
            redact_url(url),
            redact_secret(&secret)
        ),
        (None, None) => println!("  Leads  are printed here by the demo CRM receiver (signature checked)."),
    }
    println!("  Admin  http://127.0.0.1:{COLLECTOR_PORT}/admin, the operator console; sign in with the token");
    println!("         {admin_token} (the console keeps it in that browser tab only)");
    println!("  Logs   {}", log.display());
    println!("  Stop   Ctrl-C\n");
    crate::step::announce("Waiting for leads");
    loop {
        std::thread::park_timeout(Duration::from_secs(1));
        if leadwire_tests::process::stopping() {
            continue; // Ctrl-C: the handler stops everything and exits
        }
        if let Some(status) = collector.exited() {
            return Err(Failure::new(
                format!(
                    "wrangler dev stopped ({status}); its log ends:\n{}",
                    collector.log_tail(20)
                ),
                "fix what the log says and run `cargo xtask demo` again",
            ));
        }
    }
}

fn print_lead(delivery: &Delivery) {
    let Some(event) = &delivery.event else {
        println!("  received a request that is not JSON ({} bytes)", delivery.body.len());
        return;
    };
    let data = &event["data"];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_owned();
    println!(
        "  {} {} {} {} · {} · source {}/{} · campaign {} · signature {}",
        text(&event["type"]),
        text(&data["kind"]),
        text(&data["id"]),
        mask_phone(data["contact"]["phone"].as_str().unwrap_or("-")),
        text(&data["attribution"]["channel"]),
        text(&data["attribution"]["source"]),
        text(&data["attribution"]["medium"]),
        text(&data["attribution"]["campaign"]),
        if delivery.verified { "valid" } else { "INVALID" },
    );
}

/// `+79123456789` → `+7912***6789`: enough to recognise, not to call.
fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 9 {
        return "***".into();
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}***{tail}")
}

/// Shows scheme and host only: webhook URLs often carry a token.
fn redact_url(url: &str) -> String {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = url[after_scheme..]
        .find('/')
        .map(|i| after_scheme + i)
        .unwrap_or(url.len());
    format!("{}/…", &url[..host_end])
}

fn redact_secret(secret: &str) -> String {
    format!("{}…", &secret[..secret.len().min(9)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_show_no_whole_phone_url_or_secret() {
        assert_eq!(mask_phone("+79123456789"), "+7912***6789");
        assert_eq!(mask_phone("+7912"), "***");
        assert_eq!(
            redact_url("https://crm.example/rest/1/t0ken/crm.lead.add"),
            "https://crm.example/…"
        );
        assert_eq!(redact_url("http://127.0.0.1:9000"), "http://127.0.0.1:9000/…");
        assert_eq!(redact_secret(DEMO_SECRET), "whsec_C2F…");
    }

    #[test]
    fn the_admin_token_is_the_one_given_or_a_fresh_random_one() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let given = parse(&args(&["--admin-token", "s3cret-Token_1"])).map_err(|e| e.to_string());
        assert_eq!(given.map(|o| admin_token(&o)), Ok("s3cret-Token_1".to_owned()));
        let fresh = parse(&args(&[])).map_err(|e| e.to_string());
        let (a, b) = fresh.map(|o| (admin_token(&o), admin_token(&o))).unwrap_or_default();
        assert_eq!(a.len(), 32, "{a}");
        assert_ne!(a, b, "each demo gets its own token");
        for bad in [
            &["--admin-token"][..],
            &["--admin-token", ""],
            &["--admin-token", "two words"],
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?} refused");
        }
    }
}
