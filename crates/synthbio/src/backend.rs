//! Where queries run: one [`Backend`] (any [`Predictor`]) chosen from the
//! environment, the local engine when nothing else is configured.

use std::sync::Arc;
use synthbio_core::Predictor;

/// Where queries run: the local engine, the hosted service, a self-hosted
/// server or `synthbio serve`, behind one trait.
pub type Backend = Arc<dyn Predictor>;

/// Why no backend could be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The local engine could not load its model files.
    #[cfg(feature = "engine")]
    #[error("the local engine could not start: {0}")]
    Engine(#[from] synthbio_engine::EngineError),
    /// The client could not be configured.
    #[cfg(feature = "client")]
    #[error(transparent)]
    Client(#[from] synthbio_client::ClientError),
    /// The environment asks for a backend this build leaves out.
    #[error("{0}")]
    Unavailable(String),
}

/// The local engine with its shipped models (offline, in-process, no key).
#[cfg(feature = "engine")]
pub fn local() -> Result<Backend, BackendError> {
    Ok(Arc::new(synthbio_engine::Engine::embedded()?))
}

/// A server configured by `config`: the hosted service, a self-hosted one,
/// or `synthbio serve`.
#[cfg(feature = "client")]
pub fn remote(config: synthbio_client::ClientConfig) -> Result<Backend, BackendError> {
    Ok(Arc::new(synthbio_client::BlockingClient::new(config)?))
}

/// The server at `base_url` (e.g. `http://127.0.0.1:8000` from `synthbio serve`),
/// with the key and settings of the environment.
#[cfg(feature = "client")]
pub fn url(base_url: &str) -> Result<Backend, BackendError> {
    remote(synthbio_client::ClientConfig::from_env().with_base_url(base_url))
}

/// The backend the environment selects, as the official clients resolve it: a
/// server when `SYNTHESIZE_API_KEY`, `SYNTHESIZE_API_BASE_URL` or another
/// documented variable configures one, otherwise the local engine.
pub fn from_env() -> Result<Backend, BackendError> {
    #[cfg(feature = "client")]
    if let Some(config) = synthbio_client::ClientConfig::remote_from_env() {
        return remote(config);
    }
    #[cfg(feature = "engine")]
    return local();
    #[cfg(not(feature = "engine"))]
    Err(BackendError::Unavailable(
        "no server is configured (set SYNTHESIZE_API_KEY or SYNTHESIZE_API_BASE_URL) and this build has no local engine (enable the `engine` feature)".into(),
    ))
}
