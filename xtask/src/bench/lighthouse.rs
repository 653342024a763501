//! The widget's cost to a page as site owners see it: Lighthouse (npm
//! `lighthouse` 12.2.x, the last line that runs on Node 20), mobile, simulated
//! throttling, on the demo landing page with and without the snippet,
//! interleaved, each run in a fresh Chromium profile. Three pages: without the
//! widget, with the deferred snippet the demo page carries (the loader asked for
//! after the load event and a frame), and with the one-line tag (for sites whose
//! CSP forbids inline scripts). Lighthouse counts all of 127.0.0.1 as first
//! party, so the widget's share is told by its URLs: what comes from the
//! collector's origin; the snippet's own few lines count under the page's URL,
//! so that row is shown too.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use leadwire_tests::collector::{Collector, CollectorOptions};
use leadwire_tests::paths::{repo_root, TempDir};
use leadwire_tests::static_site::StaticSite;

use crate::step::{self, Failure};

const COLLECTOR_PORT: u16 = 8787;
const SITE_PORT: u16 = 8080;
/// The snippet loads the widget from here; everything under it is the widget's.
const COLLECTOR: &str = "http://127.0.0.1:8787/";
const WITH_SNIPPET: &str = "http://127.0.0.1:8080/";
/// The same page with the snippet's `<script>` taken out.
const WITHOUT_SNIPPET: &str = "http://127.0.0.1:8080/without-snippet.html";
/// The same page with the one-line tag in the snippet's place.
const WITH_TAG: &str = "http://127.0.0.1:8080/with-tag.html";
/// How the demo page's deferred snippet begins; it ends at the next `</script>`.
const SNIPPET_START: &str = "<script>\n    /* Leadwire:";
const TAG: &str = r#"<script async src="http://127.0.0.1:8787/w.js" data-site="demo"></script>"#;
/// Runs per variant (the issue: the median of 5).
pub const RUNS: usize = 5;

/// One Lighthouse run's numbers.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub score: f64,
    pub tbt_ms: f64,
    pub lcp_ms: f64,
    pub fcp_ms: f64,
    pub cls: f64,
    pub total_bytes: f64,
    /// Main-thread work of the whole page (mainthread-work-breakdown).
    pub main_thread_ms: f64,
    /// Transfer size of what came from the collector's origin.
    pub widget_bytes: f64,
    /// bootup-time of the collector's scripts (parse, compile, run).
    pub widget_script_ms: f64,
    /// bootup-time charged to the page's own URL (inline scripts, the snippet among them).
    pub page_script_ms: f64,
    pub widget_urls: Vec<String>,
}

pub struct Measured {
    pub with: Vec<Run>,
    pub without: Vec<Run>,
    /// The one-line tag instead of the deferred snippet.
    pub tag: Vec<Run>,
}

/// The demo page's deferred snippet, found by its opening comment.
fn snippet(index: &str) -> Option<&str> {
    let start = index.find(SNIPPET_START)?;
    let end = start + index[start..].find("</script>")? + "</script>".len();
    Some(&index[start..end])
}

fn dir() -> PathBuf {
    repo_root().join("xtask/lighthouse")
}

/// `npm ci` in xtask/lighthouse, once: the test command never needs it.
fn install() -> Result<(), Failure> {
    if dir().join("node_modules/lighthouse/package.json").exists() {
        return Ok(());
    }
    step::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir()),
        "lighthouse-install",
        "check that the npm registry is reachable",
    )
}

pub fn run() -> Result<Measured, Failure> {
    install()?;
    let logs = step::log_dir();
    measure(&logs).map_err(|e| {
        Failure::new(
            e,
            "read target/xtask/lighthouse-*.log and target/xtask/wrangler-bench-lighthouse.log",
        )
    })
}

