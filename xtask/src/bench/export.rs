//! The CSV export at scale: 100,000 leads in the local D1, one
//! `GET /v1/admin/leads.csv`, read as it streams. Measured: the time, the
//! bytes, the rows, and workerd's resident memory sampled every 100 ms
//! (before, and the peak while the file streams) — the export must stay flat,
//! not hold the file.

use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadwire_tests::collector::{Collector, CollectorOptions};
use leadwire_tests::paths::TempDir;
use leadwire_tests::receiver::http_agent;
use leadwire_tests::wait::free_port;

use crate::step::Failure;

pub const LEADS: u64 = 100_000;
const TOKEN: &str = "bench-admin-token";
const FIX: &str = "read target/xtask/wrangler-bench-export.log";

pub struct Exported {
    pub leads: u64,
    pub rows: u64,
    pub bytes: u64,
    pub seconds: f64,
    /// Until the first bytes arrived: a streamed export answers at once.
    pub first_byte_seconds: f64,
    pub rss_before_kb: u64,
    pub rss_peak_kb: u64,
}

pub fn run() -> Result<Exported, Failure> {
    measure().map_err(|e| Failure::new(e, FIX))
}

fn measure() -> Result<Exported, String> {
    let state = TempDir::new("leadwire-bench-export").map_err(|e| e.to_string())?;
    let collector = Collector::start(CollectorOptions {
        port: free_port().map_err(|e| e.to_string())?,
        vars: vec![("ADMIN_TOKEN".into(), TOKEN.into())],
        persist_to: state.path().to_path_buf(),
        wrangler_env: None,
        log: crate::step::log_dir().join("wrangler-bench-export.log"),
        sweep_every: None,
    })?;
    let base = collector.base_url.clone();
    let agent = http_agent(Duration::from_secs(600));
    // One real lead, then 100,000 copies of its stored row made by SQLite
    // itself (ids and times differ), so every row is a lead the Worker wrote.
    let template = uuid::Uuid::new_v4().to_string();
    let lead = serde_json::json!({
        "v": 1, "id": template, "site": "demo", "kind": "callback",
        "contact": {"phone": "+7 912 345-67-89", "name": "Анна; \"Бета\"", "email": "anna@example.com"},
        "message": "=1+1 перезвоните после обеда",
        "page": {"url": "http://127.0.0.1:8080/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring&yclid=1"},
        "consent": {"text": "I agree to the processing of my personal data under the privacy policy.", "accepted": true}
    });
    let mut answer = agent
        .post(format!("{base}v1/leads"))
        .header("content-type", "application/json")
        .header("origin", "http://127.0.0.1:8080")
        .send(lead.to_string())
        .map_err(|e| e.to_string())?;
    if answer.status() != 202 {
        let body = answer.body_mut().read_to_string().unwrap_or_default();
        return Err(format!("the template lead was answered {}: {body}", answer.status()));
    }
    collector.query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {LEADS} - 1) \
         INSERT INTO leads (id, site, kind, received_at, lead, spam, spam_reason, fingerprint, phone, email) \
         SELECT printf('%08x-0000-4000-8000-%012x', i, i), site, kind, received_at - i * 1000, \
           replace(lead, id, printf('%08x-0000-4000-8000-%012x', i, i)), spam, spam_reason, fingerprint, phone, email \
         FROM leads, n WHERE id = '{template}'"
    ))?;
    let counted = collector.query("SELECT count(*) AS n FROM leads")?;
    let leads = counted.first().and_then(|r| r["n"].as_u64()).unwrap_or(0);
    if leads != LEADS {
        return Err(format!("seeded {leads} leads, not {LEADS}"));
    }
    let workerd = workerd_pids(collector.pid());
    let rss_before_kb = rss_kb(&workerd);
    let peak = Arc::new(AtomicU64::new(rss_before_kb));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done, workerd) = (Arc::clone(&peak), Arc::clone(&done), workerd.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kb(&workerd), Ordering::Relaxed);
                // Sampling cadence, not a wait for a condition.
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let started = Instant::now();
    let read = (|| -> Result<(u64, u64, f64), String> {
        let mut answer = agent
            .get(format!("{base}v1/admin/leads.csv?site=demo&since=0"))
            .header("authorization", &format!("Bearer {TOKEN}"))
            .call()
            .map_err(|e| e.to_string())?;
        if answer.status() != 200 {
            return Err(format!("the export was answered {}", answer.status()));
        }
        let mut body = answer.body_mut().with_config().limit(u64::MAX).reader();
        let (mut bytes, mut newlines, mut chunk) = (0u64, 0u64, vec![0u8; 64 * 1024]);
        let mut first_byte = None;
        loop {
            let n = body.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            first_byte.get_or_insert_with(|| started.elapsed().as_secs_f64());
            bytes += n as u64;
            newlines += chunk[..n].iter().filter(|b| **b == b'\n').count() as u64;
        }
        Ok((bytes, newlines, first_byte.unwrap_or(f64::NAN)))
    })();
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let (bytes, newlines, first_byte_seconds) = read?;
    // One line per lead plus the header (no field of these leads holds a newline).
    let rows = newlines.saturating_sub(1);
    if rows != LEADS {
        return Err(format!("the export held {rows} rows, not {LEADS}"));
    }
    Ok(Exported {
        leads,
        rows,
        bytes,
        seconds,
        first_byte_seconds,
        rss_before_kb,
        rss_peak_kb: peak.load(Ordering::Relaxed),
    })
}

/// Every `workerd` process under `root` (wrangler starts it as a child).
fn workerd_pids(root: u32) -> Vec<u32> {
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) state ppid …`: comm may hold spaces, so read after the last ')'.
        stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
    };
    let under_root = |mut pid: u32| {
        while let Some(parent) = parent_of(pid) {
            if parent == root {
                return true;
            }
            if parent <= 1 {
                return false;
            }
            pid = parent;
        }
        false
    };
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "workerd")
                && under_root(*pid)
        })
        .collect()
}

fn rss_kb(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .sum()
}

pub fn report(e: &Exported) -> String {
    format!(
        "\n| CSV export (`GET /v1/admin/leads.csv`, streamed) | leads | rows | size | first bytes | all | workerd memory before → peak |\n\
         |---|---:|---:|---:|---:|---:|---:|\n\
         | one request, read as it streams | {} | {} | {:.1} MB | {:.2} s | {:.1} s | {:.0} → {:.0} MB |\n",
        e.leads,
        e.rows,
        e.bytes as f64 / 1e6,
        e.first_byte_seconds,
        e.seconds,
        e.rss_before_kb as f64 / 1024.0,
        e.rss_peak_kb as f64 / 1024.0,
    )
}
