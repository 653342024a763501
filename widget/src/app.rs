//! The widget on the page: the launcher, the dialog with its modes, and the
//! site owner's commands. Business rules stay in `lead`; this is DOM glue.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use lead::draft::StoredDraft;
use lead::site::PublicConfig;
use lead::widget::Mode;
use lead::wire::{Consent, LeadKind, Page, Signals, Submission};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement, ShadowRoot, ShadowRootInit, ShadowRootMode, Window};

use crate::fields;
use crate::i18n::{escape, Words};
use crate::outbox::Outbox;
use crate::send::Outcome;
use crate::touches::TouchKeeper;

/// `style.css` as `build.rs` minified it.
const STYLE: &str = include_str!(concat!(env!("OUT_DIR"), "/style.css"));
const DRAFT_KEY: &str = "leadwire:draft";
const INLINE_DRAFT_KEY: &str = "leadwire:draft:inline";

/// The launcher the loader drew: its `leadwire-widget` host (open shadow
/// root, `.launcher` button) and its constructed stylesheet (launcher.css
/// and the site's theme), which every root of the widget adopts.
pub struct Launcher {
    pub host: Option<JsValue>,
    pub sheet: JsValue,
}

/// Where a widget's forms live.
enum Place {
    /// A launcher button opening a dialog, starting in this mode.
    Launcher(Mode),
    /// Inline in the page, in this one mode.
    Inline(Mode),
}

/// What the launcher's dialog and every inline form of the page share.
struct Shared {
    window: Window,
    site: String,
    config: Rc<PublicConfig>,
    touches: Rc<TouchKeeper>,
    outbox: Rc<Outbox>,
    /// The loader's sheet and `STYLE`, adopted by each shadow root.
    sheets: js_sys::Array,
}

pub struct App {
    pub window: Window,
    pub site: String,
    pub config: Rc<PublicConfig>,
    pub words: Words,
    pub touches: Rc<TouchKeeper>,
    pub outbox: Rc<Outbox>,
    root: ShadowRoot,
    /// The loader's sheet and `STYLE`, adopted by each shadow root.
    sheets: js_sys::Array,
    /// `None` for a form inline in the page (`data-leadwire-inline`).
    launcher: Option<HtmlElement>,
    draft_key: &'static str,
    panel: HtmlElement,
    body: HtmlElement,
    done: HtmlElement,
    mode: Cell<Mode>,
    product: RefCell<Option<String>>,
    prefill: RefCell<BTreeMap<String, String>>,
    /// What the visitor typed; in localStorage too only while `lead::draft::may_store`.
    draft: RefCell<BTreeMap<String, String>>,
    listeners: RefCell<Vec<EventListener>>,
    chat: RefCell<crate::chat::Chat>,
    turnstile: Rc<crate::turnstile::Challenge>,
}

impl App {
    pub fn mount(
        window: Window,
        site: String,
        config: PublicConfig,
        touches: Rc<TouchKeeper>,
        outbox: Rc<Outbox>,
        launcher: Launcher,
    ) -> Result<Rc<Self>, JsValue> {
        let host: Element = launcher.host.ok_or("no launcher from the loader")?.dyn_into()?;
        let own = web_sys::CssStyleSheet::new()?;
        own.replace_sync(STYLE)?;
        let sheets = js_sys::Array::of2(&launcher.sheet, &own);
        let first_mode = config.widget.modes.first().copied().unwrap_or(Mode::Callback);
        let shared = Shared {
            window,
            site,
            config: Rc::new(config),
            touches,
            outbox,
            sheets,
        };
        Self::build(shared, &host, Place::Launcher(first_mode))
    }

    /// The same forms inline in `host`, an element of the page, sharing this
    /// widget's outbox and touches.
    pub fn mount_inline(&self, host: &Element, mode: Mode) -> Result<Rc<Self>, JsValue> {
        let shared = Shared {
            window: self.window.clone(),
            site: self.site.clone(),
            config: Rc::clone(&self.config),
            touches: Rc::clone(&self.touches),
            outbox: Rc::clone(&self.outbox),
            sheets: self.sheets.clone(),
        };
        let app = Self::build(shared, host, Place::Inline(mode))?;
        *app.product.borrow_mut() = host.get_attribute("data-leadwire-product");
        Ok(app)
    }

