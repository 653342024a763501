//! Cloudflare Turnstile, only where the site's config has `turnstile`: the
//! script (its documented explicit-render API, from the configured URL) is
//! loaded once per page when a form is first shown, a challenge is rendered
//! into that form's place, and its latest token goes into the next
//! submission's `signals.turnstile`. A token is good for one check, so the
//! challenge is reset after every send. Without a token (script blocked, the
//! challenge failed) the lead is still sent: the collector holds it for review.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use lead::turnstile::WidgetTurnstile;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Window};

/// How long a submission waits for a challenge that is still running.
const WAIT_FOR_TOKEN_MS: u32 = 5_000;
const POLL_MS: u32 = 100;
/// Marks the one script element every form place shares.
const SCRIPT_MARK: &str = "data-leadwire-turnstile";

#[derive(Default)]
pub struct Challenge {
    started: Cell<bool>,
    /// Turnstile's id of the rendered widget.
    id: RefCell<Option<JsValue>>,
    token: Rc<RefCell<Option<String>>>,
    /// The script or the challenge failed: no token will come.
    failed: Rc<Cell<bool>>,
}

fn api(window: &Window) -> Option<JsValue> {
    js_sys::Reflect::get(window, &"turnstile".into())
        .ok()
        .filter(|t| t.is_object())
}

fn call(api: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(api, &method.into())?.dyn_into()?;
    f.apply(api, &args.iter().copied().collect::<js_sys::Array>())
}

impl Challenge {
    /// Renders the challenge into `place` the first time (nothing for a site without Turnstile).
    pub fn start(self: &Rc<Self>, window: &Window, settings: Option<&WidgetTurnstile>, place: &Element) {
        let Some(settings) = settings else { return };
        if self.started.replace(true) {
            return;
        }
        if self.try_start(window, settings, place).is_err() {
            self.failed.set(true);
        }
    }

    fn try_start(self: &Rc<Self>, window: &Window, settings: &WidgetTurnstile, place: &Element) -> Result<(), JsValue> {
        let document = window.document().ok_or("no document")?;
        let container = document.create_element("div")?;
        container.set_class_name("turnstile");
        place.append_child(&container)?;
        if api(window).is_some() {
            return self.render(window, settings, &container);
        }
        let script = match document.query_selector(&format!("script[{SCRIPT_MARK}]"))? {
            Some(script) => script,
            None => {
                let script = document.create_element("script")?;
                script.set_attribute("src", &settings.script_url)?;
                script.set_attribute(SCRIPT_MARK, "")?;
                script.set_attribute("async", "")?;
                document.body().ok_or("no body")?.append_child(&script)?;
                script
            }
        };
        let (this, window, settings) = (Rc::clone(self), window.clone(), settings.clone());
        EventListener::once(&script, "load", move |_| {
            if this.render(&window, &settings, &container).is_err() {
                this.failed.set(true);
            }
        })
        .forget();
        let failed = Rc::clone(&self.failed);
        EventListener::once(&script, "error", move |_| failed.set(true)).forget();
        Ok(())
    }

    fn render(&self, window: &Window, settings: &WidgetTurnstile, container: &Element) -> Result<(), JsValue> {
        let api = api(window).ok_or("turnstile did not load")?;
        let options = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&options, &key.into(), value);
        set("sitekey", &settings.site_key.as_str().into())?;
        set("action", &settings.action.as_str().into())?;
        set("appearance", &settings.appearance.as_str().into())?;
        let (token, failed) = (Rc::clone(&self.token), Rc::clone(&self.failed));
        let issued = Closure::<dyn Fn(String)>::new(move |t: String| {
            failed.set(false);
            *token.borrow_mut() = Some(t);
        });
        set("callback", &issued.into_js_value())?;
        let token = Rc::clone(&self.token);
        let expired = Closure::<dyn Fn()>::new(move || *token.borrow_mut() = None);
        set("expired-callback", &expired.into_js_value())?;
        let (token, failed) = (Rc::clone(&self.token), Rc::clone(&self.failed));
        // Handled (true): Turnstile would otherwise throw into the page.
        let error = Closure::<dyn Fn(JsValue) -> bool>::new(move |_code: JsValue| {
            *token.borrow_mut() = None;
            failed.set(true);
            true
        });
        set("error-callback", &error.into_js_value())?;
        let id = call(&api, "render", &[container.as_ref(), options.as_ref()])?;
        *self.id.borrow_mut() = Some(id);
        Ok(())
    }

    /// The current token, waiting a little for a challenge still running;
    /// `None` for a site without Turnstile, or when none is coming.
    pub async fn token(&self, window: &Window) -> Option<String> {
        if !self.started.get() {
            return None;
        }
        let mut waited = 0;
        loop {
            if let Some(token) = self.token.borrow().clone() {
                return Some(token);
            }
            if self.failed.get() || waited >= WAIT_FOR_TOKEN_MS {
                return None;
            }
            sleep(window, POLL_MS).await;
            waited += POLL_MS;
        }
    }

    /// After a send: the token is used, so ask for a fresh one.
    pub fn reset(&self, window: &Window) {
        *self.token.borrow_mut() = None;
        if let (Some(api), Some(id)) = (api(window), self.id.borrow().as_ref()) {
            let _ = call(&api, "reset", &[id]);
        }
    }
}

async fn sleep(window: &Window, ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
