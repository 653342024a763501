//! `cargo xtask fuzz [--seconds N] [--target T]`: the cargo-fuzz targets in
//! fuzz/ (libFuzzer, nightly), one after the other, each for N seconds
//! (default 600), then a table of executions and findings. `cargo xtask test`
//! runs [`bounded`] for [`TEST_SECONDS`] each. A finding is a crash file in
//! fuzz/artifacts/<target>/, reproduced by `cargo +nightly fuzz run <target> <file>`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use leadwire_tests::paths::repo_root;

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

/// Seconds per target in `cargo xtask test`: the whole test command stays within about 30 minutes on a fresh 2-core machine.
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

/// Every target for `seconds` each; fails on any finding.
pub fn bounded(seconds: u64) -> Result<(), Failure> {
    fuzz(seconds, None)
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
