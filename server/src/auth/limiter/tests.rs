use std::time::Duration;

use governor::clock::FakeRelativeClock;

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn limiter(
    per_address: u32,
    pair: u32,
    account: u32,
) -> (LoginLimiter<FakeRelativeClock>, FakeRelativeClock) {
    let clock = FakeRelativeClock::default();
    let budgets = LoginBudgets {
        per_address,
        per_account_and_address: pair,
        per_account: account,
    };
    (LoginLimiter::with_clock(budgets, clock.clone()), clock)
}

#[test]
fn a_stranger_guessing_a_name_does_not_lock_out_its_owner_elsewhere() {
    let (l, _) = limiter(100, 5, 30);
    let attacker = ip("203.0.113.9");
    for _ in 0..5 {
        assert!(l.attempt(Some("ada"), attacker).is_ok());
    }
    assert!(
        l.attempt(Some("ada"), attacker).is_err(),
        "the sixth guess from one place"
    );
    // The owner, on their own device, still signs in.
    assert!(l.attempt(Some("ada"), ip("198.51.100.7")).is_ok());
}

#[test]
fn a_crowd_of_addresses_is_slowed_by_the_loose_account_budget() {
    let (l, _) = limiter(100, 5, 30);
    let mut refused = 0;
    for n in 0..60u8 {
        if l.attempt(Some("ada"), ip(&format!("203.0.113.{n}")))
            .is_err()
        {
            refused += 1;
        }
    }
    assert_eq!(refused, 30, "30 admitted a minute across all addresses");
    assert!(
        l.attempt(Some("bob"), ip("203.0.113.1")).is_ok(),
        "another account is not affected"
    );
}

#[test]
fn a_refused_attempt_is_not_counted_by_the_later_budgets() {
    let (l, _) = limiter(2, 100, 100);
    let a = ip("203.0.113.9");
    assert!(l.attempt(Some("ada"), a).is_ok());
    assert!(l.attempt(Some("ada"), a).is_ok());
    let before = l.keys();
    for n in 0..1000 {
        assert!(l.attempt(Some(&format!("name{n}")), a).is_err());
    }
    assert_eq!(
        l.keys(),
        before,
        "names refused at the address are not remembered"
    );
}

#[test]
fn idle_keys_are_forgotten_once_their_budget_refills() {
    let (l, clock) = limiter(10_000, 5, 30);
    for n in 0..500 {
        let _ = l.attempt(Some(&format!("name{n}")), ip("203.0.113.9"));
    }
    assert!(l.keys() > 500);
    let _ = l.wrong_share_token(ip("203.0.113.9"));
    l.forget_idle();
    assert!(l.keys() > 500, "budgets still in use are kept");
    clock.advance(Duration::from_secs(61));
    l.forget_idle();
    assert_eq!(l.keys(), 0);
}

#[test]
fn a_name_that_cannot_be_an_account_charges_only_the_address() {
    let (l, _) = limiter(3, 1, 1);
    let a = ip("203.0.113.9");
    for _ in 0..3 {
        assert!(l.attempt(None, a).is_ok());
    }
    assert!(l.attempt(None, a).is_err());
    assert_eq!(l.keys(), 1);
}

#[test]
fn wrong_share_tokens_are_limited_per_address() {
    let (l, _) = limiter(3, 5, 30);
    let a = ip("203.0.113.9");
    for _ in 0..3 {
        assert!(l.wrong_share_token(a).is_ok());
    }
    let wait = l.wrong_share_token(a).unwrap_err();
    assert!(wait > Duration::ZERO);
    assert!(l.wrong_share_token(ip("198.51.100.7")).is_ok());
}
