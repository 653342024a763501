//! Proactive triggers from the site's configuration: after N seconds, at X %
//! scroll, on exit intent (desktop). Capped per visitor, and re-armed on SPA
//! route changes (pushState, replaceState, popstate). The loader starts the
//! widget ahead of each (`loader.js`), so the first route's timer counts from
//! the loader's start and a scroll made before the widget is looked at once.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use lead::loader::PROACTIVE_KEY as COUNT_KEY;
use lead::widget::Triggers as Settings;
use wasm_bindgen::prelude::*;

use crate::app::App;

pub struct Triggers {
    app: Weak<App>,
    settings: Settings,
    fired_on_route: Cell<bool>,
    timer: Cell<Option<i32>>,
    listeners: RefCell<Vec<EventListener>>,
}

/// `t0`: `performance.now()` when the loader started, where the first timer counts from.
pub fn start(app: &Rc<App>, t0: f64) -> Option<Rc<Triggers>> {
    let settings = app.config.widget.triggers.clone()?;
    let triggers = Rc::new(Triggers {
        app: Rc::downgrade(app),
        settings,
        fired_on_route: Cell::new(false),
        timer: Cell::new(None),
        listeners: RefCell::new(Vec::new()),
    });
    let window = &app.window;
    let document = window.document()?;
    let mut listeners = triggers.listeners.borrow_mut();
    if triggers.settings.scroll_percent.is_some() {
        let t = Rc::downgrade(&triggers);
        listeners.push(EventListener::new(window, "scroll", move |_| {
            if let Some(t) = t.upgrade() {
                t.on_scroll();
            }
        }));
    }
    if triggers.settings.exit_intent {
        let t = Rc::downgrade(&triggers);
        listeners.push(EventListener::new(&document, "mouseout", move |event| {
            let Some(mouse) = event.dyn_ref::<web_sys::MouseEvent>() else {
                return;
            };
            // Leaving through the top edge towards the tabs or the address bar.
            if mouse.related_target().is_none() && mouse.client_y() <= 0 {
                if let Some(t) = t.upgrade() {
                    t.fire();
                }
            }
        }));
    }
    let t = Rc::downgrade(&triggers);
    listeners.push(EventListener::new(window, "popstate", move |_| {
        if let Some(t) = t.upgrade() {
            t.on_route();
        }
    }));
    drop(listeners);
    watch_history(window, &triggers);
    let now = window.performance().map_or(t0, |p| p.now());
    triggers.arm(now - t0);
    // Scrolled far already while the widget was on its way.
    if window.scroll_y().unwrap_or(0.0) > 0.0 {
        triggers.on_scroll();
    }
    Some(triggers)
}

/// Wraps `history.pushState`/`replaceState` so an SPA's navigation re-arms the triggers.
fn watch_history(window: &web_sys::Window, triggers: &Rc<Triggers>) {
    let Ok(history) = window.history() else { return };
    for method in ["pushState", "replaceState"] {
        let Ok(original) =
            js_sys::Reflect::get(&history, &method.into()).and_then(|f| f.dyn_into::<js_sys::Function>())
        else {
            continue;
        };
        let (t, target) = (Rc::downgrade(triggers), history.clone());
        let wrapper = Closure::<dyn Fn(JsValue, JsValue, JsValue) -> JsValue>::new(move |state, title, url| {
            let result = original
                .call3(&target, &state, &title, &url)
                .unwrap_or(JsValue::UNDEFINED);
            if let Some(t) = t.upgrade() {
                t.on_route();
            }
            result
        });
        let _ = js_sys::Reflect::set(&history, &method.into(), wrapper.as_ref());
        wrapper.forget(); // lives as long as the page
    }
}

impl Triggers {
    /// Starts the timer, `elapsed_ms` of it gone already.
    fn arm(self: &Rc<Self>, elapsed_ms: f64) {
        let Some(app) = self.app.upgrade() else { return };
        if let Some(id) = self.timer.take() {
            app.window.clear_timeout_with_handle(id);
        }
        if let Some(seconds) = self.settings.after_seconds {
            let t = Rc::downgrade(self);
            let fire = Closure::once_into_js(move || {
                if let Some(t) = t.upgrade() {
                    t.fire();
                }
            });
            let id = app.window.set_timeout_with_callback_and_timeout_and_arguments_0(
                fire.unchecked_ref(),
                (f64::from(seconds) * 1000.0 - elapsed_ms).max(0.0) as i32,
            );
            self.timer.set(id.ok());
        }
    }

    fn on_route(self: &Rc<Self>) {
        self.fired_on_route.set(false);
        self.arm(0.0);
    }

    fn on_scroll(&self) {
        let (Some(app), Some(percent)) = (self.app.upgrade(), self.settings.scroll_percent) else {
            return;
        };
        let Some(element) = app.window.document().and_then(|d| d.document_element()) else {
            return;
        };
        let seen = app.window.scroll_y().unwrap_or(0.0)
            + app.window.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
        let total = element.scroll_height() as f64;
        if total > 0.0 && seen * 100.0 / total >= percent as f64 {
            self.fire();
        }
    }

    /// Opens the widget once per route, within the per-visitor cap.
    pub fn fire(&self) {
        let Some(app) = self.app.upgrade() else { return };
        // Never interrupts a visitor already using the widget, e.g. typing in an inline form.
        if self.fired_on_route.get() || app.is_open() || app.touches.engaged() {
            return;
        }
        let storage = app.window.local_storage().ok().flatten();
        let count: u32 = storage
            .as_ref()
            .and_then(|s| s.get_item(COUNT_KEY).ok().flatten())
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        if count >= self.settings.max_per_visitor {
            return;
        }
        self.fired_on_route.set(true);
        if let Some(storage) = storage {
            let _ = storage.set_item(COUNT_KEY, &(count + 1).to_string());
        }
        app.open(Some(self.settings.mode), None);
    }
}
