//! Never lose what was sent: every lead goes into a localStorage outbox
//! before the first try and leaves it only on a 2xx, or on a 4xx that says
//! the lead is invalid (shown to the visitor). Network errors and 5xx are
//! retried with backoff, a 429 after the collector's `Retry-After`
//! (`lead::rate::retry_delay_ms`), and all of them when the browser comes
//! back `online` and on the next page view.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use lead::json::{text, View};
use lead::loader::OUTBOX_KEY as KEY;
use lead::wire::Submission;
use wasm_bindgen::prelude::*;
use web_sys::Window;

use crate::send::{post_lead, Outcome};

/// A lead waiting to be sent: its body exactly as it will be posted (kept as
/// text, so the widget never parses a lead back: that would pull a time-zone
/// database into the wasm), and what the page is told once it is accepted.
#[derive(Clone)]
pub struct Pending {
    pub id: String,
    pub kind: String,
    pub site: String,
    body: String,
}

impl Pending {
    fn of(submission: &Submission) -> Option<Self> {
        Some(Pending {
            id: submission
                .id
                .hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer())
                .to_owned(),
            kind: submission.kind.as_str().to_owned(),
            site: submission.site.clone(),
            body: submission.to_json(),
        })
    }

    fn read<V: View>(v: &V) -> Option<Self> {
        Some(Pending {
            id: text(v, "id")?,
            kind: text(v, "kind")?,
            site: text(v, "site")?,
            body: text(v, "body")?,
        })
    }

    fn list_json(pending: &[Pending]) -> String {
        let mut out = String::new();
        lead::json::Val::into(&mut out).array(pending, |v, p| {
            v.object(|o| {
                o.text("id", &p.id);
                o.text("kind", &p.kind);
                o.text("site", &p.site);
                o.text("body", &p.body);
            })
        });
        out
    }
}

type OnAccepted = Box<dyn Fn(&Pending)>;

pub struct Outbox {
    window: Window,
    base: String,
    pending: RefCell<Vec<Pending>>,
    failures: Cell<u32>,
    retry_scheduled: Cell<bool>,
    on_accepted: OnAccepted,
    _online: RefCell<Option<EventListener>>,
}

impl Outbox {
    /// Loads what an earlier page view left, and sends it.
    pub fn start(window: &Window, base: &str, on_accepted: OnAccepted) -> Rc<Self> {
        let pending = storage(window)
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|json| crate::json::parse(&json))
            .map(|list| list.items().iter().filter_map(Pending::read).collect())
            .unwrap_or_default();
        let outbox = Rc::new(Outbox {
            window: window.clone(),
            base: base.to_owned(),
            pending: RefCell::new(pending),
            failures: Cell::new(0),
            retry_scheduled: Cell::new(false),
            on_accepted,
            _online: RefCell::new(None),
        });
        let weak = Rc::downgrade(&outbox);
        let online = EventListener::new(window, "online", move |_| {
            if let Some(outbox) = weak.upgrade() {
                outbox.flush();
            }
        });
        *outbox._online.borrow_mut() = Some(online);
        outbox.flush();
        outbox
    }

    /// Keeps the lead, then tries to send it; the outcome of this first try.
    pub async fn submit(self: &Rc<Self>, submission: Submission) -> Outcome {
        let Some(pending) = Pending::of(&submission) else {
            return Outcome::Unavailable;
        };
        self.pending.borrow_mut().push(pending.clone());
        self.save();
        let outcome = post_lead(&self.window, &self.base, &pending.body).await;
        // Sent, or kept to send; not when the visitor has a field to fix.
        if !matches!(outcome, Outcome::Invalid(_)) {
            crate::funnel::count(lead::funnel::Event::Submitted, submission.kind);
        }
        self.settle(&pending, &outcome);
        if let Some(asked) = retry(&outcome) {
            self.schedule_retry(asked);
        }
        outcome
    }

    /// Sends everything pending, oldest first.
    pub fn flush(self: &Rc<Self>) {
        let outbox = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            let pending = outbox.pending.borrow().clone();
            for lead in pending {
                let outcome = post_lead(&outbox.window, &outbox.base, &lead.body).await;
                outbox.settle(&lead, &outcome);
                if let Some(asked) = retry(&outcome) {
                    return outbox.schedule_retry(asked);
                }
            }
            outbox.failures.set(0);
        });
    }

    fn settle(&self, lead: &Pending, outcome: &Outcome) {
        match outcome {
            Outcome::Unavailable | Outcome::Limited(_) => return,
            Outcome::Accepted => (self.on_accepted)(lead),
            Outcome::Invalid(_) => {}
        }
        self.pending.borrow_mut().retain(|p| p.id != lead.id);
        self.save();
    }

    /// Sends everything again after the collector's wait (`asked`, seconds), else after a backoff.
    fn schedule_retry(self: &Rc<Self>, asked: Option<u32>) {
        if self.retry_scheduled.replace(true) {
            return;
        }
        let failures = self.failures.get();
        self.failures.set(failures.saturating_add(1));
        let delay_ms = lead::rate::retry_delay_ms(failures, asked);
        let outbox = Rc::clone(self);
        let retry = Closure::once_into_js(move || {
            outbox.retry_scheduled.set(false);
            outbox.flush();
        });
        let _ = self
            .window
            .set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), delay_ms as i32);
    }

    fn save(&self) {
        let Some(storage) = storage(&self.window) else { return };
        let pending = self.pending.borrow();
        let _ = if pending.is_empty() {
            storage.remove_item(KEY)
        } else {
            storage.set_item(KEY, &Pending::list_json(&pending))
        };
    }
}

/// Whether the lead stays for another try, and the wait the collector asked for.
fn retry(outcome: &Outcome) -> Option<Option<u32>> {
    match outcome {
        Outcome::Unavailable => Some(None),
        Outcome::Limited(asked) => Some(*asked),
        Outcome::Accepted | Outcome::Invalid(_) => None,
    }
}

fn storage(window: &Window) -> Option<web_sys::Storage> {
    window.local_storage().ok().flatten()
}
