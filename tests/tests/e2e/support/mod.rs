//! What every end-to-end case shares: the running stack and a browser.

pub mod browser;

use std::time::Duration;

use leadwire_tests::collector::{Collector, CollectorOptions};
use leadwire_tests::paths::{repo_root, TempDir};
use leadwire_tests::receiver::Receiver;
use leadwire_tests::standins::{self, Standins};
use leadwire_tests::static_site::StaticSite;
use leadwire_tests::turnstile::Siteverify;
use leadwire_tests::wait::port_in_use;
use leadwire_tests::DEMO_SECRET;

/// The ports the demo pages name: the snippet loads from 127.0.0.1:8787 and
/// the demo site's allowed origin is 127.0.0.1:8080.
pub const COLLECTOR_PORT: u16 = 8787;
pub const SITE_PORT: u16 = 8080;

/// The demo site's allowed origin.
pub const ORIGIN: &str = "http://127.0.0.1:8080";

/// Generous: wait_until deliveries run right after the answer, but the
/// machine may be busy building in parallel.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// How the tests run the collector: retries every few seconds instead of
/// minutes and hours, a short outbound timeout, a sweep every 2 s.
const TEST_SCHEDULE: &str = "0,1,2,3,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5";
pub const TEST_TIMEOUT_MS: u64 = 2_000;
pub const ADMIN_TOKEN: &str = "test-admin-token";
/// What the Worker seals sites' own secrets with (base64 of 32 bytes).
pub const SITES_KEY: &str = "zc3OYsBYogDg5b79TN2qikEtdKwJdwzchU3Q5zpsMkE=";
/// How long an isolate keeps a site read from D1: short, so a change shows at once.
pub const SITES_CACHE_SECONDS: u64 = 1;

/// Field order matters for drop: the browser driver and collector stop first.
pub struct Stack {
    pub driver: browser::Driver,
    collector: std::sync::Mutex<Collector>,
    pub collector_url: String,
    pub receiver: Receiver,
    /// Bitrix24, amoCRM, Telegram, email, HubSpot and Slack, for the `every-kind` site.
    pub standins: Standins,
    /// Cloudflare Turnstile's siteverify, for the `turnstile` site.
    pub siteverify: Siteverify,
    pub site: StaticSite,
    pub artifacts: std::path::PathBuf,
    /// Every lead id the collector accepted with 202 in this run, by any case.
    pub accepted: std::sync::Mutex<std::collections::BTreeSet<String>>,
    state: TempDir,
}

impl Stack {
    pub fn start() -> Result<Self, String> {
        for port in [COLLECTOR_PORT, SITE_PORT] {
            if port_in_use(port) {
                return Err(format!(
                    "127.0.0.1:{port} is taken (is `cargo xtask demo` running?); stop it and run the tests again"
                ));
            }
        }
        let artifacts = repo_root().join("tests/artifacts");
        std::fs::create_dir_all(&artifacts).map_err(|e| e.to_string())?;
        let state = TempDir::new("leadwire-e2e").map_err(|e| e.to_string())?;
        let _ = std::fs::remove_file(artifacts.join("wrangler.log")); // this run's log only
        let receiver = Receiver::start(0, DEMO_SECRET, None)?;
        let site = StaticSite::start(
            vec![repo_root().join("demo-site"), repo_root().join("tests/pages")],
            SITE_PORT,
        )?;
        let standins = Standins::start()?;
        let siteverify = Siteverify::start()?;
        let collector = Collector::start(collector_options(
            &receiver,
            &standins,
            &siteverify,
            state.path(),
            &artifacts,
        ))?;
        let driver = browser::Driver::start(&artifacts)?;
        Ok(Stack {
            driver,
            collector_url: collector.base_url.clone(),
            collector: std::sync::Mutex::new(collector),
            receiver,
            standins,
            siteverify,
            site,
            artifacts,
            accepted: Default::default(),
            state,
        })
    }

    pub fn collector(&self) -> std::sync::MutexGuard<'_, Collector> {
        self.collector.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Kills wrangler dev (workerd with it) and starts it again on the same local state.
    pub fn restart_collector(&self) {
        let mut collector = self.collector();
        collector.stop();
        *collector = Collector::start(collector_options(
            &self.receiver,
            &self.standins,
            &self.siteverify,
            self.state.path(),
            &self.artifacts,
        ))
        .unwrap_or_else(|e| panic!("restarting wrangler dev: {e}"));
    }

    /// One number from a `SELECT count(*) AS n …`.
    pub fn count(&self, sql: &str) -> i64 {
        let rows = self.collector().query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.first()
            .and_then(|r| r.get("n"))
            .and_then(|n| n.as_i64())
            .unwrap_or_else(|| panic!("{sql}: no n in {rows:?}"))
    }
}

