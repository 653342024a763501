//! The launcher and the "Call me back" dialog, in a shadow root.

use std::rc::Rc;

use gloo_events::EventListener;
use lead::wire::{FieldError, LeadKind, Page, RawContact, Submission};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CssStyleSheet, Element, HtmlButtonElement, HtmlElement, HtmlInputElement, ShadowRoot, ShadowRootInit,
    ShadowRootMode, Window,
};

use crate::i18n::Strings;
use crate::send::{post_lead, Outcome};
use crate::touches::TouchKeeper;

const STYLE: &str = include_str!("style.css");
const PHONE_ICON: &str = r#"<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg>"#;

/// Where the collector's field names are shown.
const PHONE_FIELDS: &[&str] = &["contact.phone", "contact"];

pub struct Widget {
    window: Window,
    site: String,
    base: String,
    strings: &'static Strings,
    touches: TouchKeeper,
    launcher: HtmlElement,
    panel: HtmlElement,
    form: HtmlElement,
    phone: HtmlInputElement,
    phone_error: Element,
    form_error: Element,
    submit: HtmlButtonElement,
    done: HtmlElement,
    listeners: std::cell::RefCell<Vec<EventListener>>,
}

impl Widget {
    /// Adds `<leadwire-widget>` to the page with its shadow root, closed dialog and launcher.
    pub fn mount(
        window: Window,
        site: String,
        base: String,
        strings: &'static Strings,
        touches: TouchKeeper,
    ) -> Result<Rc<Self>, JsValue> {
        let document = window.document().ok_or("no document")?;
        let host = document.create_element("leadwire-widget")?;
        let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
        adopt_style(&root)?;
        root.set_inner_html(&template(strings));
        document.body().ok_or("no body")?.append_child(&host)?;
        let find = |selector: &str| -> Result<Element, JsValue> {
            root.query_selector(selector)?
                .ok_or_else(|| JsValue::from_str(selector))
        };
        let widget = Rc::new(Widget {
            launcher: find(".launcher")?.dyn_into()?,
            panel: find(".panel")?.dyn_into()?,
            form: find("form")?.dyn_into()?,
            phone: find("#lw-phone")?.dyn_into()?,
            phone_error: find("#lw-phone-error")?,
            form_error: find("#lw-form-error")?,
            submit: find(".submit")?.dyn_into()?,
            done: find(".done")?.dyn_into()?,
            listeners: Default::default(),
            window,
            site,
            base,
            strings,
            touches,
        });
        widget.listen(&find(".close")?)?;
        Ok(widget)
    }

    fn listen(self: &Rc<Self>, close: &Element) -> Result<(), JsValue> {
        let mut listeners = self.listeners.borrow_mut();
        let w = Rc::clone(self);
        listeners.push(EventListener::new(&self.launcher, "click", move |_| w.toggle()));
        let w = Rc::clone(self);
        listeners.push(EventListener::new(close, "click", move |_| w.close()));
        let w = Rc::clone(self);
        listeners.push(EventListener::new(&self.panel, "keydown", move |event| {
            if event
                .dyn_ref::<web_sys::KeyboardEvent>()
                .is_some_and(|k| k.key() == "Escape")
            {
                w.close();
            }
        }));
        let w = Rc::clone(self);
        let options = gloo_events::EventListenerOptions::enable_prevent_default();
        listeners.push(EventListener::new_with_options(
            &self.form,
            "submit",
            options,
            move |event| {
                event.prevent_default();
                let w = Rc::clone(&w);
                wasm_bindgen_futures::spawn_local(async move { w.send().await });
            },
        ));
        Ok(())
    }

    pub fn open(&self) {
        self.touches.interacted();
        self.panel.set_hidden(false);
        let _ = self.launcher.set_attribute("aria-expanded", "true");
        let _ = self.phone.focus();
    }

    pub fn close(&self) {
        self.panel.set_hidden(true);
        let _ = self.launcher.set_attribute("aria-expanded", "false");
        let _ = self.launcher.focus();
    }

