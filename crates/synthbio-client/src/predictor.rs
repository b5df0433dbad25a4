//! The client as a [`Predictor`], so code written against `dyn Predictor`
//! (studies, the CLI, `synthbio serve`) runs on a remote server unchanged.

use crate::blocking::BlockingClient;
use crate::error::ClientError;
use synthbio_core::{Dataset, ListedModel, ModelId, PredictError, Predictor, Query};

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

    fn describe(&self) -> String {
        format!("the {}", self.client().config().describe(None))
    }
}
