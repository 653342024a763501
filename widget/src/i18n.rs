//! The widget's words: built in for English and Russian, each overridable per
//! language from the site's configuration (`[site.widget.strings.<lang>]`).

use std::rc::Rc;

use lead::site::PublicConfig;
use lead::widget::{dialog_locale, LanguageHints};
use web_sys::Window;

pub struct Words {
    pub lang: &'static str,
    /// Whose `widget.strings` override the built-in words (shared, not
    /// copied: every inline form has its own `Words`).
    config: Option<Rc<PublicConfig>>,
}

impl Words {
    /// The dialog's language by `lead::widget::dialog_locale`: the configured
    /// one, else the page's `<html lang>`, else the browser's. Without
    /// `configured` it is what the widget asks the collector for.
    pub fn choose(window: &Window, configured: Option<&str>, config: Option<Rc<PublicConfig>>) -> Self {
        let page = window
            .document()
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"));
        let browser = window.navigator().language();
        let locale = dialog_locale(LanguageHints {
            configured,
            page: page.as_deref(),
            browser: browser.as_deref(),
            ..LanguageHints::default()
        });
        Words {
            lang: locale.tag(),
            config,
        }
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
