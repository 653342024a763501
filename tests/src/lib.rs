//! The pieces the end-to-end tests and `cargo xtask demo|bench` run the
//! product with: the Worker under `wrangler dev`, webhook receivers that
//! verify signatures, and a static server for the demo site. Every process
//! started here is stopped when its guard drops, on every exit path.

pub mod chromium;
pub mod collector;
pub mod paths;
pub mod process;
pub mod receiver;
pub mod standins;
pub mod static_site;
pub mod turnstile;
pub mod wait;

/// The secret the demo and the tests sign with (Standard Webhooks' example key).
pub const DEMO_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
