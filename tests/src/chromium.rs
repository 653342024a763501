//! Debian's Chromium as the tests and `cargo xtask bench` drive it: where it
//! is, the flags every session gets, and a chromedriver to speak to it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::process::Guarded;
use crate::wait::{free_port, port_in_use, until};

/// What `cargo xtask setup --browser` installs (packages chromium, chromium-driver).
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// No network of Chromium's own (updates, sync, QUIC probes), one window size.
pub const FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,800",
];

/// The flags plus a profile directory of the session's own.
pub fn args(profile: &Path) -> Vec<String> {
    let mut args: Vec<String> = FLAGS.iter().map(|f| f.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args
}

/// A chromedriver on a free port, logging to `log`, once it listens; its URL.
pub fn start_driver(log: &Path) -> Result<(Guarded, String), String> {
    let port = free_port().map_err(|e| e.to_string())?;
    let log = std::fs::File::create(log).map_err(|e| e.to_string())?;
    let process = Guarded::spawn(
        "chromedriver",
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log),
    )
    .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}; `cargo xtask setup --browser` installs it"))?;
    until("chromedriver to listen", Duration::from_secs(20), || {
        port_in_use(port).then_some(())
    })?;
    Ok((process, format!("http://127.0.0.1:{port}")))
}
