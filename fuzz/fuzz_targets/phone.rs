//! `lead::phone::normalize`. Input: a country code, a newline, the number as
//! typed (no newline: read in RU). Invariants: nothing panics; an accepted
//! number is E.164 with an extension of ASCII digits, and reading that E.164
//! again, in its country or any other, gives the same number.

#![no_main]

#[path = "common.rs"]
mod common;

use lead::phone::{normalize, PhoneError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let (country, typed) = input.split_once('\n').unwrap_or(("RU", input));
    match normalize(typed, country) {
        Ok(phone) => {
            assert!(
                common::is_e164(&phone.e164),
                "{typed:?} → {:?} is not E.164",
                phone.e164
            );
            if let Some(ext) = &phone.extension {
                assert!(
                    !ext.is_empty() && ext.bytes().all(|b| b.is_ascii_digit()),
                    "extension {ext:?}"
                );
            }
            for again_in in [country, "US", "GB"] {
                let again = normalize(&phone.e164, again_in).map(|p| p.e164);
                assert_eq!(
                    again,
                    Ok(phone.e164.clone()),
                    "{typed:?} in {country}, then read in {again_in}"
                );
            }
        }
        Err(PhoneError::UnknownCountry) => assert!(lead::phone::country(country).is_none()),
        Err(_) => {}
    }
});
