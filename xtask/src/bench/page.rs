//! The widget on the demo landing page, measured by Chromium itself: what
//! the page's critical path carries, when the widget's files are fetched and
//! how, when the launcher becomes visible, layout shifts and long tasks
//! (PerformanceObserver, Navigation and Resource Timing, Event Timing), and
//! the bytes on the wire (Chromium's network log). Headless Debian Chromium
//! driven by chromedriver, as in the end-to-end tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use leadwire_tests::collector::{Collector, CollectorOptions};
use leadwire_tests::paths::{repo_root, TempDir};
use leadwire_tests::static_site::StaticSite;
use leadwire_tests::wait::port_in_use;

use super::webdriver::{Browser, Driver};
use crate::step::Failure;

/// The demo page names both: its snippet loads `w.js` from :8787, and :8080
/// is the only origin the demo site's config allows.
const COLLECTOR_PORT: u16 = 8787;
const SITE_PORT: u16 = 8080;
const COLLECTOR: &str = "http://127.0.0.1:8787/";
const PAGE: &str = "http://127.0.0.1:8080/";

/// Runs per variant; each cold run is a fresh browser profile (empty cache).
const RUNS: usize = 10;
const SLOW_RUNS: usize = 5;
/// DevTools' CPU throttling for the "slow phone" variant.
const SLOW_CPU: f64 = 4.0;
/// How long to keep watching after the launcher shows and after the dialog
/// opens, for late shifts and long tasks (page time, so throttling stretches
/// the work, not the window).
const SETTLE_MS: f64 = 1_000.0;

/// The widget-cost issue's budgets, on the median run: the launcher after the
/// load event; the dialog after a cold click at full speed and at 4× CPU.
const LAUNCHER_BUDGET_MS: f64 = 300.0;
const OPEN_BUDGET_MS: f64 = 100.0;
const SLOW_OPEN_BUDGET_MS: f64 = 300.0;
const LONG_TASK_MS: f64 = 50.0;

/// Installed before any of the page's scripts run
/// (`Page.addScriptToEvaluateOnNewDocument`), so no entry is missed.
const OBSERVE: &str = r#"(() => {
  const m = window.__leadwireBench = { shifts: [], longTasks: [], frames: [], events: [], unsupported: [], launcherInDom: null, launcherVisible: null, clickAt: null, dialogVisible: null };
  const describe = n => !n ? '(removed)' : n.nodeName.toLowerCase() + (n.id ? '#' + n.id : '')
    + (typeof n.className === 'string' && n.className.trim() ? '.' + n.className.trim().split(/\s+/).join('.') : '');
  const observe = (type, keep, extra) => {
    try { new PerformanceObserver(list => list.getEntries().forEach(keep)).observe(Object.assign({ type, buffered: true }, extra)); }
    catch (e) { m.unsupported.push(type); }
  };
  observe('layout-shift', e => m.shifts.push({ at: e.startTime, value: e.value, input: e.hadRecentInput, sources: (e.sources || []).map(s => describe(s.node)) }));
  observe('longtask', e => m.longTasks.push({ at: e.startTime, duration: e.duration }));
  // Long animation frames name the scripts that ran in them: who made a long task.
  observe('long-animation-frame', e => { if (e.blockingDuration > 0) m.frames.push({ at: e.startTime, end: e.startTime + e.duration,
    rendering: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
    scripts: e.scripts.map(s => ({ invoker: s.invoker, source: s.sourceURL.split('/').pop(), duration: s.duration })) }); });
  observe('event', e => { if (e.interactionId) m.events.push({ at: e.startTime, duration: e.duration, name: e.name }); }, { durationThreshold: 16 });
  const launcher = () => { const h = document.querySelector('leadwire-widget'); return h && h.shadowRoot ? h.shadowRoot.querySelector('.launcher') : null; };
  const shown = b => { const r = b.getBoundingClientRect();
    return b.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && r.width > 0 && r.height > 0
      && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth; };
  // From the moment the launcher is in the DOM, the first animation frame
  // that finds it visible (the frame that paints it).
  const frames = () => requestAnimationFrame(function frame() {
    const b = launcher();
    if (b && shown(b)) m.launcherVisible = performance.now(); else requestAnimationFrame(frame);
  });
  const found = () => {
    if (m.launcherInDom === null && launcher()) { m.launcherInDom = performance.now(); frames(); }
    return m.launcherInDom !== null;
  };
  // The visitor's click (its event time), then the first animation frame that finds the dialog visible.
  const panel = () => { const h = document.querySelector('leadwire-widget'); return h && h.shadowRoot ? h.shadowRoot.querySelector('.panel') : null; };
  addEventListener('click', e => {
    if (!e.isTrusted || m.clickAt !== null) return;
    m.clickAt = e.timeStamp;
    requestAnimationFrame(function frame() {
      const p = panel();
      if (p && p.checkVisibility()) m.dialogVisible = performance.now(); else requestAnimationFrame(frame);
    });
  }, true);
  const roots = new WeakSet();
  new MutationObserver((_, page) => {
    if (found()) return page.disconnect();
    const h = document.querySelector('leadwire-widget');
    if (h && h.shadowRoot && !roots.has(h.shadowRoot)) {
      roots.add(h.shadowRoot);
      new MutationObserver((_, root) => { if (found()) root.disconnect(); }).observe(h.shadowRoot, { childList: true, subtree: true });
    }
  }).observe(document, { childList: true, subtree: true });
})();
//# sourceURL=bench-probe.js"#;

