//! The chat intake's rules: which questions it asks, where each answer goes in
//! the lead, and which question a refused lead returns to.

use super::{ChatAnswer, ChatQuestion, Localized};
use crate::wire::{FieldError, FieldValue, Submission};

/// The site's questions, or, when it configures none, name, phone and question.
pub fn questions(configured: &[ChatQuestion]) -> Vec<ChatQuestion> {
    if !configured.is_empty() {
        return configured.to_vec();
    }
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

/// Puts each answer where its question says it goes.
pub fn fill(submission: &mut Submission, answers: &[(ChatAnswer, String)]) {
    for (slot, value) in answers {
        match slot {
            ChatAnswer::Name => submission.contact.name = Some(value.clone()),
            ChatAnswer::Phone => submission.contact.phone = Some(value.clone()),
            ChatAnswer::Email => submission.contact.email = Some(value.clone()),
            ChatAnswer::Message => submission.message = Some(value.clone()),
            ChatAnswer::Field(id) => {
                submission.fields.insert(id.clone(), FieldValue::Text(value.clone()));
            }
        }
    }
}

/// The error that refuses this answer: its own field's, or `contact` (no way to
/// reach the visitor) for a phone or email.
fn refusal<'e>(answer: &ChatAnswer, errors: &'e [FieldError]) -> Option<&'e FieldError> {
    let field = match answer {
        ChatAnswer::Name => "contact.name".to_owned(),
        ChatAnswer::Phone => "contact.phone".to_owned(),
        ChatAnswer::Email => "contact.email".to_owned(),
        ChatAnswer::Message => "message".to_owned(),
        ChatAnswer::Field(id) => format!("fields.{id}"),
    };
    errors
        .iter()
        .find(|e| e.field == field || (e.field == "contact" && matches!(answer, ChatAnswer::Phone | ChatAnswer::Email)))
}

/// The first question whose answer was refused (else the first question), and
/// the error to say why, if one names it.
pub fn ask_again<'e>(questions: &[ChatQuestion], errors: &'e [FieldError]) -> (usize, Option<&'e FieldError>) {
    questions
        .iter()
        .enumerate()
        .find_map(|(i, q)| refusal(&q.answer, errors).map(|e| (i, Some(e))))
        .unwrap_or((0, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{LeadKind, Page, RawContact};

    fn asking(answers: &[ChatAnswer]) -> Vec<ChatQuestion> {
        answers
            .iter()
            .map(|a| ChatQuestion {
                text: Localized::default(),
                answer: a.clone(),
            })
            .collect()
    }

    fn field(id: &str) -> ChatAnswer {
        ChatAnswer::Field(id.into())
    }

    #[test]
    fn no_configured_questions_ask_name_phone_message() {
        let got: Vec<ChatAnswer> = questions(&[]).into_iter().map(|q| q.answer).collect();
        assert_eq!(got, [ChatAnswer::Name, ChatAnswer::Phone, ChatAnswer::Message]);
        let own = asking(&[ChatAnswer::Email]);
        assert_eq!(questions(&own), own);
    }

    type Answers<'a> = &'a [(ChatAnswer, &'a str)];
    type Fields<'a> = &'a [(&'a str, FieldValue)];

    #[test]
    fn answers_fill_their_parts() {
        let text = |s: &str| FieldValue::Text(s.into());
        let contact = |name: Option<&str>, phone: Option<&str>, email: Option<&str>| RawContact {
            name: name.map(Into::into),
            phone: phone.map(Into::into),
            email: email.map(Into::into),
        };
        #[rustfmt::skip]
        let cases: &[(Answers, RawContact, Option<&str>, Fields)] = &[
            (&[], contact(None, None, None), None, &[]),
            (&[(ChatAnswer::Name, "Ann")], contact(Some("Ann"), None, None), None, &[]),
            (&[(ChatAnswer::Phone, "+7 900")], contact(None, Some("+7 900"), None), None, &[]),
            (&[(ChatAnswer::Email, "a@b.c")], contact(None, None, Some("a@b.c")), None, &[]),
            (&[(ChatAnswer::Message, "hi")], contact(None, None, None), Some("hi"), &[]),
            (&[(field("service"), "cut")], contact(None, None, None), None, &[("service", text("cut"))]),
            // All at once, two custom fields.
            (&[(ChatAnswer::Name, "Bo"), (field("a"), "1"), (ChatAnswer::Message, "m"), (field("b"), "2")],
             contact(Some("Bo"), None, None), Some("m"), &[("a", text("1")), ("b", text("2"))]),
        ];
        for (answers, want_contact, want_message, want_fields) in cases {
            let mut s = Submission::new(uuid::Uuid::nil(), "s", LeadKind::Chat, Page::default());
            let owned: Vec<(ChatAnswer, String)> = answers.iter().map(|(a, v)| (a.clone(), (*v).to_owned())).collect();
            fill(&mut s, &owned);
            let fields: Vec<(&str, FieldValue)> = s.fields.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            assert_eq!(
                (&s.contact, s.message.as_deref(), fields.as_slice()),
                (want_contact, *want_message, *want_fields),
                "{answers:?}"
            );
        }
    }

    #[test]
    fn a_refused_answer_is_asked_again() {
        let all = asking(&[
            ChatAnswer::Name,
            ChatAnswer::Phone,
            field("service"),
            ChatAnswer::Message,
        ]);
        let email_first = asking(&[ChatAnswer::Email, ChatAnswer::Name]);
        #[rustfmt::skip]
        let cases: &[(&[ChatQuestion], &[&str], (usize, Option<&str>))] = &[
            (&all, &["contact.phone"], (1, Some("contact.phone"))),
            (&all, &["fields.service"], (2, Some("fields.service"))),
            (&all, &["message"], (3, Some("message"))),
            (&all, &["contact.name"], (0, Some("contact.name"))),
            // The first refused question in asking order, not in error order.
            (&all, &["message", "fields.service"], (2, Some("fields.service"))),
            // No way to reach the visitor: back to the phone (or email) question.
            (&all, &["contact"], (1, Some("contact"))),
            (&email_first, &["contact"], (0, Some("contact"))),
            // An error no question answers: start over, with no reason to give.
            (&all, &["contact.email"], (0, None)),
            (&all, &["fields.other"], (0, None)),
            (&all, &[], (0, None)),
        ];
        for (questions, fields, want) in cases {
            let errors: Vec<FieldError> = fields
                .iter()
                .map(|f| FieldError::new(f, "invalid", format!("bad {f}")))
                .collect();
            let (step, error) = ask_again(questions, &errors);
            assert_eq!((step, error.map(|e| e.field.as_str())), *want, "{fields:?}");
            if let Some(e) = error {
                assert_eq!(e.message, format!("bad {}", e.field));
            }
        }
    }
}
