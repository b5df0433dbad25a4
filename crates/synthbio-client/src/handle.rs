//! A submitted query, as needed to poll it or to resume it after a crash.

use serde::{Deserialize, Serialize};
use synthbio_core::{ModelId, Query};

/// A query the server accepted: what [`crate::Client::wait`] polls.
///
/// It serializes to JSON, so a caller can store it and finish the query in
/// another process with [`crate::Client::wait`] (or [`crate::Client::resume`]
/// from the two ids alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryHandle {
    /// The model the query was sent to (it also picks the base URL).
    pub model_id: ModelId,
    /// The server's `modelQueryId`.
    pub model_query_id: String,
    /// Samples asked for per query input (`num_samples`, 1 when absent), which
    /// gives each result sample its input index; `None` when unknown (every
    /// sample is then counted as input 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_sizes: Option<Vec<u64>>,
}

impl QueryHandle {
    /// A handle from the two ids (input sizes unknown).
    pub fn new(model_id: impl Into<ModelId>, model_query_id: impl Into<String>) -> Self {
        QueryHandle {
            model_id: model_id.into(),
            model_query_id: model_query_id.into(),
            input_sizes: None,
        }
    }

    /// Records the query's samples per input, for the result's input index.
    pub fn with_query(mut self, query: &Query) -> Self {
        self.input_sizes = Some(input_sizes(query));
        self
    }
}

/// Samples per input of a query (`num_samples`, 1 when absent).
pub(crate) fn input_sizes(query: &Query) -> Vec<u64> {
    query
        .inputs
        .iter()
        .map(|i| i.num_samples.unwrap_or(1))
        .collect()
}

/// One answer of the status endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryStatus {
    /// Not finished: the status as the server named it (`running`, `pending`, ...).
    Pending(String),
    /// Finished; the result is at the (pre-signed) URL.
    Ready {
        /// Where to download the result JSON.
        download_url: String,
    },
    /// The model failed; the message has its traceback cut off.
    Failed {
        /// The server's message.
        message: String,
    },
}
