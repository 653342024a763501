//! The chat intake: bot bubbles ask the configured questions one by one, the
//! visitor answers in a chat input, and the conversation ends in a lead that
//! carries the transcript. Which questions, where answers go and which one a
//! refused lead returns to are `lead::widget::chat`'s; this is the DOM.

use std::cell::RefCell;

use lead::widget::chat::{ask_again, fill, questions};
use lead::widget::{ChatAnswer, WidgetSettings};
use lead::wire::{ChatTurn, Consent, FieldError, Speaker, Submission};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};

use crate::i18n::{escape, Words};

#[derive(Default)]
pub struct Chat {
    step: usize,
    transcript: Vec<ChatTurn>,
    answers: Vec<(ChatAnswer, String)>,
}

/// What the chat works with: its state, the dialog's body it draws in, and the site's settings.
pub struct View<'a> {
    pub chat: &'a RefCell<Chat>,
    pub body: &'a HtmlElement,
    pub words: &'a Words,
    pub settings: &'a WidgetSettings,
}

/// Every question answered and consent given: the conversation, to send.
pub struct Answered {
    chat: Chat,
    consent: Option<Consent>,
}

impl Answered {
    /// The answers, the transcript and the consent in `submission`.
    pub fn fill(&self, submission: &mut Submission) {
        submission.consent = self.consent.clone();
        fill(submission, &self.chat.answers);
        submission.transcript = self.chat.transcript.clone();
    }
}

impl View<'_> {
    /// The log scrolls once the conversation outgrows it: it is in the tab order
    /// (and named by the dialog's title) so that a keyboard can scroll it too.
    pub fn render(&self) {
        *self.chat.borrow_mut() = Chat::default();
        let words = self.words;
        self.body.set_inner_html(&format!(
            r#"<div class="chat" role="log" aria-live="polite" aria-labelledby="lw-title" tabindex="0"></div>
<form class="chat-input" novalidate><label class="sr" for="lw-chat">{}</label><input id="lw-chat" name="chat" autocomplete="off" aria-describedby="lw-form-error">
<button class="submit" type="submit">{}</button>{}</form><p class="error" id="lw-form-error" aria-live="polite"></p>{}"#,
            escape(words.get("chat_placeholder")),
            escape(words.get("chat_send")),
            crate::fields::consent_html(self.settings, words),
            crate::messengers::html(&self.settings.messengers, words)
        ));
        self.ask();
    }

    fn input(&self, selector: &str) -> Option<HtmlInputElement> {
        self.body.query_selector(selector).ok().flatten()?.dyn_into().ok()
    }

    fn bubble(&self, from: Speaker, text: &str) {
        if let Ok(Some(log)) = self.body.query_selector(".chat") {
            let class = if from == Speaker::Bot { "bot" } else { "me" };
            let _ = log.insert_adjacent_html(
                "beforeend",
                &format!(r#"<p class="bubble {class}">{}</p>"#, escape(text)),
            );
            // The newest turn in sight: a question asked again would otherwise sit below the fold.
            log.set_scroll_top(log.scroll_height());
        }
        self.chat.borrow_mut().transcript.push(ChatTurn {
            from,
            text: text.to_owned(),
        });
    }

    fn ask(&self) {
        let step = self.chat.borrow().step;
        if let Some(q) = questions(&self.settings.chat).get(step) {
            self.bubble(Speaker::Bot, q.text.get(self.words.lang).unwrap_or(""));
        }
    }

    /// The visitor answered the current question: the next one is asked, or,
    /// once all are answered and consent is given, the conversation is returned to send.
    pub fn answer(&self) -> Option<Answered> {
        let input = self.input("#lw-chat")?;
        let text = input.value().trim().to_owned();
        let all = questions(&self.settings.chat);
        let answered_all = self.chat.borrow().step >= all.len();
        if text.is_empty() && !answered_all {
            return None;
        }
        if !answered_all {
            input.set_value("");
            self.bubble(Speaker::Visitor, &text);
            let mut chat = self.chat.borrow_mut();
            if let Some(q) = all.get(chat.step) {
                chat.answers.retain(|(a, _)| *a != q.answer);
                chat.answers.push((q.answer.clone(), text));
            }
            chat.step += 1;
        }
        if self.chat.borrow().step < all.len() {
            self.ask();
            return None;
        }
        let consent = self.settings.consent.as_ref().map(|c| Consent {
            text: c
                .text
                .get(self.words.lang)
                .unwrap_or(self.words.get("consent_label"))
                .to_owned(),
            accepted: self.input("#lw-consent").is_some_and(|i| i.checked()),
        });
        if consent.as_ref().is_some_and(|c| !c.accepted) {
            // Everything is answered; the lead waits for the visitor's consent.
            if let Ok(Some(error)) = self.body.query_selector("#lw-consent-error") {
                error.set_text_content(Some(self.words.get("required")));
            }
            if let Some(checkbox) = self.input("#lw-consent") {
                let _ = checkbox.focus();
            }
            return None;
        }
        let chat = std::mem::take(&mut *self.chat.borrow_mut());
        Some(Answered { chat, consent })
    }

    /// The collector refused the lead: back to the first question whose
    /// answer was refused, saying why.
    pub fn refused(&self, answered: Answered, errors: &[FieldError]) {
        let (step, error) = ask_again(&questions(&self.settings.chat), errors);
        let message = error.map(|e| e.message.clone());
        let mut restored = answered.chat;
        restored.step = step;
        *self.chat.borrow_mut() = restored;
        self.bubble(
            Speaker::Bot,
            &message.unwrap_or_else(|| self.words.get("invalid").to_owned()),
        );
        self.ask();
    }
}
