//! Builds the widget into `edge/public` (served by the Worker as static
//! assets) and the Worker itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use leadwire_tests::paths::{edge_dir, node_bin, repo_root};

use crate::step::{run, step, Failure};

/// What `wasm-opt` may assume of the browsers we support (all current ones).
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-reference-types",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
];

/// Static-asset headers: the widget is imported from other origins (CORS),
/// a site's own monitoring may time it (Timing-Allow-Origin), and the loader
/// stays short-cached so a deploy reaches every site quickly. The loader asks
/// for glue and wasm under the build's version (`?v=`, [`crate::loader`]), so
/// they are cached for a year: a visitor who opened the widget once opens it
/// again from the cache, offline too, and a loader never pairs with another
/// build's glue or wasm once its own cached copy has expired.
const ASSET_HEADERS: &str = "/*
  Access-Control-Allow-Origin: *
  Timing-Allow-Origin: *
  X-Content-Type-Options: nosniff
/w.js
  Cache-Control: public, max-age=300
/leadwire.js
  Cache-Control: public, max-age=31536000, immutable
/leadwire_bg.wasm
  Cache-Control: public, max-age=31536000, immutable
";

pub fn all() -> Result<(), Failure> {
    widget()?;
    edge()
}

pub fn public_dir() -> PathBuf {
    edge_dir().join("public")
}

pub fn widget() -> Result<(), Failure> {
    let root = repo_root();
    let staging = root.join("target/widget");
    let public = public_dir();
    step("Building the widget (Rust → wasm)", || {
        run(
            Command::new(env!("CARGO")).current_dir(&root).args([
                "build",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "leadwire-widget",
            ]),
            "build-widget",
            "fix the compile error shown above in widget/ or lead/",
        )
    })?;
    step(
        "Generating the widget's JS glue (wasm-bindgen), shrinking wasm and glue (wasm-opt, esbuild)",
        || {
            run(
                Command::new(crate::setup::wasm_bindgen())
                    .args([
                        "--target",
                        "web",
                        "--no-typescript",
                        "--out-name",
                        "leadwire",
                        "--out-dir",
                    ])
                    .arg(&staging)
                    .arg(root.join("target/wasm32-unknown-unknown/release/leadwire_widget.wasm")),
                "wasm-bindgen-widget",
                "run `cargo xtask setup`: the wasm-bindgen CLI must match Cargo.lock",
            )?;
            std::fs::create_dir_all(&public).map_err(|e| io_failure(&public, e))?;
            run(
                Command::new(node_bin("wasm-opt"))
                    .arg("-Oz")
                    .args(WASM_FEATURES)
                    .arg(staging.join("leadwire_bg.wasm"))
                    .arg("-o")
                    .arg(public.join("leadwire_bg.wasm")),
                "wasm-opt-widget",
                "run `cargo xtask setup` to install binaryen from package-lock.json",
            )?;
            run(
                Command::new(leadwire_tests::paths::esbuild())
                    .arg(staging.join("leadwire.js"))
                    .args(["--minify", "--format=esm", "--log-level=warning"])
                    .arg(format!("--outfile={}", public.join("leadwire.js").display())),
                "esbuild-widget-glue",
                "run `cargo xtask setup` to install esbuild from package-lock.json",
            )?;
            let version = crate::loader::version(&[&public.join("leadwire.js"), &public.join("leadwire_bg.wasm")])?;
            write(&public.join("w.js"), &crate::loader::build(&root, &version)?)?;
            write(&public.join("_headers"), ASSET_HEADERS)
        },
    )
}

/// `worker-build --release` with the installed wasm-bindgen and npm's esbuild.
pub fn edge() -> Result<(), Failure> {
    step("Building the Worker (worker-build --release)", || {
        run(
            leadwire_tests::collector::build_env(&mut Command::new(leadwire_tests::paths::cargo_bin("worker-build")))
                .current_dir(edge_dir())
                .arg("--release"),
            "build-edge",
            "fix the compile error shown above in edge/ or lead/",
        )
    })
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| io_failure(path, e))
}

fn io_failure(path: &Path, e: std::io::Error) -> Failure {
    Failure::new(format!("{}: {e}", path.display()), "check permissions and disk space")
}
