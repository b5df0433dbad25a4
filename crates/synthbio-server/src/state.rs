//! What every request handler shares.

use crate::config::ServerConfig;
use crate::jobs::Jobs;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use synthbio_core::{ModelInfo, Predictor};

/// The predictor, its model list (read once at start-up), the job queue and the settings.
pub(crate) struct AppState {
    pub(crate) predictor: Arc<dyn Predictor>,
    pub(crate) models: Vec<ModelInfo>,
    by_id: HashMap<String, usize>,
    pub(crate) jobs: Arc<Jobs>,
    pub(crate) config: ServerConfig,
    /// The listening address, for download links when a request names no host.
    pub(crate) local_addr: SocketAddr,
}

impl AppState {
    /// Shared state for one server.
    pub(crate) fn new(
        predictor: Arc<dyn Predictor>,
        models: Vec<ModelInfo>,
        jobs: Arc<Jobs>,
        config: ServerConfig,
        local_addr: SocketAddr,
    ) -> Self {
        // The first entry wins if a predictor lists an id twice.
        let mut by_id = HashMap::new();
        for (i, m) in models.iter().enumerate() {
            by_id.entry(m.model_id.clone()).or_insert(i);
        }
        AppState {
            predictor,
            models,
            by_id,
            jobs,
            config,
            local_addr,
        }
    }

    /// The model with this id, if served.
    pub(crate) fn model(&self, id: &str) -> Option<&ModelInfo> {
        self.by_id.get(id).map(|&i| &self.models[i])
    }
}
