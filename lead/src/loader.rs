//! What the widget's JS loader (`widget/loader.js`, served as `w.js`) needs
//! from this crate, as one JSON object that the build writes into the loader.
//!
//! The loader runs on every page view, so it records the visitor's touches
//! itself (the wasm widget is fetched only when the visitor shows intent).
//! Its algorithm is [`crate::touches::record_page_view`], checked against it
//! case by case (`xtask`'s loader oracle test); its tables are these, never a
//! copy kept by hand.

use crate::attribution::signal::{ATTRIBUTION_PARAMS, SEARCH_ROWS};
use crate::json::{object, Val};
use crate::limits;
use crate::touches::TouchRules;
use crate::widget::{LANGUAGES, WORDS};

/// localStorage key of the visitor's touches ([`crate::touches::StoredTouches`] as JSON).
pub const TOUCHES_KEY: &str = "leadwire:touches";
/// localStorage key of the widget's outbox: leads not yet accepted by the collector.
pub const OUTBOX_KEY: &str = "leadwire:outbox";
/// localStorage key of how many times the triggers opened the widget for this visitor.
pub const PROACTIVE_KEY: &str = "leadwire:proactive";

/// The loader's tables: attribution parameters, the search rows of
/// [`crate::attribution::signal::is_search_engine`], the touch rules' defaults,
/// the URL limits of [`crate::attribution::signal::bounded_url`], the storage
/// keys, the languages and the launcher's built-in words.
pub fn tables_json() -> String {
    let mut out = String::with_capacity(4096);
    object(&mut out, |o| {
        o.key("params").array(&ATTRIBUTION_PARAMS, |v, p| v.text(p));
        o.key("search")
            .array(&SEARCH_ROWS, |v, (pattern, search)| pair(v, pattern, *search));
        o.int("visit_ms", TouchRules::DEFAULT_VISIT_TIMEOUT_MS);
        o.int("expiry_days", i64::from(TouchRules::DEFAULT_EXPIRY_DAYS));
        o.int("url", limits::URL as i64);
        o.int("url_path", limits::URL_PATH as i64);
        o.int("click_id", limits::CLICK_ID as i64);
        o.text("touches_key", TOUCHES_KEY);
        o.text("outbox_key", OUTBOX_KEY);
        o.text("proactive_key", PROACTIVE_KEY);
        o.key("languages").array(LANGUAGES, |v, l| v.text(l));
        o.key("launcher").object(|o| {
            let (_, en, ru) = WORDS
                .iter()
                .find(|(k, _, _)| *k == "launcher")
                .copied()
                .unwrap_or_default();
            o.text("en", en);
            o.text("ru", ru);
        });
    });
    out
}

/// The global the site's own loader (`/v1/sites/{site}/w.js`) sets before the
/// loader runs; the loader reads it once and deletes it.
pub const PRESET_GLOBAL: &str = "__leadwire";

/// The site's own loader: `loader` (the static `w.js`) preceded by the site's
/// id and its public config (`config_json`, as the config route answers it),
/// so a page view needs one request to the collector instead of two and no
/// `fetch` before the launcher is drawn.
pub fn with_preset(site: &str, config_json: &str, loader: &str) -> String {
    let mut out = String::with_capacity(config_json.len() + loader.len() + site.len() + 64);
    out.push_str("self.");
    out.push_str(PRESET_GLOBAL);
    out.push('=');
    object(&mut out, |o| {
        o.text("site", site);
        // Already JSON: the config route's own answer, written as is.
        o.key("config").raw(config_json);
    });
    out.push_str(";\n");
    out.push_str(loader);
    out
}

/// `[pattern, is a search engine]`: a row as the loader reads it.
fn pair(v: Val, pattern: &str, search: bool) {
    v.array(
        &[false, true],
        |v, second| if *second { v.flag(search) } else { v.text(pattern) },
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tables_are_json_with_every_search_row() {
        let tables: serde_json::Value = serde_json::from_str(&super::tables_json()).expect("JSON");
        assert_eq!(
            tables["search"].as_array().map(Vec::len),
            Some(super::SEARCH_ROWS.len())
        );
        assert!(tables["params"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p == "gclid")));
        assert_eq!(tables["launcher"]["en"], "Contact us");
        assert_eq!(tables["visit_ms"], 30 * 60 * 1000);
    }

    #[test]
    fn the_preset_is_one_statement_of_json_before_the_loader() {
        let config = r#"{"site":"demo","widget":{"strings":{"en":{"launcher":"</script> \"hi\""}}}}"#;
        let out = super::with_preset("de\"mo", config, "(function(){})();");
        let (preset, loader) = out.split_once(";\n").expect("two parts");
        assert_eq!(loader, "(function(){})();");
        let json = preset.strip_prefix("self.__leadwire=").expect("the global");
        let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
        assert_eq!(value["site"], "de\"mo");
        assert_eq!(
            value["config"]["widget"]["strings"]["en"]["launcher"],
            "</script> \"hi\""
        );
    }
}
