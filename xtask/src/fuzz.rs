//! `cargo xtask fuzz [--seconds N] [--target T]`: the cargo-fuzz targets in
//! fuzz/ (libFuzzer, nightly), one after the other, each for N seconds
//! (default 600), then a table of executions and findings. `cargo xtask test`
//! runs [`bounded`] for [`TEST_SECONDS`] each. A finding is a crash file in
//! fuzz/artifacts/<target>/, reproduced by `cargo +nightly fuzz run <target> <file>`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use leadwire_tests::paths::repo_root;
use leadwire_tests::process::Guarded;

use crate::step::{self, Failure};

/// (target, what it feeds); fuzz/Cargo.toml has one `[[bin]]` each.
pub const TARGETS: &[(&str, &str)] = &[
    (
        "wire",
        "POST /v1/leads bodies: parse_submission, then validate for the site named",
    ),
    ("phone", "numbers as typed, per country: lead::phone::normalize"),
    (
        "attribution",
        "landing URLs, referrers and times: bounded_url, explain, attribute",
    ),
    (
        "config",
        "sites.toml text: parse, problems, the JSON compiled into the Worker",
    ),
];

/// Seconds per target in `cargo xtask test` (whose fuzz build runs in the background
/// meanwhile): the whole test command stays within about 30 minutes on a fresh 2-core machine.
pub const TEST_SECONDS: u64 = 30;
const DEFAULT_SECONDS: u64 = 600;

pub fn run(args: &[String]) -> Result<(), Failure> {
    let usage = "usage: cargo xtask fuzz [--seconds N] [--target wire|phone|attribution|config]";
    let mut seconds = DEFAULT_SECONDS;
    let mut only: Option<String> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| Failure::new("--seconds needs a whole number", usage))?
            }
            "--target" => only = args.next().cloned(),
            other => return Err(Failure::new(format!("unknown argument {other:?}"), usage)),
        }
    }
    if let Some(t) = &only {
        if !TARGETS.iter().any(|(name, _)| name == t) {
            return Err(Failure::new(format!("no fuzz target {t:?}"), usage));
        }
    }
    crate::setup::fuzz_tools()?;
    fuzz(seconds, only.as_deref())
}

/// Every target for `seconds` each, after the build [`build_in_background`]
/// started; fails on any finding.
pub fn bounded(build: Background, seconds: u64) -> Result<(), Failure> {
    step::step(
        "Building the fuzz targets (cargo +nightly fuzz build, started in the background)",
        || build.wait(),
    )?;
    run_targets(seconds, None)
}

/// The fuzz build, started at the lowest CPU priority while `cargo xtask test`
/// lints and tests: it fills the cores' idle time (the end-to-end cases mostly
/// wait on outages and browsers) instead of adding minutes after them.
/// A test command that stops early (a lint failed) stops the build too: the
/// guard stops the whole group when it drops.
pub struct Background {
    /// In its own process group: cargo's rustc children are stopped with it.
    child: Option<Guarded>,
    spawn_error: Option<String>,
    log: PathBuf,
}

pub fn build_in_background() -> Background {
    let log = step::log_dir().join("fuzz-build.log");
    let child = std::fs::File::create(&log).and_then(|file| {
        let err = file.try_clone()?;
        Guarded::spawn(
            "fuzz-build",
            Command::new("nice")
                .args(["-n", "19", "cargo", "+nightly", "fuzz", "build", "-O"])
                .current_dir(repo_root().join("fuzz"))
                .env_remove("RUSTUP_TOOLCHAIN")
                .env_remove("RUSTC")
                .env_remove("CARGO")
                .stdout(file)
                .stderr(err),
        )
    });
    match child {
        Ok(child) => Background {
            child: Some(child),
            spawn_error: None,
            log,
        },
        Err(e) => Background {
            child: None,
            spawn_error: Some(e.to_string()),
            log,
        },
    }
}