fn measure(logs: &Path) -> Result<Measured, String> {
    let pages = TempDir::new("leadwire-bench-lighthouse").map_err(|e| e.to_string())?;
    let state = TempDir::new("leadwire-bench-lighthouse-state").map_err(|e| e.to_string())?;
    let index = std::fs::read_to_string(repo_root().join("demo-site/index.html")).map_err(|e| e.to_string())?;
    let snippet = snippet(&index)
        .ok_or_else(|| format!("demo-site/index.html no longer holds a snippet starting {SNIPPET_START:?}"))?;
    std::fs::write(pages.path().join("without-snippet.html"), index.replace(snippet, "")).map_err(|e| e.to_string())?;
    std::fs::write(pages.path().join("with-tag.html"), index.replace(snippet, TAG)).map_err(|e| e.to_string())?;
    let _site = StaticSite::start(
        vec![pages.path().to_path_buf(), repo_root().join("demo-site")],
        SITE_PORT,
    )?;
    let _collector = Collector::start(CollectorOptions {
        port: COLLECTOR_PORT,
        vars: Vec::new(),
        persist_to: state.path().to_path_buf(),
        wrangler_env: None,
        log: logs.join("wrangler-bench-lighthouse.log"),
        sweep_every: None,
    })?;
    // Unrecorded: the first run pays for cold disk caches and workerd's first isolate.
    lighthouse(WITH_SNIPPET, logs, "warm-up")?;
    let (mut with, mut without, mut tag) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..RUNS {
        without.push(lighthouse(WITHOUT_SNIPPET, logs, &format!("without-{i}"))?);
        with.push(lighthouse(WITH_SNIPPET, logs, &format!("with-{i}"))?);
        tag.push(lighthouse(WITH_TAG, logs, &format!("tag-{i}"))?);
    }
    Ok(Measured { with, without, tag })
}

/// One run in a fresh profile; the JSON report is kept in target/xtask/.
fn lighthouse(url: &str, logs: &Path, name: &str) -> Result<Run, String> {
    let profile = TempDir::new("leadwire-lighthouse-profile").map_err(|e| e.to_string())?;
    let report = logs.join(format!("lighthouse-{name}.json"));
    let log = logs.join(format!("lighthouse-{name}.log"));
    let file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let status = Command::new("node")
        .arg(dir().join("node_modules/lighthouse/cli/index.js"))
        .arg(url)
        .arg(format!("--config-path={}", dir().join("config.js").display()))
        .args(["--output=json", "--form-factor=mobile", "--throttling-method=simulate"])
        .arg(format!("--output-path={}", report.display()))
        .arg(format!(
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --user-data-dir={}",
            profile.path().display()
        ))
        .env("CHROME_PATH", "/usr/bin/chromium")
        .stdout(file)
        .stderr(err)
        .status()
        .map_err(|e| format!("cannot run node: {e}"))?;
    // Lighthouse 12.2 exits non-zero when a diagnostic fails on Chromium 156's
    // newer trace events; the metrics still come out, so the report decides.
    let text = std::fs::read_to_string(&report).map_err(|e| {
        format!(
            "Lighthouse wrote no report for {url} ({status}, {e}): see {}",
            log.display()
        )
    })?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", report.display()))?;
    parse(&json).ok_or_else(|| format!("{}: a metric is missing (runtimeError?)", report.display()))
}

fn numeric(json: &Value, audit: &str) -> Option<f64> {
    json["audits"][audit]["numericValue"].as_f64()
}

fn items<'a>(json: &'a Value, audit: &str) -> impl Iterator<Item = &'a Value> {
    json["audits"][audit]["details"]["items"]
        .as_array()
        .into_iter()
        .flatten()
}

fn parse(json: &Value) -> Option<Run> {
    let widget = |item: &&Value| item["url"].as_str().is_some_and(|u| u.starts_with(COLLECTOR));
    // Each variant's own document (the page without the widget is another file).
    let document = json["requestedUrl"].as_str()?.split(['?', '#']).next()?;
    let page = |item: &&Value| {
        item["url"]
            .as_str()
            .is_some_and(|u| u.split(['?', '#']).next() == Some(document))
    };
    let mut widget_urls: Vec<String> = items(json, "network-requests")
        .filter(widget)
        .filter_map(|i| i["url"].as_str().map(|u| u.trim_start_matches(COLLECTOR).to_owned()))
        .collect();
    widget_urls.sort();
    Some(Run {
        score: json["categories"]["performance"]["score"].as_f64()? * 100.0,
        tbt_ms: numeric(json, "total-blocking-time")?,
        lcp_ms: numeric(json, "largest-contentful-paint")?,
        fcp_ms: numeric(json, "first-contentful-paint")?,
        cls: numeric(json, "cumulative-layout-shift")?,
        total_bytes: numeric(json, "total-byte-weight")?,
        main_thread_ms: numeric(json, "mainthread-work-breakdown")?,
        widget_bytes: items(json, "network-requests")
            .filter(widget)
            .filter_map(|i| i["transferSize"].as_f64())
            .sum::<f64>()
            + 0.0, // an empty f64 sum is -0.0, which would print as "-0"
        widget_script_ms: items(json, "bootup-time")
            .filter(widget)
            .filter_map(|i| i["total"].as_f64())
            .sum::<f64>()
            + 0.0,
        page_script_ms: items(json, "bootup-time")
            .filter(page)
            .filter_map(|i| i["total"].as_f64())
            .sum::<f64>()
            + 0.0,
        widget_urls,
    })
}

