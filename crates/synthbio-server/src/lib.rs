//! The GEM protocol (docs/protocol.md) over HTTP for any [`Predictor`], with axum.
//!
//! | request | answer |
//! |---|---|
//! | `GET /api/models` | `{"models": [ModelInfo...]}` |
//! | `GET /api/models/{id}/example-query` | `{"example_query": {...}}` |
//! | `POST /api/models/{id}/predict` | `{"modelQueryId": "<id>"}`; the job runs in a bounded worker pool |
//! | same, with `Accept: application/vnd.apache.arrow.stream` | the result at once as an Arrow IPC stream ([`arrow_stream`]) |
//! | `GET /api/model-queries/{qid}/status` | `{"status": "running"}`, `{"status": "ready", "downloadUrl": "<absolute url>"}` or `{"status": "failed", "message": "<why>"}` |
//! | `GET /api/downloads/{qid}?token=<token>` | the result JSON (docs/protocol.md section 4), streamed output by output |
//!
//! The result JSON is `{"outputs": [...], "gene_order": [...], "model_version": "..."}`.
//! An expression output is `{"counts": [int...], "metadata": {key: value},
//! "latents": {"biological": [...], "technical": [...], "perturbation": [...]}}`;
//! a metadata prediction output is `{"metadata": {field: label},
//! "classifier_probs": {field: {class: probability}}, "latents": {...},
//! "decoder_sample": {"counts": [int...]}}`. `latents` appear when the model returned them.
//!
//! Errors are JSON `{"error": "<summary>", "errors": [{"path", "message"}]}`:
//! 400 for a body that is not JSON or not declared as JSON, 401 for a missing or
//! wrong key, 403 for a wrong or expired download token, 404 for an unknown
//! model, query or path, 413 for a body over [`ServerConfig::max_body_bytes`],
//! 422 for a query that breaks the rules (every problem with its JSON path),
//! 503 with `Retry-After` when the queue is full, too many results wait to be
//! collected ([`ServerConfig::max_kept_jobs`]) or the server is stopping.
//! 503 also when stored results fill the disk budget
//! ([`ServerConfig::max_disk_bytes`]).
//!
//! Durability: every accepted query is recorded (SQLite) in
//! [`ServerConfig::state_dir`] before its `modelQueryId` is answered, with a
//! seed fixed at acceptance when the query sets none; results are written
//! there as files (atomically) and streamed from them. After a crash or a
//! restart on the same directory, finished results are downloadable until
//! they expire and unfinished queries run again, giving the same answer (same
//! seed); one that cannot run again is `failed` with the reason. Predictions
//! in progress stay within [`ServerConfig::max_memory_bytes`].
//! [`read_query`] is the parsing and validation behind the predict endpoint,
//! public so that it can be tested and fuzzed on its own.
//! A model that fails or panics gives `status: failed` with a message (500 in
//! the synchronous Arrow mode); the server keeps running.
//!
//! When [`ServerConfig::api_key`] is set, every endpoint except the download
//! (whose token is its authorisation) needs `Authorization: Bearer <key>`,
//! compared in constant time; the key is never logged nor echoed. A download
//! link carries a random 256-bit token that expires after
//! [`ServerConfig::download_link_ttl`]. The server listens on loopback unless
//! told otherwise, and warns when it does not ([`exposure_warning`]).
//!
//! ```
//! use std::sync::Arc;
//! use synthbio_core::{Dataset, ListedModel, ModelId, PredictError, Predictor, Query};
//! use synthbio_server::{spawn, ServerConfig};
//!
//! /// A predictor that serves no models.
//! struct Empty;
//! impl Predictor for Empty {
//!     fn models(&self) -> Result<Vec<ListedModel>, PredictError> { Ok(Vec::new()) }
//!     fn example_query(&self, m: &ModelId) -> Result<Query, PredictError> {
//!         Err(PredictError::UnknownModel(m.to_string()))
//!     }
//!     fn predict(&self, m: &ModelId, _: &Query) -> Result<Dataset, PredictError> {
//!         Err(PredictError::UnknownModel(m.to_string()))
//!     }
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let server = spawn(Arc::new(Empty), ServerConfig::default()).await?;
//! let url = format!("{}/api/models", server.base_url());
//! let body: serde_json::Value = reqwest::get(&url).await?.json().await?;
//! assert_eq!(body, serde_json::json!({"models": []}));
//! server.shutdown().await;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod api_error;
pub mod arrow_stream;
mod body_stream;
mod budget;
pub mod config;
pub mod error;
mod intake;
mod jobs;
mod result_json;
mod routes;
mod server;
mod state;
mod state_dir;
mod store;
mod token;

pub use api_error::ApiError;
pub use arrow_stream::ARROW_STREAM_MEDIA_TYPE;
pub use budget::default_max_memory;
pub use config::{exposure_warning, ApiKey, ServerConfig, DEFAULT_BIND};
pub use error::ServerError;
pub use intake::read_query;
pub use server::{run, serve, spawn, ServerHandle};
pub use state_dir::default_state_dir;
pub use synthbio_core::Predictor;
