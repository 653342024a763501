use super::*;

const KEY: [u8; 32] = [7; 32];
const OTHER_KEY: [u8; 32] = [8; 32];
const NONCE: [u8; 12] = [1; 12];

/// Nonces 1, 2, 3, … as a source the edge would draw at random.
fn counter() -> impl FnMut() -> Option<[u8; NONCE_BYTES]> {
    let mut n = 0u8;
    move || {
        n += 1;
        Some([n; NONCE_BYTES])
    }
}

#[test]
fn a_sealed_value_opens_with_its_key_only() {
    let sealed = seal(&KEY, NONCE, "https://crm.example/hook/s3cr3t-code");
    assert!(is_sealed(&sealed));
    assert!(!sealed.contains("s3cr3t"), "{sealed}");
    assert_eq!(
        open(&KEY, &sealed).as_deref(),
        Ok("https://crm.example/hook/s3cr3t-code")
    );
    assert_eq!(open(&OTHER_KEY, &sealed), Err(OpenError::WrongKey));
}

#[test]
fn the_layout_is_prefix_then_base64_of_nonce_ciphertext_and_tag() {
    let sealed = seal(&KEY, NONCE, "abc");
    let bytes = STANDARD.decode(sealed.trim_start_matches(PREFIX)).expect("base64");
    assert_eq!(&bytes[..NONCE_BYTES], &NONCE);
    assert_eq!(bytes.len(), NONCE_BYTES + 3 + TAG_BYTES);
    // Another nonce, another text: equal secrets do not look equal at rest.
    assert_ne!(sealed, seal(&KEY, [2; 12], "abc"));
}

#[test]
fn altered_or_malformed_values_do_not_open() {
    let sealed = seal(&KEY, NONCE, "a token of some length");
    let mut bytes = STANDARD.decode(&sealed[PREFIX.len()..]).expect("base64");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let altered = format!("{PREFIX}{}", STANDARD.encode(&bytes));
    for (sealed, expected) in [
        (altered.as_str(), OpenError::WrongKey),
        ("enc:v1:", OpenError::Malformed),
        ("enc:v1:not base64!", OpenError::Malformed),
        ("enc:v1:AAAA", OpenError::Malformed),
        ("plain text", OpenError::Malformed),
        ("enc:v2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", OpenError::Malformed),
    ] {
        assert_eq!(open(&KEY, sealed), Err(expected), "{sealed}");
    }
}

#[test]
fn keys_are_base64_of_32_bytes() {
    let text = STANDARD.encode(KEY);
    assert_eq!(parse_key(&text), Ok(KEY));
    assert_eq!(parse_key(&format!(" {text}\n")), Ok(KEY));
    assert_eq!(parse_key(text.trim_end_matches('=')), Ok(KEY));
    let (short, long) = (STANDARD.encode([1u8; 16]), STANDARD.encode([1u8; 33]));
    for bad in ["", "short", short.as_str(), long.as_str(), "%%%%"] {
        assert_eq!(parse_key(bad), Err(KeyError), "{bad:?}");
    }
    assert!(!KeyError.to_string().is_empty());
}

#[test]
fn last4_shows_four_characters_of_long_secrets_and_none_of_short_ones() {
    for (plaintext, expected) in [
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "LaSw"),
        ("123456789012", "9012"),
        ("12345678901", ""),
        ("", ""),
        ("токен-с-кириллицей-ёжик", "ёжик"),
    ] {
        assert_eq!(last4(plaintext), expected, "{plaintext}");
    }
}

fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn a_read_shows_only_that_a_secret_is_set_and_its_last4() {
    let sealed = seal(&KEY, NONCE, "xoxb-1234567890-abcd");
    for (key, stored, expected) in [
        (Some(&KEY), sealed.as_str(), json!({"set": true, "last4": "abcd"})),
        // Without the key (or with another) nothing of the value shows.
        (None, sealed.as_str(), json!({"set": true, "last4": ""})),
        (Some(&OTHER_KEY), sealed.as_str(), json!({"set": true, "last4": ""})),
        // A compiled-in file's plain value reads the same way.
        (None, "xoxb-1234567890-abcd", json!({"set": true, "last4": "abcd"})),
        (None, "short", json!({"set": true, "last4": ""})),
    ] {
        assert_eq!(redacted(key, stored), expected, "{stored}");
    }
}

