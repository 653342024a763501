//! `cargo xtask bench`: what the widget and the Worker weigh, how the widget
//! behaves on the demo page in Chromium, and how fast the collector takes
//! leads compared with two baselines measured in the same run. Results are
//! appended to BENCHMARKS.md.

mod console;
mod delivery;
mod export;
mod lighthouse;
mod load;
mod page;
mod webdriver;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use leadwire_tests::collector::{Collector, CollectorOptions};
use leadwire_tests::paths::{edge_dir, repo_root, TempDir};
use leadwire_tests::receiver::Receiver;
use leadwire_tests::wait::{free_port, port_in_use};
use leadwire_tests::DEMO_SECRET;

use crate::build::public_dir;
use crate::step::{step, Failure};

/// Budgets from the issues: the loader, which with the site's config is all
/// a page view without interaction fetches (10 KB for both; the demo's config
/// is about 2 KB), and the widget fetched on intent (no regression past the
/// 72.6 KB measured on 2026-11-23).
const LOADER_BUDGET_GZIP: usize = 8 * 1024;
const WIDGET_BUDGET_GZIP: usize = 74_342; // 72.6 KB

/// What one run measures.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Everything, recorded in BENCHMARKS.md.
    All,
    /// Just the widget on the demo page, printed and not recorded (for trying
    /// a change to the widget; the full run is what BENCHMARKS.md keeps).
    Page,
    /// Sizes and the collector (intake, delivery, the CSV export), recorded: for changes to
    /// the Worker, and it needs neither 8787 nor 8080 free.
    Collector,
    /// Just the CSV export of 100,000 leads, printed and not recorded.
    Export,
    /// Just the widget's cost in Lighthouse, printed and not recorded.
    Lighthouse,
}

pub fn run(part: Part) -> Result<(), Failure> {
    crate::setup::tools(true)?;
    // Every process started below runs in its own group: Ctrl-C must stop them.
    leadwire_tests::process::stop_all_on_ctrl_c();
    crate::build::all()?;
    if part == Part::Export {
        let exported = step("Measuring the CSV export of 100,000 leads", export::run)?;
        print!("{}", export::report(&exported));
        return Ok(());
    }
    let sizes = step("Measuring sizes (raw and gzip -9)", sizes)?;
    let lighthouse = match part {
        Part::All | Part::Lighthouse => Some(step(
            "Measuring the widget's cost in Lighthouse (with and without the snippet, interleaved)",
            lighthouse::run,
        )?),
        Part::Collector | Part::Page | Part::Export => None,
    };
    if let (Part::Lighthouse, Some(measured)) = (part, &lighthouse) {
        print!("\n{}", lighthouse::report(measured));
        return Ok(());
    }
    let on_page = match part {
        Part::Collector | Part::Export | Part::Lighthouse => None,
        Part::All | Part::Page => Some(step(
            "Measuring the widget on the demo page in headless Chromium",
            page::run,
        )?),
    };
    if let (Part::Page, Some(on_page)) = (part, &on_page) {
        print!("\n{}", page::report(on_page));
        return Ok(());
    }
    let collected = step(
        "Measuring the collector: intake under load, delivery latency, backlog drain",
        collector_run,
    )?;
    let exported = step(
        "Measuring the CSV export of 100,000 leads (streamed; workerd's memory sampled)",
        export::run,
    )?;
    let report = report(&sizes, on_page.as_deref(), lighthouse.as_ref(), &collected) + &export::report(&exported);
    print!("\n{report}");
    append(&report).map_err(|e| Failure::new(format!("cannot write BENCHMARKS.md: {e}"), "check permissions"))?;
    println!("\nAppended to BENCHMARKS.md");
    console::within_budget(&sizes)
}

struct Size {
    what: &'static str,
    raw: usize,
    gzip: usize,
    budget: Option<usize>,
}

