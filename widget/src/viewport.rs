//! Keeps the phone-sized sheet inside what the visitor can see. When the
//! on-screen keyboard opens (or the page is pinch-zoomed) the visual viewport
//! shrinks and moves while fixed elements keep the layout viewport's size, so
//! a full-height sheet would hide its own inputs behind the keyboard. The
//! visible height and offset go into a constructed stylesheet of their own
//! as custom properties: no style attribute, so a strict CSP allows it.

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, ShadowRoot, Window};

/// Follows `window.visualViewport`; `None` where the browser has none (the
/// stylesheet then falls back to `100vh`).
pub fn follow(window: &Window, root: &ShadowRoot) -> Option<[EventListener; 2]> {
    let viewport = js_sys::Reflect::get(window, &"visualViewport".into()).ok()?;
    let viewport: web_sys::EventTarget = viewport.dyn_into().ok()?;
    let sheet = CssStyleSheet::new().ok()?;
    let sheets = js_sys::Array::from(&js_sys::Reflect::get(root, &"adoptedStyleSheets".into()).ok()?);
    sheets.push(&sheet);
    js_sys::Reflect::set(root, &"adoptedStyleSheets".into(), &sheets).ok()?;
    // Scrolling while zoomed fires many events with the same sizes: the
    // sheet (and the style recalculation it causes) changes only with them.
    let shown = Rc::new(Cell::new(None));
    let update = {
        let viewport = JsValue::from(viewport.clone());
        move || {
            let number = |name: &str| {
                js_sys::Reflect::get(&viewport, &name.into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0)
                    .round() as i64
            };
            let now = (number("height"), number("offsetTop"));
            if shown.replace(Some(now)) == Some(now) {
                return;
            }
            let mut css = String::from(":host{--leadwire-vh:");
            lead::json::push_int(&mut css, now.0);
            css.push_str("px;--leadwire-vv-top:");
            lead::json::push_int(&mut css, now.1);
            css.push_str("px}");
            let _ = sheet.replace_sync(&css);
        }
    };
    update();
    let on_scroll = update.clone();
    Some([
        EventListener::new(&viewport, "resize", move |_| update()),
        EventListener::new(&viewport, "scroll", move |_| on_scroll()),
    ])
}