const COLLECT: &str = r#"const m = window.__leadwireBench, nav = performance.getEntriesByType('navigation')[0];
return {
  loadEventEnd: nav.loadEventEnd, launcherVisible: m.launcherVisible,
  shifts: m.shifts, longTasks: m.longTasks, frames: m.frames, events: m.events, unsupported: m.unsupported,
  resources: performance.getEntriesByType('resource').map(r => ({ name: r.name, start: r.startTime,
    renderBlocking: r.renderBlockingStatus || '' }))
};"#;

/// One page view, times relative to the end of the page's load event.
struct Run {
    /// Navigation start → the end of the load event.
    load_ms: f64,
    /// Files requested from the collector before the load event ended.
    before_load: Vec<String>,
    /// Resource Timing's `renderBlockingStatus` of `w.js`.
    loader_render_blocking: bool,
    /// The first request for the glue or the wasm (negative: before load).
    widget_fetch_ms: f64,
    /// As Chromium's network log saw the response; `application/wasm` is what
    /// lets wasm-bindgen's glue compile while downloading.
    wasm_media_type: String,
    launcher_ms: f64,
    /// Layout shifts without recent input, summed.
    cls: f64,
    shift_sources: Vec<String>,
    long_tasks: Vec<LongTask>,
    /// Event Timing's duration of the click that opens the dialog.
    open_ms: Option<f64>,
    /// From the click to the dialog visible: the widget is fetched (unless a
    /// hover did) and started on the click.
    visible_ms: f64,
    /// When each file of the collector was requested, relative to load.
    starts: BTreeMap<String, f64>,
    /// Bytes on the wire per file of the collector (0: from the cache).
    wire: BTreeMap<String, u64>,
}

struct LongTask {
    /// Relative to the end of the load event.
    at: f64,
    duration: f64,
    /// What the long animation frame around it spent its time on.
    frame: Frame,
    /// Not the page's own: it ends after the widget's first request, or a
    /// script of the collector's runs in it.
    widgets: bool,
}

#[derive(Default)]
struct Frame {
    /// Each script over 5 ms, longest first: "invoker in file (duration)".
    scripts: Vec<String>,
    /// The files those scripts came from.
    sources: Vec<String>,
    /// Style, layout and paint at its end.
    rendering_ms: f64,
}

pub struct Variant {
    name: String,
    runs: Vec<Run>,
    /// Click → dialog visible, on the median run.
    open_budget_ms: f64,
}

/// Starts the demo site, the collector (production build) and chromedriver
/// on the ports the demo page names, measures, and stops them all.
pub fn run() -> Result<Vec<Variant>, Failure> {
    for port in [COLLECTOR_PORT, SITE_PORT] {
        if port_in_use(port) {
            return Err(Failure::new(
                format!("127.0.0.1:{port} is taken; the demo page's snippet and allowed origin name this port"),
                "stop what listens there (`cargo xtask demo`? the end-to-end tests?) and run the bench again",
            ));
        }
    }
    let logs = crate::step::log_dir();
    measure(&logs).map_err(|e| {
        Failure::new(
            e,
            "read target/xtask/wrangler-bench-page.log and target/xtask/chromedriver-bench.log",
        )
    })
}