fn sizes() -> Result<Vec<Size>, Failure> {
    let public = public_dir();
    let build = edge_dir().join("build");
    let read = |files: &[&Path]| -> Result<Vec<u8>, Failure> {
        let mut all = Vec::new();
        for f in files {
            all.extend(
                std::fs::read(f)
                    .map_err(|e| Failure::new(format!("{}: {e}", f.display()), "run `cargo xtask build`"))?,
            );
        }
        Ok(all)
    };
    let measure = |what, files: &[&Path], budget| -> Result<Size, Failure> {
        let bytes = read(files)?;
        Ok(Size {
            what,
            raw: bytes.len(),
            gzip: gzip_len(&bytes),
            budget,
        })
    };
    Ok(vec![
        measure(
            "loader (w.js), on the page's critical path",
            &[&public.join("w.js")],
            Some(LOADER_BUDGET_GZIP),
        )?,
        measure(
            "widget on intent: wasm + JS glue (the dialog's CSS is inside the wasm)",
            &[&public.join("leadwire_bg.wasm"), &public.join("leadwire.js")],
            Some(WIDGET_BUDGET_GZIP),
        )?,
        measure(
            "Worker: wasm + JS shim (production build)",
            &[&build.join("index_bg.wasm"), &build.join("index.js")],
            None,
        )?,
        console::size()?,
    ])
}

/// Each file compressed separately would be a little larger; the sum of one
/// stream is what a browser fetching them over one connection roughly pays.
fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = encoder.write_all(bytes);
    encoder.finish().map(|v| v.len()).unwrap_or(0)
}

struct Throughput {
    route: &'static str,
    result: load::Result,
}

/// What the collector run measures: intake throughput and delivery.
struct Collected {
    throughput: Vec<Throughput>,
    healthy: Vec<delivery::Healthy>,
    recovery: delivery::Recovery,
}

/// Healthy-path paces, (leads/s, seconds), each with its budget for POST →
/// receipt: (p50 ms, p99 ms); the destinations issue names them.
const HEALTHY: &[(u32, u32, Option<f64>, f64)] = &[(5, 20, Some(50.0), 500.0), (50, 60, None, 2_000.0)];
const BACKLOG: usize = 1_000;
/// As in production: the Cron Trigger runs the sweeper once a minute.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

fn collector_run() -> Result<Collected, Failure> {
    let fix = "read target/xtask/wrangler-bench.log";
    let port = free_port().map_err(|e| Failure::new(e.to_string(), fix))?;
    if port_in_use(port) {
        return Err(Failure::new("no free port", fix));
    }
    let receiver = Receiver::start(0, DEMO_SECRET, None).map_err(|e| Failure::new(e, fix))?;
    let state = TempDir::new("leadwire-bench").map_err(|e| Failure::new(e.to_string(), fix))?;
    let mut collector = Collector::start(CollectorOptions {
        port,
        vars: vec![
            ("DEMO_WEBHOOK_URL".into(), receiver.url.clone()),
            ("DEMO_WEBHOOK_SECRET".into(), DEMO_SECRET.into()),
        ],
        persist_to: state.path().to_path_buf(),
        wrangler_env: Some("bench".into()),
        log: crate::step::log_dir().join("wrangler-bench.log"),
        sweep_every: Some(SWEEP_EVERY),
    })
    .map_err(|e| Failure::new(e, fix))?;
    let base = collector.base_url.clone();
    let plan = load::Plan {
        concurrency: 8,
        warmup: Duration::from_secs(2),
        measure: Duration::from_secs(10),
    };
    let routes: [(&str, load::Target); 3] = [
        ("echo: the runtime's own cost", load::Target::Echo),
        ("D1 insert only: the durable write", load::Target::InsertOnly),
        (
            "POST /v1/leads: parse, validate, attribute, store, deliver",
            load::Target::Leads,
        ),
    ];
    let mut throughput = Vec::new();
    for (route, target) in routes {
        let result = load::run(&base, target, &plan).map_err(|e| Failure::new(e, fix))?;
        throughput.push(Throughput { route, result });
    }
    // The load above leaves a queue backlog; latency is measured on an idle path.
    delivery::drained(&collector).map_err(|e| Failure::new(e, fix))?;
    let mut healthy = Vec::new();
    for &(per_second, seconds, _, _) in HEALTHY {
        let leads = (per_second * seconds) as usize;
        healthy.push(
            delivery::healthy(&base, &receiver, &collector, leads, per_second).map_err(|e| Failure::new(e, fix))?,
        );
    }
    let recovery = delivery::recovery(&base, &receiver, &collector, BACKLOG).map_err(|e| Failure::new(e, fix))?;
    collector.stop();
    Ok(Collected {
        throughput,
        healthy,
        recovery,
    })
}

