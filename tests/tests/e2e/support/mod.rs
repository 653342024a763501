//! What every end-to-end case shares: the running stack and a browser.

pub mod browser;

use std::time::Duration;

use leadwire_tests::collector::{Collector, CollectorOptions};
use leadwire_tests::paths::{repo_root, TempDir};
use leadwire_tests::receiver::Receiver;
use leadwire_tests::static_site::StaticSite;
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

/// Field order matters for drop: the browser driver and collector stop first.
pub struct Stack {
    pub driver: browser::Driver,
    pub collector: Collector,
    pub receiver: Receiver,
    pub site: StaticSite,
    pub artifacts: std::path::PathBuf,
    _state: TempDir,
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
        let receiver = Receiver::start(0, DEMO_SECRET, None)?;
        let site = StaticSite::start(
            vec![repo_root().join("demo-site"), repo_root().join("tests/pages")],
            SITE_PORT,
        )?;
        let collector = Collector::start(CollectorOptions {
            port: COLLECTOR_PORT,
            vars: vec![
                ("DEMO_WEBHOOK_URL".into(), receiver.url.clone()),
                ("DEMO_WEBHOOK_SECRET".into(), DEMO_SECRET.into()),
            ],
            persist_to: state.path().join("wrangler"),
            wrangler_env: None,
            log: artifacts.join("wrangler.log"),
        })?;
        let driver = browser::Driver::start(&artifacts)?;
        Ok(Stack {
            driver,
            collector,
            receiver,
            site,
            artifacts,
            _state: state,
        })
    }

    /// One number from a `SELECT count(*) AS n …`.
    pub fn count(&self, sql: &str) -> i64 {
        let rows = self.collector.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.first()
            .and_then(|r| r.get("n"))
            .and_then(|n| n.as_i64())
            .unwrap_or_else(|| panic!("{sql}: no n in {rows:?}"))
    }
}
