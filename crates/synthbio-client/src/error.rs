//! The client's errors, mirroring the service's answers; each message says what to do.

use std::time::Duration;
use synthbio_core::{DatasetError, ValidationErrors};

/// Everything that can go wrong talking to a GEM server.
///
/// No variant ever holds the API key: server answers are kept as text, and the
/// key only lives in [`crate::ApiKey`], whose `Debug` is redacted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The hosted service needs a key and none was given.
    #[error("no API key: set SYNTHESIZE_API_KEY or call ClientConfig::with_api_key (a self-hosted server started without auth needs none: set SYNTHESIZE_SELF_HOSTED=1)")]
    MissingApiKey,

    /// The configuration cannot be used (bad base URL, option not available in this mode).
    #[error("invalid client configuration: {0}")]
    Config(String),

    /// The query breaks the protocol's rules: caught before sending (`status: None`)
    /// or answered 400/422 by the server. Every problem has its JSON path.
    #[error("{}{errors}", status_prefix(*.status))]
    Validation {
        /// The HTTP status the server answered, or `None` when caught offline.
        status: Option<u16>,
        /// Every problem, with its path and the fix.
        errors: ValidationErrors,
    },

    /// The server refused the key (401/403).
    #[error("authentication failed ({status}): {body}; check that SYNTHESIZE_API_KEY holds a valid key for this server")]
    Authentication {
        /// 401 or 403.
        status: u16,
        /// The server's answer.
        body: String,
    },

    /// No such model, query or result (404).
    #[error("not found (404): {what}; {hint}")]
    NotFound {
        /// What was asked for (an endpoint path, never a full signed URL).
        what: String,
        /// What to do about it.
        hint: String,
    },

    /// Any other HTTP error status, after the retries the configuration allows.
    #[error("{what} failed with HTTP {status}: {body}; {hint}")]
    Api {
        /// The request, e.g. `POST /api/models/gem-1-bulk/predict`.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The server's answer, shortened.
        body: String,
        /// What to do about it.
        hint: String,
    },

    /// The model accepted the query but failed running it (`status: "failed"`).
    /// The server's traceback, if any, is cut off.
    #[error("model query {model_query_id} failed: {message}; fix the query as the message says (docs/protocol.md section 3 lists valid values)")]
    ModelFailed {
        /// The query's id.
        model_query_id: String,
        /// The server's message without its traceback.
        message: String,
    },

    /// The query did not finish within the poll timeout. It may still finish:
    /// resume it with [`crate::Client::resume`].
    #[error("model query {model_query_id} of {model_id} was still {last_status:?} after {waited:?}; resume it later with Client::resume(\"{model_id}\", \"{model_query_id}\") or raise ClientConfig::poll_timeout")]
    Timeout {
        /// The model the query was sent to.
        model_id: String,
        /// The query's id, to resume it.
        model_query_id: String,
        /// The last status seen.
        last_status: String,
        /// How long the client waited.
        waited: Duration,
    },

    /// The server accepted the query (it may be billed), but polling it or
    /// downloading its result then failed with `source`. The id is kept so that
    /// nothing paid for is lost: once the cause is fixed, finish the query with
    /// [`crate::Client::resume`] (or [`crate::Client::wait`] on its handle).
    /// [`ClientError::cause`] gives the underlying error.
    #[error("model query {model_query_id} of {model_id}: {source}; its result is not lost: once that is fixed, collect it with Client::resume(\"{model_id}\", \"{model_query_id}\")")]
    NotCollected {
        /// The model the query was sent to.
        model_id: String,
        /// The query's id, to resume it.
        model_query_id: String,
        /// What went wrong while polling or downloading.
        #[source]
        source: Box<ClientError>,
    },

    /// The connection failed or broke, after the retries the configuration allows.
    #[error("{what}: network error: {source}; check the base URL and your connection (retries are set in ClientConfig::retry)")]
    Network {
        /// The request, e.g. `GET /api/models`.
        what: String,
        /// The underlying error (its URL removed).
        #[source]
        source: reqwest::Error,
    },

    /// An answer or a result could not be read.
    #[error("could not read {what}: {message}; the server's answer does not follow the protocol (use the raw JSON option to inspect it)")]
    Decode {
        /// What was being read.
        what: String,
        /// Why it failed.
        message: String,
    },

    /// A result carried a top-level `error` or `errors` key.
    #[error("the result reports an error: {message}; fix the query as the message says or contact the server's operator")]
    ResultError {
        /// The reported error, as text.
        message: String,
    },

    /// The decoded parts did not fit together into a dataset.
    #[error("could not build the dataset from the result: {0}")]
    Dataset(#[from] DatasetError),

    /// [`crate::BlockingClient`] was used from inside an async runtime.
    #[error("BlockingClient cannot run inside an async runtime; use synthbio_client::Client and .await instead")]
    BlockingInsideRuntime,

    /// The background task running a decoder or a request stopped unexpectedly.
    #[error("internal task failed: {0}; this is a bug, please report it")]
    Task(String),
}

