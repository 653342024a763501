//! The edge collector running locally: `wrangler dev` on workerd with local D1.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::paths;
use crate::process::Guarded;

pub struct CollectorOptions {
    pub port: u16,
    /// Worker vars/secrets (`--var NAME:VALUE`).
    pub vars: Vec<(String, String)>,
    /// Local D1 state; kept between runs when the caller keeps the directory.
    pub persist_to: PathBuf,
    /// A `[env.NAME]` of edge/wrangler.toml (e.g. `bench`).
    pub wrangler_env: Option<String>,
    /// Where wrangler's output goes.
    pub log: PathBuf,
    /// Cron triggers do not fire under `wrangler dev`: run the scheduled
    /// handler (the sweeper) this often instead.
    pub sweep_every: Option<Duration>,
}

/// How long a test query waits for workerd to release the database.
pub const QUERY_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

pub struct Collector {
    sweeper: Option<Sweeper>,
    process: Guarded,
    pub base_url: String,
    persist_to: PathBuf,
    wrangler_env: Option<String>,
    log: PathBuf,
}

/// Environment for wrangler and the worker-build it runs: use the installed
/// wasm-bindgen and the npm esbuild instead of downloading them; no telemetry.
pub fn build_env(command: &mut Command) -> &mut Command {
    command
        .env("WASM_BINDGEN_BIN", paths::cargo_bin("wasm-bindgen"))
        .env("ESBUILD_BIN", paths::esbuild())
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("NO_COLOR", "1")
}

fn wrangler(env: &Option<String>) -> Command {
    let mut command = Command::new(paths::node_bin("wrangler"));
    command.current_dir(paths::edge_dir());
    build_env(&mut command);
    if let Some(e) = env {
        command.args(["--env", e]);
    }
    command
}

/// The last lines of a log, for error messages.
pub fn log_tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Collector {
    pub fn start(options: CollectorOptions) -> Result<Self, String> {
        let persist = options.persist_to.to_string_lossy().into_owned();
        let migrate = wrangler(&options.wrangler_env)
            .args(["d1", "migrations", "apply", "DB", "--local", "--persist-to", &persist])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run wrangler ({e}); run `cargo xtask setup` first"))?;
        if !migrate.status.success() {
            return Err(format!(
                "applying D1 migrations failed:\n{}{}",
                String::from_utf8_lossy(&migrate.stdout),
                String::from_utf8_lossy(&migrate.stderr)
            ));
        }
        // Appended to: a restarted collector keeps what the first one said.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&options.log)
            .map_err(|e| format!("cannot write {}: {e}", options.log.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let port = options.port.to_string();
        let inspector_port = crate::wait::free_port().map_err(|e| e.to_string())?.to_string();
        let mut dev = wrangler(&options.wrangler_env);
        dev.args([
            "dev",
            "--ip",
            "127.0.0.1",
            "--port",
            &port,
            "--inspector-port",
            &inspector_port,
        ])
        .args([
            "--persist-to",
            &persist,
            "--show-interactive-dev-session=false",
            "--test-scheduled",
        ])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
        // Local development: the products are stand-ins on 127.0.0.1.
        dev.args(["--var", "ALLOW_LOOPBACK_DESTINATIONS:true"]);
        for (name, value) in &options.vars {
            dev.arg("--var").arg(format!("{name}:{value}"));
        }
        let mut process =
            Guarded::spawn("wrangler dev", &mut dev).map_err(|e| format!("cannot start wrangler dev: {e}"))?;
        let base_url = format!("http://127.0.0.1:{}/", options.port);
        let agent = crate::receiver::http_agent(Duration::from_secs(2));
        let ready = crate::wait::until("wrangler dev to answer", Duration::from_secs(240), || {
            if process.exited().is_some() {
                return Some(false);
            }
            agent.get(format!("{base_url}v1/")).call().ok().map(|_| true)
        });
        if ready != Ok(true) {
            let why = ready.err().unwrap_or_else(|| "wrangler dev exited".into());
            return Err(format!("{why}; its log ends:\n{}", log_tail(&options.log, 25)));
        }
        let sweeper = options
            .sweep_every
            .map(|every| Sweeper::start(format!("{base_url}__scheduled?cron=*+*+*+*+*"), every));
        Ok(Collector {
            sweeper,
            process,
            base_url,
            persist_to: options.persist_to,
            wrangler_env: options.wrangler_env,
            log: options.log,
        })
    }

    /// wrangler's process id (workerd runs as its child).
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Runs SQL on the local D1 and returns the result rows.
    /// Runs `sql` on the local D1 through a second process. workerd may hold
    /// the SQLite file's write lock at that moment (SQLITE_BUSY): the query is
    /// then tried again, for up to [`QUERY_BUSY_TIMEOUT`].
    pub fn query(&self, sql: &str) -> Result<Vec<serde_json::Value>, String> {
        let mut last = String::new();
        let answer = crate::wait::until("the local database to be free", QUERY_BUSY_TIMEOUT, || {
            match self.query_once(sql) {
                Err(e) if e.contains("SQLITE_BUSY") || e.contains("database is locked") => {
                    last = e;
                    None
                }
                other => Some(other),
            }
        });
        answer.unwrap_or_else(|timeout| Err(format!("{timeout}; last: {last}")))
    }

    fn query_once(&self, sql: &str) -> Result<Vec<serde_json::Value>, String> {
        let persist = self.persist_to.to_string_lossy().into_owned();
        let out = wrangler(&self.wrangler_env)
            .args([
                "d1",
                "execute",
                "DB",
                "--local",
                "--json",
                "--persist-to",
                &persist,
                "--command",
                sql,
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            // With --json wrangler may print its error (SQLITE_BUSY among them) on stdout.
            return Err(format!(
                "d1 execute failed: {}{}",
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            ));
        }
        let parsed: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("d1 execute printed no JSON: {e}"))?;
        Ok(parsed
            .get(0)
            .and_then(|r| r.get("results"))
            .and_then(|r| r.as_array())
            .cloned()
            .unwrap_or_default())
    }

    /// `Some(status)` once wrangler dev has stopped.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.process.exited()
    }

    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log, lines)
    }

    pub fn stop(&mut self) {
        self.sweeper = None;
        self.process.stop();
    }
}

/// Calls the scheduled handler every `every` until dropped.
struct Sweeper {
    stop: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sweeper {
    fn start(url: String, every: Duration) -> Self {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let agent = crate::receiver::http_agent(Duration::from_secs(30));
            // recv_timeout both paces the sweeps and ends the loop when dropped.
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                let _ = agent.get(&url).call();
            }
        });
        Sweeper {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