fn measure(logs: &Path) -> Result<Vec<Variant>, String> {
    let state = TempDir::new("leadwire-bench-page").map_err(|e| e.to_string())?;
    let _site = StaticSite::start(vec![repo_root().join("demo-site")], SITE_PORT)?;
    let _collector = Collector::start(CollectorOptions {
        port: COLLECTOR_PORT,
        vars: Vec::new(),
        persist_to: state.path().to_path_buf(),
        wrangler_env: None,
        log: logs.join("wrangler-bench-page.log"),
        sweep_every: None,
    })?;
    let driver = Driver::start(&logs.join("chromedriver-bench.log"))?;
    let (mut cold, mut warm, mut slow) = (Vec::new(), Vec::new(), Vec::new());
    // Unrecorded: the first Chromium start pays for the machine's cold file
    // cache (binary, fonts), which no visitor's page view does.
    driver.browser(None, OBSERVE)?.view(PAGE)?;
    for _ in 0..RUNS {
        let browser = driver.browser(None, OBSERVE)?;
        cold.push(browser.view(PAGE)?);
        warm.push(browser.view(PAGE)?);
    }
    for _ in 0..SLOW_RUNS {
        slow.push(driver.browser(Some(SLOW_CPU), OBSERVE)?.view(PAGE)?);
    }
    Ok(vec![
        Variant {
            name: "first visit, empty cache".into(),
            runs: cold,
            open_budget_ms: OPEN_BUDGET_MS,
        },
        Variant {
            name: "next visit, warm cache".into(),
            runs: warm,
            open_budget_ms: OPEN_BUDGET_MS,
        },
        Variant {
            name: format!("first visit, CPU {SLOW_CPU}× slower"),
            runs: slow,
            open_budget_ms: SLOW_OPEN_BUDGET_MS,
        },
    ])
}

impl Browser<'_> {
    /// Waits until `ms` of page time have passed since `since` (page time).
    fn watch(&self, since: f64, ms: f64) -> Result<(), String> {
        let script = format!("return performance.now() >= {} ? true : null", since + ms);
        self.wait_for("the page to run on", Duration::from_secs(60), &script)
            .map(drop)
    }

    /// A real (trusted) click, as a visitor's, at the centre of the launcher.
    fn click_launcher(&self) -> Result<(), String> {
        let centre = self.script(
            "const r = document.querySelector('leadwire-widget').shadowRoot.querySelector('.launcher').getBoundingClientRect();
             return [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)];",
        )?;
        let (x, y) = (centre[0].as_i64().unwrap_or(0), centre[1].as_i64().unwrap_or(0));
        let pointer = json!({ "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" }, "actions": [
            { "type": "pointerMove", "duration": 0, "origin": "viewport", "x": x, "y": y },
            { "type": "pointerDown", "button": 0 },
            { "type": "pointerUp", "button": 0 }
        ]});
        self.post("/actions", json!({ "actions": [pointer] })).map(drop)
    }

    /// Opens `url`, waits for the launcher, watches on, opens the dialog,
    /// watches on, and reads what Chromium recorded.
    fn view(&self, url: &str) -> Result<Run, String> {
        self.network_log()?; // what earlier page views left
        self.post("/url", json!({ "url": url }))?;
        self.wait_for(
            "the load event to end",
            Duration::from_secs(60),
            "const n = performance.getEntriesByType('navigation')[0]; return n && n.loadEventEnd > 0 ? n.loadEventEnd : null;",
        )?;
        let visible = self.wait_for(
            "the launcher to be visible",
            Duration::from_secs(60),
            "return window.__leadwireBench.launcherVisible",
        )?;
        self.watch(visible.as_f64().unwrap_or(0.0), SETTLE_MS)?;
        self.click_launcher()?;
        // The dialog is added by the widget, which the click starts. Timed in
        // the page, from the click event to the frame that shows the dialog
        // (not from the driver's round trips or its polling).
        let opened = self.wait_for(
            "the dialog to open",
            Duration::from_secs(30),
            "const m = window.__leadwireBench;
             return m.dialogVisible === null ? null : [m.clickAt, m.dialogVisible];",
        )?;
        let at = |i: usize| opened.get(i).and_then(Value::as_f64).unwrap_or(f64::NAN);
        let (clicked, shown) = (at(0), at(1));
        self.watch(shown, SETTLE_MS)?;
        let page = self.script(COLLECT)?;
        let network = self.network_log()?;
        let mut run = Run::read(&page, &network)?;
        run.visible_ms = shown - clicked;
        Ok(run)
    }
}