    fn toggle(&self) {
        if self.panel.hidden() {
            self.open()
        } else {
            self.close()
        }
    }

    async fn send(&self) {
        self.show_errors(&[], None);
        self.submit.set_disabled(true);
        self.submit.set_text_content(Some(self.strings.sending));
        let outcome = post_lead(&self.window, &self.base, &self.submission()).await;
        self.submit.set_disabled(false);
        self.submit.set_text_content(Some(self.strings.submit));
        match outcome {
            Outcome::Accepted => {
                self.form.set_hidden(true);
                self.done.set_text_content(Some(self.strings.done));
                self.done.set_hidden(false);
            }
            Outcome::Invalid(fields) => self.show_errors(&fields, Some(self.strings.invalid)),
            Outcome::Unavailable => self.show_errors(&[], Some(self.strings.unavailable)),
        }
    }

    fn submission(&self) -> Submission {
        let document = self.window.document();
        let page = Page {
            url: self.window.location().href().unwrap_or_default(),
            title: document.as_ref().map(|d| d.title()).filter(|t| !t.is_empty()),
            referrer: document.as_ref().map(|d| d.referrer()).filter(|r| !r.is_empty()),
        };
        Submission {
            contact: RawContact {
                phone: Some(self.phone.value()),
                name: None,
                email: None,
            },
            touches: self.touches.touches(),
            locale: Some(self.strings.lang.to_owned()),
            ..Submission::new(random_id(&self.window), &self.site, LeadKind::Callback, page)
        }
    }

    /// Shows the collector's field errors beside the phone field, the rest above the button.
    fn show_errors(&self, fields: &[FieldError], fallback: Option<&str>) {
        let phone_error = fields.iter().find(|f| PHONE_FIELDS.contains(&f.field.as_str()));
        self.phone_error
            .set_text_content(phone_error.map(|f| f.message.as_str()));
        let _ = self
            .phone
            .set_attribute("aria-invalid", if phone_error.is_some() { "true" } else { "false" });
        let other = fields.iter().find(|f| !PHONE_FIELDS.contains(&f.field.as_str()));
        let general = other
            .map(|f| f.message.as_str())
            .or(if phone_error.is_none() { fallback } else { None });
        self.form_error.set_text_content(general);
        if phone_error.is_some() {
            let _ = self.phone.focus();
        }
    }
}

fn adopt_style(root: &ShadowRoot) -> Result<(), JsValue> {
    // A constructed stylesheet: no <style> element, so a strict style-src CSP allows it.
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(STYLE)?;
    js_sys::Reflect::set(root, &"adoptedStyleSheets".into(), &js_sys::Array::of1(&sheet))?;
    Ok(())
}

fn template(s: &Strings) -> String {
    format!(
        r#"<button class="launcher" type="button" aria-haspopup="dialog" aria-expanded="false">{icon}<span>{launcher}</span></button>
<div class="panel" role="dialog" aria-modal="true" aria-labelledby="lw-title" lang="{lang}" hidden>
<button class="close" type="button" aria-label="{close}">×</button>
<h2 id="lw-title">{title}</h2>
<form novalidate>
<label for="lw-phone">{phone}</label>
<input id="lw-phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" aria-describedby="lw-phone-error">
<p class="error" id="lw-phone-error" aria-live="polite"></p>
<p class="error" id="lw-form-error" aria-live="polite"></p>
<button class="submit" type="submit">{submit}</button>
</form>
<p class="done" role="status" hidden></p>
</div>"#,
        icon = PHONE_ICON,
        lang = s.lang,
        launcher = escape(s.launcher),
        close = escape(s.close),
        title = escape(s.title),
        phone = escape(s.phone_label),
        submit = escape(s.submit),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A v4 UUID from `crypto.getRandomValues`, which, unlike `randomUUID`,
/// also works on plain-http pages.
fn random_id(window: &Window) -> uuid::Uuid {
    let mut bytes = [0u8; 16];
    if let Ok(crypto) = window.crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    if bytes == [0u8; 16] {
        // No crypto: Math.random is enough to keep two leads apart.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}
