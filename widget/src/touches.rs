//! The visitor's touches (first, last non-direct, visits), kept in
//! first-party localStorage by `lead::touches` rules so a lead sent days later
//! still says where the visitor came from. The loader (`w.js`) records each
//! page view; the widget takes over its result and writes it once the visitor
//! interacts, when the site does not allow capture before. Storage that is
//! full, disabled or corrupt costs the history, never the lead.

use std::cell::Cell;

use lead::loader::TOUCHES_KEY;
use lead::touches::StoredTouches;
use lead::wire::Touches;
use web_sys::Window;

pub struct TouchKeeper {
    window: Window,
    stored: StoredTouches,
    /// Whether `stored` is in localStorage yet.
    written: Cell<bool>,
    /// Whether the visitor has used the widget on this page view.
    engaged: Cell<bool>,
}

impl TouchKeeper {
    /// Takes over this page view's touches as the loader recorded them
    /// (`json`, [`StoredTouches::to_json`]'s form), `written` when the loader
    /// could store them already. Unreadable: no history, the lead still goes.
    pub fn adopt(window: &Window, json: Option<String>, written: bool) -> Self {
        let stored = json
            .and_then(|json| crate::json::parse(&json))
            .and_then(|json| StoredTouches::read(&json))
            .unwrap_or_else(|| StoredTouches {
                touches: Touches::default(),
                last_seen_ms: 0,
                expires_at_ms: 0,
            });
        TouchKeeper {
            window: window.clone(),
            stored,
            written: Cell::new(written),
            engaged: Cell::new(false),
        }
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
            self.written
                .set(storage.set_item(TOUCHES_KEY, &self.stored.to_json()).is_ok());
        }
    }
}
