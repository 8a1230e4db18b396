//! Login attempts, limited per account name and per source address (governor's keyed limiters).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

#[derive(Clone)]
pub struct LoginLimiter {
    by_account: Arc<DefaultKeyedRateLimiter<String>>,
    by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl LoginLimiter {
    pub fn new(per_account_per_minute: u32, per_address_per_minute: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        LoginLimiter {
            by_account: Arc::new(RateLimiter::keyed(quota(per_account_per_minute))),
            by_address: Arc::new(RateLimiter::keyed(quota(per_address_per_minute))),
        }
    }

    /// Counts an attempt; `Err(wait)` when either limit is spent. Account names are compared
    /// case-insensitively, as the store does.
    pub fn attempt(&self, account: &str, address: IpAddr) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        let address_result = self.by_address.check_key(&address);
        let account_result = self.by_account.check_key(&account.to_lowercase());
        match (address_result, account_result) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(a), Err(b)) => Err(a.wait_time_from(now).max(b.wait_time_from(now))),
            (Err(a), _) | (_, Err(a)) => Err(a.wait_time_from(now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_and_each_address_has_its_own_budget() {
        let l = LoginLimiter::new(2, 100);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(l.attempt("ada", ip).is_ok());
        assert!(l.attempt("ADA", ip).is_ok());
        assert!(
            l.attempt("ada", ip).is_err(),
            "third try on one account within a minute"
        );
        assert!(
            l.attempt("bob", ip).is_ok(),
            "another account is not affected"
        );

        let l = LoginLimiter::new(100, 2);
        assert!(l.attempt("a", ip).is_ok());
        assert!(l.attempt("b", ip).is_ok());
        let wait = l.attempt("c", ip).unwrap_err();
        assert!(wait > Duration::ZERO);
        assert!(l.attempt("c", "127.0.0.2".parse().unwrap()).is_ok());
    }
}
