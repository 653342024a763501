//! The stylesheet minifier, shared by the widget's build script (style.css
//! into the wasm) and `cargo xtask build` (launcher.css into the loader):
//! comments and layout whitespace cost bytes in every visitor's download.

/// Drops comments, joins whitespace runs, and drops the spaces CSS never
/// needs: around `{ } ; , >` and after `:` (the stylesheet writes no `: `
/// inside a selector).
pub fn minify(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    text.push_str(rest);
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(joined.len());
    let tight = |c: char| matches!(c, '{' | '}' | ';' | ',' | '>');
    let chars: Vec<char> = joined.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            if before.is_some_and(|b| tight(b) || b == ':') || after.is_some_and(tight) {
                continue;
            }
        }
        out.push(c);
    }
    out
}
