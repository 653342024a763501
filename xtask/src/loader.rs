//! The loader (`w.js`): `widget/loader.js` with `lead`'s tables
//! ([`lead::loader::tables_json`]), the launcher's stylesheet
//! (`widget/src/launcher.css`) and the widget build's version written in,
//! minified by esbuild.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::step::Failure;

#[path = "../../widget/css.rs"]
mod css;

const TABLES: &str = "__LEADWIRE_TABLES__";
const LAUNCHER_CSS: &str = "__LEADWIRE_LAUNCHER_CSS__";
const VERSION: &str = "__LEADWIRE_VERSION__";

/// The widget build's version: the first 16 hex digits of the SHA-256 of its
/// files (glue and wasm), which the loader asks for as `?v=`.
pub fn version(files: &[&Path]) -> Result<String, Failure> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for file in files {
        let bytes = std::fs::read(file)
            .map_err(|e| Failure::new(format!("{}: {e}", file.display()), "run `cargo xtask build`"))?;
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    }
    Ok(hash.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect())
}

/// The loader as served, from the sources under `root`.
pub fn build(root: &Path, version: &str) -> Result<String, Failure> {
    let read = |path: &str| {
        std::fs::read_to_string(root.join(path))
            .map_err(|e| Failure::new(format!("{path}: {e}"), "restore the file from git"))
    };
    let source = read("widget/loader.js")?;
    let css = css::minify(&read("widget/src/launcher.css")?);
    for placeholder in [TABLES, LAUNCHER_CSS, VERSION] {
        if source.matches(placeholder).count() != 1 {
            return Err(Failure::new(
                format!("widget/loader.js must name {placeholder} exactly once"),
                "restore the placeholder the build fills in",
            ));
        }
    }
    let css_literal = serde_json::to_string(&css).map_err(|e| Failure::new(e.to_string(), "report a bug"))?;
    let filled = source
        .replace(TABLES, &lead::loader::tables_json())
        .replace(LAUNCHER_CSS, &css_literal)
        .replace(VERSION, &serde_json::json!(version).to_string());
    minify(&filled)
}

/// esbuild's minifier on standard input (ES2017: every browser that runs the wasm).
fn minify(source: &str) -> Result<String, Failure> {
    let fix = "run `cargo xtask setup` to install esbuild from package-lock.json";
    let mut child = Command::new(leadwire_tests::paths::esbuild())
        .args(["--minify", "--target=es2017", "--log-level=warning"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::new(format!("esbuild: {e}"), fix))?;
    let written = child.stdin.take().map(|mut stdin| stdin.write_all(source.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| Failure::new(format!("esbuild: {e}"), fix))?;
    if !out.status.success() || !matches!(written, Some(Ok(()))) {
        return Err(Failure::new(
            format!(
                "esbuild could not minify the loader: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            "fix the syntax error it names in widget/loader.js",
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| Failure::new(format!("esbuild: {e}"), fix))
}

#[cfg(test)]
mod oracle;
