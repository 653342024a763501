//! One progress line per step; a failing step says what failed and what to do.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

#[derive(Debug)]
pub struct Failure {
    pub what: String,
    pub fix: String,
}

impl Failure {
    pub fn new(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Failure {
            what: what.into(),
            fix: fix.into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}\nwhat to do: {}", self.what, self.fix)
    }
}

/// Prints a heading for work whose own output follows.
pub fn announce(title: &str) {
    println!("==> {title}");
}

/// Runs one step, printing `==> title … ok (1.2 s)` or `FAILED`.
pub fn step<T>(title: &str, work: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    print!("==> {title} … ");
    let _ = std::io::stdout().flush();
    let started = Instant::now();
    let result = work();
    match &result {
        Ok(_) => println!("ok ({:.1} s)", started.elapsed().as_secs_f64()),
        Err(_) => println!("FAILED"),
    }
    result
}

/// Where step logs go.
pub fn log_dir() -> PathBuf {
    let dir = leadwire_tests::paths::repo_root().join("target/xtask");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Runs `command` with its output in `target/xtask/<log>.log`; on failure the
/// error shows the log's end and `fix`.
pub fn run(command: &mut Command, log: &str, fix: &str) -> Result<(), Failure> {
    let path = log_dir().join(format!("{log}.log"));
    let file = std::fs::File::create(&path)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", path.display()), "check disk space"))?;
    let status = command
        .stdout(file.try_clone().map_err(|e| Failure::new(e.to_string(), fix))?)
        .stderr(file)
        .status()
        .map_err(|e| Failure::new(format!("cannot start {:?}: {e}", command.get_program()), fix))?;
    if status.success() {
        return Ok(());
    }
    Err(Failure::new(
        format!(
            "{:?} failed ({status}); the end of {}:\n{}",
            command.get_program(),
            path.display(),
            leadwire_tests::collector::log_tail(&path, 20)
        ),
        fix,
    ))
}

/// Runs `command` and returns its stdout, or `None` if it cannot run or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
