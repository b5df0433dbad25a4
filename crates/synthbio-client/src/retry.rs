//! Retry policy: exponential backoff with jitter, honouring `Retry-After`.
//!
//! Which requests are retried is decided by the transport: the idempotent
//! ones (status, download, list, example query) on 429/502/503/504, timeouts and
//! connection errors; a submit only when the server provably did not accept it
//! (no connection made, or a 429/503 answer).

use std::time::{Duration, SystemTime};

/// Retry and backoff parameters.
///
/// With the defaults a request is tried up to 11 times over about three
/// minutes (1 + 2 + 4 + 8 + 16 + 5 x 30 s), which waits out a cold start of
/// a scaled-down endpoint (1 to 2 minutes).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryConfig {
    /// Retries after the first attempt (default 10; 0 turns retrying off).
    pub max_retries: u32,
    /// Wait before the first retry (default 1 s).
    pub initial_backoff: Duration,
    /// Longest wait between two attempts (default 30 s).
    pub max_backoff: Duration,
    /// Factor between consecutive waits (default 2).
    pub multiplier: f64,
    /// Random spread of each wait, as a fraction: a wait `w` becomes uniform in
    /// `[w (1 - jitter), w (1 + jitter)]`, capped at `max_backoff` (default 0.25).
    pub jitter: f64,
    /// A server's `Retry-After` is waited exactly; one longer than this (default
    /// 300 s) ends the retries with the error, since waiting that long in a call
    /// is rarely wanted.
    pub max_retry_after: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_retries: 10,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: 0.25,
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryConfig {
    /// No retries at all (the official clients' behaviour).
    pub fn none() -> Self {
        RetryConfig {
            max_retries: 0,
            ..RetryConfig::default()
        }
    }

    /// The wait before retry number `attempt` (1-based) without a `Retry-After`,
    /// given a uniform random number `u` in `[0, 1)`.
    pub fn backoff(&self, attempt: u32, u: f64) -> Duration {
        let cap = self.max_backoff.as_secs_f64();
        let exp = attempt.saturating_sub(1).min(63) as i32;
        let base =
            (self.initial_backoff.as_secs_f64() * self.multiplier.max(1.0).powi(exp)).min(cap);
        let jitter = self.jitter.clamp(0.0, 1.0);
        let factor = 1.0 - jitter + 2.0 * jitter * u.clamp(0.0, 1.0);
        Duration::from_secs_f64((base * factor).clamp(0.0, cap))
    }

    /// The wait before retry `attempt`: the server's `Retry-After` if it sent one
    /// (`None` if that exceeds [`RetryConfig::max_retry_after`]), else the backoff.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(d) if d > self.max_retry_after => None,
            Some(d) => Some(d),
            None => Some(self.backoff(attempt, rand::random::<f64>())),
        }
    }
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date (a date in the
/// past means now).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let r = RetryConfig {
            jitter: 0.0,
            ..RetryConfig::default()
        };
        let secs: Vec<f64> = (1..=7).map(|a| r.backoff(a, 0.5).as_secs_f64()).collect();
        assert_eq!(secs, [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]);
    }

    #[test]
    fn jitter_spreads_within_bounds() {
        let r = RetryConfig::default();
        assert_eq!(r.backoff(2, 0.0), Duration::from_secs_f64(1.5));
        assert_eq!(r.backoff(2, 0.5), Duration::from_secs_f64(2.0));
        assert!(r.backoff(2, 0.999_999) < Duration::from_secs_f64(2.5));
        // The cap holds after jitter.
        assert_eq!(r.backoff(10, 0.999), Duration::from_secs(30));
    }

    #[test]
    fn retry_after_in_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn a_retry_after_over_the_limit_stops_retrying() {
        let r = RetryConfig::default();
        assert_eq!(
            r.delay(1, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(r.delay(1, Some(Duration::from_secs(301))), None);
    }
}
