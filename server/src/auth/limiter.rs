//! Sign-in attempts and share-link guesses, limited before any expensive or stored work.
//!
//! Three budgets for passwords: per source address (one machine guessing many names), per
//! (account, address) tightly (one machine guessing one password), and per account loosely (many
//! machines guessing one password). A stranger who knows a responder's name (names are on every
//! incident) spends only their own (account, address) budget, so the responder signing in from
//! their own device is not locked out; only a crowd of addresses can slow the account as a whole.
//!
//! Memory is bounded: names are normalised and validated before they become keys (a 500 KB name
//! is refused, not remembered), an attempt refused by one budget is not counted by the next, and
//! [`LoginLimiter::forget_idle`] drops keys whose budget is full again.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

type Keyed<K, C> =
    RateLimiter<K, DefaultKeyedStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// The budgets, per minute.
#[derive(Debug, Clone, Copy)]
pub struct LoginBudgets {
    pub per_address: u32,
    pub per_account_and_address: u32,
    pub per_account: u32,
}

pub struct LoginLimiter<C: Clock + Clone = DefaultClock> {
    clock: C,
    by_address: Arc<Keyed<IpAddr, C>>,
    by_account_address: Arc<Keyed<(String, IpAddr), C>>,
    by_account: Arc<Keyed<String, C>>,
    /// Wrong share-link tokens, per address. Right ones are never limited: a token is checked
    /// with one hash and one indexed read, and strangers' guessing must not lock out holders.
    share_guesses: Arc<Keyed<IpAddr, C>>,
}

impl<C: Clock + Clone> Clone for LoginLimiter<C> {
    fn clone(&self) -> Self {
        LoginLimiter {
            clock: self.clock.clone(),
            by_address: self.by_address.clone(),
            by_account_address: self.by_account_address.clone(),
            by_account: self.by_account.clone(),
            share_guesses: self.share_guesses.clone(),
        }
    }
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN))
}

fn keyed<K: Hash + Eq + Clone, C: Clock + Clone>(per_minute: u32, clock: &C) -> Arc<Keyed<K, C>> {
    Arc::new(RateLimiter::new(
        quota(per_minute),
        DefaultKeyedStateStore::default(),
        clock.clone(),
    ))
}

impl LoginLimiter<DefaultClock> {
    pub fn new(budgets: LoginBudgets) -> Self {
        Self::with_clock(budgets, DefaultClock::default())
    }

    /// Forgets idle keys once a minute (a budget refills within a minute) until `stop`.
    pub fn spawn_forgetting(&self, stop: crate::shutdown::CancelToken) {
        let limiter = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = every.tick() => limiter.forget_idle(),
                }
            }
        });
    }
}

impl<C: Clock + Clone> LoginLimiter<C> {
    pub fn with_clock(budgets: LoginBudgets, clock: C) -> Self {
        LoginLimiter {
            by_address: keyed(budgets.per_address, &clock),
            by_account_address: keyed(budgets.per_account_and_address, &clock),
            by_account: keyed(budgets.per_account, &clock),
            share_guesses: keyed(budgets.per_address, &clock),
            clock,
        }
    }

    fn check<K: Hash + Eq + Clone>(&self, limiter: &Keyed<K, C>, key: &K) -> Result<(), Duration> {
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Counts a password attempt; `Err(wait)` when a budget is spent. `account` is the normalised
    /// name ([`wire::normalise_user_name`]), or `None` when the name cannot be an account (only the
    /// address is charged then). Each budget is charged only when the ones before it admitted the
    /// attempt.
    pub fn attempt(&self, account: Option<&str>, address: IpAddr) -> Result<(), Duration> {
        self.check(&self.by_address, &address)?;
        let Some(account) = account else {
            return Ok(());
        };
        self.check(&self.by_account_address, &(account.to_string(), address))?;
        self.check(&self.by_account, &account.to_string())
    }

    /// Counts a wrong share-link token from `address`; `Err(wait)` once its budget is spent.
    pub fn wrong_share_token(&self, address: IpAddr) -> Result<(), Duration> {
        self.check(&self.share_guesses, &address)
    }

    /// Drops every key whose budget has refilled: it would behave exactly like a new key.
    pub fn forget_idle(&self) {
        self.by_address.retain_recent();
        self.by_account_address.retain_recent();
        self.by_account.retain_recent();
        self.share_guesses.retain_recent();
        self.by_address.shrink_to_fit();
        self.by_account_address.shrink_to_fit();
        self.by_account.shrink_to_fit();
        self.share_guesses.shrink_to_fit();
    }

    /// How many keys are remembered, over all budgets.
    pub fn keys(&self) -> usize {
        self.by_address.len()
            + self.by_account_address.len()
            + self.by_account.len()
            + self.share_guesses.len()
    }
}

#[cfg(test)]
mod tests;