#[test]
fn reveal_opens_sealed_values_and_passes_plain_ones() {
    let sealed = seal(&KEY, NONCE, "the-token-value");
    assert_eq!(reveal(Some(&KEY), &sealed).as_deref(), Ok("the-token-value"));
    assert_eq!(reveal(Some(&OTHER_KEY), &sealed), Err(OpenError::WrongKey));
    assert_eq!(reveal(None, &sealed), Err(OpenError::WrongKey));
    assert_eq!(reveal(None, "plain").as_deref(), Ok("plain"));
}

#[test]
fn what_a_write_says_about_each_secret() {
    let long = "x".repeat(MAX_SECRET_BYTES + 1);
    let cases: Vec<(Value, Result<Write, ()>)> = vec![
        (json!("value"), Ok(Write::Set("value"))),
        (json!({"set": true}), Ok(Write::Keep)),
        (json!({"set": true, "last4": "abcd"}), Ok(Write::Keep)),
        (json!({"set": false}), Ok(Write::Remove)),
        (json!(null), Ok(Write::Remove)),
        (json!(""), Err(())),
        (json!("  "), Err(())),
        (json!(long), Err(())),
        (json!(42), Err(())),
        (json!(["a"]), Err(())),
        (json!({"set": "yes"}), Err(())),
        (json!({}), Err(())),
        (json!({"set": true, "value": "x"}), Err(())),
    ];
    for (value, expected) in cases {
        assert_eq!(write_of(&value).map_err(|_| ()), expected, "{value}");
    }
}

#[test]
fn a_write_keeps_set_true_drops_null_and_seals_strings() {
    let old = seal(&KEY, NONCE, "old-token-0001");
    let old = old.as_str();
    let stored = strings(&[("KEPT", old), ("DROPPED", old), ("REPLACED", old), ("LEFT_OUT", old)]);
    let mut site = json!({"id": "shop", "secrets": {
        "KEPT": {"set": true, "last4": "0001"},
        "DROPPED": null,
        "REPLACED": "new-token-0002",
        "ADDED": "https://hooks.example/T000/B000/XXXX",
    }});
    resolve_write(&mut site, Some(&stored)).expect("resolved");
    let incoming: BTreeMap<String, String> = serde_json::from_value(site["secrets"].clone()).expect("strings");
    assert_eq!(incoming.keys().collect::<Vec<_>>(), ["ADDED", "KEPT", "REPLACED"]);
    let result = seal_write(&incoming, Some(&stored), Ok(Some(&KEY)), &mut counter()).expect("sealed");
    assert_eq!(result["KEPT"], old, "kept as stored, not sealed again");
    assert_eq!(reveal(Some(&KEY), &result["REPLACED"]).as_deref(), Ok("new-token-0002"));
    assert_eq!(
        reveal(Some(&KEY), &result["ADDED"]).as_deref(),
        Ok("https://hooks.example/T000/B000/XXXX")
    );
    assert!(result.values().all(|v| is_sealed(v)));
    let text = serde_json::to_string(&result).expect("json");
    assert!(!text.contains("new-token") && !text.contains("hooks.example"), "{text}");
}

#[test]
fn a_kept_plain_value_is_sealed_on_its_first_write() {
    let stored = strings(&[("FROM_FILE", "plain-value-from-file")]);
    let mut site = json!({"secrets": {"FROM_FILE": {"set": true}}});
    resolve_write(&mut site, Some(&stored)).expect("resolved");
    let incoming: BTreeMap<String, String> = serde_json::from_value(site["secrets"].clone()).expect("strings");
    let result = seal_write(&incoming, Some(&stored), Ok(Some(&KEY)), &mut counter()).expect("sealed");
    assert!(is_sealed(&result["FROM_FILE"]));
    assert_eq!(
        reveal(Some(&KEY), &result["FROM_FILE"]).as_deref(),
        Ok("plain-value-from-file")
    );
}

