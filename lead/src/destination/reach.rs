//! Which addresses a destination may call: the guard against a site's
//! settings (or a compromised admin token) turning the collector into a
//! client of the operator's own network (SSRF).
//!
//! Checked when a site is read or written ([`super::settings`] through each
//! kind's `check`) and again right before every request (the Worker's
//! attempt), because a request's address is built from settings and secrets
//! that may change between the two. Only what the address itself says can be
//! checked here; a public name that resolves to a private address is stopped
//! by the runtime (Cloudflare's `fetch` never reaches private networks, and
//! workerd's default outbound network allows only public addresses).

use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Whether plain http to this machine is allowed: only in local development,
/// where the products are stand-ins on 127.0.0.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loopback {
    Allowed,
    Refused,
}

/// Why an address may not be called; its code goes into the attempt's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not `https` (plain http only to a loopback stand-in in local development).
    NotHttps,
    /// A private, link-local, metadata or otherwise non-public address or name.
    PrivateAddress,
    /// This machine, outside local development.
    Loopback,
    /// No host, or not a URL at all.
    NoHost,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotHttps => "address_not_https",
            Refusal::PrivateAddress => "address_private",
            Refusal::Loopback => "address_loopback",
            Refusal::NoHost => "address_invalid",
        }
    }
}

/// Name suffixes that only mean something inside a network (RFC 6761,
/// RFC 6762, RFC 8375 and the clouds' metadata names such as
/// `metadata.google.internal`).
const PRIVATE_NAME_SUFFIXES: &[&str] = &[".local", ".internal", ".lan", ".home.arpa", ".intranet", ".corp"];

/// Whether `url` may be called; `loopback` says whether this is local development.
pub fn check(url: &Url, loopback: Loopback) -> Result<(), Refusal> {
    let place = match url.host() {
        None => return Err(Refusal::NoHost),
        Some(Host::Domain(name)) => name_place(name),
        Some(Host::Ipv4(ip)) => v4_place(ip),
        Some(Host::Ipv6(ip)) => v6_place(ip),
    };
    match (place, url.scheme(), loopback) {
        (Place::Private, _, _) => Err(Refusal::PrivateAddress),
        (Place::Loopback, "http" | "https", Loopback::Allowed) => Ok(()),
        (Place::Loopback, _, Loopback::Refused) => Err(Refusal::Loopback),
        (Place::Public, "https", _) => Ok(()),
        _ => Err(Refusal::NotHttps),
    }
}

/// [`check`] on a URL given as text.
pub fn check_text(url: &str, loopback: Loopback) -> Result<(), Refusal> {
    Url::parse(url)
        .map_err(|_| Refusal::NoHost)
        .and_then(|u| check(&u, loopback))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Public,
    Loopback,
    Private,
}

fn name_place(name: &str) -> Place {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        Place::Loopback
    } else if !name.contains('.') || PRIVATE_NAME_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        // A single label (`intranet`, `metadata`) is resolved by a local search list.
        Place::Private
    } else {
        Place::Public
    }
}

fn v4_place(ip: Ipv4Addr) -> Place {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Place::Loopback
    } else if ip.is_private()
        || ip.is_link_local() // 169.254.0.0/16, the clouds' metadata address among them
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // 100.64.0.0/10, carrier-grade NAT
        || (a == 198 && (b == 18 || b == 19)) // 198.18.0.0/15, benchmarking
        || a >= 240
    {
        Place::Private
    } else {
        Place::Public
    }
}

fn v6_place(ip: Ipv6Addr) -> Place {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_place(v4);
    }
    let segments = ip.segments();
    if ip.is_loopback() {
        Place::Loopback
    } else if ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || (segments[0] == 0x64 && segments[1] == 0xff9b) // NAT64: an IPv4 address inside
        || segments[0] == 0x2001 && segments[1] == 0xdb8
    {
        Place::Private
    } else {
        Place::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_https_is_the_only_address_in_production() {
        let cases: &[(&str, Result<(), Refusal>)] = &[
            ("https://b24-abc.bitrix24.ru/rest/1/x/", Ok(())),
            ("https://api.telegram.org/bot1:x/sendMessage", Ok(())),
            ("https://93.184.216.34/hook", Ok(())),
            ("http://crm.example.com/hook", Err(Refusal::NotHttps)),
            ("ftp://crm.example.com/hook", Err(Refusal::NotHttps)),
            ("https://127.0.0.1/hook", Err(Refusal::Loopback)),
            ("http://localhost:8080/", Err(Refusal::Loopback)),
            ("https://[::1]/", Err(Refusal::Loopback)),
            ("https://10.0.0.5/", Err(Refusal::PrivateAddress)),
            ("https://172.16.3.4/", Err(Refusal::PrivateAddress)),
            ("https://192.168.1.1/", Err(Refusal::PrivateAddress)),
            ("http://169.254.169.254/latest/meta-data/", Err(Refusal::PrivateAddress)),
            ("https://100.100.100.200/", Err(Refusal::PrivateAddress)),
            ("https://0.0.0.0/", Err(Refusal::PrivateAddress)),
            ("https://[fd00::1]/", Err(Refusal::PrivateAddress)),
            ("https://[fe80::1]/", Err(Refusal::PrivateAddress)),
            ("https://[::ffff:10.0.0.1]/", Err(Refusal::PrivateAddress)),
            ("https://[64:ff9b::a00:1]/", Err(Refusal::PrivateAddress)),
            ("https://metadata.google.internal/", Err(Refusal::PrivateAddress)),
            ("https://printer.local/", Err(Refusal::PrivateAddress)),
            ("https://intranet/", Err(Refusal::PrivateAddress)),
            // Other spellings of 10.0.0.1 and 127.0.0.1, read as the browser reads them.
            ("https://0x0a000001/", Err(Refusal::PrivateAddress)),
            ("https://2130706433/", Err(Refusal::Loopback)),
            ("https://017700000001/", Err(Refusal::Loopback)),
            ("not a url", Err(Refusal::NoHost)),
        ];
        for (url, want) in cases {
            assert_eq!(check_text(url, Loopback::Refused), *want, "{url}");
        }
    }

    #[test]
    fn local_development_may_call_stand_ins_on_this_machine_only() {
        let cases: &[(&str, Result<(), Refusal>)] = &[
            ("http://127.0.0.1:9100/hook", Ok(())),
            ("http://localhost:9100/hook", Ok(())),
            ("http://[::1]:9100/hook", Ok(())),
            ("http://192.168.1.1/", Err(Refusal::PrivateAddress)),
            ("http://crm.example.com/", Err(Refusal::NotHttps)),
            ("https://crm.example.com/", Ok(())),
        ];
        for (url, want) in cases {
            assert_eq!(check_text(url, Loopback::Allowed), *want, "{url}");
        }
    }
}
