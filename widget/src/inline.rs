//! `<div data-leadwire-inline="form"></div>` (or `"callback"`): the form
//! rendered in the page itself, in the element's own shadow root, with
//! `data-leadwire-product` attached to its leads. Elements an SPA adds later
//! are found by a MutationObserver.

use std::cell::RefCell;
use std::rc::Rc;

use lead::widget::Mode;
use wasm_bindgen::prelude::*;
use web_sys::{Element, MutationObserver, MutationObserverInit};

use crate::app::App;

const SELECTOR: &str = "[data-leadwire-inline]";

/// Mounts every inline form on the page now and whenever one is added.
pub fn start(app: &Rc<App>) {
    let mounted: Rc<RefCell<Vec<Rc<App>>>> = Rc::default();
    mount_new(app, &mounted);
    let Some(body) = app.window.document().and_then(|d| d.body()) else {
        return;
    };
    let (app, kept) = (Rc::clone(app), Rc::clone(&mounted));
    let on_change = Closure::<dyn Fn()>::new(move || mount_new(&app, &kept));
    if let Ok(observer) = MutationObserver::new(on_change.as_ref().unchecked_ref()) {
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        let _ = observer.observe_with_options(&body, &options);
    }
    on_change.forget(); // observes as long as the page lives
}

fn mount_new(app: &Rc<App>, mounted: &Rc<RefCell<Vec<Rc<App>>>>) {
    // Forms an SPA has taken off the page are let go.
    mounted.borrow_mut().retain(|inline| {
        let on_page = inline.is_on_page();
        if !on_page {
            inline.detach();
        }
        on_page
    });
    let Some(found) = app.window.document().and_then(|d| d.query_selector_all(SELECTOR).ok()) else {
        return;
    };
    for i in 0..found.length() {
        let Some(host) = found.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        if host.shadow_root().is_some() {
            continue; // already ours, or an element the page owns
        }
        let asked = host.get_attribute("data-leadwire-inline").unwrap_or_default();
        let Some(mode) = Mode::parse(&asked).filter(|m| *m != Mode::Chat) else {
            web_sys::console::warn_2(
                &"leadwire: data-leadwire-inline takes form or callback, not".into(),
                &asked.into(),
            );
            continue;
        };
        match app.mount_inline(&host, mode) {
            Ok(inline) => mounted.borrow_mut().push(inline),
            Err(e) => web_sys::console::warn_2(&"leadwire: could not mount an inline form".into(), &e),
        }
    }
}
