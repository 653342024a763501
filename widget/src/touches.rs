//! The visitor's first touch, kept in first-party localStorage so a lead sent
//! days later still says where the visitor first came from.

use lead::wire::{Touch, Touches};
use web_sys::Window;

const KEY: &str = "leadwire:touches";

/// Records this page view and returns the touches to send with a lead.
/// Storage that is full, disabled or corrupt costs the history, never the lead.
pub fn record(window: &Window) -> Touches {
    let storage = window.local_storage().ok().flatten();
    let stored = storage
        .as_ref()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<Touches>(&json).ok());
    let mut touches = stored.unwrap_or_default();
    if touches.first.is_none() {
        touches.first = Some(current(window));
        touches.visits = Some(1);
        if let (Some(storage), Ok(json)) = (storage, serde_json::to_string(&touches)) {
            let _ = storage.set_item(KEY, &json);
        }
    }
    touches
}

fn current(window: &Window) -> Touch {
    let document = window.document();
    Touch {
        url: window.location().href().unwrap_or_default(),
        referrer: document.map(|d| d.referrer()).filter(|r| !r.is_empty()),
        at: Some(js_sys::Date::now() as i64),
    }
}
