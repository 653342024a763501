//! The browser's own JSON: `JSON.parse` and a [`View`] over its values, so
//! the widget carries no JSON parser (see `lead::json`).

use lead::json::View;
use wasm_bindgen::{JsCast, JsValue};

/// A value `JSON.parse` returned, or a parsed `fetch` body.
pub struct Js(pub JsValue);

/// `JSON.parse(text)`; `None` for anything that is not JSON.
pub fn parse(text: &str) -> Option<Js> {
    js_sys::JSON::parse(text).ok().map(Js)
}

/// Not inlined: the config reader calls these at every member, and one copy
/// of each is much smaller than one per call site.
impl View for Js {
    #[inline(never)]
    fn get(&self, key: &str) -> Option<Self> {
        if !self.0.is_object() {
            return None;
        }
        let value = js_sys::Reflect::get(&self.0, &JsValue::from_str(key)).ok()?;
        (!value.is_null() && !value.is_undefined()).then_some(Js(value))
    }

    #[inline(never)]
    fn text(&self) -> Option<String> {
        self.0.as_string()
    }

    #[inline(never)]
    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    #[inline(never)]
    fn flag(&self) -> Option<bool> {
        self.0.as_bool()
    }

    #[inline(never)]
    fn items(&self) -> Vec<Self> {
        match self.0.dyn_ref::<js_sys::Array>() {
            Some(array) => array.iter().map(Js).collect(),
            None => Vec::new(),
        }
    }

    #[inline(never)]
    fn members(&self) -> Vec<(String, Self)> {
        if !self.0.is_object() || js_sys::Array::is_array(&self.0) {
            return Vec::new();
        }
        js_sys::Object::entries(self.0.unchecked_ref())
            .iter()
            .filter_map(|pair| {
                let pair: js_sys::Array = pair.unchecked_into();
                Some((pair.get(0).as_string()?, Js(pair.get(1))))
            })
            .collect()
    }
}
