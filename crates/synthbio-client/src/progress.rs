//! What the client is doing, reported to a callback the caller sets
//! ([`crate::ClientConfig::with_progress`]); the library itself never prints.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Why a request is tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryReason {
    /// The server answered with a retryable status (429, 502, 503, 504).
    Status(u16),
    /// No connection could be made (nothing was sent).
    Connect,
    /// No answer within the request timeout.
    Timeout,
    /// The connection broke before the answer was complete.
    Connection,
    /// The download link was refused (403: it expired); the status is polled
    /// again for a fresh one.
    ExpiredLink,
}

impl fmt::Display for RetryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryReason::Status(429) => f.write_str("answered 429 (too many requests)"),
            RetryReason::Status(s) => write!(f, "answered {s} (unavailable)"),
            RetryReason::Connect => f.write_str("could not connect"),
            RetryReason::Timeout => f.write_str("did not answer in time"),
            RetryReason::Connection => f.write_str("lost the connection"),
            RetryReason::ExpiredLink => {
                f.write_str("refused the download link (expired); polling for a fresh one")
            }
        }
    }
}

/// One step of the client's work.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Progress {
    /// A query was accepted; keep the id to resume it after a crash.
    Submitted {
        /// The model.
        model_id: String,
        /// The id to poll and resume with.
        model_query_id: String,
    },
    /// A status poll answered.
    Polled {
        /// The query.
        model_query_id: String,
        /// The status (`running`, `ready`, `failed`, ...).
        status: String,
        /// Time since polling started.
        elapsed: Duration,
    },
    /// A request failed in a way that is worth retrying; the client waits, then tries again.
    Retrying {
        /// The request, e.g. `GET /api/models`.
        what: String,
        /// Why.
        reason: RetryReason,
        /// The retry about to be made (1 for the first retry).
        attempt: u32,
        /// Retries allowed in all.
        max_retries: u32,
        /// How long the client waits first (the server's `Retry-After` when it sent one).
        delay: Duration,
    },
    /// A result is being downloaded and decoded.
    Downloading {
        /// The query, when known.
        model_query_id: Option<String>,
    },
    /// Something the caller should know that is not an error: a validation
    /// problem only warned about in the configured mode, a query sent as
    /// written to a model the client does not know, a result without
    /// `gene_order`, fields kept outside the typed dataset.
    Warning {
        /// What, and what was done about it.
        message: String,
    },
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::Submitted {
                model_id,
                model_query_id,
            } => write!(
                f,
                "submitted to {model_id}: model query id {model_query_id} (resume with it if interrupted)"
            ),
            Progress::Polled {
                model_query_id,
                status,
                elapsed,
            } => write!(
                f,
                "query {model_query_id}: {status} after {:.0} s",
                elapsed.as_secs_f64()
            ),
            Progress::Retrying {
                what,
                reason,
                attempt,
                max_retries,
                delay,
            } => {
                write!(f, "{what} {reason}")?;
                if matches!(
                    reason,
                    RetryReason::Status(502..=504) | RetryReason::Timeout
                ) {
                    f.write_str(
                        "; the model may be starting up (a cold start takes 1 to 2 minutes)",
                    )?;
                }
                write!(
                    f,
                    "; retry {attempt} of {max_retries} in {:.1} s",
                    delay.as_secs_f64()
                )
            }
            Progress::Downloading { model_query_id } => match model_query_id {
                Some(id) => write!(f, "downloading the result of query {id}"),
                None => f.write_str("downloading the result"),
            },
            Progress::Warning { message } => write!(f, "warning: {message}"),
        }
    }
}

/// A progress callback, shareable across tasks.
#[derive(Clone)]
pub struct ProgressHook(Arc<dyn Fn(&Progress) + Send + Sync>);

impl ProgressHook {
    /// Wraps a callback.
    pub fn new(f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        ProgressHook(Arc::new(f))
    }

    /// Reports one step.
    pub fn report(&self, p: &Progress) {
        (self.0)(p)
    }
}

impl fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressHook(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cold_start_retries_say_so() {
        let p = Progress::Retrying {
            what: "POST /api/models/gem-1-bulk/predict".into(),
            reason: RetryReason::Status(503),
            attempt: 1,
            max_retries: 10,
            delay: Duration::from_secs(2),
        };
        let s = p.to_string();
        assert!(s.contains("cold start takes 1 to 2 minutes"), "{s}");
        assert!(s.contains("retry 1 of 10 in 2.0 s"), "{s}");
        let p = Progress::Retrying {
            what: "GET /api/models".into(),
            reason: RetryReason::Status(429),
            attempt: 2,
            max_retries: 10,
            delay: Duration::from_secs(5),
        };
        assert!(!p.to_string().contains("cold start"));
    }
}
