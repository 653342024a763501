//! The fields of the callback and contact forms: HTML for each, reading the
//! values back, and putting the collector's errors next to the right field.

use std::collections::BTreeMap;

use lead::hours::Slot;
use lead::widget::{CallbackTimes, ContactField, FieldKind, FormSettings, Mode, OfferedSlot, WidgetSettings};
use lead::wire::{FieldError, FieldValue, RawContact};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, ShadowRoot};

use crate::i18n::{escape, Words};

/// One input as the form shows it.
struct Spec<'a> {
    name: String,
    label: String,
    required: bool,
    input: Input<'a>,
}

enum Input<'a> {
    Tel,
    Text { autocomplete: &'a str },
    Email,
    Message,
    Select(Vec<(String, String)>),
    Checkbox,
}

/// The input that shows the collector's error about `field`.
fn input_for_error(field: &str) -> &str {
    match field {
        "contact" | "contact.phone" => "phone",
        "contact.name" => "name",
        "contact.email" => "email",
        other => other.strip_prefix("fields.").unwrap_or(other),
    }
}

fn specs<'a>(mode: Mode, form: &'a FormSettings, words: &Words) -> Vec<Spec<'a>> {
    let required = |f: ContactField| form.require.contains(&f);
    let contact = |name: &str, input, req| Spec {
        name: name.into(),
        label: words.get(&format!("{name}_label")).into(),
        required: req,
        input,
    };
    match mode {
        Mode::Callback => vec![
            contact("phone", Input::Tel, true),
            contact("name", Input::Text { autocomplete: "name" }, false),
        ],
        _ => {
            let mut specs = vec![
                contact(
                    "name",
                    Input::Text { autocomplete: "name" },
                    required(ContactField::Name),
                ),
                contact("phone", Input::Tel, required(ContactField::Phone)),
                contact("email", Input::Email, required(ContactField::Email)),
            ];
            if form.message {
                specs.push(contact("message", Input::Message, false));
            }
            for f in &form.fields {
                let label = f.label.get(words.lang).unwrap_or(&f.id).to_owned();
                let input = match f.kind {
                    FieldKind::Text => Input::Text { autocomplete: "off" },
                    FieldKind::Checkbox => Input::Checkbox,
                    FieldKind::Select => Input::Select(
                        f.options
                            .iter()
                            .map(|o| (o.value.clone(), o.label.get(words.lang).unwrap_or(&o.value).to_owned()))
                            .collect(),
                    ),
                };
                specs.push(Spec {
                    name: f.id.clone(),
                    label,
                    required: f.required,
                    input,
                });
            }
            specs
        }
    }
}

