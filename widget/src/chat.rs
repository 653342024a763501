//! The chat intake: bot bubbles ask the configured questions one by one, the
//! visitor answers in a chat input, and the conversation ends in a lead that
//! carries the transcript.

use std::rc::Rc;

use lead::widget::{ChatAnswer, ChatQuestion, Localized};
use lead::wire::{ChatTurn, LeadKind, Signals, Speaker};

use crate::app::App;
use crate::i18n::escape;
use crate::send::Outcome;

#[derive(Default)]
pub struct Chat {
    step: usize,
    transcript: Vec<ChatTurn>,
    answers: Vec<(ChatAnswer, String)>,
}

/// Asked when the site configures no questions.
fn default_questions() -> Vec<ChatQuestion> {
    let q = |en: &str, ru: &str, answer| ChatQuestion {
        text: Localized {
            en: Some(en.into()),
            ru: Some(ru.into()),
        },
        answer,
    };
    vec![
        q(
            "Hello! What is your name?",
            "Здравствуйте! Как вас зовут?",
            ChatAnswer::Name,
        ),
        q(
            "What number can we call you on?",
            "По какому номеру вам позвонить?",
            ChatAnswer::Phone,
        ),
        q(
            "What would you like to ask?",
            "Какой у вас вопрос?",
            ChatAnswer::Message,
        ),
    ]
}

fn questions(app: &App) -> Vec<ChatQuestion> {
    let configured = &app.config.widget.chat;
    if configured.is_empty() {
        default_questions()
    } else {
        configured.clone()
    }
}

/// The log scrolls once the conversation outgrows it: it is in the tab order
/// (and named by the dialog's title) so that a keyboard can scroll it too.
pub fn render(app: &Rc<App>) {
    *app.chat.borrow_mut() = Chat::default();
    let words = &app.words;
    app.body().set_inner_html(&format!(
        r#"<div class="chat" role="log" aria-live="polite" aria-labelledby="lw-title" tabindex="0"></div>
<form class="chat-input" novalidate><label class="sr" for="lw-chat">{}</label><input id="lw-chat" name="chat" autocomplete="off" aria-describedby="lw-form-error">
<button class="submit" type="submit">{}</button>{}</form><p class="error" id="lw-form-error" aria-live="polite"></p>{}"#,
        escape(words.get("chat_placeholder")),
        escape(words.get("chat_send")),
        crate::fields::consent_html(&app.config.widget, words),
        crate::messengers::html(app)
    ));
    ask(app);
}

fn bubble(app: &App, from: Speaker, text: &str) {
    if let Ok(Some(log)) = app.body().query_selector(".chat") {
        let class = if from == Speaker::Bot { "bot" } else { "me" };
        let _ = log.insert_adjacent_html(
            "beforeend",
            &format!(r#"<p class="bubble {class}">{}</p>"#, escape(text)),
        );
        // The newest turn in sight: a question asked again would otherwise sit below the fold.
        log.set_scroll_top(log.scroll_height());
    }
    app.chat.borrow_mut().transcript.push(ChatTurn {
        from,
        text: text.to_owned(),
    });
}

fn ask(app: &App) {
    let step = app.chat.borrow().step;
    if let Some(q) = questions(app).get(step) {
        bubble(app, Speaker::Bot, q.text.get(app.words.lang).unwrap_or(""));
    }
}

/// The visitor answered the current question.
pub async fn answer(app: &Rc<App>) {
    let Some(input) = app.input("#lw-chat") else { return };
    let text = input.value().trim().to_owned();
    let all = questions(app);
    let answered_all = app.chat.borrow().step >= all.len();
    if text.is_empty() && !answered_all {
        return;
    }
    if !answered_all {
        input.set_value("");
        bubble(app, Speaker::Visitor, &text);
    }
    if !answered_all {
        let mut chat = app.chat.borrow_mut();
        if let Some(q) = all.get(chat.step) {
            chat.answers.retain(|(a, _)| *a != q.answer);
            chat.answers.push((q.answer.clone(), text));
        }
        chat.step += 1;
    }
    if app.chat.borrow().step < all.len() {
        return ask(app);
    }
    let consent = app.config.widget.consent.as_ref().map(|c| lead::wire::Consent {
        text: c
            .text
            .get(app.words.lang)
            .unwrap_or(app.words.get("consent_label"))
            .to_owned(),
        accepted: app.input("#lw-consent").is_some_and(|i| i.checked()),
    });
    if consent.as_ref().is_some_and(|c| !c.accepted) {
        // Everything is answered; the lead waits for the visitor's consent.
        if let Ok(Some(error)) = app.body().query_selector("#lw-consent-error") {
            error.set_text_content(Some(app.words.get("required")));
        }
        if let Some(checkbox) = app.input("#lw-consent") {
            let _ = checkbox.focus();
        }
        return;
    }
    let mut submission = app.submission(LeadKind::Chat);
    submission.consent = consent;
    let chat = std::mem::take(&mut *app.chat.borrow_mut());
    for (slot, value) in &chat.answers {
        match slot {
            ChatAnswer::Name => submission.contact.name = Some(value.clone()),
            ChatAnswer::Phone => submission.contact.phone = Some(value.clone()),
            ChatAnswer::Email => submission.contact.email = Some(value.clone()),
            ChatAnswer::Message => submission.message = Some(value.clone()),
            ChatAnswer::Field(id) => {
                submission
                    .fields
                    .insert(id.clone(), lead::wire::FieldValue::Text(value.clone()));
            }
        }
    }
    submission.transcript = chat.transcript.clone();
    submission.signals = Signals {
        honeypot: None,
        elapsed_ms: app.elapsed_ms(),
    };
    match app.outbox.submit(submission).await {
        Outcome::Accepted => app.finish(app.words.get("done")),
        Outcome::Unavailable => app.finish(app.words.get("offline_queued")),
        Outcome::Invalid(errors) => {
            // Back to the first question whose answer was refused, saying why.
            let refused = |a: &ChatAnswer| {
                let field = match a {
                    ChatAnswer::Name => "contact.name".to_owned(),
                    ChatAnswer::Phone => "contact.phone".to_owned(),
                    ChatAnswer::Email => "contact.email".to_owned(),
                    ChatAnswer::Message => "message".to_owned(),
                    ChatAnswer::Field(id) => format!("fields.{id}"),
                };
                errors.iter().find(|e| {
                    e.field == field || (e.field == "contact" && matches!(a, ChatAnswer::Phone | ChatAnswer::Email))
                })
            };
            let step = all.iter().position(|q| refused(&q.answer).is_some()).unwrap_or(0);
            let message = all
                .get(step)
                .and_then(|q| refused(&q.answer))
                .map(|e| e.message.clone());
            let mut restored = chat;
            restored.step = step;
            *app.chat.borrow_mut() = restored;
            bubble(
                app,
                Speaker::Bot,
                &message.unwrap_or_else(|| app.words.get("invalid").to_owned()),
            );
            ask(app);
        }
    }
}
