//! The client as a [`Predictor`], so code written against `dyn Predictor`
//! (studies, the CLI, `synthbio serve`) runs on a remote server unchanged.

use crate::blocking::BlockingClient;
use crate::client::Client;
use crate::error::{ClientError, Result};
use std::future::Future;
use std::sync::OnceLock;
use synthbio_core::{Dataset, ListedModel, ModelId, PredictError, Predictor, Query};
use tokio::runtime::{Handle, Runtime};

impl From<ClientError> for PredictError {
    /// Validation problems keep their paths; every other failure is kept
    /// whole (downcast the source to [`ClientError`] for its `modelQueryId`).
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Validation { errors, .. } => PredictError::Invalid(errors),
            other => PredictError::Remote(Box::new(other)),
        }
    }
}

impl Predictor for BlockingClient {
    fn models(&self) -> Result<Vec<ListedModel>, PredictError> {
        Ok(self.list_models()?)
    }

    fn example_query(&self, model: &ModelId) -> Result<Query, PredictError> {
        Ok(BlockingClient::example_query(self, model)?)
    }

    fn predict(&self, model: &ModelId, query: &Query) -> Result<Dataset, PredictError> {
        Ok(BlockingClient::predict(self, model, query)?)
    }

    // Said as the async client it wraps says it.
    fn gene_order(&self, model: &ModelId) -> Option<Vec<String>> {
        Predictor::gene_order(self.client(), model)
    }

    fn describe(&self) -> String {
        Predictor::describe(self.client())
    }
}

/// The async client behind `dyn Predictor`: each call blocks the calling thread
/// until the answer is in (in async code, prefer the `async` methods). The
/// futures run on one runtime of the process; a caller already inside a runtime
/// waits on a scoped thread, as a runtime's thread may not block on another.
impl Predictor for Client {
    fn models(&self) -> std::result::Result<Vec<ListedModel>, PredictError> {
        Ok(block_on(self.list_models())?)
    }

    fn example_query(&self, model: &ModelId) -> std::result::Result<Query, PredictError> {
        Ok(block_on(Client::example_query(self, model))?)
    }

    fn predict(
        &self,
        model: &ModelId,
        query: &Query,
    ) -> std::result::Result<Dataset, PredictError> {
        Ok(block_on(Client::predict(self, model, query))?)
    }

    fn gene_order(&self, model: &ModelId) -> Option<Vec<String>> {
        Client::gene_order(self, model).map(|g| g.to_vec())
    }

    fn describe(&self) -> String {
        format!("the {}", self.config().describe(None))
    }
}

/// Runs a client future to completion on the process's client runtime.
fn block_on<T: Send>(f: impl Future<Output = Result<T>> + Send) -> Result<T> {
    static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();
    let rt = RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("synthbio-client")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| ClientError::Config(format!("cannot start the client's runtime: {e}")))?;
    if Handle::try_current().is_err() {
        return rt.block_on(f);
    }
    std::thread::scope(|s| {
        s.spawn(|| rt.block_on(f))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