/// The form's inner HTML for `mode`.
pub fn html(mode: Mode, settings: &WidgetSettings, times: Option<&CallbackTimes>, words: &Words) -> String {
    let mut out = String::new();
    if mode == Mode::Callback {
        if let Some(times) = times {
            out += &format!(r#"<p class="promise" id="lw-promise">{}</p>"#, escape(&times.promise));
        }
    }
    for spec in specs(mode, &settings.form, words) {
        out += &field_html(&spec, words);
    }
    if let (Mode::Callback, Some(times)) = (mode, times) {
        if !times.open && !times.slots.is_empty() {
            out += &format!(
                r#"<fieldset class="slots" aria-describedby="lw-slot-error"><legend>{}</legend>"#,
                escape(words.get("slot_label"))
            );
            for (i, offered) in times.slots.iter().enumerate() {
                let value = format!("{}|{}", offered.start_ms, offered.end_ms);
                let checked = if i == 0 { " checked" } else { "" };
                out += &format!(
                    r#"<label class="slot"><input type="radio" name="slot" value="{}"{checked}> {}</label>"#,
                    escape(&value),
                    escape(&offered.label)
                );
            }
            out += r#"</fieldset><p class="error" id="lw-slot-error" aria-live="polite"></p>"#;
        }
    }
    out += &consent_html(settings, words);
    // People never see this field; bots fill it.
    out += &format!(
        r#"<div class="hp" aria-hidden="true"><label for="lw-website">{}</label><input id="lw-website" name="website" tabindex="-1" autocomplete="off"></div>"#,
        escape(words.get("honeypot"))
    );
    out += r#"<p class="error" id="lw-form-error" aria-live="polite"></p>"#;
    let submit = if mode == Mode::Callback {
        words.get("submit_callback")
    } else {
        words.get("submit")
    };
    out += &format!(r#"<button class="submit" type="submit">{}</button>"#, escape(submit));
    out
}

/// The consent checkbox with the site's text and policy link, if the site asks for consent.
pub fn consent_html(settings: &WidgetSettings, words: &Words) -> String {
    let Some(consent) = &settings.consent else {
        return String::new();
    };
    let text = consent.text.get(words.lang).unwrap_or(words.get("consent_label"));
    let policy = consent
        .policy_url
        .as_deref()
        .map(|url| {
            format!(
                r#" <a href="{}" target="_blank" rel="noopener">{}</a>"#,
                escape(url),
                escape(words.get("policy"))
            )
        })
        .unwrap_or_default();
    format!(
        r#"<div class="field check"><input type="checkbox" id="lw-consent" name="consent" aria-describedby="lw-consent-error"><label for="lw-consent">{}</label>{policy}<p class="error" id="lw-consent-error" aria-live="polite"></p></div>"#,
        escape(text)
    )
}

fn field_html(spec: &Spec, words: &Words) -> String {
    let name = escape(&spec.name);
    let optional = if spec.required {
        String::new()
    } else {
        format!(r#" <span class="opt">({})</span>"#, escape(words.get("optional")))
    };
    let label = format!(r#"<label for="lw-{name}">{}{optional}</label>"#, escape(&spec.label));
    let req = if spec.required { r#" aria-required="true""# } else { "" };
    let described = format!(r#"id="lw-{name}" name="{name}" aria-describedby="lw-{name}-error"{req}"#);
    let error = format!(r#"<p class="error" id="lw-{name}-error" aria-live="polite"></p>"#);
    match &spec.input {
        Input::Checkbox => {
            format!(r#"<div class="field check"><input type="checkbox" {described}>{label}{error}</div>"#)
        }
        Input::Tel => format!(
            r#"<div class="field">{label}<input type="tel" autocomplete="tel" inputmode="tel" {described}>{error}</div>"#
        ),
        Input::Email => format!(
            r#"<div class="field">{label}<input type="email" autocomplete="email" inputmode="email" {described}>{error}</div>"#
        ),
        Input::Text { autocomplete } => format!(
            r#"<div class="field">{label}<input type="text" autocomplete="{autocomplete}" {described}>{error}</div>"#
        ),
        Input::Message => {
            format!(r#"<div class="field">{label}<textarea rows="3" {described}></textarea>{error}</div>"#)
        }
        Input::Select(options) => {
            let mut html = format!(r#"<div class="field">{label}<select {described}><option value="">—</option>"#);
            for (value, text) in options {
                html += &format!(r#"<option value="{}">{}</option>"#, escape(value), escape(text));
            }
            html + &format!("</select>{error}</div>")
        }
    }
}

/// What the visitor entered.
pub struct Values {
    pub contact: RawContact,
    pub message: Option<String>,
    pub fields: BTreeMap<String, FieldValue>,
    pub slot: Option<Slot>,
    pub consent: Option<bool>,
    pub honeypot: Option<String>,
}

fn value_of(root: &ShadowRoot, name: &str) -> Option<String> {
    let element = root.query_selector(&format!("[name=\"{name}\"]")).ok().flatten()?;
    let value = if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        select.value()
    } else {
        element.dyn_ref::<HtmlTextAreaElement>()?.value()
    };
    Some(value).filter(|v| !v.trim().is_empty())
}

fn checked(root: &ShadowRoot, name: &str) -> Option<bool> {
    let element = root.query_selector(&format!("input[name=\"{name}\"]")).ok().flatten()?;
    Some(element.dyn_ref::<HtmlInputElement>()?.checked())
}

pub fn values(root: &ShadowRoot, mode: Mode, form: &FormSettings) -> Values {
    let mut fields = BTreeMap::new();
    if mode != Mode::Callback {
        for f in &form.fields {
            let value = match f.kind {
                FieldKind::Checkbox => checked(root, &f.id).map(FieldValue::Flag),
                _ => value_of(root, &f.id).map(FieldValue::Text),
            };
            if let Some(v) = value {
                fields.insert(f.id.clone(), v);
            }
        }
    }
    let slot = root
        .query_selector("input[name=\"slot\"]:checked")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .and_then(|i| {
            let value = i.value();
            let (start, end) = value.split_once('|')?;
            let offered = OfferedSlot {
                start_ms: start.parse().ok()?,
                end_ms: end.parse().ok()?,
                label: String::new(),
            };
            offered.slot()
        });
    Values {
        contact: RawContact {
            phone: value_of(root, "phone"),
            name: value_of(root, "name"),
            email: value_of(root, "email"),
        },
        message: value_of(root, "message"),
        fields,
        slot,
        consent: checked(root, "consent"),
        honeypot: value_of(root, "website"),
    }
}

/// Clears old errors, shows these next to their fields; the rest (and
/// `fallback`) above the button. Focuses the first field in error.
pub fn show_errors(root: &ShadowRoot, errors: &[FieldError], fallback: Option<&str>) {
    if let Ok(all) = root.query_selector_all(".error") {
        for i in 0..all.length() {
            if let Some(node) = all.item(i) {
                node.set_text_content(None);
            }
        }
    }
    if let Ok(invalid) = root.query_selector_all("[aria-invalid]") {
        for i in 0..invalid.length() {
            if let Some(e) = invalid.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let _ = e.remove_attribute("aria-invalid");
            }
        }
    }
    let mut general = Vec::new();
    let mut first: Option<Element> = None;
    for error in errors {
        let name = input_for_error(&error.field);
        let slot = root.query_selector(&format!("#lw-{name}-error")).ok().flatten();
        match slot {
            Some(slot) => {
                let text = slot.text_content().unwrap_or_default();
                slot.set_text_content(Some(&if text.is_empty() {
                    error.message.clone()
                } else {
                    format!("{text} {}", error.message)
                }));
                if let Ok(Some(input)) = root.query_selector(&format!("#lw-{name}")) {
                    let _ = input.set_attribute("aria-invalid", "true");
                    first.get_or_insert(input);
                }
            }
            None => general.push(error.message.as_str()),
        }
    }
    if general.is_empty() && errors.iter().all(|e| e.field.is_empty()) {
        general.extend(fallback);
    }
    if let Ok(Some(slot)) = root.query_selector("#lw-form-error") {
        slot.set_text_content(Some(&general.join(" ")).filter(|t| !t.is_empty()).map(String::as_str));
    }
    if let Some(input) = first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = input.focus();
    }
}

/// Lays out a phone number as it is typed (`lead::phone::format_as_typed`).
/// Only while typing at the end: a deletion or an edit mid-number is left
/// alone, so the caret never jumps and a bracket can be deleted.
pub fn format_phone_as_typed(event: &web_sys::Event, country: &str) {
    let Some(input) = event.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else {
        return;
    };
    let inserting = js_sys::Reflect::get(event, &"inputType".into())
        .ok()
        .and_then(|t| t.as_string())
        .is_some_and(|t| t.starts_with("insert"));
    let value = input.value();
    let at_end = input.selection_start().ok().flatten() == Some(value.encode_utf16().count() as u32);
    if input.type_() != "tel" || !inserting || !at_end {
        return;
    }
    let formatted = lead::phone::format_as_typed(&value, country);
    if formatted != value {
        input.set_value(&formatted);
    }
}
