//! What the native tests of intake and delivery share: a way to run their
//! futures (everything in them is ready at once, or wakes itself) and a lead
//! of the `every-kind` site compiled in from `sites.toml`.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use lead::wire::Lead;

/// Polls `future` until it is done.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// A direct visitor's lead of `kind` for the `every-kind` site, with an id of its own.
pub fn lead(kind: &str) -> Lead {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = uuid::Uuid::from_u128(u128::from(NEXT.fetch_add(1, Ordering::Relaxed)));
    serde_json::from_value(serde_json::json!({
        "id": id, "site": "every-kind", "kind": kind,
        "contact": {"phone": "+79123456789", "name": "Ivan", "email": null},
        "message": null, "page": {"url": "https://shop.example/", "title": null, "referrer": null},
        "attribution": {"channel": "direct", "source": null, "medium": null, "campaign": null, "term": null,
            "content": null, "referrer": null, "landing_page": null, "first_touch": null, "last_touch": null,
            "visits": 1},
        "received_at": "2026-11-23T15:59:47.681Z"
    }))
    .expect("a lead")
}