fn status_prefix(status: Option<u16>) -> String {
    match status {
        None => "query rejected before sending: ".to_string(),
        Some(s) => format!("the server rejected the query ({s}): "),
    }
}

/// Result alias of this crate.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

impl ClientError {
    pub(crate) fn decode(what: impl Into<String>, message: impl std::fmt::Display) -> Self {
        ClientError::Decode {
            what: what.into(),
            message: message.to_string(),
        }
    }

    /// The validation problems, if this is a validation error.
    pub fn validation_errors(&self) -> Option<&ValidationErrors> {
        match self {
            ClientError::Validation { errors, .. } => Some(errors),
            _ => None,
        }
    }

    /// The model query id this error concerns, when it has one (to resume or
    /// report): every error after the server accepted a query has it.
    pub fn model_query_id(&self) -> Option<&str> {
        match self {
            ClientError::ModelFailed { model_query_id, .. }
            | ClientError::Timeout { model_query_id, .. }
            | ClientError::NotCollected { model_query_id, .. } => Some(model_query_id),
            _ => None,
        }
    }

    /// The error itself, or for [`ClientError::NotCollected`] the error behind
    /// it (to match on what went wrong).
    pub fn cause(&self) -> &ClientError {
        match self {
            ClientError::NotCollected { source, .. } => source.cause(),
            other => other,
        }
    }

    /// Attaches a query's ids to an error met while polling or downloading it.
    pub(crate) fn collecting(self, model_id: &str, model_query_id: &str) -> Self {
        match self {
            e @ (ClientError::ModelFailed { .. }
            | ClientError::Timeout { .. }
            | ClientError::NotCollected { .. }) => e,
            other => ClientError::NotCollected {
                model_id: model_id.to_string(),
                model_query_id: model_query_id.to_string(),
                source: Box::new(other),
            },
        }
    }
}

/// Cuts a server message at its first `"\nTraceback"`, as the official clients do.
pub fn strip_traceback(message: &str) -> &str {
    match message.find("\nTraceback") {
        Some(i) => message[..i].trim_end(),
        None => message.trim_end(),
    }
}

/// Shortens a server body for an error message (whole characters, at most `max` bytes).
pub(crate) fn shorten(body: &str, max: usize) -> String {
    let body = body.trim();
    if body.len() <= max {
        return body.to_string();
    }
    let mut end = max;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &body[..end], body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracebacks_are_cut_at_the_first_marker() {
        let m = "Metadata validation failed: [\"Query 1 has bad values.\"]\nTraceback (most recent call last):\n  File x";
        assert_eq!(
            strip_traceback(m),
            "Metadata validation failed: [\"Query 1 has bad values.\"]"
        );
        assert_eq!(strip_traceback("plain"), "plain");
    }

    #[test]
    fn long_bodies_are_shortened_on_char_boundaries() {
        let s = "é".repeat(10);
        let out = shorten(&s, 5);
        assert!(out.starts_with("éé..."), "{out}");
        assert!(out.ends_with("(20 bytes in all)"));
    }
}
