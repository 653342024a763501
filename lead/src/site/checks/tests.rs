use super::*;

fn shop() -> Site {
    toml::from_str::<SitesFile>(
        r#"[[site]]
           id = "shop"
           origins = ["https://shop.example"]
           default_country = "RU"
           [[site.destination]]
           id = "crm"
           url = "https://crm.example/hook"
           secret = "CRM_SECRET""#,
    )
    .expect("a sites file")
    .sites
    .remove(0)
}

fn fields(site: &Site) -> Vec<String> {
    site.problems().into_iter().map(|p| p.field).collect()
}

#[test]
fn a_good_site_has_no_problems() {
    assert_eq!(shop().problems(), vec![]);
}

/// Each rule, by the field it names: the change that breaks it, the field.
#[test]
fn each_problem_names_its_field() {
    let cases: &[(&str, fn(&mut Site), &[&str])] = &[
        ("id", |s| s.id = "Shop!".into(), &["id"]),
        ("retention", |s| s.retention_days = 0, &["retention_days"]),
        (
            "expiry",
            |s| s.attribution.expiry_days = 731,
            &["attribution.expiry_days"],
        ),
        ("country", |s| s.default_country = "ZZ".into(), &["default_country"]),
        (
            "origin",
            |s| s.origins.push("https://shop.example/".into()),
            &["origins[1]"],
        ),
        (
            "colour",
            |s| s.widget.theme.color = "red".into(),
            &["widget.theme.color"],
        ),
        ("locale", |s| s.widget.locale = Some("de".into()), &["widget.locale"]),
        ("limits", |s| s.limits.phone.seconds = 0, &["limits.phone.seconds"]),
        (
            "hours",
            |s| {
                s.hours = serde_json::from_str(
                    r#"{"time_zone": "Mars/Olympus", "week": {"mon": ["18:00-09:00"]}, "slot_minutes": 1}"#,
                )
                .expect("hours")
            },
            &["hours.time_zone", "hours.week.mon", "hours.slot_minutes"],
        ),
        (
            "destination kind",
            |s| s.destinations[0].kind = "fax".into(),
            &["destination[0].kind"],
        ),
        (
            "destination id",
            |s| s.destinations[0].id = "CRM".into(),
            &["destination[0].id"],
        ),
        (
            "destination twice",
            |s| s.destinations.push(s.destinations[0].clone()),
            &["destination[1].id"],
        ),
        (
            "destination address",
            |s| {
                s.destinations[0]
                    .settings
                    .insert("url".into(), "https://10.0.0.1/hook".into());
            },
            &["destination[0].url"],
        ),
        (
            "destination both addresses",
            |s| {
                s.destinations[0].settings.insert("url_secret".into(), "CRM_URL".into());
            },
            &["destination[0]"],
        ),
        (
            "secret name",
            |s| {
                s.secrets.insert("no-dashes".into(), "value".into());
            },
            &["secrets.no-dashes"],
        ),
        (
            "secret value",
            |s| {
                s.secrets.insert("EMPTY".into(), " ".into());
            },
            &["secrets.EMPTY"],
        ),
    ];
    for (name, change, expected) in cases {
        let mut site = shop();
        change(&mut site);
        assert_eq!(fields(&site), *expected, "{name}: {:#?}", site.problems());
    }
}

#[test]
fn a_parts_line_becomes_a_field_and_a_message() {
    for (line, how, key, message) in [
        (
            "theme.color \"red\" must be #rrggbb",
            Key::First,
            Some("theme.color"),
            "\"red\" must be #rrggbb",
        ),
        (
            "week.mon: 18:00-09:00 must start before it ends",
            Key::First,
            Some("week.mon"),
            "18:00-09:00 must start before it ends",
        ),
        (
            "form.field 3: id \"X\" must be",
            Key::First,
            Some("form.field[3]"),
            "id \"X\" must be",
        ),
        (
            "form.field \"phone\": label needs a text",
            Key::First,
            Some("form.field[phone]"),
            "label needs a text",
        ),
        (
            "messenger telegram is listed twice",
            Key::First,
            Some("messenger"),
            "telegram is listed twice",
        ),
        (
            "strings.ru.x is not a widget string; use one of: a, b",
            Key::First,
            Some("strings.ru.x"),
            "is not a widget string; use one of: a, b",
        ),
        (
            "url: not an http(s) address",
            Key::Colon,
            Some("url"),
            "not an http(s) address",
        ),
        (
            "needs exactly one of url, url_secret",
            Key::Colon,
            None,
            "needs exactly one of url, url_secret",
        ),
        (
            "url, url_secret: give at most one",
            Key::Colon,
            None,
            "url, url_secret: give at most one",
        ),
    ] {
        assert_eq!(keyed(line, how), (key.map(String::from), message.to_owned()), "{line}");
    }
}

/// A secret's value, or a destination's address, is never in a problem.
#[test]
fn no_problem_quotes_a_secret() {
    let mut site = shop();
    site.secrets.insert("bad name".into(), "s3cr3t-value".repeat(400));
    site.destinations[0]
        .settings
        .insert("url".into(), "https://10.0.0.1/hook?token=s3cr3t".into());
    let problems = site.problems();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    let text = format!(
        "{problems:?} {:?}",
        SitesFile {
            sites: vec![site.clone()]
        }
        .problems()
    );
    assert!(!text.contains("s3cr3t"), "{text}");
    assert!(
        !format!("{site:?}").contains("s3cr3t-value"),
        "Debug shows only the names"
    );
}

/// The build's lines are the same problems, site by site.
#[test]
fn the_files_lines_name_the_site() {
    let mut bad = shop();
    bad.id = "bad".into();
    bad.widget.theme.color = "red".into();
    let file = SitesFile {
        sites: vec![bad, shop(), shop()],
    };
    let problems = file.problems();
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("site \"bad\": widget.theme.color \"red\""));
    assert_eq!(problems[1], "site \"shop\" is listed twice");
}
