//! Compiles `sites.toml` (or the file named by LEADWIRE_SITES: TOML, or JSON
//! when it ends in `.json`) into the Worker as JSON, refusing to build when
//! the configuration has a problem.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LEADWIRE_SITES");
    let path = std::env::var("LEADWIRE_SITES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| "sites.toml".into());
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", path.display())));
    let parsed: Result<lead::site::SitesFile, String> = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        toml::from_str(&text).map_err(|e| e.to_string())
    };
    let sites = parsed.unwrap_or_else(|e| fail(&format!("{} is not a valid sites file: {e}", path.display())));
    let problems = sites.problems();
    if !problems.is_empty() {
        fail(&format!(
            "{} has problems:\n  {}",
            path.display(),
            problems.join("\n  ")
        ));
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| fail("cargo sets OUT_DIR"))).join("sites.json");
    let json = serde_json::to_string(&sites).unwrap_or_else(|e| fail(&e.to_string()));
    std::fs::write(&out, json).unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
