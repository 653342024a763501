//! Reading `sites.toml` as edge/build.rs does: parse, list the problems, and
//! for a file with none, the JSON compiled into the Worker. Invariants:
//! nothing panics; a file without problems reads back from that JSON as it
//! was, and every site's public config (with and without business hours) can
//! be written.

#![no_main]

use lead::site::SitesFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(file) = toml::from_str::<SitesFile>(text) else {
        return;
    };
    if !file.problems().is_empty() {
        return;
    }
    let compiled = serde_json::to_string(&file).expect("build.rs writes the sites as JSON");
    let read: SitesFile = serde_json::from_str(&compiled).expect("the Worker reads back what build.rs wrote");
    assert_eq!(read, file, "the sites changed between build.rs and the Worker");
    let now = jiff_now();
    for site in &file.sites {
        let _ = site.allows_origin("https://shop.example");
        serde_json::to_string(&site.public_config()).expect("a public config serialises");
        let at = site.public_config_at(now, Some("Asia/Vladivostok"), Some("ru"));
        serde_json::to_string(&at).expect("a public config with hours serialises");
        if let Some(hours) = &site.hours {
            let _ = lead::hours::next_slots(hours, now, 3);
        }
    }
});

/// A fixed instant (2026-06-01T00:00:00Z): the target reads no clock.
fn jiff_now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_780_272_000).expect("a valid instant")
}
