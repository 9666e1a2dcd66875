//! Retries with exponential backoff and jitter, bounded in attempts and total time, honouring
//! `Retry-After`. Used only for requests that are safe to repeat.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// When and how often to try a request again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Backoff before the first retry; it doubles each time.
    pub initial_backoff: Duration,
    /// The longest single backoff.
    pub max_backoff: Duration,
    /// No retry starts after this much time since the first attempt.
    pub max_elapsed: Duration,
    /// Full jitter: each backoff is a random duration up to the exponential value.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, 250 ms doubling up to 8 s, within 60 s, with jitter.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_elapsed: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The default policy with `max_attempts` attempts.
    pub fn attempts(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1 = the first retry): exponential, capped, jittered,
    /// and never shorter than the server's `Retry-After`.
    pub fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let exponential = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let backoff = if self.jitter {
            exponential.mul_f64(fastrand::f64())
        } else {
            exponential
        };
        match retry_after {
            Some(after) => backoff.max(after),
            None => backoff,
        }
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Try again (after at least the server's `Retry-After`, when it sent one).
    Retry {
        /// The server's `Retry-After`.
        after: Option<Duration>,
    },
    /// Give up and return this error.
    Stop,
}

/// Runs `attempt` until it succeeds, `decide` says [`RetryDecision::Stop`], or `policy` is spent
/// (attempts, or a backoff that would end after `max_elapsed`). Returns the last error.
pub async fn retry<T, E, F, Fut>(
    policy: &RetryPolicy,
    mut attempt: F,
    decide: impl Fn(&E) -> RetryDecision,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let started = Instant::now();
    let mut attempts = 1;
    loop {
        let error = match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let RetryDecision::Retry { after } = decide(&error) else {
            return Err(error);
        };
        if attempts >= policy.max_attempts {
            return Err(error);
        }
        let delay = policy.backoff(attempts, after);
        if started.elapsed() + delay > policy.max_elapsed {
            return Err(error);
        }
        tokio::time::sleep(delay).await;
        attempts += 1;
    }
}

/// 408, 429 and every 5xx: the server may answer differently next time.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// Connection failures and timeouts (the request may not have reached the server, or the answer
/// did not come back).
pub(crate) fn is_retryable_transport(error: &reqwest::Error) -> bool {
    // `is_decode`: the body ended early (a cut connection), not a bad payload: payloads are
    // decoded by the clients, outside reqwest.
    error.is_connect()
        || error.is_timeout()
        || error.is_request()
        || error.is_body()
        || error.is_decode()
}

/// Only failures where the request certainly did not reach the server: for requests that must
/// not run twice.
pub(crate) fn is_connect_failure(error: &reqwest::Error) -> bool {
    error.is_connect()
}

/// `Retry-After` as delta-seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
            max_elapsed: Duration::from_secs(5),
            jitter: false,
        }
    }

    #[test]
    fn backoff_doubles_caps_and_honours_retry_after() {
        let policy = RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.backoff(1, None), Duration::from_millis(250));
        assert_eq!(policy.backoff(2, None), Duration::from_millis(500));
        assert_eq!(policy.backoff(10, None), Duration::from_secs(8));
        assert_eq!(
            policy.backoff(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        let jittered = RetryPolicy::default();
        for retry in 1..6 {
            assert!(jittered.backoff(retry, None) <= policy.backoff(retry, None));
        }
    }

    #[tokio::test]
    async fn retries_until_success_within_the_attempts() {
        let calls = AtomicU32::new(0);
        let result: Result<u32, &str> = retry(
            &quick(3),
            || async {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                if n < 2 { Err("busy") } else { Ok(n) }
            },
            |_| RetryDecision::Retry { after: None },
        )
        .await;
        assert_eq!(result, Ok(2));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn stops_at_max_attempts_and_on_stop() {
        let calls = AtomicU32::new(0);
        let result: Result<(), &str> = retry(
            &quick(2),
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("busy")
            },
            |_| RetryDecision::Retry { after: None },
        )
        .await;
        assert_eq!((result, calls.load(Ordering::SeqCst)), (Err("busy"), 2));
        let calls = AtomicU32::new(0);
        let _ = retry(
            &quick(5),
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>("fatal")
            },
            |_| RetryDecision::Stop,
        )
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_retry_after_beyond_max_elapsed_ends_the_retries() {
        let calls = AtomicU32::new(0);
        let policy = RetryPolicy {
            max_elapsed: Duration::from_millis(100),
            ..quick(5)
        };
        let _ = retry(
            &policy,
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>("busy")
            },
            |_| RetryDecision::Retry {
                after: Some(Duration::from_secs(30)),
            },
        )
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn retry_after_forms() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
        assert!(is_retryable_status(503) && is_retryable_status(429) && is_retryable_status(408));
        assert!(!is_retryable_status(404) && !is_retryable_status(401));
    }
}