/// The collector's path of a URL, without its query (`w.js`, `leadwire_bg.wasm`).
fn collector_file(url: &str) -> Option<String> {
    let path = url.strip_prefix(COLLECTOR)?;
    Some(path.split(['?', '#']).next().unwrap_or(path).to_owned())
}

fn number(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

const WIDGET_FILES: [&str; 2] = ["leadwire.js", "leadwire_bg.wasm"];

/// The loader: the static `w.js` (the one-line tag) or a site's own
/// `v1/sites/{site}/w.js` (the deferred snippet), under the collector.
fn is_loader(file: &str) -> bool {
    file == "w.js" || (file.starts_with("v1/sites/") && file.ends_with("/w.js"))
}

impl Run {
    fn read(page: &Value, network: &[Value]) -> Result<Run, String> {
        // The budgets need these two; the others only explain.
        let unsupported: Vec<&str> = list(page, "unsupported")
            .filter_map(Value::as_str)
            .filter(|t| ["layout-shift", "longtask"].contains(t))
            .collect();
        if !unsupported.is_empty() {
            return Err(format!("this Chromium cannot observe {unsupported:?}"));
        }
        let load = number(page, "loadEventEnd");
        let resources: Vec<(String, &Value)> = list(page, "resources")
            .filter_map(|r| Some((collector_file(r.get("name")?.as_str()?)?, r)))
            .collect();
        let before_load = resources
            .iter()
            .filter(|(_, r)| number(r, "start") < load)
            .map(|(file, _)| file.clone())
            .collect();
        let loader_render_blocking = resources
            .iter()
            .any(|(file, r)| is_loader(file) && r.get("renderBlocking").and_then(Value::as_str) == Some("blocking"));
        let widget_fetch_ms = resources
            .iter()
            .filter(|(file, _)| WIDGET_FILES.contains(&file.as_str()))
            .map(|(_, r)| number(r, "start") - load)
            .reduce(f64::min)
            .ok_or("the page never requested the widget's glue or wasm")?;
        let (wire, media_types) = wire_bytes(network);
        let wasm_media_type = media_types.get("leadwire_bg.wasm").cloned().unwrap_or_default();
        let shifts: Vec<&Value> = list(page, "shifts")
            .filter(|s| s.get("input") != Some(&Value::Bool(true)))
            .collect();
        let shift_sources = shifts
            .iter()
            .flat_map(|s| list(s, "sources").filter_map(Value::as_str).map(str::to_owned))
            .collect();
        Ok(Run {
            load_ms: load,
            before_load,
            loader_render_blocking,
            widget_fetch_ms,
            wasm_media_type,
            launcher_ms: number(page, "launcherVisible") - load,
            cls: shifts.iter().map(|s| number(s, "value")).fold(0.0, |sum, v| sum + v),
            shift_sources,
            long_tasks: list(page, "longTasks")
                .map(|t| {
                    let (at, duration) = (number(t, "at") - load, number(t, "duration"));
                    let frame = frame_around(page, number(t, "at"));
                    let widgets = at + duration > widget_fetch_ms
                        || frame
                            .sources
                            .iter()
                            .any(|s| is_loader(s) || WIDGET_FILES.contains(&s.as_str()));
                    LongTask {
                        at,
                        duration,
                        frame,
                        widgets,
                    }
                })
                .collect(),
            open_ms: list(page, "events").map(|e| number(e, "duration")).reduce(f64::max),
            visible_ms: f64::NAN,
            starts: resources
                .iter()
                .map(|(file, r)| (file.clone(), number(r, "start") - load))
                .collect(),
            wire,
        })
    }
}

/// The long animation frame that holds the task starting at `at`.
fn frame_around(page: &Value, at: f64) -> Frame {
    let Some(frame) = list(page, "frames").find(|f| number(f, "at") <= at && at < number(f, "end")) else {
        return Frame::default();
    };
    let mut scripts: Vec<&Value> = list(frame, "scripts").collect();
    scripts.sort_by(|a, b| number(b, "duration").total_cmp(&number(a, "duration")));
    let field = |s: &Value, k: &str| s.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    Frame {
        scripts: scripts
            .iter()
            .map(|s| {
                format!(
                    "{} in {} ({})",
                    field(s, "invoker"),
                    field(s, "source"),
                    ms(number(s, "duration"))
                )
            })
            .collect(),
        sources: scripts.iter().map(|s| field(s, "source")).collect(),
        rendering_ms: number(frame, "rendering"),
    }
}

/// Bytes on the wire (headers included) and media type per collector file,
/// from Chromium's `Network.*` events.
fn wire_bytes(events: &[Value]) -> (BTreeMap<String, u64>, BTreeMap<String, String>) {
    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    let (mut bytes, mut media_types) = (BTreeMap::new(), BTreeMap::new());
    for event in events {
        let params = &event["params"];
        let Some(request) = params["requestId"].as_str() else {
            continue;
        };
        match event["method"].as_str().unwrap_or("") {
            "Network.requestWillBeSent" => {
                if let Some(file) = params["request"]["url"].as_str().and_then(collector_file) {
                    files.insert(request, file);
                }
            }
            "Network.responseReceived" => {
                if let (Some(file), Some(media)) = (files.get(request), params["response"]["mimeType"].as_str()) {
                    media_types.insert(file.clone(), media.to_owned());
                }
            }
            "Network.loadingFinished" => {
                if let Some(file) = files.get(request) {
                    *bytes.entry(file.clone()).or_insert(0) +=
                        params["encodedDataLength"].as_f64().unwrap_or(0.0) as u64;
                }
            }
            _ => {}
        }
    }
    (bytes, media_types)
}

/// Lower median (a value some run really had) and the worst in `worse`'s sense.
fn median_and_worst(mut values: Vec<f64>, worse: fn(f64, f64) -> f64) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let median = values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(f64::NAN);
    let worst = values.iter().copied().reduce(worse).unwrap_or(f64::NAN);
    (median, worst)
}

