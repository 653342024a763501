//! Cloudflare Turnstile at intake, for a site with `[site.turnstile]`: asks
//! siteverify about the submission's token and acts on `lead::turnstile`'s
//! verdict. Siteverify's address comes from the `TURNSTILE_SITEVERIFY_URL`
//! var (tests point it at a stand-in), its timeout from `TURNSTILE_TIMEOUT_MS`.

use std::time::Duration;

use lead::site::Site;
use lead::turnstile::{self, Reply, Verdict};
use lead::wire::{FieldError, Lead};
use worker::{console_error, console_log, Env, Request};

/// A healthy siteverify answers in tens of milliseconds; past this the
/// visitor has waited enough, and the lead is held instead.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(3_000);

/// The reason to store the lead with: `spam` as judged, or why it is held
/// for review; `Err` with the field to refuse it with (nothing is stored).
/// Sites without Turnstile, and spam (answered like a lead, never forwarded),
/// are not asked about.
pub async fn check(
    env: &Env,
    req: &Request,
    site: &Site,
    lead: &Lead,
    token: Option<&str>,
    spam: Option<&'static str>,
) -> Result<Option<&'static str>, FieldError> {
    let Some(settings) = site.turnstile.as_ref().filter(|_| spam.is_none()) else {
        return Ok(spam);
    };
    let verdict = match turnstile::precheck(lead.kind, token) {
        Err(verdict) => verdict,
        Ok(token) => match crate::secrets::resolve(env, site, &settings.secret) {
            None => {
                console_error!(
                    "site {}: the secret {} (turnstile.secret) is set neither in the site nor in the Worker; leads are held",
                    site.id,
                    settings.secret
                );
                Verdict::Hold(turnstile::MISCONFIGURED)
            }
            Some(secret) => {
                let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
                let url = var("TURNSTILE_SITEVERIFY_URL").unwrap_or_else(|| turnstile::SITEVERIFY_URL.to_owned());
                let timeout = var("TURNSTILE_TIMEOUT_MS")
                    .and_then(|t| t.parse().ok())
                    .map_or(DEFAULT_TIMEOUT, Duration::from_millis);
                let ip = req.headers().get("cf-connecting-ip").ok().flatten();
                let request = turnstile::siteverify_request(&url, &secret, token, ip.as_deref(), lead.id);
                match crate::deliver::send(request, timeout).await {
                    Ok(reply) => turnstile::judge(
                        settings,
                        &site.origins,
                        Reply::Answered {
                            status: reply.status,
                            body: &reply.body,
                        },
                    ),
                    Err(_) => turnstile::judge(settings, &site.origins, Reply::NoAnswer),
                }
            }
        },
    };
    match verdict {
        Verdict::Pass => Ok(None),
        Verdict::Hold(reason) => {
            console_log!("lead {}: held for review ({reason})", lead.id);
            Ok(Some(reason))
        }
        Verdict::Refuse(refusal) => Err(refusal.field_error()),
    }
}