    fn build(shared: Shared, host: &Element, place: Place) -> Result<Rc<Self>, JsValue> {
        let Shared {
            window,
            site,
            config,
            touches,
            outbox,
            sheets,
        } = shared;
        let words = Words::choose(&window, config.widget.locale.as_deref(), Some(Rc::clone(&config)));
        let (first_mode, inline) = match place {
            Place::Launcher(mode) => (mode, false),
            Place::Inline(mode) => (mode, true),
        };
        let root = if inline {
            let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
            root.set_inner_html(&inline_html(&words));
            root
        } else {
            // The loader's launcher stays as it is (focus, hover, position):
            // the dialog is added beside it.
            let root = host.shadow_root().ok_or("the launcher has no shadow root")?;
            let document = window.document().ok_or("no document")?;
            let panel: web_sys::HtmlTemplateElement = document.create_element("template")?.dyn_into()?;
            panel.set_inner_html(&panel_html(&config, &words));
            root.append_child(&panel.content())?;
            root
        };
        js_sys::Reflect::set(&root, &"adoptedStyleSheets".into(), &sheets)?;
        let find = |selector: &str| -> Result<HtmlElement, JsValue> {
            root.query_selector(selector)?
                .ok_or_else(|| JsValue::from_str(selector))?
                .dyn_into::<HtmlElement>()
                .map_err(Into::into)
        };
        let draft_key = if inline { INLINE_DRAFT_KEY } else { DRAFT_KEY };
        let app = Rc::new(App {
            launcher: if inline { None } else { Some(find(".launcher")?) },
            draft: RefCell::new(stored_draft(&window, draft_key)),
            draft_key,
            panel: find(if inline { ".inline" } else { ".panel" })?,
            body: find(".body")?,
            done: find(".done")?,
            root,
            sheets,
            mode: Cell::new(first_mode),
            product: RefCell::new(None),
            prefill: RefCell::new(BTreeMap::new()),
            listeners: RefCell::new(Vec::new()),
            chat: RefCell::new(crate::chat::Chat::default()),
            turnstile: Default::default(),
            window,
            site,
            config,
            words,
            touches,
            outbox,
        });
        app.listen()?;
        app.render();
        if inline {
            app.turnstile
                .start(&app.window, app.config.turnstile.as_ref(), &app.panel);
        }
        Ok(app)
    }

