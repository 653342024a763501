//! The page's own hooks: elements with `data-leadwire="callback|form|chat"`
//! (and `data-leadwire-product`) open that mode; clicks on `tel:` links are
//! recorded as `phone_click` leads when the site asks. One delegated listener
//! on the document, so elements an SPA adds later work too.

use std::rc::Rc;

use gloo_events::EventListener;
use lead::wire::LeadKind;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::app::App;
use lead::widget::Mode;

pub fn listen(app: &Rc<App>) -> Option<EventListener> {
    let document = app.window.document()?;
    let app = Rc::clone(app);
    Some(EventListener::new(&document, "click", move |event| {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if let Some(opener) = target.closest("[data-leadwire]").ok().flatten() {
            event.prevent_default();
            let mode = opener.get_attribute("data-leadwire").and_then(|m| Mode::parse(&m));
            app.open(mode, opener.get_attribute("data-leadwire-product"));
        } else if app.config.widget.track_phone_clicks {
            if let Some(href) = target
                .closest("a[href^='tel:']")
                .ok()
                .flatten()
                .and_then(|link| link.get_attribute("href"))
            {
                phone_click(&app, href);
            }
        }
    }))
}

/// Sends a `phone_click` lead for a click on the `tel:` link `href`.
pub fn phone_click(app: &Rc<App>, href: String) {
    let mut submission = app.submission(LeadKind::PhoneClick);
    submission.message = Some(href);
    let app = Rc::clone(app);
    wasm_bindgen_futures::spawn_local(async move {
        let _ = app.outbox.submit(submission).await;
    });
}
