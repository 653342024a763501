//! Minifies the widget's stylesheet into `OUT_DIR` (see `css.rs`).

mod css;

fn main() {
    println!("cargo:rerun-if-changed=src/style.css");
    println!("cargo:rerun-if-changed=css.rs");
    let source = std::fs::read_to_string("src/style.css").expect("widget/src/style.css is readable");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("style.css");
    std::fs::write(out, css::minify(&source)).expect("OUT_DIR is writable");
}
