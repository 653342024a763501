//! The visitor's touches (first, last non-direct, visits), kept in
//! first-party localStorage by `lead::touches` rules so a lead sent days later
//! still says where the visitor came from. Storage that is full, disabled or
//! corrupt costs the history, never the lead.

use std::cell::Cell;

use lead::site::AttributionSettings;
use lead::touches::{record_page_view, PageView, StoredTouches, TouchRules};
use lead::wire::Touches;
use web_sys::Window;

const KEY: &str = "leadwire:touches";

pub struct TouchKeeper {
    window: Window,
    stored: StoredTouches,
    /// Whether `stored` is in localStorage yet.
    written: Cell<bool>,
    /// Whether the visitor has used the widget on this page view.
    engaged: Cell<bool>,
}

impl TouchKeeper {
    /// Records this page view; writes it at once if the site allows capture
    /// before the visitor interacts, otherwise keeps it until [`Self::interacted`].
    pub fn record(window: &Window, settings: &AttributionSettings) -> Self {
        let storage = window.local_storage().ok().flatten();
        let previous = storage
            .as_ref()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|json| crate::json::parse(&json))
            .and_then(|json| StoredTouches::read(&json));
        let location = window.location();
        let view = PageView {
            url: location.href().unwrap_or_default(),
            referrer: window.document().map(|d| d.referrer()).filter(|r| !r.is_empty()),
            site_host: location.hostname().unwrap_or_default(),
        };
        let rules = TouchRules::with_expiry_days(settings.expiry_days);
        let keeper = TouchKeeper {
            window: window.clone(),
            stored: record_page_view(previous, &view, js_sys::Date::now() as i64, &rules),
            written: Cell::new(false),
            engaged: Cell::new(false),
        };
        if settings.capture_before_interaction {
            keeper.write();
        }
        keeper
    }

    pub fn touches(&self) -> Touches {
        self.stored.touches.clone()
    }

    /// The visitor used the widget: from now on the history may be kept.
    pub fn interacted(&self) {
        self.engaged.set(true);
        if !self.written.get() {
            self.write();
        }
    }

    /// The visitor has used the widget (dialog or inline form) on this page view.
    pub fn engaged(&self) -> bool {
        self.engaged.get()
    }

    fn write(&self) {
        let storage = self.window.local_storage().ok().flatten();
        if let Some(storage) = storage {
            self.written.set(storage.set_item(KEY, &self.stored.to_json()).is_ok());
        }
    }
}