fn mark(pass: bool) -> &'static str {
    if pass {
        "✓"
    } else {
        "✗"
    }
}

fn ms(v: f64) -> String {
    format!("{v:.0} ms")
}

/// "Widget on the page (Chromium)": each budget per variant, then the
/// numbers behind them.
pub fn report(variants: &[Variant]) -> String {
    let header = variants
        .iter()
        .map(|v| format!(" {} ({} runs) |", v.name, v.runs.len()))
        .collect::<String>();
    let mut out = format!(
        "### Widget on the page (Chromium)\n\n\
         demo-site/index.html in headless Chromium; each cell: median / worst run.\n\n\
         | budget |{header}\n|---|{}\n",
        "---|".repeat(variants.len())
    );
    let row = |budget: &str, cell: &dyn Fn(&[Run]) -> String| {
        let cells: String = variants.iter().map(|v| format!(" {} |", cell(&v.runs))).collect();
        format!("| {budget} |{cells}\n")
    };
    out += &row("critical path: the loader only, not render-blocking", &|runs| {
        let extra: BTreeSet<&str> = runs
            .iter()
            .flat_map(|r| r.before_load.iter().map(String::as_str))
            .filter(|f| !is_loader(f))
            .collect();
        let blocking = runs.iter().any(|r| r.loader_render_blocking);
        match (extra.is_empty(), blocking) {
            (true, false) => "the loader only, non-blocking ✓".into(),
            (true, true) => "the loader, render-blocking ✗".into(),
            (false, _) => format!("also {} ✗", extra.into_iter().collect::<Vec<_>>().join(", ")),
        }
    });
    out += &row(
        "glue and wasm (the CSS is inside) fetched after the load event",
        &|runs| {
            let (median, earliest) = median_and_worst(runs.iter().map(|r| r.widget_fetch_ms).collect(), f64::min);
            format!("{median:+.0} ms / {earliest:+.0} ms {}", mark(earliest >= 0.0))
        },
    );
    out += &row("streaming compilation (wasm served as application/wasm)", &|runs| {
        let types: BTreeSet<&str> = runs.iter().map(|r| r.wasm_media_type.as_str()).collect();
        let all = types.into_iter().collect::<Vec<_>>().join(", ");
        let pass = runs.iter().all(|r| r.wasm_media_type == "application/wasm");
        format!("{all} {}", mark(pass))
    });
    out += &row(
        &format!(
            "launcher visible ≤ {} after the load event (median)",
            ms(LAUNCHER_BUDGET_MS)
        ),
        &|runs| {
            let (median, worst) = median_and_worst(runs.iter().map(|r| r.launcher_ms).collect(), f64::max);
            format!("{} / {} {}", ms(median), ms(worst), mark(median <= LAUNCHER_BUDGET_MS))
        },
    );
    let opened: String = variants
        .iter()
        .map(|v| {
            let (median, worst) = median_and_worst(v.runs.iter().map(|r| r.visible_ms).collect(), f64::max);
            let budget = v.open_budget_ms;
            format!(
                " {} / {} (≤ {}) {} |",
                ms(median),
                ms(worst),
                ms(budget),
                mark(median <= budget)
            )
        })
        .collect();
    out += &format!(
        "| opening the dialog: from the click event to the first frame that shows it (median), the widget fetched and started on the click |{opened}\n"
    );
    out += &row("no layout shift (CLS 0)", &|runs| {
        let (median, worst) = median_and_worst(runs.iter().map(|r| r.cls).collect(), f64::max);
        format!("{median:.3} / {worst:.3} {}", mark(worst == 0.0))
    });
    out += &row(
        &format!("no long task over {}, at any time (the widget's)", ms(LONG_TASK_MS)),
        &|runs| {
            let widgets = |r: &Run| r.long_tasks.iter().filter(|t| t.widgets).count() as f64;
            let (median, worst) = median_and_worst(runs.iter().map(widgets).collect(), f64::max);
            let longest = runs
                .iter()
                .flat_map(|r| r.long_tasks.iter().filter(|t| t.widgets).map(|t| t.duration))
                .reduce(f64::max);
            let longest = longest.map(|l| format!(", longest {}", ms(l))).unwrap_or_default();
            format!("{median:.0} / {worst:.0} tasks{longest} {}", mark(worst == 0.0))
        },
    );
    out += &format!("\n| also measured |{header}\n|---|{}\n", "---|".repeat(variants.len()));
    out += &row("load event end (from navigation start)", &|runs| {
        let (median, worst) = median_and_worst(runs.iter().map(|r| r.load_ms).collect(), f64::max);
        format!("{} / {}", ms(median), ms(worst))
    });
    out += &row("opening the dialog: the click's Event Timing duration", &|runs| {
        let (median, worst) = median_and_worst(runs.iter().filter_map(|r| r.open_ms).collect(), f64::max);
        format!("{} / {}", ms(median), ms(worst))
    });
    out += &row(
        "requests after the load event: glue → wasm → config (median start)",
        &|runs| {
            let start = |file: &str| {
                let (median, _) = median_and_worst(
                    runs.iter().filter_map(|r| r.starts.get(file).copied()).collect(),
                    f64::max,
                );
                format!("+{median:.0}")
            };
            format!(
                "{} → {} → {} ms",
                start("leadwire.js"),
                start("leadwire_bg.wasm"),
                start("v1/sites/demo/config")
            )
        },
    );
    let files: BTreeSet<&String> = variants
        .iter()
        .flat_map(|v| v.runs.iter().flat_map(|r| r.wire.keys()))
        .collect();
    for file in files {
        out += &row(&format!("`{file}` on the wire (bytes, headers included)"), &|runs| {
            let bytes = |r: &Run| r.wire.get(file).copied().unwrap_or(0) as f64;
            let (median, worst) = median_and_worst(runs.iter().map(bytes).collect(), f64::max);
            format!("{median:.0} / {worst:.0}")
        });
    }
    out += &offenders(variants);
    out
}

/// Each long task and shifted node, where and when, to say who broke a budget.
fn offenders(variants: &[Variant]) -> String {
    let mut lines = Vec::new();
    for v in variants {
        for (i, r) in v.runs.iter().enumerate() {
            for task in &r.long_tasks {
                let whose = if task.widgets {
                    ""
                } else {
                    " (the page's own, before the widget's first request)"
                };
                let mut parts = task.frame.scripts.clone();
                if task.frame.rendering_ms >= 5.0 {
                    parts.push(format!("rendering {}", ms(task.frame.rendering_ms)));
                }
                let inside = match parts.is_empty() {
                    true => String::new(),
                    false => format!(": {}", parts.join("; ")),
                };
                lines.push(format!(
                    "- {}, run {}: long task of {} at {:+.0} ms from the load event{whose}{inside}",
                    v.name,
                    i + 1,
                    ms(task.duration),
                    task.at.round() + 0.0
                ));
            }
            if r.cls > 0.0 {
                lines.push(format!(
                    "- {}, run {}: layout shift {:.4} ({})",
                    v.name,
                    i + 1,
                    r.cls,
                    r.shift_sources.join(", ")
                ));
            }
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    format!("\n{}\n", lines.join("\n"))
}
