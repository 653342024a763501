//! Formatting a phone number while the visitor types it, in the widget.
//!
//! libphonenumber's as-you-type formatter needs the whole metadata, which the
//! widget cannot carry (it is most of the collector's size), so the widget
//! formats only the countries below, whose national numbers have one length
//! and one common layout, and leaves every other number as typed. The edge
//! still judges every number with libphonenumber; a test checks that a
//! formatted number normalises exactly as the raw one does.

// Compiled into the widget: see the same lint in widget/src/lib.rs.
#![deny(clippy::string_slice)]

/// One country's written form: `#` takes a digit, anything else is shown
/// between digits.
struct Layout {
    country: &'static str,
    calling_code: &'static str,
    /// Dialled before the national number at home (RU's 8, UA's 0).
    trunk: Option<&'static str>,
    national: &'static str,
}

const LAYOUTS: &[Layout] = &[
    Layout {
        country: "RU",
        calling_code: "7",
        trunk: Some("8"),
        national: "(###) ###-##-##",
    },
    Layout {
        country: "KZ",
        calling_code: "7",
        trunk: Some("8"),
        national: "(###) ###-##-##",
    },
    Layout {
        country: "BY",
        calling_code: "375",
        trunk: Some("80"),
        national: "(##) ###-##-##",
    },
    Layout {
        country: "UA",
        calling_code: "380",
        trunk: Some("0"),
        national: "(##) ###-##-##",
    },
    Layout {
        country: "UZ",
        calling_code: "998",
        trunk: None,
        national: "## ###-##-##",
    },
    Layout {
        country: "US",
        calling_code: "1",
        trunk: Some("1"),
        national: "(###) ###-####",
    },
    Layout {
        country: "CA",
        calling_code: "1",
        trunk: Some("1"),
        national: "(###) ###-####",
    },
];

/// `typed` laid out for `country` (ISO 3166 alpha-2): `8912345` in RU becomes
/// `+7 (912) 345`. Anything it cannot place (another country's `+` code, a
/// country without a layout, no digits, full-width digits) comes back
/// unchanged; digits beyond the layout are kept at the end, so nothing typed
/// is ever lost. What follows the number (an extension: ` доб. 12`, `x123`)
/// is kept as typed, and a space after a whole number stays for it. A pasted
/// `tel:` link loses its scheme, or, with parameters (`;ext=12`), is left as
/// pasted for the collector to read.
pub fn format_as_typed(typed: &str, country: &str) -> String {
    let Some(layout) = LAYOUTS.iter().find(|l| l.country.eq_ignore_ascii_case(country)) else {
        return typed.to_owned();
    };
    let trimmed = typed.trim_start();
    let after_scheme = trimmed
        .get(..4)
        .filter(|scheme| scheme.eq_ignore_ascii_case("tel:"))
        .and_then(|_| trimmed.get(4..));
    let number = match after_scheme {
        Some(_) if trimmed.contains(';') => return typed.to_owned(),
        Some(rest) => rest,
        None => typed,
    };
    // A `match` on the characters, not a search in a string of them: 1 KB less wasm.
    let end = number
        .find(|c: char| !(c.is_ascii_digit() || c.is_whitespace() || matches!(c, '+' | '(' | ')' | '-' | '.' | '/')))
        .unwrap_or(number.len());
    let (head, tail) = number.split_at_checked(end).unwrap_or((number, ""));
    let Some((mut out, whole)) = lay_out(head, layout) else {
        return typed.to_owned();
    };
    if head.ends_with(char::is_whitespace) && (whole || !tail.is_empty()) {
        out.push(' ');
    }
    out.push_str(tail);
    out
}

