//! Login throttling per client IP and per account. Failures count; a success
//! clears the account's failures. Kept in memory: a restart forgives, which is
//! acceptable for a brake on guessing.
use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

struct Window {
    failures: u32,
    started: Instant,
}

struct Counter<K> {
    max: u32,
    window: Duration,
    map: Mutex<HashMap<K, Window>>,
}

impl<K: Hash + Eq + Clone> Counter<K> {
    fn new(max: u32, window: Duration) -> Self {
        Counter {
            max,
            window,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds until `key` may try again, when it is locked out.
    fn locked(&self, key: &K) -> Option<u64> {
        let map = self.map.lock().ok()?;
        let w = map.get(key)?;
        let elapsed = w.started.elapsed();
        (w.failures >= self.max && elapsed < self.window)
            .then(|| (self.window - elapsed).as_secs().max(1))
    }

    fn fail(&self, key: &K) {
        let Ok(mut map) = self.map.lock() else { return };
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, w| w.started.elapsed() < window);
        }
        let w = map.entry(key.clone()).or_insert(Window {
            failures: 0,
            started: Instant::now(),
        });
        if w.started.elapsed() >= self.window {
            *w = Window {
                failures: 0,
                started: Instant::now(),
            };
        }
        w.failures += 1;
    }

    fn clear(&self, key: &K) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(key);
        }
    }
}

/// At most `max` requests per IP in a window: a brake on floods of public forms.
pub struct IpThrottle(Counter<IpAddr>);

impl IpThrottle {
    pub fn new(max: u32, window: Duration) -> Self {
        IpThrottle(Counter::new(max, window))
    }

    /// Counts a request; `Err(seconds to wait)` once the IP is over its limit.
    pub fn hit(&self, ip: IpAddr) -> Result<(), u64> {
        if let Some(wait) = self.0.locked(&ip) {
            return Err(wait);
        }
        self.0.fail(&ip);
        Ok(())
    }
}

pub struct LoginLimiter {
    by_ip: Counter<IpAddr>,
    by_account: Counter<String>,
}

impl LoginLimiter {
    pub fn new(max_per_ip: u32, max_per_account: u32, window: Duration) -> Self {
        LoginLimiter {
            by_ip: Counter::new(max_per_ip, window),
            by_account: Counter::new(max_per_account, window),
        }
    }

    /// Seconds to wait when either the IP or the account is locked out.
    pub fn check(&self, ip: IpAddr, account: &str) -> Option<u64> {
        match (
            self.by_ip.locked(&ip),
            self.by_account.locked(&account.to_string()),
        ) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn failed(&self, ip: IpAddr, account: &str) {
        self.by_ip.fail(&ip);
        self.by_account.fail(&account.to_string());
    }

    /// For sign-ins that name no account until they succeed (Google): only
    /// the IP is counted.
    pub fn ip_locked(&self, ip: IpAddr) -> Option<u64> {
        self.by_ip.locked(&ip)
    }

    pub fn ip_failed(&self, ip: IpAddr) {
        self.by_ip.fail(&ip);
    }

    pub fn succeeded(&self, account: &str) {
        self.by_account.clear(&account.to_string());
    }
}

/// A password check outside the login form (accepting an invitation with an
/// existing account, changing one's password) counts against the same limits
/// as the login: otherwise it is an unthrottled way to guess the password.
pub async fn verify_password(
    req: &actix_web::HttpRequest,
    state: &crate::http::AppState,
    account: &str,
    password: String,
    hash: Option<String>,
) -> crate::error::ApiResult<bool> {
    let ip = crate::http::client_ip::client_ip(req, &state.trusted_proxies);
    let account = super::users::normalize_email(account);
    if let Some(wait) = state.limiter.check(ip, &account) {
        return Err(crate::error::ApiError::rate_limited(wait));
    }
    let ok = super::password::verify_async(password, hash).await?;
    if ok {
        state.limiter.succeeded(&account);
    } else {
        state.limiter.failed(ip, &account);
    }
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_and_success_clears_the_account() {
        let l = LoginLimiter::new(100, 3, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert!(l.check(ip, "a@x.io").is_none());
            l.failed(ip, "a@x.io");
        }
        let wait = l.check(ip, "a@x.io").unwrap();
        assert!((1..=60).contains(&wait));
        assert!(
            l.check(ip, "b@x.io").is_none(),
            "other accounts are not locked"
        );
        l.succeeded("a@x.io");
        assert!(l.check(ip, "a@x.io").is_none());
    }

    #[test]
    fn an_ip_is_locked_across_accounts() {
        let l = LoginLimiter::new(2, 100, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.2".parse().unwrap();
        l.failed(ip, "a@x.io");
        l.failed(ip, "b@x.io");
        assert!(l.check(ip, "c@x.io").is_some());
        assert!(l.check("10.0.0.3".parse().unwrap(), "c@x.io").is_none());
    }
}