    fn listen(self: &Rc<Self>) -> Result<(), JsValue> {
        let mut listeners = self.listeners.borrow_mut();
        if let Some(launcher) = &self.launcher {
            listeners.extend(crate::viewport::follow(&self.window, &self.root).into_iter().flatten());
            let app = Rc::clone(self);
            listeners.push(EventListener::new(launcher, "click", move |_| {
                if app.panel.hidden() {
                    app.open(None, None)
                } else {
                    app.close()
                }
            }));
            let app = Rc::clone(self);
            listeners.push(EventListener::new(&self.panel, "keydown", move |event| {
                if let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() {
                    match key.key().as_str() {
                        "Escape" => app.close(),
                        "Tab" => app.trap_focus(key),
                        _ => {}
                    }
                }
            }));
        }
        let app = Rc::clone(self);
        listeners.push(EventListener::new(&self.root, "click", move |event| {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            if target.closest(".close").ok().flatten().is_some() {
                app.close();
            } else if let Some(tab) = target.closest("[data-mode]").ok().flatten() {
                if let Some(mode) = tab.get_attribute("data-mode").and_then(|m| Mode::parse(&m)) {
                    app.switch(mode);
                }
            } else if let Some(button) = target.closest("[data-messenger]").ok().flatten() {
                if let Some(click) = crate::messengers::clicked(&app.config.widget.messengers, &button) {
                    crate::funnel::count(lead::funnel::Event::Messenger, LeadKind::MessengerClick);
                    let mut submission = app.submission(LeadKind::MessengerClick);
                    submission.messenger = Some(click);
                    let app = Rc::clone(&app);
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = app.outbox.submit(submission).await;
                    });
                }
            }
        }));
        let app = Rc::clone(self);
        let options = EventListenerOptions::enable_prevent_default();
        listeners.push(EventListener::new_with_options(
            &self.panel,
            "submit",
            options,
            move |event| {
                event.prevent_default();
                let app = Rc::clone(&app);
                wasm_bindgen_futures::spawn_local(async move { app.submit().await });
            },
        ));
        let app = Rc::clone(self);
        listeners.push(EventListener::new(&self.panel, "input", move |event| {
            app.touches.interacted();
            crate::funnel::once(lead::funnel::Event::Started, app.mode.get());
            crate::fields::format_phone_as_typed(event, &app.config.default_country);
            app.save_draft()
        }));
        Ok(())
    }

    /// Opens the dialog (in `mode`, for `product` when given).
    pub fn open(self: &Rc<Self>, mode: Option<Mode>, product: Option<String>) {
        self.touches.interacted();
        if product.is_some() {
            *self.product.borrow_mut() = product;
        }
        if let Some(mode) = mode.filter(|m| self.config.widget.modes.contains(m)) {
            if mode != self.mode.get() {
                self.mode.set(mode);
                self.render();
            }
        }
        self.panel.set_hidden(false);
        crate::funnel::once(lead::funnel::Event::Opened, self.mode.get());
        self.turnstile
            .start(&self.window, self.config.turnstile.as_ref(), &self.panel);
        if let Some(launcher) = &self.launcher {
            let _ = launcher.set_attribute("aria-expanded", "true");
        }
        // Focus once the browser has styled and laid out the dialog in its own
        // frame: focusing now would force that work into this task, a long
        // task on a slow phone.
        let app = Rc::clone(self);
        after_next_frame(&self.window, move || {
            if app.is_open() {
                app.focus_first();
            }
        });
    }

    pub fn close(&self) {
        let Some(launcher) = self.launcher.as_ref().filter(|_| !self.panel.hidden()) else {
            return;
        };
        self.panel.set_hidden(true);
        let _ = launcher.set_attribute("aria-expanded", "false");
        let _ = launcher.focus();
    }

    pub fn is_open(&self) -> bool {
        !self.panel.hidden()
    }

    fn switch(self: &Rc<Self>, mode: Mode) {
        self.mode.set(mode);
        crate::funnel::once(lead::funnel::Event::Opened, mode);
        self.render();
        self.focus_first();
    }

    /// Fills the dialog's body for the current mode.
    pub fn render(self: &Rc<Self>) {
        let mode = self.mode.get();
        if let Ok(tabs) = self.root.query_selector_all("[data-mode]") {
            for i in 0..tabs.length() {
                if let Some(tab) = tabs.item(i).and_then(|t| t.dyn_into::<Element>().ok()) {
                    let selected = tab.get_attribute("data-mode").and_then(|m| Mode::parse(&m)) == Some(mode);
                    let _ = tab.set_attribute("aria-selected", if selected { "true" } else { "false" });
                }
            }
        }
        let title = match mode {
            Mode::Callback => "title_callback",
            Mode::Form => "title_form",
            Mode::Chat => "title_chat",
        };
        if let Ok(Some(h)) = self.root.query_selector("#lw-title") {
            h.set_text_content(Some(self.words.get(title)));
        }
        self.done.set_hidden(true);
        self.body.set_hidden(false);
        if mode == Mode::Chat {
            self.chat().render();
            return;
        }
        let html = fields::html(mode, &self.config.widget, self.config.callback.as_ref(), &self.words);
        let messengers = if self.launcher.is_some() {
            crate::messengers::html(&self.config.widget.messengers, &self.words)
        } else {
            String::new()
        };
        self.body
            .set_inner_html(&format!(r#"<form novalidate>{html}</form>{messengers}"#));
        self.restore_draft();
    }

    fn focus_first(&self) {
        let first = self
            .body
            .query_selector("input:not([type=hidden]):not([tabindex='-1']), textarea, select")
            .ok()
            .flatten();
        if let Some(element) = first.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = element.focus();
        }
    }

    /// Keeps Tab inside the open dialog (it is modal).
    fn trap_focus(&self, key: &web_sys::KeyboardEvent) {
        let Ok(all) = self
            .panel
            .query_selector_all("button, input:not([tabindex='-1']), select, textarea, a[href]")
        else {
            return;
        };
        let focusable: Vec<HtmlElement> = (0..all.length())
            .filter_map(|i| all.item(i)?.dyn_into::<HtmlElement>().ok())
            .filter(|e| e.offset_parent().is_some())
            .collect();
        let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
            return;
        };
        let active = self.root.active_element();
        let at = |e: &HtmlElement| active.as_ref().is_some_and(|a| a == e.unchecked_ref::<Element>());
        if key.shift_key() && at(first) {
            key.prevent_default();
            let _ = last.focus();
        } else if !key.shift_key() && at(last) {
            key.prevent_default();
            let _ = first.focus();
        }
    }

    /// A submission of `kind` from this page, with what every lead carries.
    pub fn submission(&self, kind: LeadKind) -> Submission {
        let document = self.window.document();
        let page = Page {
            url: self.window.location().href().unwrap_or_default(),
            title: document.as_ref().map(|d| d.title()).filter(|t| !t.is_empty()),
            referrer: document.as_ref().map(|d| d.referrer()).filter(|r| !r.is_empty()),
        };
        Submission {
            touches: self.touches.touches(),
            locale: Some(self.words.lang.to_owned()),
            product: self.product.borrow().clone(),
            ..Submission::new(random_id(&self.window), &self.site, kind, page)
        }
    }

    /// Time on the page before the lead: a person needs seconds, a bot none.
    pub fn elapsed_ms(&self) -> Option<u64> {
        self.window.performance().map(|p| p.now().max(0.0) as u64)
    }

    async fn submit(self: &Rc<Self>) {
        let mode = self.mode.get();
        if mode == Mode::Chat {
            return self.send_chat().await;
        }
        let values = fields::values(&self.root, mode, &self.config.widget.form);
        let kind = if mode == Mode::Callback {
            LeadKind::Callback
        } else {
            LeadKind::Form
        };
        let consent = self.config.widget.consent.as_ref().map(|c| Consent {
            text: c
                .text
                .get(self.words.lang)
                .unwrap_or(self.words.get("consent_label"))
                .to_owned(),
            accepted: values.consent.unwrap_or(false),
        });
        let submission = Submission {
            contact: values.contact,
            message: values.message,
            fields: values.fields,
            slot: values.slot,
            consent,
            signals: Signals {
                honeypot: values.honeypot,
                elapsed_ms: self.elapsed_ms(),
                turnstile: self.turnstile.token(&self.window).await,
            },
            ..self.submission(kind)
        };
        self.send(submission).await;
    }

    fn chat(&self) -> crate::chat::View<'_> {
        crate::chat::View {
            chat: &self.chat,
            body: &self.body,
            words: &self.words,
            settings: &self.config.widget,
        }
    }

    /// The chat's answer; once it is the last, the conversation as a lead.
    async fn send_chat(self: &Rc<Self>) {
        let Some(answered) = self.chat().answer() else { return };
        let mut submission = Submission {
            signals: Signals {
                honeypot: None,
                elapsed_ms: self.elapsed_ms(),
                turnstile: self.turnstile.token(&self.window).await,
            },
            ..self.submission(LeadKind::Chat)
        };
        answered.fill(&mut submission);
        let outcome = self.outbox.submit(submission).await;
        self.turnstile.reset(&self.window);
        match outcome {
            Outcome::Accepted => self.finish(self.words.get("done")),
            Outcome::Unavailable => self.finish(self.words.get("offline_queued")),
            Outcome::Limited(_) => self.finish(self.words.get("limited_queued")),
            Outcome::Invalid(errors) => self.chat().refused(answered, &errors),
        }
    }

    /// Sends through the outbox and shows the outcome.
    pub async fn send(self: &Rc<Self>, submission: Submission) {
        let button = self
            .body
            .query_selector(".submit")
            .ok()
            .flatten()
            .and_then(|b| b.dyn_into::<web_sys::HtmlButtonElement>().ok());
        if let Some(b) = &button {
            b.set_disabled(true);
            b.set_text_content(Some(self.words.get("sending")));
        }
        fields::show_errors(&self.root, &[], None);
        let outcome = self.outbox.submit(submission).await;
        self.turnstile.reset(&self.window);
        if let Some(b) = &button {
            b.set_disabled(false);
            let label = if self.mode.get() == Mode::Callback {
                "submit_callback"
            } else {
                "submit"
            };
            b.set_text_content(Some(self.words.get(label)));
        }
        match outcome {
            Outcome::Accepted => self.finish(self.words.get("done")),
            Outcome::Unavailable => self.finish(self.words.get("offline_queued")),
            Outcome::Limited(_) => self.finish(self.words.get("limited_queued")),
            Outcome::Invalid(errors) => fields::show_errors(&self.root, &errors, Some(self.words.get("invalid"))),
        }
    }

    /// The lead is safe (sent, or in the outbox): thank the visitor.
    pub fn finish(&self, text: &str) {
        self.clear_draft();
        // A callback says when: the slot the visitor chose, else the site's promise.
        let chosen = (self.mode.get() == Mode::Callback)
            .then(|| self.root.query_selector("input[name=slot]:checked").ok().flatten())
            .flatten()
            .and_then(|e| e.parent_element())
            .and_then(|l| l.text_content())
            .map(|slot| slot.trim().to_owned());
        let promise = (self.mode.get() == Mode::Callback)
            .then(|| self.config.callback.as_ref().map(|c| c.promise.clone()))
            .flatten();
        let text = match (chosen, promise) {
            (Some(slot), _) if text == self.words.get("done") => format!("{} {slot}.", self.words.get("done_callback")),
            (Some(slot), _) => format!("{text} {slot}"),
            (None, Some(promise)) => format!("{text} {promise}"),
            (None, None) => text.to_owned(),
        };
        self.body.set_hidden(true);
        self.done.set_text_content(Some(&text));
        self.done.set_hidden(false);
        let _ = self.done.focus();
    }

    /// `leadwire('set', 'fields', {...})`: values to prefill.
    pub fn prefill(self: &Rc<Self>, values: BTreeMap<String, String>) {
        self.prefill.borrow_mut().extend(values);
        self.restore_draft();
    }

    fn save_draft(&self) {
        let Ok(inputs) = self.body.query_selector_all(
            "input[name]:not([type=radio]):not([type=checkbox]):not([name=website]), textarea[name], select[name]",
        ) else {
            return;
        };
        let mut draft = BTreeMap::new();
        for i in 0..inputs.length() {
            let Some(element) = inputs.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let name = element.get_attribute("name").unwrap_or_default();
            let value = js_sys::Reflect::get(&element, &"value".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            if !value.is_empty() {
                draft.insert(name, value);
            }
        }
        let consented = self.input("#lw-consent").is_some_and(|i| i.checked());
        if let Some(storage) = self.window.local_storage().ok().flatten() {
            // Withdrawn consent takes the stored copy away too.
            let _ = if lead::draft::may_store(&self.config, consented) {
                let stored = StoredDraft {
                    fields: draft.clone(),
                    saved_ms: js_sys::Date::now() as i64,
                };
                storage.set_item(self.draft_key, &stored.to_json())
            } else {
                storage.remove_item(self.draft_key)
            };
        }
        *self.draft.borrow_mut() = draft;
    }

    fn restore_draft(&self) {
        let (prefill, draft) = (self.prefill.borrow(), self.draft.borrow());
        for (name, value) in prefill.iter().chain(draft.iter()) {
            if let Ok(Some(element)) = self.body.query_selector(&format!("[name=\"{}\"]", escape(name))) {
                let _ = js_sys::Reflect::set(&element, &"value".into(), &JsValue::from_str(value));
            }
        }
    }

    fn clear_draft(&self) {
        self.draft.borrow_mut().clear();
        if let Some(storage) = self.window.local_storage().ok().flatten() {
            let _ = storage.remove_item(self.draft_key);
        }
    }

    /// Whether this widget's host element is still in the document.
    pub fn is_on_page(&self) -> bool {
        self.root.host().is_connected()
    }

    /// Stops listening; the listeners' closures hold the widget, so this is
    /// what lets it go.
    pub fn detach(&self) {
        self.listeners.borrow_mut().clear();
    }

    pub fn input(&self, selector: &str) -> Option<HtmlInputElement> {
        self.root.query_selector(selector).ok().flatten()?.dyn_into().ok()
    }
}

