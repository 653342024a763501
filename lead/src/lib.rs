//! Leadwire's domain, shared by the widget (wasm in the browser) and the edge
//! collector (wasm in a Worker), and tested natively.
//!
//! The flow a lead takes through this crate:
//! [`wire::parse_submission`] → [`validate::validate`] (which normalises the
//! phone with [`phone::normalize`] and classifies the source with
//! [`attribution::attribute`]) → a [`wire::Lead`] that the collector stores and
//! wraps in a [`wire::WebhookEvent`], signed with [`signing::WebhookSecret`].
//! The widget keeps the visitor's touches with [`touches::record_page_view`]
//! (run in the browser by the JS loader, built from [`loader::tables_json`]),
//! and what they typed but did not send by [`draft`]'s rules.
//! Nothing here does I/O or reads a clock: time comes in as an argument.

pub mod attribution;
pub mod delivery;
pub mod destination;
pub mod draft;
pub mod export;
pub mod funnel;
pub mod hours;
pub mod json;
pub mod limits;
pub mod loader;
pub mod phone;
pub mod privacy;
pub mod rate;
pub mod sealed;
pub mod signing;
pub mod site;
pub mod spam;
pub mod stats;
pub mod tidy;
pub mod touches;
pub mod turnstile;
pub mod validate;
pub mod widget;
pub mod wire;
mod wire_names;
