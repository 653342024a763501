//! Leadwire's widget: Rust compiled to wasm, started by `loader.js`.
//!
//! `start` fetches the site's public configuration (which also checks that
//! the site may run here), records the page view's touch, sends whatever an
//! earlier page view left in the outbox, mounts the launcher in a shadow
//! root, hooks the page (data attributes, `tel:` links, triggers), replaces
//! the loader's `window.leadwire` queue with a live command function and runs
//! the calls the page queued before it loaded.

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
use std::collections::BTreeMap;
use std::rc::Rc;

use lead::json::View;
use wasm_bindgen::prelude::*;

use app::App;
use lead::widget::Mode;

#[wasm_bindgen]
pub fn start(site: String, base: String, queued: js_sys::Array) {
    let Some(window) = web_sys::window() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        // Each step is its own task, so none blocks the page for long (the
        // benchmark counts tasks over 50 ms): the time zone (the browser's
        // first Intl call loads locale data), parsing the config, storage,
        // mounting, and hooking the page.
        next_task(&window).await;
        let Some(config) = send::site_config(&window, &base, &site).await else {
            let says = "leadwire: this site id is not configured for this origin:";
            web_sys::console::warn_2(&says.into(), &site.into());
            return;
        };
        next_task(&window).await;
        let touches = Rc::new(touches::TouchKeeper::record(&window, &config.attribution));
        let handlers: analytics::Handlers = Rc::new(RefCell::new(Vec::new()));
        let announced = (window.clone(), config.widget.goals.clone(), Rc::clone(&handlers));
        let outbox = outbox::Outbox::start(
            &window,
            &base,
            Box::new(move |lead| analytics::announce(&announced.0, &announced.1, &announced.2, lead)),
        );
        next_task(&window).await;
        let app = match App::mount(window.clone(), site, config, touches, outbox) {
            Ok(app) => app,
            Err(e) => return web_sys::console::warn_2(&"leadwire: could not mount".into(), &e),
        };
        next_task(&window).await;
        let handlers_for_commands = handlers;
        inline::start(&app);
        let keep = (page::listen(&app), triggers::start(&app));
        std::mem::forget(keep); // both live as long as the page
        std::mem::forget(funnel::start(&app, &base)); // as long as the page
        for call in queued.iter() {
            run(&app, &handlers_for_commands, &js_sys::Array::from(&call));
        }
        let live = Rc::clone(&app);
        let command =
            Closure::<dyn Fn(JsValue, JsValue, JsValue)>::new(move |name: JsValue, a: JsValue, b: JsValue| {
                run(&live, &handlers_for_commands, &js_sys::Array::of3(&name, &a, &b));
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

/// One `leadwire(name, …)` call: `open [mode]`, `close`, `on 'lead' fn`, `set 'fields' {…}`.
fn run(app: &Rc<App>, handlers: &analytics::Handlers, call: &js_sys::Array) {
    let arg = |i| call.get(i);
    match call.get(0).as_string().as_deref() {
        Some("open") => app.open(arg(1).as_string().and_then(|m| Mode::parse(&m)), None),
        Some("close") => app.close(),
        Some("on") if arg(1).as_string().as_deref() == Some("lead") => {
            if let Ok(f) = arg(2).dyn_into::<js_sys::Function>() {
                handlers.borrow_mut().push(f);
            }
        }
        Some("set") if arg(1).as_string().as_deref() == Some("fields") => {
            let mut values = BTreeMap::new();
            for (name, value) in json::Js(arg(2)).members() {
                if let Some(value) = value.text() {
                    values.insert(name, value);
                }
            }
            app.prefill(values);
        }
        _ => web_sys::console::warn_2(&"leadwire: unknown command".into(), &call.get(0)),
    }
}

/// talc instead of the default dlmalloc: 2.4 KB gzip less in every visitor's
/// download (measured with `cargo xtask bench`), same single-threaded use.
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without atomics runs one thread, which is
// what this lock-free allocator requires.
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