/// A draft an earlier page view stored, while fresh; an expired or
/// unreadable one is removed.
fn stored_draft(window: &Window, key: &str) -> BTreeMap<String, String> {
    let Some(storage) = window.local_storage().ok().flatten() else {
        return BTreeMap::new();
    };
    let Some(json) = storage.get_item(key).ok().flatten() else {
        return BTreeMap::new();
    };
    let draft = crate::json::parse(&json)
        .and_then(|j| StoredDraft::read(&j))
        .filter(|d| d.is_fresh(js_sys::Date::now() as i64));
    if draft.is_none() {
        let _ = storage.remove_item(key);
    }
    draft.map(|d| d.fields).unwrap_or_default()
}

/// The dialog, added beside the loader's launcher.
fn panel_html(config: &PublicConfig, words: &Words) -> String {
    let modes = &config.widget.modes;
    let tabs = if modes.len() > 1 {
        let mut tabs = String::from(r#"<div class="tabs" role="tablist">"#);
        for mode in modes {
            let (name, key) = match mode {
                Mode::Callback => ("callback", "tab_callback"),
                Mode::Form => ("form", "tab_form"),
                Mode::Chat => ("chat", "tab_chat"),
            };
            tabs += &format!(
                r#"<button type="button" role="tab" data-mode="{name}" aria-selected="false">{}</button>"#,
                escape(words.get(key))
            );
        }
        tabs + "</div>"
    } else {
        String::new()
    };
    format!(
        r#"<div class="panel" role="dialog" aria-modal="true" aria-labelledby="lw-title" lang="{}" hidden>
<button class="close" type="button" aria-label="{}">×</button>
<h2 id="lw-title"></h2>{tabs}
<div class="body"></div>
<p class="done" role="status" tabindex="-1" hidden></p>
</div>"#,
        words.lang,
        escape(words.get("close")),
    )
}

/// An inline form: no launcher, no dialog; its heading names the form.
fn inline_html(words: &Words) -> String {
    format!(
        r#"<section class="inline" aria-labelledby="lw-title" lang="{}">
<h2 id="lw-title"></h2>
<div class="body"></div>
<p class="done" role="status" tabindex="-1" hidden></p>
</section>"#,
        words.lang
    )
}

/// A v4 UUID from `crypto.getRandomValues`, which, unlike `randomUUID`,
/// also works on plain-http pages.
pub fn random_id(window: &Window) -> uuid::Uuid {
    let mut bytes = [0u8; 16];
    if let Ok(crypto) = window.crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    if bytes == [0u8; 16] {
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Runs `f` in a task after the next frame has been rendered.
fn after_next_frame(window: &Window, f: impl FnOnce() + 'static) {
    let timers = window.clone();
    let framed = Closure::once_into_js(move || {
        let task = Closure::once_into_js(f);
        let _ = timers.set_timeout_with_callback(task.unchecked_ref());
    });
    let _ = window.request_animation_frame(framed.unchecked_ref());
}
