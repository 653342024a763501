//! How many leads a site takes from one client and for one phone number, and
//! the counter that says whether the next one may come in.
//!
//! A site's [`Limits`] (`[site.limits]` in sites.toml) hold one [`Rule`] per
//! [`Scope`]: so many leads per so many seconds. The [`Counter`] keeps a
//! fixed window per key, anchored at the key's first lead (not at the clock's
//! minute), so a burst that starts at :59 gets the same answer as one that
//! starts at :00. It reads no clock: `now_ms` comes in with every hit. The
//! widget's side is [`retry_delay_ms`]: when to try a kept lead again.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// What a key counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One client address (`CF-Connecting-IP`; an IPv6 address by its /64), before validation.
    Client,
    /// One phone number in E.164, after validation.
    Phone,
}

impl Scope {
    /// The key's prefix and the name in sites.toml.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Client => "client",
            Scope::Phone => "phone",
        }
    }
}

/// At most `leads` in any window of `seconds` (a window opens with a key's first lead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub leads: u32,
    pub seconds: u32,
}

/// A site's limits; every key optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Per client address: a person sends one or two; a script sends hundreds.
    #[serde(default = "Limits::default_client")]
    pub client: Rule,
    /// Per phone number: stops one number being flooded into the CRM (and called
    /// again and again), from however many addresses.
    #[serde(default = "Limits::default_phone")]
    pub phone: Rule,
}

/// The bounds a rule must keep (checked when the sites file is built).
const LEADS: std::ops::RangeInclusive<u32> = 1..=1_000_000;
const SECONDS: std::ops::RangeInclusive<u32> = 1..=86_400;

impl Limits {
    fn default_client() -> Rule {
        Rule { leads: 20, seconds: 60 }
    }

    fn default_phone() -> Rule {
        Rule {
            leads: 10,
            seconds: 3_600,
        }
    }

    pub fn rule(&self, scope: Scope) -> Rule {
        match scope {
            Scope::Client => self.client,
            Scope::Phone => self.phone,
        }
    }

    /// Problems with the limits, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for scope in [Scope::Client, Scope::Phone] {
            let rule = self.rule(scope);
            if !LEADS.contains(&rule.leads) {
                problems.push(format!(
                    "{}.leads must be {} to {}",
                    scope.name(),
                    LEADS.start(),
                    LEADS.end()
                ));
            }
            if !SECONDS.contains(&rule.seconds) {
                problems.push(format!(
                    "{}.seconds must be {} to {}",
                    scope.name(),
                    SECONDS.start(),
                    SECONDS.end()
                ));
            }
        }
        problems
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            client: Limits::default_client(),
            phone: Limits::default_phone(),
        }
    }
}

/// The answer for one lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit: the window ends in this many seconds (`Retry-After`, at least 1).
    Limited {
        retry_after_secs: u32,
    },
}

/// The counting key of a client address: an IPv4 address as it is, an IPv6
/// address by its /64 (one subscriber's network: rotating within it must not
/// buy a fresh budget), anything unreadable as one shared key.
pub fn client_key(address: Option<&str>) -> String {
    match address.map(str::trim).and_then(|a| a.parse::<IpAddr>().ok()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => "unknown".to_owned(),
    }
}

/// The key a scope counts under, per site: `phone:shop:+79123456789`.
pub fn key(scope: Scope, site: &str, value: &str) -> String {
    format!("{}:{site}:{value}", scope.name())
}

#[derive(Debug, Clone, Copy)]
struct Window {
    ends_ms: i64,
    count: u32,
}

/// Fixed windows per key, for one process (a Worker isolate). Holds at most
/// `capacity` keys: when full, ended windows go first, then the one nearest
/// its end (a flood of fresh keys cannot grow it without bound).
#[derive(Debug)]
pub struct Counter {
    windows: HashMap<String, Window>,
    capacity: usize,
}

