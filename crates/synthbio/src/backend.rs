//! One way to pick where models run: the local engine by default, the hosted
//! service when `SYNTHESIZE_API_KEY` is set, or any server by URL.

use std::sync::Arc;
use synthbio_client::{BlockingClient, ClientConfig, ClientError};
use synthbio_core::{Dataset, ModelId, PredictError, Predictor, Query};
use synthbio_engine::{Engine, EngineError};

/// Errors from whichever backend runs a query.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The local engine could not load its model files.
    #[error("the local engine could not start: {0}")]
    Engine(#[from] EngineError),
    /// The local engine refused or failed the query.
    #[error(transparent)]
    Local(#[from] PredictError),
    /// The client (hosted, self-hosted or a `synthbio serve` URL) failed.
    #[error(transparent)]
    Remote(#[from] ClientError),
}

/// Where queries run.
#[derive(Clone)]
pub enum Backend {
    /// The local engine, in-process: no key, no network.
    Local(Arc<Engine>),
    /// A server reached over HTTP: the hosted service, a self-hosted one, or `synthbio serve`.
    Remote(Arc<BlockingClient>),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Backend {
    /// The local engine with its shipped models.
    pub fn local() -> Result<Self, BackendError> {
        Ok(Backend::Local(Arc::new(Engine::embedded()?)))
    }

    /// The hosted service or another server, configured from the environment
    /// (`SYNTHESIZE_API_KEY`, `SYNTHESIZE_API_BASE_URL*`, `SYNTHESIZE_SELF_HOSTED`).
    pub fn remote(config: ClientConfig) -> Result<Self, BackendError> {
        Ok(Backend::Remote(Arc::new(BlockingClient::new(config)?)))
    }

    /// A server at `base_url` (e.g. `http://127.0.0.1:8000` from `synthbio serve`).
    pub fn url(base_url: &str) -> Result<Self, BackendError> {
        Backend::remote(ClientConfig::from_env().with_base_url(base_url))
    }

    /// The default: the hosted service when `SYNTHESIZE_API_KEY` or a
    /// `SYNTHESIZE_API_BASE_URL` is set, otherwise the local engine.
    pub fn from_env() -> Result<Self, BackendError> {
        let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
        if set("SYNTHESIZE_API_KEY") || set("SYNTHESIZE_API_BASE_URL") {
            Backend::remote(ClientConfig::from_env())
        } else {
            Backend::local()
        }
    }

    /// Runs a query and returns its result.
    pub fn predict(&self, model: &ModelId, query: &Query) -> Result<Dataset, BackendError> {
        match self {
            Backend::Local(engine) => Ok(engine.predict(model, query)?),
            Backend::Remote(client) => Ok(client.predict(model, query)?),
        }
    }

    /// The models offered, as `GET /api/models` lists them.
    pub fn models(&self) -> Result<Vec<serde_json::Value>, BackendError> {
        let values: Result<Vec<serde_json::Value>, _> = match self {
            Backend::Local(engine) => engine.models().iter().map(serde_json::to_value).collect(),
            Backend::Remote(client) => client
                .list_models()?
                .iter()
                .map(serde_json::to_value)
                .collect(),
        };
        // Serializing plain data structs to a JSON value cannot fail.
        Ok(values.unwrap_or_default())
    }

    /// A valid example query for a model.
    pub fn example_query(&self, model: &ModelId) -> Result<Query, BackendError> {
        match self {
            Backend::Local(engine) => Ok(engine.example_query(model)?),
            Backend::Remote(client) => Ok(client.example_query(model)?),
        }
    }

    /// The local engine, when that is the backend (workflows use its training data ids).
    pub fn engine(&self) -> Option<&Engine> {
        match self {
            Backend::Local(engine) => Some(engine),
            Backend::Remote(_) => None,
        }
    }

    /// One line saying where queries run (never the key).
    pub fn describe(&self) -> String {
        match self {
            Backend::Local(_) => "the local engine (offline, in-process)".to_string(),
            Backend::Remote(client) => format!(
                "the server at {}",
                client.client().config().base_url_for(None)
            ),
        }
    }
}
