//! Leadwire's widget: Rust compiled to wasm, started by `loader.js`.
//!
//! `start` checks that the site may run here, mounts the launcher in a
//! shadow root, replaces the loader's `window.leadwire` queue with a live
//! command function and runs the calls the page queued before it loaded.

mod i18n;
mod send;
mod touches;
mod ui;

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use ui::Widget;

#[wasm_bindgen]
pub fn start(site: String, base: String, queued: js_sys::Array) {
    let Some(window) = web_sys::window() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let Some(config) = send::site_config(&window, &base, &site).await else {
            web_sys::console::warn_1(&format!("leadwire: site {site:?} is not configured for this origin").into());
            return;
        };
        let touches = touches::TouchKeeper::record(&window, &config.attribution);
        let strings = i18n::for_page(&window);
        let widget = match Widget::mount(window.clone(), site, base, strings, touches) {
            Ok(w) => w,
            Err(e) => return web_sys::console::warn_2(&"leadwire: could not mount".into(), &e),
        };
        for call in queued.iter() {
            run(&widget, &js_sys::Array::from(&call));
        }
        let live = Rc::clone(&widget);
        let command = Closure::<dyn Fn(JsValue, JsValue)>::new(move |name: JsValue, arg: JsValue| {
            run(&live, &js_sys::Array::of2(&name, &arg));
        });
        let _ = js_sys::Reflect::set(&window, &"leadwire".into(), command.as_ref());
        command.forget(); // lives as long as the page
    });
}

/// One `leadwire(name, …)` call.
fn run(widget: &Rc<Widget>, call: &js_sys::Array) {
    match call.get(0).as_string().as_deref() {
        Some("open") => widget.open(),
        Some("close") => widget.close(),
        other => web_sys::console::warn_1(&format!("leadwire: unknown command {other:?}").into()),
    }
}
