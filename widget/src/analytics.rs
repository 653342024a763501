//! Every accepted lead is announced to the page: `window.dataLayer`,
//! Yandex Metrica's `reachGoal`, `gtag('event', …)` when present, and the
//! site's own `leadwire('on', 'lead', fn)` handlers.

use std::cell::RefCell;
use std::rc::Rc;

use crate::outbox::Pending;
use lead::widget::Goals;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Window;

pub type Handlers = Rc<RefCell<Vec<js_sys::Function>>>;

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

fn global_function(window: &Window, name: &str) -> Option<js_sys::Function> {
    js_sys::Reflect::get(window, &name.into()).ok()?.dyn_into().ok()
}

pub fn announce(window: &Window, goals: &Goals, handlers: &Handlers, lead: &Pending) {
    let detail = object(&[
        ("id", lead.id.as_str().into()),
        ("kind", lead.kind.as_str().into()),
        ("site", lead.site.as_str().into()),
    ]);
    let data_layer = js_sys::Reflect::get(window, &"dataLayer".into())
        .ok()
        .and_then(|d| d.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let created = js_sys::Array::new();
            let _ = js_sys::Reflect::set(window, &"dataLayer".into(), &created);
            created
        });
    // Through push(), so a tag manager that replaced it sees the event.
    if let Ok(push) = js_sys::Reflect::get(&data_layer, &"push".into()).and_then(|p| p.dyn_into::<js_sys::Function>()) {
        let _ = push.call1(
            &data_layer,
            &object(&[("event", "leadwire_lead".into()), ("leadwire", detail.clone())]),
        );
    }
    if let (Some(ym), Some(counter), Some(goal)) = (
        global_function(window, "ym"),
        goals.metrica_counter,
        &goals.metrica_goal,
    ) {
        let args = js_sys::Array::of4(
            &(counter as f64).into(),
            &"reachGoal".into(),
            &goal.as_str().into(),
            &detail,
        );
        let _ = ym.apply(&JsValue::NULL, &args);
    }
    if let (Some(gtag), Some(event)) = (global_function(window, "gtag"), &goals.gtag_event) {
        let _ = gtag.call3(&JsValue::NULL, &"event".into(), &event.as_str().into(), &detail);
    }
    for handler in handlers.borrow().iter() {
        let _ = handler.call1(&JsValue::NULL, &detail);
    }
}