fn collector_options(
    receiver: &Receiver,
    standins: &Standins,
    siteverify: &Siteverify,
    state: &std::path::Path,
    artifacts: &std::path::Path,
) -> CollectorOptions {
    let var = |name: &str, value: &str| (name.to_owned(), value.to_owned());
    let product = |p: standins::Product| standins.url_of(p);
    CollectorOptions {
        port: COLLECTOR_PORT,
        vars: vec![
            var("DEMO_WEBHOOK_URL", &receiver.url),
            var("DEMO_WEBHOOK_SECRET", DEMO_SECRET),
            var("RETRY_SCHEDULE_SECONDS", TEST_SCHEDULE),
            var("DELIVERY_TIMEOUT_MS", &TEST_TIMEOUT_MS.to_string()),
            var("ADMIN_TOKEN", ADMIN_TOKEN),
            var("SITES_KEY", SITES_KEY),
            var("SITES_CACHE_SECONDS", &SITES_CACHE_SECONDS.to_string()),
            var("FUNNEL_FLUSH_SECONDS", "0"), // funnel counts written with every beacon and lead
            var("HOURS_NOW_MS", &saturday_noon_in_moscow().to_string()),
            // What the `every-kind` site's destinations name (edge/sites.toml).
            var("EXAMPLE_BITRIX24_URL", &standins.bitrix24_webhook()),
            // An amoCRM account's address is an origin: the amocrm kind takes no path.
            var("EXAMPLE_AMOCRM_URL", &standins.amocrm_account()),
            var("EXAMPLE_AMOCRM_TOKEN", standins::AMOCRM_TOKEN),
            var("EXAMPLE_TELEGRAM_API", &product(standins::Product::Telegram)),
            var("EXAMPLE_TELEGRAM_TOKEN", standins::TELEGRAM_TOKEN),
            var("EXAMPLE_EMAIL_API", &product(standins::Product::Email)),
            var("EXAMPLE_EMAIL_TOKEN", standins::EMAIL_TOKEN),
            var("EXAMPLE_HUBSPOT_API", &product(standins::Product::HubSpot)),
            var("EXAMPLE_SLACK_URL", &standins.slack_webhook()),
            // The `turnstile` site's secret key, and where the collector checks its tokens.
            var("TURNSTILE_TEST_SECRET", leadwire_tests::turnstile::SECRET),
            var("TURNSTILE_SITEVERIFY_URL", &siteverify.url),
            var("TURNSTILE_TIMEOUT_MS", "1500"),
        ],
        persist_to: state.join("wrangler"),
        wrangler_env: None,
        log: artifacts.join("wrangler.log"),
        sweep_every: Some(Duration::from_secs(2)),
    }
}

/// Runs a browser case's async steps to completion.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(f)
}

/// The fixed clock the collector reads business hours with: the next
/// Saturday noon in Moscow at least a day ahead, so the demo site (Mon–Fri) is
/// closed and its slots still lie in the real future, where the collector
/// checks the slot a lead brings.
pub fn saturday_noon_in_moscow() -> i64 {
    let hours = demo_hours();
    let mut day = jiff::Zoned::now()
        .in_tz("Europe/Moscow")
        .expect("Moscow's zone")
        .date()
        .tomorrow()
        .expect("a date");
    loop {
        let noon = day
            .at(12, 0, 0, 0)
            .in_tz("Europe/Moscow")
            .expect("noon in Moscow")
            .timestamp();
        // The cases expect the first slot on the Monday after: skip a
        // Saturday before a holiday week (New Year's in the demo's hours).
        let monday = day.checked_add(jiff::ToSpan::days(2)).expect("a date");
        let first_slot_day = lead::hours::next_slots(&hours, noon, 1)
            .first()
            .map(|slot| slot.start.in_tz("Europe/Moscow").expect("Moscow's zone").date());
        if day.weekday() == jiff::civil::Weekday::Saturday && first_slot_day == Some(monday) {
            return noon.as_millisecond();
        }
        day = day.tomorrow().expect("a date");
    }
}

/// The demo site's business hours, as edge/sites.toml has them.
pub fn demo_hours() -> lead::hours::BusinessHours {
    let text = std::fs::read_to_string(repo_root().join("edge/sites.toml")).expect("edge/sites.toml");
    let sites: lead::site::SitesFile = toml::from_str(&text).expect("edge/sites.toml parses");
    sites
        .site("demo")
        .and_then(|s| s.hours.clone())
        .expect("the demo site has hours")
}
