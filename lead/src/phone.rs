//! Phone numbers to E.164, judged the way libphonenumber judges them.
//!
//! libphonenumber, through the `rlibphonenumber` port built with `regex-lite`,
//! reads the number as people type or paste it: punctuation in any script,
//! full-width digits and `＋`, a doubled `++`, a `tel:` URI (RFC 3966, with
//! its `;ext=`), an extension after `доб.`, `ext.`, `x` or `#`, the calling
//! code, the trunk prefix (RU's `8`, GB's `0`), `7 912…` without the `+`, the
//! region's own international prefix (RU `810`, US `011`), and the lengths and
//! number ranges of every region. By hand, only what it does not do: `00` read
//! as the international prefix whatever the country, and letters refused
//! anywhere but in an extension's name (it would dial them as a vanity
//! number). The crate was chosen by its wasm size, first-use cost and CPU per
//! number in the Worker: see BENCHMARKS.md.
//!
//! The metadata is loaded on first use, once per isolate (13–20 ms in V8), and
//! each region's patterns are compiled the first time a number needs them.

use std::borrow::Cow;

use rlibphonenumber::{
    NumberLengthType, ParseError, PhoneNumber, PhoneNumberFormat, PhoneNumberType, Region, ValidationError,
    PHONE_NUMBER_UTIL,
};

/// A region libphonenumber has numbering rules for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    region: Region,
    /// Shared by regions with one plan: 7 is RU and KZ, 1 is US, CA and the Caribbean.
    pub calling_code: u16,
}

/// Why a number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    Empty,
    /// Letters outside an extension's name, or characters no phone number contains.
    BadCharacters,
    TooShort,
    TooLong,
    /// Outside the ranges (or between the lengths) its country uses.
    InvalidNumber,
    /// No country has the calling code after the `+`.
    UnknownCallingCode,
    /// The site's `default_country` is not a region with a numbering plan.
    UnknownCountry,
}

impl PhoneError {
    pub fn code(self) -> &'static str {
        match self {
            PhoneError::Empty => "required",
            PhoneError::BadCharacters | PhoneError::InvalidNumber | PhoneError::UnknownCallingCode => "invalid",
            PhoneError::TooShort => "too_short",
            PhoneError::TooLong => "too_long",
            PhoneError::UnknownCountry => "unknown_country",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            PhoneError::Empty => "Enter a phone number.",
            PhoneError::BadCharacters => {
                "A phone number has only digits, spaces, brackets, dashes, a leading + and an extension (ext. 12)."
            }
            PhoneError::TooShort => "This phone number is too short.",
            PhoneError::TooLong => "This phone number is too long.",
            PhoneError::InvalidNumber => "This number does not exist: check the code and the digits.",
            PhoneError::UnknownCallingCode => "No country has this code after the +: check it.",
            PhoneError::UnknownCountry => "The site's default country is not known.",
        }
    }
}

/// The region with this ISO 3166-1 alpha-2 code (any case), if it has a numbering plan.
pub fn country(iso: &str) -> Option<Country> {
    let region = Region::from_code(iso).ok()?;
    let calling_code = PHONE_NUMBER_UTIL.get_country_code_for_region(region)?;
    Some(Country {
        region,
        calling_code: u16::try_from(calling_code).ok()?,
    })
}

/// Loads the metadata and compiles `countries`' patterns now, by reading each
/// one's example mobile number, so that the first lead does not pay for it.
pub fn warm<'a>(countries: impl IntoIterator<Item = &'a str>) {
    let util = &*PHONE_NUMBER_UTIL;
    for iso in countries {
        let Ok(region) = Region::from_code(iso) else { continue };
        if let Ok(example) = util.get_example_number_for_type_and_region(region, PhoneNumberType::Mobile) {
            let _ = normalize(&util.format(&example, PhoneNumberFormat::National), iso);
        }
    }
}

/// `+` and 15 digits: the longest number E.164 allows.
const MAX_E164_LEN: usize = 16;

/// A number the collector accepted: the line in E.164 and, when one was given,
/// the extension to ask for once through (its digits only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub e164: String,
    pub extension: Option<String>,
}