/// The number in `head` in `layout`, and whether it fills it; `None` when it
/// has no digits or another country's `+` code.
fn lay_out(head: &str, layout: &Layout) -> Option<(String, bool)> {
    let digits: String = head.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let international = head.trim_start().starts_with('+');
    let national_len = layout.national.matches('#').count();
    let national = if international {
        match digits.strip_prefix(layout.calling_code) {
            Some(rest) => rest,
            None if layout.calling_code.starts_with(digits.as_str()) => "",
            None => return None,
        }
    } else if let Some(rest) = layout.trunk.and_then(|t| digits.strip_prefix(t)) {
        rest
    } else if digits.len() > national_len && digits.starts_with(layout.calling_code) {
        digits.get(layout.calling_code.len()..).unwrap_or_default()
    } else {
        &digits
    };
    let mut out = format!("+{} ", layout.calling_code);
    let mut rest = national.chars().peekable();
    for c in layout.national.chars() {
        if rest.peek().is_none() {
            break;
        }
        match c {
            '#' => out.extend(rest.next()),
            literal => out.push(literal),
        }
    }
    let extra: String = rest.collect();
    if !extra.is_empty() {
        out.push(' ');
        out.push_str(&extra);
    }
    Some((out.trim_end().to_owned(), national.len() >= national_len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::normalize;

    #[test]
    fn lays_out_what_is_typed_so_far() {
        let cases = [
            ("RU", "8", "+7"),
            ("RU", "89", "+7 (9"),
            ("RU", "8912", "+7 (912"),
            ("RU", "89123", "+7 (912) 3"),
            ("RU", "89123456789", "+7 (912) 345-67-89"),
            ("RU", "+7 912 345 67 89", "+7 (912) 345-67-89"),
            ("RU", "+7(912)3456789", "+7 (912) 345-67-89"),
            ("RU", "9123456789", "+7 (912) 345-67-89"),
            ("RU", "79123456789", "+7 (912) 345-67-89"),
            ("RU", "+", "+"),
            ("RU", "+7", "+7"),
            ("RU", "+79123456789012", "+7 (912) 345-67-89 012"),
            ("RU", "+44 20 7946 0958", "+44 20 7946 0958"),
            ("ru", "8 (912) 345-67-8", "+7 (912) 345-67-8"),
            ("BY", "80291234567", "+375 (29) 123-45-67"),
            ("UA", "0501234567", "+380 (50) 123-45-67"),
            ("US", "2015550123", "+1 (201) 555-0123"),
            ("US", "1 201 555 0123", "+1 (201) 555-0123"),
            ("DE", "030 123456", "030 123456"),
            ("RU", "name", "name"),
            ("RU", "8 912 ", "+7 (912"),
            ("RU", "tel:+79123456789", "+7 (912) 345-67-89"),
            ("RU", "++79123456789", "+7 (912) 345-67-89"),
            ("RU", "＋７９１２３４５６７８９", "＋７９１２３４５６７８９"),
        ];
        for (country, typed, want) in cases {
            assert_eq!(format_as_typed(typed, country), want, "{country} {typed:?}");
        }
    }

    /// An extension and what names it are kept as typed (the digits used to
    /// join the number's and the collector refused it), a space after a whole
    /// number stays for one, and a `tel:` link is laid out only without parameters.
    #[test]
    fn lays_out_pasted_numbers_and_keeps_their_extension() {
        let cases = [
            ("RU", "+7 912 345 67 89 доб. 12", "+7 (912) 345-67-89 доб. 12"),
            ("RU", "+79123456789 ext. 123", "+7 (912) 345-67-89 ext. 123"),
            ("RU", "+79123456789x123", "+7 (912) 345-67-89x123"),
            ("RU", "+7 912 345 67 89, 12", "+7 (912) 345-67-89, 12"),
            ("RU", "+7 (912) 345-67-89 ", "+7 (912) 345-67-89 "),
            ("RU", "+7 (912) 345-67-89 д", "+7 (912) 345-67-89 д"),
            ("RU", "+7 (912) 345-67-89 доб. ", "+7 (912) 345-67-89 доб. "),
            ("RU", "tel:+442079460958", "tel:+442079460958"),
            ("RU", "tel:+79123456789;ext=12", "tel:+79123456789;ext=12"),
            ("US", "(212) 555-0123 ext. 7", "+1 (212) 555-0123 ext. 7"),
        ];
        for (country, typed, want) in cases {
            assert_eq!(format_as_typed(typed, country), want, "{country} {typed:?}");
        }
    }

    /// Formatting never changes what the collector makes of a number.
    #[test]
    fn a_formatted_number_normalises_as_the_raw_one() {
        let typed = [
            ("RU", "89123456789"),
            ("RU", "+7 912 345 67 89"),
            ("RU", "9123456789"),
            ("RU", "8 800 555 35 35"),
            ("RU", "+79123456789012"),
            ("RU", "8912345"),
            ("KZ", "87011234567"),
            ("BY", "80291234567"),
            ("UA", "0501234567"),
            ("UZ", "901234567"),
            ("US", "2015550123"),
            ("CA", "6135550123"),
            ("RU", "+7 912 345 67 89 доб. 12"),
            ("RU", "+79123456789 ext. 123"),
            ("RU", "+79123456789x123"),
            ("RU", "8 912 345 67 89, 12"),
            ("RU", "tel:+79123456789"),
            ("RU", "tel:+442079460958"),
            ("RU", "tel:+79123456789;ext=12"),
            ("RU", "++79123456789"),
            ("RU", "＋７９１２３４５６７８９"),
            ("US", "(212) 555-0123 ext. 7"),
        ];
        for (country, raw) in typed {
            let formatted = format_as_typed(raw, country);
            assert_eq!(
                normalize(&formatted, country),
                normalize(raw, country),
                "{country} {raw:?} → {formatted:?}"
            );
        }
    }

    #[test]
    fn a_full_length_number_fills_its_layout_exactly() {
        for layout in LAYOUTS {
            let digits = "5".repeat(layout.national.matches('#').count());
            let typed = format!("+{}{digits}", layout.calling_code);
            let want = format!("+{} {}", layout.calling_code, layout.national.replace('#', "5"));
            assert_eq!(format_as_typed(&typed, layout.country), want);
        }
    }
}
