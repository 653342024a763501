//! Anonymous funnel counts (`lead::funnel`): the launcher shown, a dialog
//! opened and started per mode (once per page view each), a lead sent, a
//! messenger clicked. Kept in memory only — no id, no storage, nothing about
//! the visitor — and sent with `navigator.sendBeacon` when the page is hidden,
//! as `text/plain` (a JSON type would need a preflight a beacon cannot make).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use lead::funnel::{bump, Beacon, Count, Event};
use lead::widget::Mode;
use lead::wire::{LeadKind, Page};

use crate::app::App;

thread_local! {
    /// This page view's counts since the last beacon.
    static COUNTS: RefCell<Vec<Count>> = const { RefCell::new(Vec::new()) };
    /// What was counted once already on this page view.
    static ONCE: RefCell<Vec<(Event, Mode)>> = const { RefCell::new(Vec::new()) };
}

pub fn count(event: Event, kind: LeadKind) {
    COUNTS.with(|c| bump(&mut c.borrow_mut(), event, Some(kind)));
}

/// `event` in a dialog's `mode`, the first time on this page view only.
pub fn once(event: Event, mode: Mode) {
    let first = ONCE.with(|o| {
        let mut seen = o.borrow_mut();
        let first = !seen.contains(&(event, mode));
        if first {
            seen.push((event, mode));
        }
        first
    });
    if let Some(kind) = LeadKind::parse(mode.as_str()).filter(|_| first) {
        count(event, kind);
    }
}

/// The launcher is on the page: counts it shown unless the loader has sent
/// that already (`shown` false: the page was hidden before the wasm started),
/// and sends the counts each time the page is hidden (a tab switch, leaving,
/// closing) — the last moment a page is sure to get.
pub fn start(app: &Rc<App>, base: &str, shown: bool) -> Vec<EventListener> {
    if shown {
        COUNTS.with(|c| bump(&mut c.borrow_mut(), Event::Shown, None));
    }
    let Some(document) = app.window.document() else {
        return Vec::new();
    };
    let url = Rc::new(format!("{base}v1/sites/{}/events", app.site));
    let (hidden_app, hidden_url, hidden_doc) = (Rc::clone(app), Rc::clone(&url), document.clone());
    let (gone_app, gone_url) = (Rc::clone(app), url);
    vec![
        EventListener::new(&document, "visibilitychange", move |_| {
            if hidden_doc.hidden() {
                send(&hidden_app, &hidden_url);
            }
        }),
        // Leaving may fire this before the page reports itself hidden.
        EventListener::new(&app.window, "pagehide", move |_| send(&gone_app, &gone_url)),
    ]
}

fn send(app: &App, url: &str) {
    let counts = COUNTS.with(|c| c.borrow().clone());
    if counts.is_empty() {
        return;
    }
    let document = app.window.document();
    let beacon = Beacon {
        page: Page {
            url: app.window.location().href().unwrap_or_default(),
            title: None,
            referrer: document.map(|d| d.referrer()).filter(|r| !r.is_empty()),
        },
        touches: app.touches.touches(),
        counts,
    };
    let sent = app
        .window
        .navigator()
        .send_beacon_with_opt_str(url, Some(&beacon.to_json()));
    // Queued by the browser: these are on their way. Refused (too much queued): kept for the next beacon.
    if sent == Ok(true) {
        COUNTS.with(|c| c.borrow_mut().clear());
    }
}
