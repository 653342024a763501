//! Phone numbers to E.164 with a site's default country.
//!
//! A deliberately small rule set: calling code, trunk prefix and national
//! lengths for the countries our first sites sell in. Numbers with another
//! calling code pass on the E.164 length rule alone. Full libphonenumber
//! ranges replace this table once a port is chosen by measured wasm cost.

/// How one country writes its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryRule {
    /// ISO 3166-1 alpha-2.
    pub iso: &'static str,
    pub calling_code: &'static str,
    /// What people dial before the national number at home (RU `8`, GB `0`).
    pub trunk_prefix: &'static str,
    /// Allowed digit counts of the national significant number.
    pub national_lengths: &'static [usize],
}

/// Source: ITU-T E.164 assignments and each regulator's national numbering plan.
pub const COUNTRIES: &[CountryRule] = &[
    rule("RU", "7", "8", &[10]),
    rule("KZ", "7", "8", &[10]),
    rule("BY", "375", "80", &[9]),
    rule("UA", "380", "0", &[9]),
    rule("UZ", "998", "", &[9]),
    rule("AM", "374", "0", &[8]),
    rule("GE", "995", "0", &[9]),
    rule("KG", "996", "0", &[9]),
    rule("US", "1", "1", &[10]),
    rule("CA", "1", "1", &[10]),
    rule("GB", "44", "0", &[9, 10]),
    rule("DE", "49", "0", &[6, 7, 8, 9, 10, 11, 12, 13]),
    rule("FR", "33", "0", &[9]),
    rule("ES", "34", "", &[9]),
    rule("IT", "39", "", &[6, 7, 8, 9, 10, 11]),
    rule("PL", "48", "", &[9]),
    rule("TR", "90", "0", &[10]),
    rule("AE", "971", "0", &[8, 9]),
    rule("IL", "972", "0", &[8, 9]),
    rule("CN", "86", "0", &[10, 11]),
    rule("IN", "91", "0", &[10]),
];

const fn rule(
    iso: &'static str,
    calling_code: &'static str,
    trunk_prefix: &'static str,
    national_lengths: &'static [usize],
) -> CountryRule {
    CountryRule {
        iso,
        calling_code,
        trunk_prefix,
        national_lengths,
    }
}

/// Why a number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    Empty,
    /// Letters or other characters that no phone number contains.
    BadCharacters,
    TooShort,
    TooLong,
    UnknownCountry,
}

impl PhoneError {
    pub fn code(self) -> &'static str {
        match self {
            PhoneError::Empty => "required",
            PhoneError::BadCharacters => "invalid",
            PhoneError::TooShort => "too_short",
            PhoneError::TooLong => "too_long",
            PhoneError::UnknownCountry => "unknown_country",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            PhoneError::Empty => "Enter a phone number.",
            PhoneError::BadCharacters => "A phone number has only digits, spaces, brackets, dashes and a leading +.",
            PhoneError::TooShort => "This phone number is too short.",
            PhoneError::TooLong => "This phone number is too long.",
            PhoneError::UnknownCountry => "The site's default country is not known.",
        }
    }
}

pub fn country(iso: &str) -> Option<&'static CountryRule> {
    COUNTRIES.iter().find(|c| c.iso.eq_ignore_ascii_case(iso))
}

/// E.164 limits: at most 15 digits with the calling code; 8 is the shortest we accept.
const E164_MIN_DIGITS: usize = 8;
const E164_MAX_DIGITS: usize = 15;

/// Normalises a number as typed (`8 (912) 345-67-89`, `+7 912…`, `00 44…`)
/// to E.164 (`+79123456789`), reading national numbers in `default_country`.
pub fn normalize(raw: &str, default_country: &str) -> Result<String, PhoneError> {
    let home = country(default_country).ok_or(PhoneError::UnknownCountry)?;
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    let (international, digits) = digits_of(trimmed)?;
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    if let Some(rest) = international
        .then_some(digits.as_str())
        .or_else(|| digits.strip_prefix("00"))
    {
        return international_number(rest);
    }
    national_number(&digits, home)
}

/// Splits off a leading `+` and keeps the digits, refusing anything that is
/// not punctuation people put in phone numbers.
fn digits_of(s: &str) -> Result<(bool, String), PhoneError> {
    let international = s.starts_with('+');
    let body = if international { &s[1..] } else { s };
    let mut digits = String::with_capacity(body.len());
    for ch in body.chars() {
        match ch {
            '0'..='9' => digits.push(ch),
            ' ' | '\u{a0}' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return Err(PhoneError::BadCharacters),
        }
    }
    Ok((international, digits))
}

