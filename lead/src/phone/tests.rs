use super::*;

#[test]
fn normalises_as_typed() {
    let cases: &[(&str, &str, Result<&str, PhoneError>)] = &[
        ("8 (912) 345-67-89", "RU", Ok("+79123456789")),
        ("+7 912 345 67 89", "RU", Ok("+79123456789")),
        ("79123456789", "RU", Ok("+79123456789")),
        ("9123456789", "RU", Ok("+79123456789")),
        ("8-912-345-67-89", "ru", Ok("+79123456789")),
        ("8.912.345.67.89", "RU", Ok("+79123456789")),
        ("8\u{a0}912\u{a0}345\u{a0}67\u{a0}89", "RU", Ok("+79123456789")),
        ("8 (495) 123-45-67", "RU", Ok("+74951234567")),
        ("8 800 555-35-35", "RU", Ok("+78005553535")),
        ("+7 701 234 56 78", "RU", Ok("+77012345678")),
        ("8 701 234 56 78", "KZ", Ok("+77012345678")),
        ("8 912 345 67 89", "KZ", Ok("+79123456789")),
        ("+44 20 7946 0958", "RU", Ok("+442079460958")),
        ("0044 20 7946 0958", "RU", Ok("+442079460958")),
        ("810 44 20 7946 0958", "RU", Ok("+442079460958")),
        ("020 7946 0958", "GB", Ok("+442079460958")),
        ("(212) 555-0123", "US", Ok("+12125550123")),
        ("1 212 555 0123", "US", Ok("+12125550123")),
        ("011 44 20 7946 0958", "US", Ok("+442079460958")),
        ("8 029 123 45 67", "BY", Ok("+375291234567")),
        ("80 29 123 45 67", "BY", Ok("+375291234567")),
        ("+375 29 123-45-67", "RU", Ok("+375291234567")),
        ("050 123 4567", "UA", Ok("+380501234567")),
        ("+380 50 123 4567", "RU", Ok("+380501234567")),
        ("+49 30 123456", "RU", Ok("+4930123456")),
        ("+49 1512 3456789", "RU", Ok("+4915123456789")),
        // Was +886 2 1234 5678: Taipei numbers never start 2-1 in the metadata (stricter than our old table).
        ("+886 2 2345 6789", "RU", Ok("+886223456789")),
        ("", "RU", Err(PhoneError::Empty)),
        ("   ", "RU", Err(PhoneError::Empty)),
        ("+", "RU", Err(PhoneError::Empty)),
        ("00", "RU", Err(PhoneError::TooShort)),
        ("12", "RU", Err(PhoneError::TooShort)),
        ("8 912 345", "RU", Err(PhoneError::TooShort)),
        ("8 912 345 67 89 00", "RU", Err(PhoneError::TooLong)),
        ("+7 912 345 67", "RU", Err(PhoneError::TooShort)),
        ("+7 912 345 67 89 1", "RU", Err(PhoneError::TooLong)),
        ("call me", "RU", Err(PhoneError::BadCharacters)),
        ("+7 912 +345 67 89", "RU", Err(PhoneError::BadCharacters)),
        ("+1234", "RU", Err(PhoneError::TooShort)),
        ("+1234567890123456", "RU", Err(PhoneError::TooLong)),
        ("123456789012345678901234567890", "RU", Err(PhoneError::TooLong)),
        // Valid to libphonenumber, but 16 digits: not E.164 (found by `cargo xtask fuzz`).
        ("+49 30 123430 1234556", "DE", Err(PhoneError::TooLong)),
        ("004946 04946 0090957", "DE", Err(PhoneError::TooLong)),
        ("+999 1234 5678", "RU", Err(PhoneError::UnknownCallingCode)),
        ("9123456789", "ZZ", Err(PhoneError::UnknownCountry)),
        ("9123456789", "RUS", Err(PhoneError::UnknownCountry)),
        ("9123456789", "001", Err(PhoneError::UnknownCountry)),
    ];
    for (raw, country, want) in cases {
        let got = normalize(raw, country).map(|p| p.e164);
        assert_eq!(got.as_deref().map_err(|e| *e), *want, "{raw:?} in {country}");
    }
}

