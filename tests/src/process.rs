//! Child processes in their own process group, stopped with all their
//! descendants (wrangler starts workerd, chromedriver starts chromium) when
//! the guard drops, on Ctrl-C, and on SIGTERM or SIGHUP.

use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::Duration;

use std::os::unix::process::CommandExt;

/// Groups still running, for the Ctrl-C handler.
static LIVE_GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

pub struct Guarded {
    pub name: String,
    child: Child,
}

impl Guarded {
    pub fn spawn(name: &str, command: &mut Command) -> std::io::Result<Self> {
        let child = command.process_group(0).spawn()?;
        if let Ok(mut groups) = LIVE_GROUPS.lock() {
            groups.push(child.id() as i32);
        }
        Ok(Guarded {
            name: name.to_owned(),
            child,
        })
    }

    /// The process id, which is also its group's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end; its group is still stopped when the guard drops.
    pub fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.child.wait()
    }

    /// `Some(status)` if the process has already ended.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn stop(&mut self) {
        let group = self.child.id() as i32;
        signal_group(group, libc::SIGTERM);
        let ended = crate::wait::until("exit", Duration::from_secs(5), || self.child.try_wait().ok().flatten()).is_ok();
        // SIGKILL the group either way: a grandchild may outlive its parent.
        signal_group(group, libc::SIGKILL);
        if !ended {
            let _ = self.child.wait();
        }
        if let Ok(mut groups) = LIVE_GROUPS.lock() {
            groups.retain(|g| *g != group);
        }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(group: i32, signal: i32) {
    // SAFETY: killpg only sends a signal; a stale group id gives ESRCH, ignored.
    unsafe {
        libc::killpg(group, signal);
    }
}

/// Stops every live group; for a Ctrl-C handler, which then exits.
pub fn stop_all() {
    let groups = LIVE_GROUPS.lock().map(|g| g.clone()).unwrap_or_default();
    for group in groups {
        signal_group(group, libc::SIGTERM);
    }
    std::thread::sleep(Duration::from_millis(500)); // ok: grace period before SIGKILL while exiting
    for group in LIVE_GROUPS.lock().map(|g| g.clone()).unwrap_or_default() {
        signal_group(group, libc::SIGKILL);
    }
}

static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// On Ctrl-C, SIGTERM or SIGHUP (ctrlc's `termination` feature): stop every
/// started process, then exit 130.
pub fn stop_all_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
        stop_all();
        std::process::exit(130);
    });
}

/// True once Ctrl-C is stopping everything: processes ending now are expected.
pub fn stopping() -> bool {
    STOPPING.load(std::sync::atomic::Ordering::SeqCst)
}