fn international_number(digits: &str) -> Result<String, PhoneError> {
    if let Some(rule) = rule_for_calling_code(digits) {
        let national = &digits[rule.calling_code.len()..];
        check_length(national.len(), rule.national_lengths)?;
        return Ok(format!("+{digits}"));
    }
    match digits.len() {
        n if n < E164_MIN_DIGITS => Err(PhoneError::TooShort),
        n if n > E164_MAX_DIGITS => Err(PhoneError::TooLong),
        _ => Ok(format!("+{digits}")),
    }
}

fn national_number(digits: &str, home: &CountryRule) -> Result<String, PhoneError> {
    let longest = home.national_lengths.iter().copied().max().unwrap_or(0);
    let national = if digits.len() > longest {
        // Dialled with the trunk prefix (8 912…) or the calling code without + (7 912…).
        if let Some(rest) = strip_nonempty(digits, home.trunk_prefix) {
            rest
        } else if let Some(rest) = digits.strip_prefix(home.calling_code) {
            rest
        } else {
            digits
        }
    } else {
        digits
    };
    check_length(national.len(), home.national_lengths)?;
    Ok(format!("+{}{national}", home.calling_code))
}

fn strip_nonempty<'a>(digits: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() {
        None
    } else {
        digits.strip_prefix(prefix)
    }
}

/// The longest calling code that prefixes the digits (1, 7, 44, 375 …).
fn rule_for_calling_code(digits: &str) -> Option<&'static CountryRule> {
    COUNTRIES
        .iter()
        .filter(|c| digits.starts_with(c.calling_code))
        .max_by_key(|c| c.calling_code.len())
}

fn check_length(len: usize, lengths: &[usize]) -> Result<(), PhoneError> {
    let max = lengths.iter().copied().max().unwrap_or(0);
    match len {
        n if lengths.contains(&n) => Ok(()),
        n if n > max => Err(PhoneError::TooLong),
        _ => Err(PhoneError::TooShort),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_as_typed() {
        let cases: &[(&str, &str, Result<&str, PhoneError>)] = &[
            ("8 (912) 345-67-89", "RU", Ok("+79123456789")),
            ("+7 912 345 67 89", "RU", Ok("+79123456789")),
            ("79123456789", "RU", Ok("+79123456789")),
            ("9123456789", "RU", Ok("+79123456789")),
            ("8-912-345-67-89", "ru", Ok("+79123456789")),
            ("+44 20 7946 0958", "RU", Ok("+442079460958")),
            ("0044 20 7946 0958", "RU", Ok("+442079460958")),
            ("020 7946 0958", "GB", Ok("+442079460958")),
            ("(212) 555-0123", "US", Ok("+12125550123")),
            ("1 212 555 0123", "US", Ok("+12125550123")),
            ("8 029 123 45 67", "BY", Ok("+375291234567")),
            ("80 29 123 45 67", "BY", Ok("+375291234567")),
            ("+375 29 123-45-67", "RU", Ok("+375291234567")),
            ("+49 30 123456", "RU", Ok("+4930123456")),
            ("+886 2 1234 5678", "RU", Ok("+886212345678")),
            ("", "RU", Err(PhoneError::Empty)),
            ("   ", "RU", Err(PhoneError::Empty)),
            ("+", "RU", Err(PhoneError::Empty)),
            ("8 912 345", "RU", Err(PhoneError::TooShort)),
            ("8 912 345 67 89 00", "RU", Err(PhoneError::TooLong)),
            ("+7 912 345 67", "RU", Err(PhoneError::TooShort)),
            ("call me", "RU", Err(PhoneError::BadCharacters)),
            ("8 912 345 67 89 ext 5", "RU", Err(PhoneError::BadCharacters)),
            ("+1234", "RU", Err(PhoneError::TooShort)),
            ("+1234567890123456", "RU", Err(PhoneError::TooLong)),
            ("9123456789", "ZZ", Err(PhoneError::UnknownCountry)),
        ];
        for (raw, country, want) in cases {
            let got = normalize(raw, country);
            assert_eq!(got.as_deref().map_err(|e| *e), *want, "{raw:?} in {country}");
        }
    }

    #[test]
    fn every_country_rule_is_well_formed() {
        for c in COUNTRIES {
            assert_eq!(c.iso.len(), 2, "{c:?}");
            assert!(c.calling_code.bytes().all(|b| b.is_ascii_digit()), "{c:?}");
            assert!(!c.national_lengths.is_empty(), "{c:?}");
            let max = c.national_lengths.iter().max().copied().unwrap_or(0);
            assert!(c.calling_code.len() + max <= E164_MAX_DIGITS, "{c:?}");
        }
    }
}
