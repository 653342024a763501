//! `cargo xtask attribute`: how Leadwire classifies a landing URL, and which
//! rule decided, so an ad link can be checked before the campaign starts.

use std::io::{BufRead, Write};

use lead::attribution::explain;
use lead::wire::Touch;

use crate::step::Failure;

const USAGE: &str =
    "cargo xtask attribute --url URL [--referrer R]   (or JSON lines {\"url\":…,\"referrer\":…} on stdin)";

/// One URL as pretty JSON, or JSON lines in and out when no `--url` is given.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let (url, referrer) = parse_args(args)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match url {
        Some(url) => {
            let explained = explain(&touch(url, referrer), None);
            let json = serde_json::to_string_pretty(&explained).map_err(|e| Failure::new(e.to_string(), USAGE))?;
            writeln!(out, "{json}")
        }
        None => {
            let stdin = std::io::stdin();
            lines(stdin.lock(), &mut out)
        }
    };
    match written {
        // A closed pipe (`| head`) is the reader saying it has enough.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::new(
            format!("cannot read or write: {e}"),
            "check the input and output streams",
        )),
        _ => Ok(()),
    }
}

fn parse_args(args: &[String]) -> Result<(Option<String>, Option<String>), Failure> {
    let (mut url, mut referrer) = (None, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        let slot = match name {
            "--url" => &mut url,
            "--referrer" => &mut referrer,
            _ => return Err(usage(format!("unknown argument {arg:?}"))),
        };
        let value = inline.or_else(|| args.next().cloned());
        *slot = Some(value.ok_or_else(|| usage(format!("{name} needs a value")))?);
    }
    if referrer.is_some() && url.is_none() {
        return Err(usage("--referrer needs --url".into()));
    }
    Ok((url, referrer))
}

fn usage(what: String) -> Failure {
    Failure::new(what, format!("usage: {USAGE}"))
}

fn touch(url: String, referrer: Option<String>) -> Touch {
    Touch {
        url,
        referrer,
        at: None,
    }
}

/// One compact JSON result per input line; blank lines are skipped, a bad
/// line gets `{"error": …, "line": N}` and the rest still run.
fn lines(input: impl BufRead, out: &mut impl Write) -> std::io::Result<()> {
    for (index, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        writeln!(out, "{}", explain_line(&line, index + 1))?;
    }
    Ok(())
}

fn explain_line(line: &str, number: usize) -> String {
    let result = read_line(line).and_then(|(url, referrer)| {
        serde_json::to_value(explain(&touch(url, referrer), None)).map_err(|e| e.to_string())
    });
    let value = result.unwrap_or_else(|error| serde_json::json!({ "error": error, "line": number }));
    value.to_string()
}

fn read_line(line: &str) -> Result<(String, Option<String>), String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let url = match value.get("url") {
        Some(serde_json::Value::String(url)) => url.clone(),
        _ => return Err(r#"expected {"url": "…", "referrer": "…" or null}"#.into()),
    };
    let referrer = match value.get("referrer") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(r)) => Some(r.clone()),
        Some(_) => return Err("referrer must be a string or null".into()),
    };
    Ok((url, referrer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_in_one_result_or_error_per_line_out() {
        let input = concat!(
            r#"{"url":"https://s.example/?utm_source=vk&utm_medium=cpc"}"#,
            "\n\n",
            "not json\n",
            r#"{"url":"https://s.example/","referrer":"https://www.google.com/"}"#,
            "\n",
            r#"{"referrer":"https://www.google.com/"}"#,
            "\n",
        );
        let mut out = Vec::new();
        lines(input.as_bytes(), &mut out).expect("writes");
        let got: Vec<serde_json::Value> = String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        let summary: Vec<String> = got
            .iter()
            .map(|v| match v.get("error") {
                Some(_) => format!("error at line {}", v["line"]),
                None => format!("{} {}/{}", v["channel"], v["source"], v["medium"]),
            })
            .collect();
        assert_eq!(
            summary,
            [
                r#""paid_social" "vk"/"cpc""#,
                "error at line 3",
                r#""organic_search" "google"/"organic""#,
                "error at line 5",
            ]
        );
        assert!(got[0]["rule"].as_str().is_some_and(|r| r.contains("paid_social")));
        assert!(got[0]["click_ids"].is_object());
    }

    #[test]
    fn arguments() {
        let args = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>()).map_err(|e| e.what);
        let url = |u: &str, r: Option<&str>| Ok((Some(u.to_owned()), r.map(str::to_owned)));
        assert_eq!(args(&["--url", "https://a/"]), url("https://a/", None));
        assert_eq!(
            args(&["--url=https://a/?x=1", "--referrer", "r"]),
            url("https://a/?x=1", Some("r"))
        );
        assert_eq!(args(&[]), Ok((None, None)));
        assert!(args(&["--url"]).is_err());
        assert!(args(&["--referrer", "r"]).is_err());
        assert!(args(&["--verbose"]).is_err());
    }
}