impl Counter {
    pub fn new(capacity: usize) -> Self {
        Counter {
            windows: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// Counts one lead under `key` at `now_ms` against `rule`. A refused lead is not counted.
    pub fn hit(&mut self, key: &str, rule: Rule, now_ms: i64) -> Verdict {
        let period_ms = i64::from(rule.seconds.max(1)) * 1000;
        if let Some(w) = self.windows.get_mut(key).filter(|w| w.ends_ms > now_ms) {
            if w.count >= rule.leads {
                let wait_ms = w.ends_ms - now_ms;
                let secs = u32::try_from((wait_ms + 999) / 1000).unwrap_or(u32::MAX);
                return Verdict::Limited {
                    retry_after_secs: secs.max(1),
                };
            }
            w.count += 1;
            return Verdict::Allowed;
        }
        if rule.leads == 0 {
            return Verdict::Limited {
                retry_after_secs: rule.seconds.max(1),
            };
        }
        if !self.windows.contains_key(key) && self.windows.len() >= self.capacity {
            self.make_room(now_ms);
        }
        let window = Window {
            ends_ms: now_ms.saturating_add(period_ms),
            count: 1,
        };
        self.windows.insert(key.to_owned(), window);
        Verdict::Allowed
    }

    fn make_room(&mut self, now_ms: i64) {
        self.windows.retain(|_, w| w.ends_ms > now_ms);
        if self.windows.len() >= self.capacity {
            let nearest = self
                .windows
                .iter()
                .min_by_key(|(_, w)| w.ends_ms)
                .map(|(k, _)| k.clone());
            if let Some(k) = nearest {
                self.windows.remove(&k);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.windows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }
}

/// The longest a kept lead waits for a `Retry-After`: an hour (the default phone window).
pub const MAX_RETRY_AFTER_SECS: u32 = 3_600;
/// Without one, the wait doubles from a second up to this.
pub const MAX_BACKOFF_SECS: u32 = 60;

/// A `Retry-After` value in seconds (the delta-seconds form, which the
/// collector sends; an HTTP date reads as none).
pub fn parse_retry_after(header: Option<&str>) -> Option<u32> {
    header?.trim().parse::<u32>().ok()
}

/// How long the widget waits before sending a kept lead again: what the
/// collector asked for (`Retry-After`, within an hour), else a backoff that
/// doubles from 1 s with each failure, up to a minute.
pub fn retry_delay_ms(failures: u32, retry_after_secs: Option<u32>) -> u32 {
    let secs = match retry_after_secs {
        Some(asked) => asked.clamp(1, MAX_RETRY_AFTER_SECS),
        None => 2u32.saturating_pow(failures).min(MAX_BACKOFF_SECS),
    };
    secs * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Rule = Rule { leads: 3, seconds: 60 };

    #[test]
    fn a_window_takes_its_leads_then_says_how_long_to_wait() {
        let mut counter = Counter::new(100);
        let t0 = 1_700_000_000_000;
        // (ms after the first lead, verdict)
        let cases = [
            (0, Verdict::Allowed),
            (1, Verdict::Allowed),
            (10_000, Verdict::Allowed),
            (10_001, Verdict::Limited { retry_after_secs: 50 }),
            (30_500, Verdict::Limited { retry_after_secs: 30 }),
            (59_001, Verdict::Limited { retry_after_secs: 1 }),
            (59_999, Verdict::Limited { retry_after_secs: 1 }),
            // The window has ended: a new one opens with this lead.
            (60_000, Verdict::Allowed),
            (60_001, Verdict::Allowed),
            (60_002, Verdict::Allowed),
            (60_003, Verdict::Limited { retry_after_secs: 60 }),
        ];
        for (after, expected) in cases {
            assert_eq!(
                counter.hit("client:shop:203.0.113.7", MINUTE, t0 + after),
                expected,
                "at +{after} ms"
            );
        }
    }

    #[test]
    fn a_burst_of_a_thousand_gets_exactly_the_limit() {
        let mut counter = Counter::new(100);
        let verdicts: Vec<Verdict> = (0..1000).map(|i| counter.hit("k", MINUTE, i)).collect();
        let allowed = verdicts.iter().filter(|v| **v == Verdict::Allowed).count();
        assert_eq!((allowed, verdicts.len() - allowed), (3, 997));
        assert!(
            verdicts[..3].iter().all(|v| *v == Verdict::Allowed),
            "the first ones go through"
        );
    }

    #[test]
    fn keys_count_apart() {
        let mut counter = Counter::new(100);
        let one = Rule { leads: 1, seconds: 5 };
        assert_eq!(counter.hit("client:shop:203.0.113.7", one, 0), Verdict::Allowed);
        assert_eq!(
            counter.hit("client:shop:203.0.113.7", one, 1),
            Verdict::Limited { retry_after_secs: 5 }
        );
        assert_eq!(counter.hit("client:shop:203.0.113.8", one, 2), Verdict::Allowed);
        assert_eq!(counter.hit("client:other:203.0.113.7", one, 3), Verdict::Allowed);
    }

    #[test]
    fn a_full_counter_forgets_ended_windows_first_then_the_nearest_end() {
        let mut counter = Counter::new(2);
        let one = Rule { leads: 1, seconds: 10 };
        let long = Rule {
            leads: 1,
            seconds: 1000,
        };
        counter.hit("a", one, 0);
        counter.hit("b", long, 0);
        // At 20 s "a" has ended: it goes, "b" stays limited.
        assert_eq!(counter.hit("c", long, 20_000), Verdict::Allowed);
        assert_eq!(counter.len(), 2);
        assert!(matches!(counter.hit("b", long, 20_001), Verdict::Limited { .. }));
        // Nothing has ended: the nearest end ("b", at 1000 s) makes room for "d".
        assert_eq!(counter.hit("d", long, 30_000), Verdict::Allowed);
        assert_eq!(counter.len(), 2);
        assert!(matches!(counter.hit("c", long, 30_001), Verdict::Limited { .. }));
    }

    #[test]
    fn client_keys_group_an_ipv6_network_and_read_anything_else_as_one() {
        let cases = [
            (Some("203.0.113.7"), "203.0.113.7"),
            (Some(" 203.0.113.7 "), "203.0.113.7"),
            (Some("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64"),
            (Some("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64"),
            (Some("::ffff:203.0.113.7"), "203.0.113.7"),
            (Some("not an address"), "unknown"),
            (Some(""), "unknown"),
            (None, "unknown"),
        ];
        for (header, expected) in cases {
            assert_eq!(client_key(header), expected, "{header:?}");
        }
        assert_eq!(key(Scope::Phone, "shop", "+79123456789"), "phone:shop:+79123456789");
    }

    #[test]
    fn limits_default_and_read_from_toml() {
        let limits: Limits = toml::from_str("").expect("empty limits");
        assert_eq!(limits, Limits::default());
        assert_eq!(limits.rule(Scope::Client), Rule { leads: 20, seconds: 60 });
        assert_eq!(
            limits.rule(Scope::Phone),
            Rule {
                leads: 10,
                seconds: 3600
            }
        );
        let limits: Limits = toml::from_str("client = { leads = 5, seconds = 3600 }").expect("a client rule");
        assert_eq!(
            limits.client,
            Rule {
                leads: 5,
                seconds: 3600
            }
        );
        assert_eq!(limits.phone, Limits::default().phone);
        assert!(
            toml::from_str::<Limits>("client = { leads = 5 }").is_err(),
            "a rule names both"
        );
        assert!(
            toml::from_str::<Limits>("per_ip = 5").is_err(),
            "unknown keys are refused"
        );
    }

    #[test]
    fn limits_out_of_bounds_are_problems() {
        let bad = Limits {
            client: Rule { leads: 0, seconds: 60 },
            phone: Rule {
                leads: 5,
                seconds: 86_401,
            },
        };
        assert_eq!(
            bad.problems(),
            vec!["client.leads must be 1 to 1000000", "phone.seconds must be 1 to 86400"]
        );
        assert!(Limits::default().problems().is_empty());
    }

    #[test]
    fn the_widget_waits_as_asked_else_backs_off() {
        // (failures so far, Retry-After header, wait in ms)
        let cases = [
            (0, None, 1_000),
            (1, None, 2_000),
            (5, None, 32_000),
            (6, None, 60_000),
            (40, None, 60_000),
            (0, Some("7"), 7_000),
            (9, Some(" 7 "), 7_000),
            (0, Some("0"), 1_000),
            (0, Some("999999"), 3_600_000),
            (3, Some("Wed, 21 Oct 2026 07:28:00 GMT"), 8_000),
            (0, Some("-5"), 1_000),
        ];
        for (failures, header, ms) in cases {
            let asked = parse_retry_after(header);
            assert_eq!(retry_delay_ms(failures, asked), ms, "{failures} {header:?}");
        }
    }
}
