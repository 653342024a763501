//! The console's files, read as text: nothing in them may turn data into
//! markup or run code the CSP would have to allow, and every text the script
//! asks for exists in both languages.

use super::files;

fn file(name: &str) -> &'static str {
    files()
        .find(|(n, _)| *n == name)
        .map(|(_, body)| body)
        .unwrap_or_else(|| panic!("the console serves {name:?}"))
}

#[test]
fn no_api_that_parses_html_or_evaluates_strings() {
    let script = file("console.js");
    for banned in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "setAttribute('style'",
        "DOMParser",
    ] {
        assert!(!script.contains(banned), "console.js uses {banned}");
    }
}

#[test]
fn the_page_loads_only_its_own_files_with_nothing_inline() {
    let page = file("");
    assert!(page.contains(r#"<script src="/admin/console.js" defer></script>"#));
    assert!(page.contains(r#"<link rel="stylesheet" href="/admin/console.css">"#));
    // Inline scripts, styles and handlers are refused by script-src/style-src 'self'.
    assert_eq!(page.matches("<script").count(), 1, "one script, by src");
    for inline in ["<style", " style=", " onclick=", " onload=", "javascript:"] {
        assert!(!page.contains(inline), "index.html has {inline}");
    }
}

#[test]
fn every_text_asked_for_exists_in_english_and_russian() {
    let script = file("console.js");
    let table_start = script.find("const TEXT = {").expect("the text table");
    let table_end = table_start + script[table_start..].find("\n  };").expect("the table's end");
    let table = &script[table_start..table_end];
    // Rows are `id: ['English', 'Russian'],` (long ones span lines).
    let rows: Vec<&str> = table
        .lines()
        .filter_map(|l| l.trim().split_once(": ["))
        .map(|(id, _)| id)
        .collect();
    assert!(rows.len() > 50, "the table was read: {rows:?}");
    let mut asked = 0;
    for (i, _) in script.match_indices("t('") {
        let rest = &script[i + 3..];
        let id = &rest[..rest.find('\'').unwrap_or(0)];
        // `t(` inside a longer name (`split('`) is not a lookup.
        if script[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        assert!(rows.contains(&id), "t('{id}') has no row in TEXT");
        asked += 1;
    }
    assert!(asked > 50, "the lookups were found ({asked})");
    for row in table
        .lines()
        .filter(|l| l.trim_end().ends_with("],") && l.contains(": ["))
    {
        assert_eq!(
            row.matches("', '").count(),
            1,
            "one English and one Russian text: {row}"
        );
    }
}
