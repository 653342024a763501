//! The operator console's weight: what a browser fetches for `/admin` (the
//! page, its script, its stylesheet), as the Worker serves them from
//! `edge/console/`. It has a budget of its own, and the bench fails over it.

use leadwire_tests::paths::edge_dir;

use super::{gzip_len, Size};
use crate::step::Failure;

/// The budget: the console stays a light page, not an app bundle.
const BUDGET_GZIP: usize = 100 * 1024;
const FILES: [&str; 3] = ["index.html", "console.js", "console.css"];
const WHAT: &str = "operator console at /admin: HTML + JS + CSS";

pub fn size() -> Result<Size, Failure> {
    let dir = edge_dir().join("console");
    let mut all = Vec::new();
    for name in FILES {
        let path = dir.join(name);
        all.extend(std::fs::read(&path).map_err(|e| {
            Failure::new(
                format!("{}: {e}", path.display()),
                "the console's files are in edge/console/",
            )
        })?);
    }
    Ok(Size {
        what: WHAT,
        raw: all.len(),
        gzip: gzip_len(&all),
        budget: Some(BUDGET_GZIP),
    })
}

/// After the run is recorded: a console over its budget fails the bench.
pub fn within_budget(sizes: &[Size]) -> Result<(), Failure> {
    match sizes.iter().find(|s| s.what == WHAT) {
        Some(s) if s.gzip > BUDGET_GZIP => Err(Failure::new(
            format!(
                "the console weighs {} bytes gzip, over its budget of {BUDGET_GZIP}",
                s.gzip
            ),
            "make edge/console/ smaller (the run is recorded in BENCHMARKS.md)",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_is_measured_and_held_to_its_budget() {
        let measured = size().map_err(|e| e.to_string());
        let measured = measured.unwrap_or_else(|e| panic!("{e}"));
        assert!(measured.gzip > 0 && measured.gzip < measured.raw);
        assert!(within_budget(&[measured]).is_ok(), "today's console is within budget");
        let heavy = |gzip| Size {
            what: WHAT,
            raw: gzip * 4,
            gzip,
            budget: Some(BUDGET_GZIP),
        };
        for (gzip, passes) in [(BUDGET_GZIP, true), (BUDGET_GZIP + 1, false)] {
            assert_eq!(within_budget(&[heavy(gzip)]).is_ok(), passes, "{gzip} bytes");
        }
    }
}