impl Background {
    fn wait(mut self) -> Result<(), Failure> {
        let log = self.log.display().to_string();
        let status = match self.child.take() {
            Some(mut child) => child.wait().map_err(|e| e.to_string()),
            None => Err(self.spawn_error.take().unwrap_or_default()),
        };
        match status {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(Failure::new(
                format!("cargo +nightly fuzz build failed ({s}); its log is {log}"),
                "fix the build error in that log",
            )),
            Err(e) => Err(Failure::new(
                format!("cannot run cargo +nightly fuzz build: {e}"),
                "cargo xtask setup installs nightly and cargo-fuzz",
            )),
        }
    }
}

struct Report {
    target: &'static str,
    seconds: f64,
    executions: Option<u64>,
    findings: Vec<PathBuf>,
    ok: bool,
}

fn fuzz(seconds: u64, only: Option<&str>) -> Result<(), Failure> {
    let dir = repo_root().join("fuzz");
    step::step("Building the fuzz targets (cargo +nightly fuzz build)", || {
        step::run(
            nightly(&dir).args(["fuzz", "build", "-O"]),
            "fuzz-build",
            "fix the build error above",
        )
    })?;
    run_targets(seconds, only)
}

fn run_targets(seconds: u64, only: Option<&str>) -> Result<(), Failure> {
    let dir = repo_root().join("fuzz");
    let mut reports = Vec::new();
    for (target, what) in TARGETS.iter().filter(|(t, _)| only.is_none_or(|o| o == *t)) {
        step::announce(&format!("Fuzzing {target} for {seconds} s: {what}"));
        reports.push(one(&dir, target, seconds));
    }
    println!("\n| target | seconds | executions | exec/s | findings |\n|---|---:|---:|---:|---:|");
    for r in &reports {
        let executions = r.executions.map_or("?".into(), |n| n.to_string());
        let rate = r
            .executions
            .map_or("?".into(), |n| format!("{:.0}", n as f64 / r.seconds.max(0.001)));
        println!(
            "| {} | {:.0} | {executions} | {rate} | {} |",
            r.target,
            r.seconds,
            r.findings.len()
        );
    }
    let failed: Vec<&Report> = reports.iter().filter(|r| !r.ok || !r.findings.is_empty()).collect();
    if failed.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = failed
        .iter()
        .map(|r| match r.findings.first() {
            Some(f) => format!("{}: {} (and {} more)", r.target, f.display(), r.findings.len() - 1),
            None => format!("{}: libFuzzer failed, see target/xtask/fuzz-{}.log", r.target, r.target),
        })
        .collect();
    Err(Failure::new(
        format!("fuzzing found something:\n  {}", lines.join("\n  ")),
        "reproduce with `cd fuzz && cargo +nightly fuzz run <target> <file>`; the log is target/xtask/fuzz-<target>.log",
    ))
}

fn one(dir: &Path, target: &'static str, seconds: u64) -> Report {
    let corpus = dir.join("corpus").join(target);
    let artifacts = dir.join("artifacts").join(target);
    let _ = std::fs::create_dir_all(&corpus);
    let before = files(&artifacts);
    let log = step::log_dir().join(format!("fuzz-{target}.log"));
    let started = Instant::now();
    let ok = std::fs::File::create(&log).ok().and_then(|file| {
        let err = file.try_clone().ok()?;
        nightly(dir)
            .args(["fuzz", "run", "-O", target])
            .arg(&corpus)
            .arg(dir.join("seeds").join(target))
            .args(["--", &format!("-max_total_time={seconds}"), "-print_final_stats=1"])
            .stdout(file)
            .stderr(err)
            .status()
            .ok()
    });
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let executions = text
        .lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|n| n.trim().parse().ok());
    let findings = files(&artifacts).into_iter().filter(|f| !before.contains(f)).collect();
    Report {
        target,
        seconds: started.elapsed().as_secs_f64(),
        executions,
        findings,
        ok: ok.is_some_and(|s| s.success()),
    }
}

/// `cargo +nightly …` in fuzz/, without the stable toolchain's variables that `cargo xtask` runs under.
fn nightly(dir: &Path) -> Command {
    let mut command = Command::new("cargo");
    command
        .arg("+nightly")
        .current_dir(dir)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("CARGO");
    command
}

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}
