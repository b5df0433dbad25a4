//! A blocking wrapper for programs without an async runtime (scripts, the CLI).

use crate::client::Client;
use crate::config::ClientConfig;
use crate::error::{ClientError, Result};
use crate::handle::{QueryHandle, QueryStatus};
use crate::models::ListedModel;
use crate::prediction::Prediction;
use serde_json::Value;
use std::future::Future;
use synthbio_core::{Dataset, ModelId, ModelSpec, Query};

/// [`Client`] with blocking methods; it owns a small tokio runtime.
///
/// Do not use it from inside an async runtime: every method then returns
/// [`ClientError::BlockingInsideRuntime`] instead of blocking the runtime.
#[derive(Debug)]
pub struct BlockingClient {
    client: Client,
    rt: tokio::runtime::Runtime,
}

impl BlockingClient {
    /// A blocking client with the given options.
    pub fn new(config: ClientConfig) -> Result<Self> {
        outside_runtime()?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| ClientError::Config(format!("cannot start the client's runtime: {e}")))?;
        let client = {
            let _guard = rt.enter();
            Client::new(config)?
        };
        Ok(BlockingClient { client, rt })
    }

    /// A blocking client configured from the environment.
    pub fn from_env() -> Result<Self> {
        BlockingClient::new(ClientConfig::from_env())
    }

    /// The async client inside.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn run<T>(&self, f: impl Future<Output = Result<T>>) -> Result<T> {
        outside_runtime()?;
        self.rt.block_on(f)
    }

    /// See [`Client::list_models`].
    pub fn list_models(&self) -> Result<Vec<ListedModel>> {
        self.run(self.client.list_models())
    }

    /// See [`Client::example_query`].
    pub fn example_query(&self, model: &ModelId) -> Result<Query> {
        self.run(self.client.example_query(model))
    }

    /// See [`Client::example_query_json`].
    pub fn example_query_json(&self, model: &ModelId) -> Result<Value> {
        self.run(self.client.example_query_json(model))
    }

    /// See [`Client::validate`].
    pub fn validate(&self, model: &ModelId, query: &Query) -> Result<()> {
        self.client.validate(model, query)
    }

    /// See [`Client::model_spec`].
    pub fn model_spec(&self, model: &ModelId) -> Option<ModelSpec> {
        self.client.model_spec(model)
    }

    /// See [`Client::set_model_spec`].
    pub fn set_model_spec(&self, model: &ModelId, spec: ModelSpec) {
        self.client.set_model_spec(model, spec)
    }

    /// See [`Client::submit`].
    pub fn submit(&self, model: &ModelId, query: &Query) -> Result<QueryHandle> {
        self.run(self.client.submit(model, query))
    }

    /// See [`Client::status`].
    pub fn status(&self, handle: &QueryHandle) -> Result<QueryStatus> {
        self.run(self.client.status(handle))
    }

    /// See [`Client::wait`].
    pub fn wait(&self, handle: &QueryHandle) -> Result<Dataset> {
        self.run(self.client.wait(handle))
    }

    /// See [`Client::wait_json`].
    pub fn wait_json(&self, handle: &QueryHandle) -> Result<Value> {
        self.run(self.client.wait_json(handle))
    }

    /// See [`Client::wait_download_url`].
    pub fn wait_download_url(&self, handle: &QueryHandle) -> Result<String> {
        self.run(self.client.wait_download_url(handle))
    }

    /// See [`Client::resume`].
    pub fn resume(&self, model: &ModelId, model_query_id: &str) -> Result<Dataset> {
        self.run(self.client.resume(model, model_query_id))
    }

    /// See [`Client::download`].
    pub fn download(&self, handle: &QueryHandle, url: &str) -> Result<Dataset> {
        self.run(self.client.download(handle, url))
    }

    /// See [`Client::predict`].
    pub fn predict(&self, model: &ModelId, query: &Query) -> Result<Dataset> {
        self.run(self.client.predict(model, query))
    }

    /// See [`Client::predict_result`].
    pub fn predict_result(&self, model: &ModelId, query: &Query) -> Result<Prediction> {
        self.run(self.client.predict_result(model, query))
    }

    /// See [`Client::wait_result`].
    pub fn wait_result(&self, handle: &QueryHandle) -> Result<Prediction> {
        self.run(self.client.wait_result(handle))
    }

    /// See [`Client::resume_result`].
    pub fn resume_result(&self, model: &ModelId, model_query_id: &str) -> Result<Prediction> {
        self.run(self.client.resume_result(model, model_query_id))
    }

    /// See [`Client::predict_json`].
    pub fn predict_json(&self, model: &ModelId, query: &Query) -> Result<Value> {
        self.run(self.client.predict_json(model, query))
    }

    /// See [`Client::predict_download_url`].
    pub fn predict_download_url(&self, model: &ModelId, query: &Query) -> Result<String> {
        self.run(self.client.predict_download_url(model, query))
    }

    /// See [`Client::predict_many`].
    pub fn predict_many(&self, model: &ModelId, queries: &[Query]) -> Vec<Result<Dataset>> {
        match outside_runtime() {
            Ok(()) => self.rt.block_on(self.client.predict_many(model, queries)),
            Err(_) => queries
                .iter()
                .map(|_| Err(ClientError::BlockingInsideRuntime))
                .collect(),
        }
    }
}

fn outside_runtime() -> Result<()> {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => Err(ClientError::BlockingInsideRuntime),
        Err(_) => Ok(()),
    }
}
