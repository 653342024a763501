//! Phone numbers to E.164, judged the way libphonenumber judges them.
//!
//! Two steps. First our own leniency: the digits plus the punctuation people
//! type (spaces, brackets, dashes, dots, slashes), a leading `+`, and `00` read
//! as the international prefix whatever the country. Then libphonenumber's
//! metadata, through the `rlibphonenumber` port built with `regex-lite`: the
//! calling code, the trunk prefix (RU's `8`, GB's `0`), `7 912…` without the
//! `+`, the region's own international prefix (RU `810`, US `011`), and the
//! lengths and number ranges of every region. The crate was chosen by its wasm
//! size, first-use cost and CPU per number in the Worker: see BENCHMARKS.md.
//!
//! The metadata is loaded on first use, once per isolate (13–20 ms in V8), and
//! each region's patterns are compiled the first time a number needs them.

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
    /// Letters or other characters that no phone number contains.
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
            PhoneError::BadCharacters => "A phone number has only digits, spaces, brackets, dashes and a leading +.",
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
    // libphonenumber knows only each region's own prefix (RU's is 810); people type 00 anywhere.
    let number = if international {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else {
        digits
    };
    let util = &*PHONE_NUMBER_UTIL;
    let parsed = util.parse(&number, Some(home.region)).map_err(parse_error)?;
    if util.is_valid_number(&parsed) {
        Ok(util.format(&parsed, PhoneNumberFormat::E164).into_owned())
    } else {
        Err(why_invalid(&parsed))
    }
}

/// Splits off a leading `+` and keeps the digits, refusing anything that is
/// not punctuation people put in phone numbers (libphonenumber would also
/// read letters as a vanity number and `ext 5` as an extension).
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

fn parse_error(e: ParseError) -> PhoneError {
    match e {
        ParseError::InvalidCountryCode => PhoneError::UnknownCallingCode,
        // The input is digits only by now, so "not a number" means too few of them.
        ParseError::NotANumber(_) | ParseError::TooShortAfterIdd | ParseError::TooShortNsn => PhoneError::TooShort,
        ParseError::TooLongNsn => PhoneError::TooLong,
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