/// What libphonenumber reads and people paste: from a `tel:` link, with an
/// extension, with the `+` doubled, in full-width digits. The extension comes
/// back on its own, as ASCII digits.
#[test]
fn reads_numbers_as_people_paste_them() {
    let cases: &[(&str, &str, (&str, Option<&str>))] = &[
        ("tel:+79123456789", "RU", ("+79123456789", None)),
        ("TEL:+79123456789", "RU", ("+79123456789", None)),
        ("tel:8-912-345-67-89", "RU", ("+79123456789", None)),
        ("tel:+7-912-345-67-89;ext=12", "RU", ("+79123456789", Some("12"))),
        ("tel:9123456789;phone-context=+7", "US", ("+79123456789", None)),
        ("tel:0044 20 7946 0958", "RU", ("+442079460958", None)),
        ("+7 912 345 67 89 доб. 12", "RU", ("+79123456789", Some("12"))),
        ("8 (912) 345-67-89 доб 12", "RU", ("+79123456789", Some("12"))),
        ("+7 912 345 67 89 доб. 12#", "RU", ("+79123456789", Some("12"))),
        ("+79123456789 ext. 123", "RU", ("+79123456789", Some("123"))),
        ("8 912 345 67 89 ext 5", "RU", ("+79123456789", Some("5"))),
        ("+79123456789 x123", "RU", ("+79123456789", Some("123"))),
        ("(212) 555-0123 ext. 7", "US", ("+12125550123", Some("7"))),
        ("+1 212 555 0123 #45", "US", ("+12125550123", Some("45"))),
        ("0044 20 7946 0958 ext. 3", "RU", ("+442079460958", Some("3"))),
        ("++79123456789", "RU", ("+79123456789", None)),
        ("++7 912 345 67 89", "RU", ("+79123456789", None)),
        ("＋７９１２３４５６７８９", "RU", ("+79123456789", None)),
        ("８ (９１２) ３４５-６７-８９", "RU", ("+79123456789", None)),
        ("００４４ ２０ ７９４６ ０９５８", "RU", ("+442079460958", None)),
        ("+7 912 345 67 89 доб. １２", "RU", ("+79123456789", Some("12"))),
    ];
    for (raw, country, (e164, extension)) in cases {
        let want = Phone {
            e164: (*e164).to_owned(),
            extension: extension.map(str::to_owned),
        };
        assert_eq!(normalize(raw, country), Ok(want), "{raw:?} in {country}");
    }
}

/// libphonenumber dials letters as a vanity number (`OOO` typed for `000`
/// becomes 666) or drops them; only an extension's name may have letters.
#[test]
fn refuses_letters_outside_an_extension() {
    let cases: &[&str] = &[
        "8 800 FLOWERS",
        "8 912 345 6OOO",
        "8 912 З45 67 89",
        "Phone: +7 912 345 67 89",
        "+79123456789 ext.",
        "+7 912 345 67 89 ext 5 ext 6",
        "+7 912 345 67 89 доб. 12 (секретарь)",
        "tel:+7 912 345 67 89 x 1;ext=2",
    ];
    for raw in cases {
        assert_eq!(normalize(raw, "RU"), Err(PhoneError::BadCharacters), "{raw:?}");
    }
}

/// Right length, wrong range: what the old length table let through.
#[test]
fn refuses_numbers_outside_the_ranges_in_use() {
    let cases: &[(&str, &str)] = &[
        ("+7 000 000 00 00", "RU"),
        ("8 000 000 00 00", "RU"),
        ("+7 123 456 78 90", "RU"),
        ("+886 2 1234 5678", "RU"),
        ("+1 555 555 5555", "US"),
        ("+44 11 1111 1111", "RU"),
        ("+380 00 123 4567", "RU"),
    ];
    for (raw, country) in cases {
        assert_eq!(
            normalize(raw, country).map(|p| p.e164),
            Err(PhoneError::InvalidNumber),
            "{raw:?} in {country}"
        );
    }
}

#[test]
fn knows_the_regions_with_a_numbering_plan() {
    let cases: &[(&str, Option<u16>)] = &[
        ("RU", Some(7)),
        ("kz", Some(7)),
        ("BY", Some(375)),
        ("US", Some(1)),
        ("GB", Some(44)),
        ("ZZ", None),
        ("AQ", None),
        ("001", None),
        ("", None),
        ("R", None),
        ("RUS", None),
    ];
    for (iso, want) in cases {
        assert_eq!(country(iso).map(|c| c.calling_code), *want, "{iso:?}");
    }
}

/// Every region's patterns compile with regex-lite and agree with themselves:
/// an example number written nationally comes back as its E.164. A pattern
/// that failed to compile would panic inside the Worker, so this walks all.
#[test]
fn every_region_reads_its_own_example_numbers() {
    let util = &*PHONE_NUMBER_UTIL;
    let mut checked = 0;
    for region in util.get_supported_regions() {
        let types = util.get_supported_types_for_region(region).unwrap_or_default();
        for kind in [PhoneNumberType::FixedLine, PhoneNumberType::Mobile] {
            if !types.contains(&kind) {
                continue;
            }
            let Ok(example) = util.get_example_number_for_type_and_region(region, kind) else {
                continue;
            };
            let e164 = util.format(&example, PhoneNumberFormat::E164).into_owned();
            let national = util.format(&example, PhoneNumberFormat::National).into_owned();
            let iso = region.as_region_str();
            assert_eq!(
                normalize(&e164, &iso).map(|p| p.e164),
                Ok(e164.clone()),
                "{iso} {kind:?}"
            );
            assert_eq!(
                normalize(&national, &iso).map(|p| p.e164).as_deref(),
                Ok(e164.as_str()),
                "{national:?} in {iso}"
            );
            checked += 1;
        }
    }
    assert!(checked > 400, "only {checked} examples");
}

/// The collector warms the metadata at startup with the sites' countries,
/// whatever they are: unknown ones are skipped, nothing panics.
#[test]
fn warming_takes_any_country_list() {
    warm(["RU", "us", "XX", "", "ZZZ"]);
    assert_eq!(
        normalize("8 912 345 67 89", "RU").map(|p| p.e164).as_deref(),
        Ok("+79123456789")
    );
}
