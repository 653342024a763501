//! `cargo xtask sites push|pull`: a sites file (edge/sites.toml by default)
//! checked with the build's validator and loaded into a running collector
//! through its admin API, and the collector's sites written back as TOML.
//! Local by default: the demo's Worker on 127.0.0.1:8787.

use std::path::PathBuf;
use std::time::Duration;

use lead::site::{Site, SitesFile};
use serde_json::{json, Value};

use crate::step::Failure;

const USAGE: &str = "cargo xtask sites push [--url U | --remote --url U] [--token T] [--file F]
cargo xtask sites pull [--url U] [--token T] > sites.toml";
/// `cargo xtask demo`'s Worker.
const LOCAL_URL: &str = "http://127.0.0.1:8787";
const TIMEOUT: Duration = Duration::from_secs(30);

struct Options {
    url: String,
    token: String,
    file: PathBuf,
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => return Err(usage("push or pull?")),
    };
    let options = parse_args(rest)?;
    match command {
        "push" => push(&options),
        "pull" => pull(&options),
        other => Err(usage(format!("unknown command {other:?}"))),
    }
}

fn usage(what: impl Into<String>) -> Failure {
    Failure::new(what, format!("usage:\n{USAGE}"))
}

fn parse_args(args: &[String]) -> Result<Options, Failure> {
    let (mut url, mut token, mut file, mut remote) = (None, None, None, false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--remote" {
            remote = true;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        let slot = match name {
            "--url" => &mut url,
            "--token" => &mut token,
            "--file" => &mut file,
            _ => return Err(usage(format!("unknown argument {arg:?}"))),
        };
        let value = inline.or_else(|| args.next().cloned());
        *slot = Some(value.ok_or_else(|| usage(format!("{name} needs a value")))?);
    }
    if remote && url.is_none() {
        return Err(usage(
            "--remote needs the Worker's address: --url https://leadwire.<account>.workers.dev",
        ));
    }
    let token = token.or_else(|| std::env::var("ADMIN_TOKEN").ok()).ok_or_else(|| {
        Failure::new(
            "no admin token",
            "pass --token, or set ADMIN_TOKEN (the Worker secret of the same name; the demo's is in its output)",
        )
    })?;
    Ok(Options {
        url: url
            .unwrap_or_else(|| LOCAL_URL.to_owned())
            .trim_end_matches('/')
            .to_owned(),
        token,
        file: file
            .map(PathBuf::from)
            .unwrap_or_else(|| leadwire_tests::paths::repo_root().join("edge/sites.toml")),
    })
}

/// Reads and checks a sites file as edge/build.rs does: TOML, or JSON when it ends in `.json`.
pub fn read_file(path: &std::path::Path) -> Result<SitesFile, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            format!("cannot read {}: {e}", path.display()),
            "check the path given to --file",
        )
    })?;
    let parsed: Result<SitesFile, String> = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        toml::from_str(&text).map_err(|e| e.to_string())
    };
    let sites = parsed.map_err(|e| {
        Failure::new(
            format!("{} is not a valid sites file: {e}", path.display()),
            "fix the file (its keys are described at the top of edge/sites.toml)",
        )
    })?;
    let problems = sites.problems();
    if !problems.is_empty() {
        return Err(Failure::new(
            format!("{} has problems:\n  {}", path.display(), problems.join("\n  ")),
            "fix each problem, then push again (nothing was sent)",
        ));
    }
    Ok(sites)
}

/// One answer of the admin API.
struct Answer {
    status: u16,
    body: Value,
}

struct Api {
    agent: ureq::Agent,
    url: String,
    bearer: String,
}

