//! The widget's words: built in for English and Russian, each overridable per
//! language from the site's configuration (`[site.widget.strings.<lang>]`).

use std::rc::Rc;

use lead::site::PublicConfig;
use web_sys::Window;

pub struct Words {
    pub lang: &'static str,
    /// Whose `widget.strings` override the built-in words (shared, not
    /// copied: every inline form has its own `Words`).
    config: Option<Rc<PublicConfig>>,
}

impl Words {
    /// The configured language, else the page's `<html lang>`, else the browser's.
    pub fn choose(window: &Window, configured: Option<&str>, config: Option<Rc<PublicConfig>>) -> Self {
        let page_lang = window
            .document()
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .filter(|l| !l.is_empty());
        let wanted = configured
            .map(str::to_owned)
            .or(page_lang)
            .or_else(|| window.navigator().language())
            .unwrap_or_default();
        let lang = if wanted.to_ascii_lowercase().starts_with("ru") {
            "ru"
        } else {
            "en"
        };
        Words { lang, config }
    }

    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        let overridden = self
            .config
            .as_ref()
            .and_then(|c| c.widget.strings.get(self.lang)?.get(key));
        if let Some(text) = overridden {
            return text;
        }
        lead::widget::WORDS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, en, ru)| if self.lang == "ru" { *ru } else { *en })
            .unwrap_or(key)
    }
}

/// Escapes text for HTML built from strings.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