fn median(runs: &[Run], metric: fn(&Run) -> f64) -> f64 {
    let mut values: Vec<f64> = runs.iter().map(metric).collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// (what, how to read it, how to print it)
type Row = (&'static str, fn(&Run) -> f64, fn(f64) -> String);

const ROWS: &[Row] = &[
    ("Performance score", |r| r.score, |v| format!("{v:.0}")),
    ("Total Blocking Time", |r| r.tbt_ms, |v| format!("{v:.0} ms")),
    ("Largest Contentful Paint", |r| r.lcp_ms, |v| format!("{v:.0} ms")),
    ("First Contentful Paint", |r| r.fcp_ms, |v| format!("{v:.0} ms")),
    ("Cumulative Layout Shift", |r| r.cls, |v| format!("{v:.3}")),
    ("Total bytes", |r| r.total_bytes, |v| format!("{:.1} KB", v / 1024.0)),
    ("Main-thread work", |r| r.main_thread_ms, |v| format!("{v:.0} ms")),
    (
        "the widget's bytes (collector origin)",
        |r| r.widget_bytes,
        |v| format!("{:.1} KB", v / 1024.0),
    ),
    (
        "the widget's script time (bootup-time)",
        |r| r.widget_script_ms,
        |v| format!("{v:.0} ms"),
    ),
    (
        "the page's own script time (bootup-time)",
        |r| r.page_script_ms,
        |v| format!("{v:.0} ms"),
    ),
];

/// Budgets of the widget-cost issue for a page view with no interaction.
pub const WIDGET_BYTES_BUDGET: f64 = 10.0 * 1024.0;
pub const WIDGET_MAIN_THREAD_BUDGET_MS: f64 = 20.0;

/// A delta that rounds to zero has no sign ("-0 ms" would read as a gain).
fn delta(value: f64, base: f64, show: fn(f64) -> String) -> String {
    let shown = show(value - base);
    let nonzero = shown.chars().any(|c| ('1'..='9').contains(&c));
    match shown.strip_prefix('-') {
        Some(rest) if !nonzero => rest.to_owned(),
        _ if value > base && nonzero => format!("+{shown}"),
        _ => shown,
    }
}

pub fn report(measured: &Measured) -> String {
    let mut out = format!(
        "### The widget's cost in Lighthouse (demo landing page)\n\n\
         Lighthouse 12.2.3 (Node 20), mobile, simulated throttling; median of {RUNS} runs per variant, \
         interleaved, fresh profile each run. Widget share = requests to the collector's origin. \
         *Deferred snippet*: the demo page's inline snippet, which adds `w.js` after the load event and a frame; \
         *one-line tag*: `<script async src=…/w.js>` in its place (for a CSP without inline scripts).\n\n\
         | | without the widget | deferred snippet | delta | one-line tag | delta |\n|---|---:|---:|---:|---:|---:|\n"
    );
    for (what, metric, show) in ROWS {
        let without = median(&measured.without, *metric);
        let (with, tag) = (median(&measured.with, *metric), median(&measured.tag, *metric));
        out += &format!(
            "| {what} | {} | {} | {} | {} | {} |\n",
            show(without),
            show(with),
            delta(with, without, *show),
            show(tag),
            delta(tag, without, *show)
        );
    }
    let bytes = median(&measured.with, |r| r.widget_bytes);
    let script = median(&measured.with, |r| r.widget_script_ms);
    let verdict = |ok: bool| if ok { "within" } else { "OVER" };
    out += &format!(
        "\nBudgets for a page view with no interaction: widget bytes {:.1} KB of 10 KB ({}); \
         widget main-thread time {script:.0} ms of 20 ms ({}).\n",
        bytes / 1024.0,
        verdict(bytes <= WIDGET_BYTES_BUDGET),
        verdict(script <= WIDGET_MAIN_THREAD_BUDGET_MS),
    );
    if let Some(run) = measured.with.first() {
        out += &format!("Fetched from the collector: {}.\n", run.widget_urls.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report_json(widget_bytes: f64) -> Value {
        json!({
            "requestedUrl": "http://127.0.0.1:8080/without-snippet.html",
            "categories": {"performance": {"score": 0.97}},
            "audits": {
                "total-blocking-time": {"numericValue": 10.0},
                "largest-contentful-paint": {"numericValue": 1200.0},
                "first-contentful-paint": {"numericValue": 900.0},
                "cumulative-layout-shift": {"numericValue": 0.0},
                "total-byte-weight": {"numericValue": 90000.0},
                "mainthread-work-breakdown": {"numericValue": 300.0},
                "network-requests": {"details": {"items": [
                    {"url": "http://127.0.0.1:8080/", "transferSize": 5000.0},
                    {"url": "http://127.0.0.1:8787/w.js", "transferSize": widget_bytes},
                    {"url": "http://127.0.0.1:8787/v1/sites/demo/config", "transferSize": 700.0}
                ]}},
                "bootup-time": {"details": {"items": [
                    {"url": "http://127.0.0.1:8080/without-snippet.html", "total": 40.0},
                    {"url": "http://127.0.0.1:8080/", "total": 99.0},
                    {"url": "http://127.0.0.1:8787/w.js", "total": 12.5}
                ]}}
            }
        })
    }

    #[test]
    fn the_widget_share_is_what_came_from_the_collector() {
        let run = parse(&report_json(2000.0)).unwrap();
        assert_eq!(run.widget_bytes, 2700.0);
        assert_eq!(run.widget_script_ms, 12.5);
        assert_eq!(run.score, 97.0);
        assert_eq!(run.widget_urls, ["v1/sites/demo/config", "w.js"]);
    }

    #[test]
    fn a_page_without_the_widget_has_a_share_of_zero() {
        let json = json!({"requestedUrl": "http://127.0.0.1:8080/", "categories": {"performance": {"score": 1.0}}, "audits": {
            "total-blocking-time": {"numericValue": 0.0}, "largest-contentful-paint": {"numericValue": 1.0},
            "first-contentful-paint": {"numericValue": 1.0}, "cumulative-layout-shift": {"numericValue": 0.0},
            "total-byte-weight": {"numericValue": 1.0}, "mainthread-work-breakdown": {"numericValue": 1.0}}});
        let run = parse(&json).unwrap();
        assert_eq!(format!("{:.1}", run.widget_bytes), "0.0");
        assert_eq!(format!("{:.0}", run.widget_script_ms), "0");
    }

    #[test]
    fn a_report_without_a_metric_is_refused() {
        let mut json = report_json(1.0);
        json["audits"]["total-blocking-time"] = json!({"errorMessage": "frame_sequence"});
        assert!(parse(&json).is_none());
    }

    #[test]
    fn medians_and_budget_verdicts() {
        let runs = |bytes: &[f64]| -> Vec<Run> { bytes.iter().map(|b| parse(&report_json(*b)).unwrap()).collect() };
        let measured = Measured {
            without: runs(&[0.0, 0.0, 0.0]),
            with: runs(&[9000.0, 1000.0, 5000.0]),
            tag: runs(&[9000.0]),
        };
        assert_eq!(median(&measured.with, |r| r.widget_bytes), 5700.0);
        let text = report(&measured);
        assert!(text.contains("widget bytes 5.6 KB of 10 KB (within)"), "{text}");
        let over = Measured {
            without: runs(&[0.0]),
            with: runs(&[20000.0]),
            tag: runs(&[0.0]),
        };
        assert!(report(&over).contains("(OVER)"));
        // FCP 900 against 900.4: rounds to zero, printed without a sign.
        let mut slower = runs(&[0.0]);
        slower[0].fcp_ms = 900.4;
        let zero = report(&Measured {
            without: slower,
            with: runs(&[0.0]),
            tag: runs(&[1000.0]),
        });
        assert!(
            zero.contains("| First Contentful Paint | 900 ms | 900 ms | 0 ms | 900 ms | 0 ms |"),
            "{zero}"
        );
        assert!(
            zero.contains("| the widget's bytes (collector origin) | 0.7 KB | 0.7 KB | 0.0 KB | 1.7 KB | +1.0 KB |"),
            "{zero}"
        );
    }

    #[test]
    fn the_snippet_is_found_and_the_page_script_time_read() {
        let index = "<p>x</p>\n  <script>\n    /* Leadwire: loader */ (function () {})();\n  </script>\n</body>";
        let found = snippet(index).unwrap();
        assert!(
            found.starts_with("<script>\n    /* Leadwire:") && found.ends_with("</script>"),
            "{found}"
        );
        assert_eq!(index.replace(found, ""), "<p>x</p>\n  \n</body>");
        assert!(snippet("<script async src=\"w.js\"></script>").is_none());
        let run = parse(&report_json(1.0)).unwrap();
        assert_eq!(run.page_script_ms, 40.0);
    }

    #[test]
    fn the_demo_page_holds_the_snippet() {
        let index = std::fs::read_to_string(repo_root().join("demo-site/index.html")).unwrap();
        let found = snippet(&index).expect("the deferred snippet");
        assert!(found.contains("'http://127.0.0.1:8787/v1/sites/demo/w.js'"), "{found}");
    }
}
