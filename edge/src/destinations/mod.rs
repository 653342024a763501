//! Destinations: how a lead becomes an HTTP request for one receiver.
//!
//! Each kind of receiver is one file with a pure `request` function, so the
//! exact bytes a CRM gets are testable without a network.

pub mod webhook;

use lead::signing::WebhookSecret;

/// A resolved destination: its endpoint and signing key, read from secrets.
pub struct Target {
    pub url: String,
    pub secret: WebhookSecret,
}

impl std::fmt::Debug for Target {
    // The URL may carry a token (Bitrix24 puts one in the path): never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Target(***)")
    }
}

/// An HTTP POST ready to send.
pub struct OutboundRequest {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}