#[test]
fn a_site_without_secrets_or_with_a_wrong_shape_is_left_alone() {
    for site in [json!({"id": "shop"}), json!({"secrets": "not a map"}), json!(null)] {
        let mut resolved = site.clone();
        resolve_write(&mut resolved, None).expect("nothing to resolve");
        assert_eq!(resolved, site);
    }
}

/// Secrets written, the key, and the field and code refused with.
type SealCase<'a> = (
    BTreeMap<String, String>,
    Result<Option<&'a [u8; 32]>, KeyError>,
    &'a str,
    &'a str,
);

#[test]
fn bad_writes_name_the_secret_and_never_quote_a_value() {
    let sealed = seal(&KEY, NONCE, "old-token-0001");
    let stored = strings(&[("OLD", sealed.as_str())]);
    let resolving = [
        (json!({"NEW": {"set": true}}), "site.secrets.NEW", "not_set"),
        (json!({"NEW": 42}), "site.secrets.NEW", "invalid"),
        (json!({"bad.name": "value-123456789"}), "site.secrets", "invalid"),
    ];
    for (secrets, field, code) in resolving {
        let mut site = json!({ "secrets": secrets });
        let error = resolve_write(&mut site, Some(&stored)).expect_err("refused");
        assert_eq!((error.field.as_str(), error.code.as_str()), (field, code), "{secrets}");
    }
    let forged = seal(&KEY, [9; 12], "forged-value-1234");
    let sealing: Vec<SealCase> = vec![
        (
            strings(&[("NEW", "value-123456789")]),
            Ok(None),
            "site.secrets",
            "not_configured",
        ),
        (
            strings(&[("NEW", "value-123456789")]),
            Err(KeyError),
            "site.secrets",
            "not_configured",
        ),
        (
            strings(&[("OLD", forged.as_str())]),
            Ok(Some(&KEY)),
            "site.secrets.OLD",
            "invalid",
        ),
        (
            strings(&[("bad name", "value-123456789")]),
            Ok(Some(&KEY)),
            "site.secrets",
            "invalid",
        ),
    ];
    for (incoming, key, field, code) in sealing {
        let error = seal_write(&incoming, Some(&stored), key, &mut counter()).expect_err("refused");
        assert_eq!(
            (error.field.as_str(), error.code.as_str()),
            (field, code),
            "{incoming:?}"
        );
        assert!(!error.message.contains("value-123456789"), "{}", error.message);
    }
    let no_key =
        seal_write(&strings(&[("NEW", "value-123456789")]), None, Ok(None), &mut counter()).expect_err("refused");
    assert!(no_key.message.contains("SITES_KEY is not set"), "{}", no_key.message);
}

#[test]
fn keeping_and_removing_need_no_key() {
    let old = seal(&KEY, NONCE, "old-token-0001");
    let stored = strings(&[("OLD", old.as_str()), ("GONE", "x")]);
    let mut site = json!({"secrets": {"OLD": {"set": true}, "GONE": null}});
    resolve_write(&mut site, Some(&stored)).expect("resolved");
    let incoming: BTreeMap<String, String> = serde_json::from_value(site["secrets"].clone()).expect("strings");
    let result = seal_write(&incoming, Some(&stored), Ok(None), &mut counter()).expect("kept");
    assert_eq!(result, strings(&[("OLD", old.as_str())]));
}

#[test]
fn no_randomness_no_sealing() {
    let incoming = strings(&[("NEW", "value-123456789")]);
    let error = seal_write(&incoming, None, Ok(Some(&KEY)), &mut || -> Option<[u8; NONCE_BYTES]> {
        None
    })
    .expect_err("refused");
    assert_eq!(error.code, "unavailable");
}