/// Normalises a number as typed or pasted (`8 (912) 345-67-89`, `+7 912…`,
/// `00 44…`, `tel:+7…`, `+7 912… доб. 12`) to E.164 (`+79123456789`) and its
/// extension, reading national numbers in `default_country`.
pub fn normalize(raw: &str, default_country: &str) -> Result<Phone, PhoneError> {
    let home = country(default_country).ok_or(PhoneError::UnknownCountry)?;
    let text = raw.trim();
    if text.is_empty() {
        return Err(PhoneError::Empty);
    }
    let util = &*PHONE_NUMBER_UTIL;
    let parsed = util
        .parse(international_00(text), Some(home.region))
        .map_err(|e| parse_error(e, text))?;
    // The crate keeps an extension's digits as written (`１２`); a CRM dials ASCII.
    let extension = parsed
        .extension
        .as_deref()
        .map(|e| util.normalize_digits_only(e))
        .filter(|e| !e.is_empty());
    if !letters_only_name_the_extension(text, extension.as_deref()) {
        return Err(PhoneError::BadCharacters);
    }
    let e164 = util.format(&parsed, PhoneNumberFormat::E164);
    // E.164 has at most 15 digits; libphonenumber also passes some longer
    // German numbers (a direct-dial extension written into the number), which
    // no CRM field or `tel:` link built for E.164 takes.
    if e164.len() > MAX_E164_LEN {
        return Err(PhoneError::TooLong);
    }
    if util.is_valid_number(&parsed) {
        Ok(Phone {
            e164: e164.into_owned(),
            extension,
        })
    } else {
        Err(why_invalid(&parsed))
    }
}

/// `00` read as the international prefix whatever the country: libphonenumber
/// knows only each region's own (RU's is 810), and people type 00 anywhere.
/// A `+` before the first digit, or a first digit other than 0, leaves the text as it is.
fn international_00(text: &str) -> Cow<'_, str> {
    let mut first_zero = None;
    for (at, ch) in text.char_indices() {
        if matches!(ch, '+' | '\u{ff0b}') {
            break;
        }
        match (digit(ch), first_zero) {
            (None, _) => {}
            (Some('0'), None) => first_zero = Some(at),
            (Some('0'), Some(start)) => {
                let rest = &text[at + ch.len_utf8()..];
                if rest.chars().any(|c| digit(c).is_some()) {
                    return Cow::Owned(format!("{}+{rest}", &text[..start]));
                }
                break;
            }
            (Some(_), _) => break,
        }
    }
    Cow::Borrowed(text)
}

/// Letters are refused in the number itself, which libphonenumber would not
/// do: it reads three or more as a vanity number (`8 800 FLOWERS`, or `OOO`
/// typed for `000`, a wrong number that looks right) and drops fewer. They may
/// only name an extension (`доб. 12`, `ext. 123`, `x123`), so after the first
/// letter come the extension's digits and no others. A `tel:` URI (RFC 3966)
/// is checked up to its parameters (`;ext=`, `;phone-context=`), which the
/// crate reads.
fn letters_only_name_the_extension(text: &str, extension: Option<&str>) -> bool {
    let number = match text.get(..4).filter(|scheme| scheme.eq_ignore_ascii_case("tel:")) {
        Some(_) => text[4..].split(';').next().unwrap_or_default(),
        None => text,
    };
    match number.find(char::is_alphabetic) {
        None => true,
        Some(at) => extension.is_some_and(|ext| PHONE_NUMBER_UTIL.normalize_digits_only(&number[at..]) == ext),
    }
}

/// The decimal digit `ch` writes, in any script (`7`, full-width `７`), as ASCII.
fn digit(ch: char) -> Option<char> {
    PHONE_NUMBER_UTIL
        .normalize_digits_only(ch.encode_utf8(&mut [0; 4]))
        .chars()
        .next()
}

fn parse_error(e: ParseError, text: &str) -> PhoneError {
    match e {
        ParseError::InvalidCountryCode => PhoneError::UnknownCallingCode,
        ParseError::TooShortAfterIdd | ParseError::TooShortNsn => PhoneError::TooShort,
        ParseError::TooLongNsn => PhoneError::TooLong,
        // Not read as a number: a lone `+` or bracket is nothing typed yet, a
        // lone digit too little; anything else has characters no number has.
        ParseError::NotANumber(_) => match PHONE_NUMBER_UTIL.normalize_digits_only(text).len() {
            0 if !text.chars().any(char::is_alphanumeric) => PhoneError::Empty,
            1 => PhoneError::TooShort,
            _ => PhoneError::BadCharacters,
        },
    }
}

/// Too short or too long for a landline or mobile of its country (the lengths
/// a caller can act on), else outside the ranges in use.
fn why_invalid(number: &PhoneNumber) -> PhoneError {
    match PHONE_NUMBER_UTIL.is_possible_number_for_type_with_reason(number, PhoneNumberType::FixedLineOrMobile) {
        Ok(NumberLengthType::IsPossibleLocalOnly) | Err(ValidationError::TooShort) => PhoneError::TooShort,
        Err(ValidationError::TooLong) => PhoneError::TooLong,
        Err(ValidationError::InvalidCountryCode) => PhoneError::UnknownCallingCode,
        Ok(NumberLengthType::IsPossible) | Err(ValidationError::InvalidLength) => PhoneError::InvalidNumber,
    }
}

mod as_typed;
pub use as_typed::format_as_typed;

#[cfg(test)]
mod tests;
