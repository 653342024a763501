//! `cargo xtask <command>`: everything a newcomer or CI runs, from a machine
//! that has only the Rust toolchain, node and npm.

mod attribute;
mod bench;
mod build;
mod demo;
mod fuzz;
mod loader;
mod setup;
mod sites;
mod step;
mod try_destination;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  demo [--webhook URL [--secret whsec_…]]
       [--destination KIND --url URL [--token TOKEN] [--chat ID] [--to EMAIL]]
                 install what is missing, build, and run the demo: the Worker on
                 127.0.0.1:8787, the demo site on 127.0.0.1:8080 and a demo CRM
                 receiver on 127.0.0.1:9000 (or your own endpoint with --webhook,
                 or one destination of a kind: bitrix24, amocrm, telegram, …)
  test           install what is missing (Chromium too), build, run every test
  bench [page|collector|export|lighthouse]
                 measure sizes, the widget on the demo page (Chromium and
                 Lighthouse), intake, delivery and the CSV export; append the
                 results to BENCHMARKS.md (`page`: only the widget on the page,
                 printed, not recorded; `collector`: sizes, intake, delivery and
                 the export, recorded; `export`: only the CSV export of 100,000
                 leads, printed; `lighthouse`: only the widget's cost in
                 Lighthouse with and without the snippet, printed)
  build          build the widget into edge/public and the Worker
  fuzz [--seconds N] [--target T]
                 run the cargo-fuzz targets (wire, phone, attribution, config) for
                 N seconds each (default 600) and print executions and findings
  sites push [--url U | --remote --url U] [--token T] [--file F]
                 check a sites file (edge/sites.toml) as the build does and write
                 each site through the admin API of the collector (the demo's on
                 127.0.0.1:8787 by default); the token: --token or ADMIN_TOKEN
  sites pull [--url U] [--token T] > sites.toml
                 the collector's sites as TOML, secrets only named in comments
  attribute --url URL [--referrer R]   how a landing URL is attributed, and the rule (no --url: JSON lines on stdin)
  setup          only install the tools (add --browser for Chromium)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = &args[args.len().min(1)..];
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::run(rest),
        Some("test") => test(),
        Some("bench") => bench::run(match rest.first().map(String::as_str) {
            Some("page") => bench::Part::Page,
            Some("collector") => bench::Part::Collector,
            Some("export") => bench::Part::Export,
            Some("lighthouse") => bench::Part::Lighthouse,
            _ => bench::Part::All,
        }),
        Some("build") => setup::tools(false).and_then(|_| build::all()),
        Some("fuzz") => fuzz::run(rest),
        Some("setup") => setup::tools(rest.iter().any(|a| a == "--browser")).and_then(|_| setup::fuzz_tools()),
        Some("attribute") => attribute::run(rest),
        Some("sites") => sites::run(rest),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\n{e}");
            ExitCode::FAILURE
        }
    }
}

/// Lints, native unit tests, end to end (the e2e harness starts its own stack), then a bounded fuzz run.
fn test() -> Result<(), step::Failure> {
    setup::tools(true)?;
    setup::fuzz_tools()?;
    let fuzz_build = fuzz::build_in_background();
    lint()?;
    build::widget()?;
    step::announce("Running all tests (cargo test: lead/ and edge/ unit tests natively, then end to end in tests/)");
    let status = std::process::Command::new(env!("CARGO"))
        .current_dir(leadwire_tests::paths::repo_root())
        .args(["test", "--no-fail-fast", "--workspace", "--exclude", "leadwire-widget"])
        .status()
        .map_err(|e| step::Failure::new(format!("cannot run cargo test: {e}"), "check that cargo is on PATH"))?;
    // Fuzzed even when a test failed: its findings are news either way.
    let fuzzed = fuzz::bounded(fuzz_build, fuzz::TEST_SECONDS);
    if !status.success() {
        return Err(step::Failure::new(
            "some tests failed (see above)",
            "tests/artifacts/ holds wrangler's log, chromedriver's log and screenshots",
        ));
    }
    fuzzed
}

/// `cargo fmt --check` and `cargo clippy -D warnings`, native and wasm crates.
fn lint() -> Result<(), step::Failure> {
    let cargo = || {
        let mut command = std::process::Command::new(env!("CARGO"));
        command.current_dir(leadwire_tests::paths::repo_root());
        command
    };
    step::step("Checking formatting (cargo fmt --check)", || {
        step::run(
            cargo().args(["fmt", "--all", "--check"]),
            "fmt",
            "run `cargo fmt --all` and commit the result",
        )
    })?;
    step::step("Linting (cargo clippy -D warnings), native and wasm", || {
        let fix = "fix what clippy says (the log above), then run the command again";
        step::run(
            // The Worker's logic (delivery rounds, the in-memory store) is tested natively too.
            cargo().args([
                "clippy",
                "--all-targets",
                "--workspace",
                "--exclude",
                "leadwire-widget",
                "--",
                "-D",
                "warnings",
            ]),
            "clippy",
            fix,
        )?;
        step::run(
            cargo()
                .args([
                    "clippy",
                    "--target",
                    "wasm32-unknown-unknown",
                    "-p",
                    "leadwire-widget",
                    "-p",
                    "leadwire-edge",
                ])
                .args(["--features", "leadwire-edge/bench-routes", "--", "-D", "warnings"]),
            "clippy-wasm",
            fix,
        )
    })
}
