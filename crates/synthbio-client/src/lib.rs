//! Client of the GEM protocol (`docs/protocol.md`): the hosted Synthesize Bio API,
//! a self-hosted container, or `synthbio serve`.
//!
//! - [`Client`] (async, tokio) and [`BlockingClient`]: [`Client::list_models`],
//!   [`Client::example_query`], [`Client::predict`] (submit, poll, download,
//!   decode), with [`Client::submit`] / [`Client::wait`] / [`Client::resume`]
//!   to finish a query after a crash, [`Client::predict_many`] for many
//!   queries at once, and raw JSON or download-URL-only variants.
//! - Every query is checked offline first ([`synthbio_core::validate()`], with
//!   what is known of the model, e.g. its gene count from an earlier result);
//!   a bad query comes back as [`ClientError::Validation`] listing every path.
//! - [`ClientConfig`]: base URL, key and mode from the official environment
//!   variables (explicit values win), timeouts, and the [`RetryConfig`]
//!   (exponential backoff with jitter, `Retry-After`, cold starts waited out
//!   and reported through a [`Progress`] callback).
//! - [`decode_json`] / [`decode_arrow`]: results into a
//!   [`synthbio_core::Dataset`] while they stream in, from any reader.
//!
//! Offline: validate a query and decode a saved result.
//!
//! ```
//! use synthbio_client::{decode_json, Client, ClientConfig, ClientError};
//! use synthbio_core::{metadata, ModelId, Query, SamplingStrategy};
//!
//! let client = Client::new(ClientConfig::default())?;
//! let model = ModelId::from("gem-1-sc");
//! let query = Query::baseline(SamplingStrategy::SampleGeneration)
//!     .with_input(metadata([("sex", "F")]), 0);
//! let err = client.validate(&model, &query).unwrap_err();
//! let paths: Vec<_> = err.validation_errors().unwrap().errors.iter().map(|p| p.path.as_str()).collect();
//! assert_eq!(paths, ["sampling_strategy", "inputs[0].metadata.sex", "inputs[0].num_samples"]);
//!
//! // counts as a map gene id -> value, gene_order after the outputs
//! let result = r#"{"outputs": [{"counts": {"ENSG2": 7}, "metadata": {"sex": "female"}}],
//!                  "gene_order": ["ENSG1", "ENSG2"], "model_version": "v1"}"#;
//! let ds = decode_json(result.as_bytes(), None)?;
//! assert_eq!(ds.counts().row(0).to_vec(), [0, 7]);
//! assert_eq!(ds.sample_ids(), ["sample_1"]);
//! # Ok::<(), ClientError>(())
//! ```
//!
//! Against a server (the hosted one with `SYNTHESIZE_API_KEY` set):
//!
//! ```no_run
//! use synthbio_client::{Client, ClientError};
//! use synthbio_core::ModelId;
//!
//! # async fn run() -> Result<(), ClientError> {
//! let client = Client::from_env()?;
//! let model = ModelId::from("gem-1-bulk");
//! let query = client.example_query(&model).await?;
//! let handle = client.submit(&model, &query).await?; // keep handle.model_query_id
//! let ds = client.wait(&handle).await?;
//! println!("{} samples x {} genes", ds.n_samples(), ds.n_genes());
//! # Ok(()) }
//! ```

mod blocking;
mod body;
mod client;
pub mod config;
mod decode;
mod error;
mod gem2;
mod handle;
pub mod keyring_store;
mod models;
mod prediction;
mod predictor;
mod progress;
mod resolve;
pub mod retry;
pub mod settings;
mod transport;

pub use blocking::BlockingClient;
pub use client::{Client, LINK_REFRESHES};
pub use config::{ApiKey, ClientConfig, KeySource};
pub use decode::{decode_arrow, decode_arrow_result, decode_json, decode_json_result};
pub use error::{strip_traceback, ClientError, Result};
pub use handle::{QueryHandle, QueryStatus};
pub use keyring_store::{KeyStore, KeyringError};
pub use models::ListedModel;
pub use prediction::{GeneIds, Prediction};
pub use progress::{Progress, ProgressHook, RetryReason};
pub use resolve::backend_from_env;
pub use retry::RetryConfig;
pub use settings::FileConfig;
pub use synthbio_core::validate::ValidationMode;
pub use transport::ARROW_STREAM;
