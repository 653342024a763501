//! The dialog's one language. The widget picks its words with it and the
//! collector its promise and slot labels, so a dialog never mixes two.

use super::LANGUAGES;
use crate::hours::Locale;

/// What the language is chosen from, most decisive first. A tag in a
/// language the widget does not speak (`de`, empty) says nothing: the next
/// one decides, and English when none does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LanguageHints<'a> {
    /// `[site.widget] locale`: the site owner's choice wins.
    pub configured: Option<&'a str>,
    /// `lang=` on the config request: what the widget chose from the page
    /// and the browser before it knew the configured locale.
    pub asked: Option<&'a str>,
    /// The page's `<html lang>`.
    pub page: Option<&'a str>,
    /// The browser's language (`navigator.language`).
    pub browser: Option<&'a str>,
}

/// The language the dialog speaks, its words, promise and slot labels alike.
pub fn dialog_locale(hints: LanguageHints) -> Locale {
    [hints.configured, hints.asked, hints.page, hints.browser]
        .into_iter()
        .flatten()
        .find_map(spoken)
        .unwrap_or(Locale::En)
}

/// The language a tag names (`ru`, `ru-RU`, `EN_us`), when the widget speaks it.
fn spoken(tag: &str) -> Option<Locale> {
    let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
    LANGUAGES
        .iter()
        .any(|l| primary.eq_ignore_ascii_case(l))
        .then(|| Locale::from_language(primary))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (configured, page, browser): the widget's inputs before and after it has the config.
    #[rustfmt::skip]
    const CASES: &[(Option<&str>, Option<&str>, Option<&str>, Locale)] = &[
        // The site owner's locale wins over the page and the browser.
        (Some("ru"), Some("en"),    Some("en-US"), Locale::Ru),
        (Some("en"), Some("ru"),    Some("ru-RU"), Locale::En),
        // None configured: the page's <html lang>, then the browser's.
        (None,       Some("ru-RU"), Some("en-US"), Locale::Ru),
        (None,       Some("EN"),    Some("ru"),    Locale::En),
        (None,       None,          Some("ru_RU"), Locale::Ru),
        // A language the widget does not speak says nothing.
        (None,       Some("de"),    Some("ru"),    Locale::Ru),
        (None,       Some(""),      Some("ru"),    Locale::Ru),
        (Some("de"), Some("ru"),    None,          Locale::Ru),
        (None,       Some("fr"),    Some("de-DE"), Locale::En),
        (None,       None,          None,          Locale::En),
    ];

    #[test]
    fn the_dialog_speaks_the_configured_then_the_pages_then_the_browsers_language() {
        for &(configured, page, browser, want) in CASES {
            let hints = LanguageHints {
                configured,
                page,
                browser,
                ..LanguageHints::default()
            };
            assert_eq!(dialog_locale(hints), want, "{configured:?} {page:?} {browser:?}");
        }
    }

    /// The widget asks for the config with what it chose from the page alone;
    /// the collector, knowing the configured locale, must land where the
    /// widget lands once it has the config.
    #[test]
    fn the_collector_answers_in_the_widgets_language() {
        for &(configured, page, browser, want) in CASES {
            let asked = dialog_locale(LanguageHints {
                page,
                browser,
                ..LanguageHints::default()
            });
            let collector = dialog_locale(LanguageHints {
                configured,
                asked: Some(asked.tag()),
                ..LanguageHints::default()
            });
            assert_eq!(collector, want, "{configured:?} {page:?} {browser:?}");
        }
    }

    #[test]
    fn an_explicit_lang_yields_only_to_the_configured_locale() {
        let cases = [
            (None, Some("ru"), Locale::Ru),
            (None, Some("en-GB"), Locale::En),
            (Some("ru"), Some("en"), Locale::Ru),
            (Some("en"), Some("ru"), Locale::En),
            (None, Some("de"), Locale::En),
            (None, None, Locale::En),
        ];
        for (configured, asked, want) in cases {
            let hints = LanguageHints {
                configured,
                asked,
                ..LanguageHints::default()
            };
            assert_eq!(dialog_locale(hints), want, "{configured:?} {asked:?}");
        }
    }
}
