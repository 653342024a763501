//! Leadwire's widget: Rust compiled to wasm, fetched and started by the
//! loader (`loader.js`, served as `w.js`) only when the visitor shows intent,
//! a trigger is due, the page has an inline form or the outbox a lead.
//!
//! The loader has already fetched the site's public configuration, recorded
//! the page view's touch and drawn the launcher; `start` takes them over (its
//! `handover`), sends whatever an earlier page view left in the outbox, adds
//! the dialog beside the launcher, hooks the page (data attributes, `tel:`
//! links, triggers), replaces the loader's `window.leadwire` with a live
//! command function and runs the calls queued before it started: the page's
//! and the loader's own (the click that started it, a `tel:` click, an exit).

// A panicking string slice (`&s[i..]`) links core's panic formatting into
// every visitor's download (4 KB gzip, measured in BENCHMARKS.md): slice with
// `get`, `split_at_checked` or `strip_prefix`.
#![deny(clippy::string_slice)]

mod analytics;
mod app;
mod chat;
mod fields;
mod funnel;
mod i18n;
mod inline;
mod json;
mod messengers;
mod outbox;
mod page;
mod send;
mod touches;
mod triggers;
mod turnstile;
mod viewport;

use std::cell::RefCell;
use std::rc::Rc;

use lead::json::{Read, View};
use wasm_bindgen::prelude::*;

use app::App;
use lead::widget::Mode;

/// What the loader hands over: `config` (the parsed config answer),
/// `touches` (this page view's, as JSON) and `written` (stored already),
/// `host` (the launcher's `leadwire-widget`), `sheet` (its constructed
/// stylesheet), `shown` (the launcher's funnel count not yet sent by the
/// loader), `t0` (`performance.now()` when the loader started) and `queue`
/// (calls to run, in order).
#[wasm_bindgen]
pub fn start(site: String, base: String, handover: JsValue) {
    let Some(window) = web_sys::window() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        // Each step is its own task, so none blocks the page for long (the
        // benchmark counts tasks over 50 ms): reading the config, storage,
        // mounting, and hooking the page.
        let handover = json::Js(handover);
        let Some(config) = handover.get("config").and_then(|c| lead::site::PublicConfig::read(&c)) else {
            return web_sys::console::warn_1(&"leadwire: no site config handed over".into());
        };
        next_task(&window).await;
        let written = handover.get("written").and_then(|w| w.flag()).unwrap_or(false);
        let touches = touches::TouchKeeper::adopt(&window, handover.get("touches").and_then(|t| t.text()), written);
        let touches = Rc::new(touches);
        let handlers: analytics::Handlers = Rc::new(RefCell::new(Vec::new()));
        let announced = (window.clone(), config.widget.goals.clone(), Rc::clone(&handlers));
        let outbox = outbox::Outbox::start(
            &window,
            &base,
            Box::new(move |lead| analytics::announce(&announced.0, &announced.1, &announced.2, lead)),
        );
        next_task(&window).await;
        let launcher = app::Launcher {
            host: handover.get("host").map(|h| h.0),
            sheet: handover.get("sheet").map_or(JsValue::NULL, |s| s.0),
        };
        let app = match App::mount(window.clone(), site, config, touches, outbox, launcher) {
            Ok(app) => app,
            Err(e) => return web_sys::console::warn_2(&"leadwire: could not mount".into(), &e),
        };
        next_task(&window).await;
        inline::start(&app);
        let t0 = handover.get("t0").and_then(|t| t.number()).unwrap_or(0.0);
        let hooks = Rc::new(Hooks {
            triggers: triggers::start(&app, t0),
            app,
            handlers,
        });
        std::mem::forget(page::listen(&hooks.app)); // lives as long as the page
        let shown = handover.get("shown").and_then(|s| s.flag()).unwrap_or(true);
        std::mem::forget(funnel::start(&hooks.app, &base, shown)); // as long as the page

        // The queued calls (the opening click's among them) in a task of their own:
        // opening forces the dialog's first style and layout (focus needs it).
        next_task(&window).await;
        let queued = handover.get("queue").map(|q| q.items()).unwrap_or_default();
        for call in queued {
            hooks.run(&call.0);
        }
        let live = Rc::clone(&hooks);
        let command =
            Closure::<dyn Fn(JsValue, JsValue, JsValue)>::new(move |name: JsValue, a: JsValue, b: JsValue| {
                live.run(&js_sys::Array::of3(&name, &a, &b));
            });
        let _ = js_sys::Reflect::set(&window, &"leadwire".into(), command.as_ref());
        command.forget(); // lives as long as the page
    });
}

/// Resumes in a new task (`setTimeout(0)`), after whatever the browser has
/// waiting: input, rendering, the page's own scripts.
async fn next_task(window: &web_sys::Window) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// What commands act on.
struct Hooks {
    app: Rc<App>,
    handlers: analytics::Handlers,
    triggers: Option<Rc<triggers::Triggers>>,
}

impl Hooks {
    /// One call: the page's `leadwire(name, …)` — `open [mode [product]]`,
    /// `close`, `on 'lead' fn`, `set 'fields' {…}` — or one of the loader's
    /// own events before the widget started: `{phone_click: href}`, `{exit: 1}`.
    fn run(&self, call: &JsValue) {
        let event = json::Js(call.clone());
        if let Some(href) = event.get("phone_click").and_then(|h| h.text()) {
            return page::phone_click(&self.app, href);
        }
        if event.get("exit").is_some() {
            if let Some(triggers) = &self.triggers {
                triggers.fire();
            }
            return;
        }
        let call = js_sys::Array::from(call);
        let arg = |i| call.get(i);
        let app = &self.app;
        match call.get(0).as_string().as_deref() {
            Some("open") => app.open(arg(1).as_string().and_then(|m| Mode::parse(&m)), arg(2).as_string()),
            Some("close") => app.close(),
            Some("on") if arg(1).as_string().as_deref() == Some("lead") => {
                if let Ok(f) = arg(2).dyn_into::<js_sys::Function>() {
                    self.handlers.borrow_mut().push(f);
                }
            }
            Some("set") if arg(1).as_string().as_deref() == Some("fields") => {
                app.prefill(lead::json::text_members(&json::Js(arg(2))));
            }
            _ => web_sys::console::warn_2(&"leadwire: unknown command".into(), &call.get(0)),
        }
    }
}

/// talc instead of the default dlmalloc: 2.4 KB gzip less in every visitor's
/// download (measured with `cargo xtask bench`), same single-threaded use.
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without atomics runs one thread, which is
// what this lock-free allocator requires.
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