impl Api {
    fn new(options: &Options) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .build()
            .into();
        Api {
            agent,
            url: options.url.clone(),
            bearer: format!("Bearer {}", options.token),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer, Failure> {
        let url = format!("{}{path}", self.url);
        let bearer = &self.bearer;
        let unreachable = |e: ureq::Error| {
            Failure::new(
                format!("{method} {url}: {e}"),
                "is the collector running? (`cargo xtask demo` locally; --url for another)",
            )
        };
        let mut response = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("authorization", bearer).call(),
            (_, Some(body)) => self
                .agent
                .put(&url)
                .header("authorization", bearer)
                .header("content-type", "application/json")
                .send(body.to_string()),
            (_, None) => return Err(Failure::new(format!("{method} without a body"), "a bug in xtask")),
        }
        .map_err(unreachable)?;
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let answer = Answer {
            status: response.status().as_u16(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        };
        match answer.status {
            401 | 403 => Err(Failure::new(
                format!("{method} {url}: {} ({})", answer.status, error_message(&answer.body)),
                "check --token or ADMIN_TOKEN: it must be the Worker's ADMIN_TOKEN",
            )),
            _ => Ok(answer),
        }
    }
}

fn error_message(body: &Value) -> String {
    body.pointer("/error/message")
        .and_then(Value::as_str)
        .unwrap_or("no error message")
        .to_owned()
}

/// Each site of the file, written over the collector's current version of it.
fn push(options: &Options) -> Result<(), Failure> {
    let file = read_file(&options.file)?;
    let api = Api::new(options);
    println!(
        "{}: {} sites, checked; pushing to {}",
        options.file.display(),
        file.sites.len(),
        options.url
    );
    let mut failed = Vec::new();
    for site in &file.sites {
        match push_site(&api, site) {
            Ok(line) => println!("  {}: {line}", site.id),
            Err(lines) => {
                println!("  {}: refused", site.id);
                for line in &lines {
                    println!("      {line}");
                }
                failed.push(site.id.clone());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(
            format!("not pushed: {}", failed.join(", ")),
            "fix what the collector said about each (above) and push again; the rest are in place",
        ))
    }
}

/// `version N` or `unchanged (version N)`; `Err` with the collector's field errors.
fn push_site(api: &Api, site: &Site) -> Result<String, Vec<String>> {
    let path = format!("/v1/admin/sites/{}", site.id);
    let current = api.call("GET", &path, None).map_err(|f| vec![f.what])?;
    let (version, served) = match current.status {
        200 => (
            current.body["version"].as_i64().unwrap_or(0),
            current.body.get("site").cloned().unwrap_or(Value::Null),
        ),
        404 => (0, Value::Null),
        status => return Err(vec![format!("GET {path}: {status} {}", error_message(&current.body))]),
    };
    let mut wanted = serde_json::to_value(site).map_err(|e| vec![e.to_string()])?;
    // Secrets set through the API, which the file does not name, stay: the
    // file should leave secrets to the Worker, and a push must not drop them.
    let kept = keep_api_secrets(&mut wanted, &served);
    if wanted == served {
        return Ok(format!("unchanged (version {version})"));
    }
    let answer = api
        .call("PUT", &path, Some(&json!({"version": version, "site": wanted})))
        .map_err(|f| vec![f.what])?;
    match answer.status {
        200 => Ok(format!(
            "version {}{}",
            answer.body["version"].as_i64().unwrap_or(-1),
            if kept.is_empty() {
                String::new()
            } else {
                format!(" (kept secrets set through the API: {})", kept.join(", "))
            }
        )),
        status => {
            let mut lines = vec![format!("{status}: {}", error_message(&answer.body))];
            if let Some(fields) = answer.body.pointer("/error/fields").and_then(Value::as_array) {
                lines.extend(fields.iter().map(|f| {
                    format!(
                        "{}: {}",
                        f["field"].as_str().unwrap_or("?"),
                        f["message"].as_str().unwrap_or("")
                    )
                }));
            }
            Err(lines)
        }
    }
}

/// Adds `{"set": true}` to `wanted` for each secret `served` has and `wanted`
/// does not name; returns their names.
fn keep_api_secrets(wanted: &mut Value, served: &Value) -> Vec<String> {
    let Some(served) = served.get("secrets").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    if let Value::Object(site) = wanted {
        let secrets = site.entry("secrets").or_insert_with(|| json!({}));
        if let Value::Object(secrets) = secrets {
            for name in served.keys() {
                if !secrets.contains_key(name) {
                    secrets.insert(name.clone(), json!({"set": true}));
                    kept.push(name.clone());
                }
            }
        }
    }
    kept
}

/// Every site the collector serves, as one TOML sites file on stdout.
fn pull(options: &Options) -> Result<(), Failure> {
    let api = Api::new(options);
    let list = api.call("GET", "/v1/admin/sites", None)?;
    let fix = "check that the collector has the admin site routes (issue 12) and ADMIN_TOKEN";
    if list.status != 200 {
        return Err(Failure::new(
            format!("GET /v1/admin/sites: {} {}", list.status, error_message(&list.body)),
            fix,
        ));
    }
    let ids: Vec<String> = list.body["sites"]
        .as_array()
        .map(|sites| {
            sites
                .iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut out = format!(
        "# Sites served by {} (cargo xtask sites pull). Secrets are not written:\n\
         # each is listed in a comment with its last four characters, and `sites push`\n\
         # keeps those set through the API.\n",
        options.url
    );
    for id in ids {
        let answer = api.call("GET", &format!("/v1/admin/sites/{id}"), None)?;
        if answer.status != 200 {
            return Err(Failure::new(
                format!(
                    "GET /v1/admin/sites/{id}: {} {}",
                    answer.status,
                    error_message(&answer.body)
                ),
                fix,
            ));
        }
        out.push_str(&site_toml(&answer.body).map_err(|e| Failure::new(format!("site {id}: {e}"), fix))?);
    }
    print!("{out}");
    Ok(())
}

/// One site of a `GET /v1/admin/sites/{id}` answer as TOML: a comment with
/// its version, the `[[site]]` table, and its secrets as comments.
fn site_toml(answer: &Value) -> Result<String, String> {
    let mut json = answer.get("site").cloned().ok_or("no site in the answer")?;
    let secrets = json
        .as_object_mut()
        .and_then(|site| site.remove("secrets"))
        .and_then(|s| s.as_object().cloned())
        .unwrap_or_default();
    let site: Site = serde_json::from_value(json).map_err(|e| format!("not a site: {e}"))?;
    let mut out = format!(
        "\n# {}: version {}, updated {}\n",
        site.id,
        answer["version"].as_i64().unwrap_or(0),
        answer["updated_at"].as_str().unwrap_or("never (the compiled-in file)")
    );
    out.push_str(&toml::to_string(&SitesFile { sites: vec![site] }).map_err(|e| e.to_string())?);
    if !secrets.is_empty() {
        out.push_str("# [site.secrets] set through the API (values never leave the collector):\n");
        for (name, shown) in secrets {
            let last4 = shown["last4"].as_str().unwrap_or("");
            let shown = if last4.is_empty() {
                "set".to_owned()
            } else {
                format!("set, ends in {last4:?}")
            };
            out.push_str(&format!("# {name} = …  ({shown})\n"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled() -> SitesFile {
        read_file(&leadwire_tests::paths::repo_root().join("edge/sites.toml")).expect("edge/sites.toml checks")
    }

    #[test]
    fn pulled_toml_reads_back_as_the_same_sites() {
        let file = compiled();
        let mut text = String::new();
        for (i, site) in file.sites.iter().enumerate() {
            let mut json = serde_json::to_value(site).expect("json");
            json["secrets"] = json!({"CRM_TOKEN": {"set": true, "last4": "wxyz"}});
            let answer = json!({"id": site.id, "version": i, "updated_at": null, "site": json});
            text.push_str(&site_toml(&answer).expect("toml"));
        }
        let back: SitesFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, file);
        assert!(text.contains("# CRM_TOKEN = …  (set, ends in \"wxyz\")"), "{text}");
        assert_eq!(back.problems(), Vec::<String>::new());
    }

    #[test]
    fn a_push_keeps_secrets_the_file_does_not_name() {
        let served = json!({"secrets": {"API_ONLY": {"set": true, "last4": ""}, "BOTH": {"set": true}}});
        let mut wanted = json!({"id": "shop", "secrets": {"BOTH": "new value"}});
        assert_eq!(keep_api_secrets(&mut wanted, &served), ["API_ONLY"]);
        assert_eq!(
            wanted["secrets"],
            json!({"API_ONLY": {"set": true}, "BOTH": "new value"})
        );
        let mut plain = json!({"id": "shop"});
        assert_eq!(
            keep_api_secrets(&mut plain, &json!({"id": "shop"})),
            Vec::<String>::new()
        );
        assert_eq!(plain, json!({"id": "shop"}));
    }

    #[test]
    fn a_bad_file_is_refused_before_anything_is_sent() {
        let dir = std::env::temp_dir().join(format!("xtask-sites-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let path = dir.join("bad.toml");
        std::fs::write(
            &path,
            "[[site]]\nid = \"Bad Id\"\norigins = [\"https://shop.example/\"]\ndefault_country = \"ZZ\"\n",
        )
        .expect("written");
        let failure = read_file(&path).expect_err("refused");
        for part in ["Bad Id", "origin", "default_country"] {
            assert!(failure.what.contains(part), "{part}: {}", failure.what);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
