//! Installs what the project needs and a fresh machine lacks; skips what is
//! already there at the right version. Nothing is downloaded outside the
//! package registries (crates.io, npm, Debian).

use std::path::Path;
use std::process::Command;

use leadwire_tests::paths::{cargo_bin, node_bin, repo_root};

use crate::step::{output, run, step, Failure};

/// worker-build's version; wrangler's is pinned in package-lock.json.
const WORKER_BUILD_VERSION: &str = "0.8.7";
const CHROMIUM_PACKAGES: &[&str] = &["chromium", "chromium-driver"];
/// cargo-fuzz, for `cargo xtask fuzz` and the bounded run in `cargo xtask test`.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

pub fn tools(browser: bool) -> Result<(), Failure> {
    step("Checking node and npm", check_node)?;
    step("Rust target wasm32-unknown-unknown", wasm_target)?;
    let bindgen = wasm_bindgen_version()?;
    step(
        &format!("wasm-bindgen-cli {bindgen} (the version in Cargo.lock)"),
        || cargo_install("wasm-bindgen-cli", &bindgen),
    )?;
    step(&format!("worker-build {WORKER_BUILD_VERSION}"), || {
        cargo_install("worker-build", WORKER_BUILD_VERSION)
    })?;
    step(
        "npm packages from package-lock.json (wrangler, binaryen, axe-core)",
        npm_ci,
    )?;
    if browser {
        step("Chromium and ChromeDriver (Debian packages)", chromium)?;
    }
    Ok(())
}

fn check_node() -> Result<(), Failure> {
    let fix = "install Node.js 20 or newer with npm (Debian: apt-get install nodejs npm), then run the command again";
    let version =
        output(Command::new("node").arg("--version")).ok_or_else(|| Failure::new("node is not on PATH", fix))?;
    let major: u32 = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        return Err(Failure::new(
            format!("node {} is too old for wrangler", version.trim()),
            fix,
        ));
    }
    output(Command::new("npm").arg("--version")).ok_or_else(|| Failure::new("npm is not on PATH", fix))?;
    Ok(())
}

fn wasm_target() -> Result<(), Failure> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    run(
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        "rustup-target",
        "run `rustup target add wasm32-unknown-unknown` by hand and look at its error",
    )
}

/// The wasm-bindgen version Cargo.lock pins: the CLI must match it exactly.
fn wasm_bindgen_version() -> Result<String, Failure> {
    let lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).map_err(|e| {
        Failure::new(
            format!("cannot read Cargo.lock: {e}"),
            "run from a checkout of the repository",
        )
    })?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    Err(Failure::new(
        "Cargo.lock has no wasm-bindgen",
        "run `cargo generate-lockfile` and commit Cargo.lock",
    ))
}

/// `cargo install --locked` unless `cargo install --list` already has the version.
fn cargo_install(krate: &str, version: &str) -> Result<(), Failure> {
    let list = output(Command::new(env!("CARGO")).args(["install", "--list"])).unwrap_or_default();
    if list.lines().any(|l| l.starts_with(&format!("{krate} v{version}:"))) {
        return Ok(());
    }
    run(
        Command::new(env!("CARGO")).args(["install", krate, "--version", version, "--locked"]),
        &format!("install-{krate}"),
        &format!("run `cargo install {krate} --version {version} --locked` by hand and look at its error"),
    )
}

fn npm_ci() -> Result<(), Failure> {
    let root = repo_root();
    if is_fresh(
        &root.join("node_modules/.package-lock.json"),
        &root.join("package-lock.json"),
    ) && node_bin("wrangler").exists()
    {
        return Ok(());
    }
    run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root),
        "npm-ci",
        "run `npm ci` in the repository root by hand and look at its error",
    )
}

/// True if `installed` exists and is not older than `wanted`.
fn is_fresh(installed: &Path, wanted: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(installed), modified(wanted)), (Some(i), Some(w)) if i >= w)
}

fn chromium() -> Result<(), Failure> {
    if Path::new(leadwire_tests::chromium::CHROMIUM).exists()
        && Path::new(leadwire_tests::chromium::CHROMEDRIVER).exists()
    {
        return Ok(());
    }
    let command = format!("apt-get update && apt-get install -y {}", CHROMIUM_PACKAGES.join(" "));
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    if !is_root {
        return Err(Failure::new(
            "Chromium and ChromeDriver are missing, and installing them needs root",
            format!("run `sudo sh -c '{command}'`, then run the command again"),
        ));
    }
    let fix = format!("run `{command}` by hand and look at its error");
    run(Command::new("apt-get").arg("update"), "apt-update", &fix)?;
    run(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(CHROMIUM_PACKAGES)
            .env("DEBIAN_FRONTEND", "noninteractive"),
        "apt-install",
        &fix,
    )
}

/// The wasm-bindgen CLI installed above.
pub fn wasm_bindgen() -> std::path::PathBuf {
    cargo_bin("wasm-bindgen")
}

/// The nightly toolchain (libFuzzer needs its sanitizer flags) and cargo-fuzz.
pub fn fuzz_tools() -> Result<(), Failure> {
    step("Rust nightly toolchain (for cargo-fuzz)", || {
        let installed = output(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
        if installed.lines().any(|l| l.starts_with("nightly")) {
            return Ok(());
        }
        run(
            Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]),
            "rustup-nightly",
            "run `rustup toolchain install nightly --profile minimal` by hand and look at its error",
        )
    })?;
    step(&format!("cargo-fuzz {CARGO_FUZZ_VERSION}"), || {
        cargo_install("cargo-fuzz", CARGO_FUZZ_VERSION)
    })
}
