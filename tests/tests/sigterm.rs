//! `cargo xtask demo` (and the test stack) stopped by SIGTERM, as a process
//! manager or `timeout` stops it, must stop every process it started, as on
//! Ctrl-C: a `wrangler dev` left behind holds port 8787 and the next start fails.
//!
//! The test runs itself a second time as the parent under test (an env var
//! says which role), which starts a guarded child and waits to be stopped.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use leadwire_tests::process::{stop_all_on_ctrl_c, Guarded};
use leadwire_tests::wait::until;

const ROLE: &str = "LEADWIRE_SIGTERM_PARENT";

/// Whether `pid` is still a running process (a zombie counts as ended).
fn running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

#[test]
fn sigterm_stops_every_started_process() {
    if std::env::var_os(ROLE).is_some() {
        // The parent under test: a guarded child, its pid on stdout, then wait.
        stop_all_on_ctrl_c();
        let child = Guarded::spawn("sleeper", Command::new("sleep").arg("300")).expect("sleep starts");
        println!("child {}", child.pid());
        std::thread::sleep(Duration::from_secs(300)); // ok: this process waits to be stopped
        return;
    }
    let mut parent = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "sigterm_stops_every_started_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ROLE, "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the parent under test starts");
    let stdout = parent.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // libtest prints the test's name on the same line first.
            if let Some(pid) = line.rsplit("child ").next().and_then(|p| p.trim().parse::<i32>().ok()) {
                let _ = tx.send(pid);
            }
        }
    });
    let child = rx.recv_timeout(Duration::from_secs(30));
    // SAFETY: kill only sends a signal to the process this test started.
    unsafe {
        libc::kill(parent.id() as i32, libc::SIGTERM);
    }
    let child = child.unwrap_or_else(|_| {
        let _ = parent.kill();
        panic!("the parent under test never started its child")
    });
    let ended = until("the parent to exit", Duration::from_secs(10), || {
        parent.try_wait().ok().flatten()
    });
    if ended.is_err() {
        let _ = parent.kill();
    }
    let stopped = until("the child to be stopped", Duration::from_secs(10), || {
        (!running(child)).then_some(())
    });
    if stopped.is_err() {
        // SAFETY: only the sleep this test caused to be started.
        unsafe {
            libc::kill(child, libc::SIGKILL);
        }
    }
    assert!(ended.is_ok(), "SIGTERM did not end the parent");
    assert!(stopped.is_ok(), "SIGTERM left the parent's child {child} running");
}
