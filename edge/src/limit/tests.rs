use std::cell::RefCell;

use super::*;
use crate::tests::block_on;

/// A stand-in for the binding: answers `verdict` and remembers what it was asked.
struct Fixed {
    verdict: Verdict,
    asked: RefCell<Vec<String>>,
}

impl Fixed {
    fn new(verdict: Verdict) -> Self {
        Fixed {
            verdict,
            asked: RefCell::default(),
        }
    }
}

impl Limiter for Fixed {
    async fn hit(&self, key: &str, _rule: Rule, _now_ms: i64) -> Verdict {
        self.asked.borrow_mut().push(key.to_owned());
        self.verdict
    }
}

const TWO_A_MINUTE: Rule = Rule { leads: 2, seconds: 60 };

#[test]
fn the_isolate_holds_a_burst_to_the_rule_and_the_binding_sees_only_what_it_let_through() {
    let binding = Fixed::new(Verdict::Allowed);
    let key = "client:flood-test-1:203.0.113.7";
    let verdicts: Vec<Verdict> = (0..1000)
        .map(|i| block_on(decide(&Isolate, Some(&binding), key, TWO_A_MINUTE, 1_000 + i)))
        .collect();
    let allowed = verdicts.iter().filter(|v| **v == Verdict::Allowed).count();
    assert_eq!((allowed, verdicts.len() - allowed), (2, 998));
    assert_eq!(verdicts[2], Verdict::Limited { retry_after_secs: 60 });
    assert_eq!(
        binding.asked.borrow().len(),
        2,
        "a lead the isolate refused costs no binding call"
    );
    // Another key has its own budget.
    let other = "client:flood-test-1:203.0.113.8";
    assert_eq!(
        block_on(decide(&Isolate, Some(&binding), other, TWO_A_MINUTE, 2_000)),
        Verdict::Allowed
    );
}

#[test]
fn the_binding_refuses_what_the_isolate_would_let_through() {
    let binding = Fixed::new(Verdict::Limited { retry_after_secs: 60 });
    let key = "client:flood-test-2:203.0.113.7";
    assert_eq!(
        block_on(decide(&Isolate, Some(&binding), key, TWO_A_MINUTE, 0)),
        Verdict::Limited { retry_after_secs: 60 }
    );
    let none: Option<&Fixed> = None;
    assert_eq!(
        block_on(decide(&Isolate, none, key, TWO_A_MINUTE, 1)),
        Verdict::Allowed,
        "without the binding the isolate's rule alone decides"
    );
}

#[test]
fn sites_toml_gives_the_flood_test_site_small_limits_and_others_room() {
    let sites = crate::sites::compiled();
    let floods = sites.site("floods").expect("sites.toml has the floods site");
    assert_eq!(
        floods.limits.client,
        Rule {
            leads: 5,
            seconds: 3_600
        }
    );
    assert_eq!(floods.limits.phone, Rule { leads: 1, seconds: 5 });
    assert_eq!(
        limits(floods),
        floods.limits,
        "the real build applies the site's limits"
    );
}
