//! Shared test helpers: a scriptable fault server, a deterministic predictor
//! for the real server, and a recorder of progress events.

pub mod fault;
pub mod predictor;
pub mod proxy;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use synthbio_client::{ClientConfig, Progress, RetryConfig};

/// The protocol's endpoints, as the fault server's and the proxy's scripts name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Models,
    Example,
    Predict,
    Status,
    Download,
    Other,
}

impl Route {
    /// The endpoint of a request path. Downloads are `/dl/<name>` on the fault
    /// server and `/api/downloads/<token>` on the real server behind the proxy.
    pub fn of(path: &str) -> Route {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["api", "models"] => Route::Models,
            ["api", "models", _, "example-query"] => Route::Example,
            ["api", "models", _, "predict"] => Route::Predict,
            ["api", "model-queries", _, "status"] => Route::Status,
            ["dl", _] | ["api", "downloads", _] => Route::Download,
            _ => Route::Other,
        }
    }
}

/// The key tests use; asserted never to leak.
pub const KEY: &str = "test-key-5f1d2c";

/// Records progress events.
#[derive(Clone, Default)]
pub struct Events(pub Arc<Mutex<Vec<Progress>>>);

impl Events {
    pub fn all(&self) -> Vec<Progress> {
        self.0.lock().unwrap().clone()
    }

    /// `(reason, delay)` of every retry.
    pub fn retries(&self) -> Vec<(synthbio_client::RetryReason, Duration)> {
        self.all()
            .into_iter()
            .filter_map(|p| match p {
                Progress::Retrying { reason, delay, .. } => Some((reason, delay)),
                _ => None,
            })
            .collect()
    }
}

/// A hosted-mode config for a loopback server: the test key, fast retries
/// without jitter, and a progress recorder.
pub fn config(base: &str) -> (ClientConfig, Events) {
    let events = Events::default();
    let ev = events.clone();
    let config = ClientConfig::default()
        .with_base_url(base)
        .with_api_key(KEY)
        .with_retry(RetryConfig {
            max_retries: 3,
            initial_backoff: Duration::from_millis(10),
            jitter: 0.0,
            ..RetryConfig::default()
        })
        .with_progress(move |p| ev.0.lock().unwrap().push(p.clone()));
    (config, events)
}

/// The golden files' folder.
pub fn golden(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}