fn report(
    sizes: &[Size],
    on_page: Option<&[page::Variant]>,
    lighthouse: Option<&lighthouse::Measured>,
    collected: &Collected,
) -> String {
    let throughput = &collected.throughput;
    let now = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC").to_string();
    let commit = crate::step::output(
        std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(repo_root()),
    )
    .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut out = format!("## {now} · commit {} · {cores} cores, {cpu}\n\n", commit.trim());
    out += "| artefact | raw | gzip | budget (gzip) |\n|---|---:|---:|---|\n";
    for s in sizes {
        let budget = match s.budget {
            Some(b) if s.gzip <= b => format!("≤ {} ✓", kb(b)),
            Some(b) => format!("≤ {} ✗ over", kb(b)),
            None => "—".into(),
        };
        out += &format!("| {} | {} | {} | {budget} |\n", s.what, kb(s.raw), kb(s.gzip));
    }
    out += "\n";
    match on_page {
        Some(on_page) => out += &page::report(on_page),
        None => out += "(The widget on the page was not measured in this run: `cargo xtask bench collector`.)\n",
    }
    if let Some(measured) = lighthouse {
        out += "\n";
        out += &lighthouse::report(measured);
    }
    out += "\n| route | requests/s | p50 | p99 | errors |\n|---|---:|---:|---:|---:|\n";
    for t in throughput {
        let r = &t.result;
        out += &format!(
            "| {} | {:.0} | {:.1} ms | {:.1} ms | {} |\n",
            t.route, r.per_second, r.p50_ms, r.p99_ms, r.errors
        );
    }
    let rate = |i: usize| throughput.get(i).map(|t| t.result.per_second).unwrap_or(0.0);
    if rate(0) > 0.0 && rate(1) > 0.0 {
        out += &format!(
            "\nleads/s ÷ echo/s = {:.2} (what a lead costs against the bare runtime); \
             leads/s ÷ insert-only/s = {:.2} (what our own logic costs on top of the unavoidable write).\n\n",
            rate(2) / rate(0),
            rate(2) / rate(1)
        );
    }
    out += "| delivery | result | budget |\n|---|---|---|\n";
    for (h, (_, _, p50_budget, p99_budget)) in collected.healthy.iter().zip(HEALTHY) {
        let within = h.p99_ms <= *p99_budget && p50_budget.is_none_or(|b| h.p50_ms <= b) && h.pending_after_10s == 0;
        let p50 = p50_budget.map(|b| format!("p50 ≤ {b:.0} ms, ")).unwrap_or_default();
        out += &format!(
            "| healthy path, POST → receipt at the receiver ({} leads at {}/s) | p50 {:.0} ms, p99 {:.0} ms, \
             {} pending 10 s after the last 202 | {p50}p99 ≤ {p99_budget:.0} ms, 0 pending {} |\n",
            h.leads,
            h.per_second,
            h.p50_ms,
            h.p99_ms,
            h.pending_after_10s,
            if within { "✓" } else { "✗" }
        );
    }
    let r = &collected.recovery;
    out += &format!(
        "| backlog of {} leads after the receiver was unreachable: drained after it came back in | {:.1} s ({} duplicate deliveries) | — |\n\n",
        r.backlog,
        r.drain.as_secs_f64(),
        r.duplicates
    );
    out
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

const METHOD: &str = "# Benchmarks

Written by `cargo xtask bench`; each run appends a section. Compare runs on the
same machine only.

## Method
- **Sizes**: the files as served. `w.js` is the loader a page loads (async);
  the widget is `leadwire_bg.wasm` + `leadwire.js` after `wasm-opt -Oz`, fetched
  after the page's load event; the Worker is `edge/build/index_bg.wasm` +
  `index.js` from `worker-build --release` (production features). gzip is
  flate2 at level 9 over the files concatenated.
- **Throughput and latency**: the Worker under `wrangler dev` (workerd, local
  D1 on disk) on 127.0.0.1, built with the `bench-routes` feature (the
  `[env.bench]` of edge/wrangler.toml, never deployed). A closed loop of 8
  client threads on the same 2-core machine (so the client's own CPU is part
  of the cost) sends requests for 2 s of warm-up, then 10 s measured; every
  request's wall time is recorded; p50/p99 are nearest-rank percentiles.
  Routes, in one run and one Worker:
  - `POST /__bench/echo`: reads the body and answers it; the runtime's cost.
  - `POST /__bench/insert`: the same D1 batch the intake makes (lead row and
    delivery row), nothing else; the durable write's cost.
  - `POST /v1/leads`: the real intake with a realistic lead (unique id per
    request, `text/plain`, allowed Origin); delivery to a local receiver (queue
    consumer) runs meanwhile and shares the CPU.
- **Widget on the page**: `demo-site/index.html` on 127.0.0.1:8080 with the
  collector (production build under `wrangler dev`) on 127.0.0.1:8787, the
  ports the page's snippet and the demo site's allowed origin name (the bench
  refuses to start if either is taken). Headless Debian Chromium through
  chromedriver, with the end-to-end tests' flags (1280×800). Before the page's
  first script, `Page.addScriptToEvaluateOnNewDocument` installs
  PerformanceObservers (`buffered: true`) for `layout-shift` (CLS = the sum of
  the values without recent input), `longtask` (each entry is a task over 50
  ms), `long-animation-frame` (names the scripts in a long task) and `event`
  (the click's Event Timing duration), a MutationObserver that finds
  `.launcher` in the open shadow root of `leadwire-widget`, and from then an
  animation-frame loop that stamps `performance.now()` in the first frame
  where it is visible (`checkVisibility` with opacity and visibility, a
  non-empty box inside the viewport; its layout read moves that frame's layout
  into the callback, a few ms that do not add a task). Times are relative to
  Navigation Timing's `loadEventEnd`. Critical path: the collector's Resource
  Timing entries that start before `loadEventEnd`, and `w.js`'s
  `renderBlockingStatus`. After load: the earliest `startTime` of
  `leadwire.js` and `leadwire_bg.wasm`. Streaming compilation: the wasm
  response's media type in Chromium's network log (wasm-bindgen's glue calls
  `WebAssembly.instantiateStreaming` and keeps it only for
  `application/wasm`). Bytes on the wire: `encodedDataLength` of
  `Network.loadingFinished` in chromedriver's performance log (Resource
  Timing's `transferSize` reads 0: the collector sends no
  `Timing-Allow-Origin`). Each page view: load, launcher visible, 1 s more of
  page time, a trusted click on the launcher (WebDriver actions), the dialog
  visible, 1 s more, then the numbers are read. A long task counts against the
  widget when it ends after the widget's first request or a script of the
  collector's runs in it; the others are listed as the page's own. After one
  unrecorded page view (the machine's cold file cache), 10 fresh browsers (new
  profile: empty HTTP and code caches), each then opening the page once more
  (warm cache, same profile and localStorage); 5 fresh browsers under
  DevTools' `Emulation.setCPUThrottlingRate` 4 (it slows the renderer's main
  thread; background compile threads may keep their speed). Median is the
  lower median; worst the largest value (for *after load*, the earliest).
- **Delivery**: with the production retry schedule and the sweeper run once a
  minute (as the Cron Trigger would), after the intake load's backlog has been
  delivered (no delivery pending in D1): 100 leads posted at 5/s, then 3,000
  at 50/s (60 s), each paced from 4 client threads and timed from the start of
  its POST to its first 2xx receipt at the receiver (since the destinations
  issue the first attempt follows the 202 in `waitUntil`; earlier runs waited
  for a queue batch), and the deliveries still pending 10 s after the last
  202 are counted (budgets: at 5/s p50 ≤ 50 ms and p99 ≤ 500 ms; at 50/s
  p99 ≤ 2 s and none pending); then,
  with the receiver's port closed, 1,000 leads posted by 8 threads and tried
  once each (connection refused); the receiver comes back and the time until
  every one of them has been received is the drain time. Its length is set by
  the retry schedule (the second try comes 5 s after the first, the third
  30 s after that), not by throughput.

";

fn append(report: &str) -> std::io::Result<()> {
    let path = repo_root().join("BENCHMARKS.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let text = if existing.is_empty() {
        format!("{METHOD}{report}")
    } else {
        format!("{existing}\n{report}")
    };
    std::fs::write(path, text)
}
