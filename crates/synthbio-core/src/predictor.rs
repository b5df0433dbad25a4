//! What a model server offers, whatever runs behind it: the local engine
//! in-process, or the local HTTP server in front of it.

use crate::dataset::Dataset;
use crate::error::ValidationErrors;
use crate::model::{Family, Modality, ModelId};
use crate::query::Query;
use crate::validate::ModelSpec;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One entry of `GET /api/models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The model id.
    pub model_id: String,
    /// Its family.
    pub family: Family,
    /// Bulk or single-cell.
    pub modality: Modality,
    /// Model version, as results report it.
    pub model_version: String,
    /// Number of genes (length of `gene_order`).
    pub n_genes: usize,
    /// Dimensions of the biological, technical and perturbation latents.
    pub latent_dims: LatentDims,
    /// What queries this model accepts beyond the protocol's rules.
    pub spec: ModelSpec,
}

/// One model as a listing shows it: its id and every other field as the
/// server sent it (a hosted listing need not carry synthbio's [`ModelInfo`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedModel {
    /// The model id.
    pub model_id: String,
    /// Every other field, as the server sent it.
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

impl ListedModel {
    /// The id as a [`ModelId`].
    pub fn id(&self) -> ModelId {
        ModelId::new(self.model_id.clone())
    }

    /// The full description, when the listing gives synthbio's [`ModelInfo`]
    /// (as the local engine and `synthbio serve` do); `None` for other shapes.
    pub fn info(&self) -> Option<ModelInfo> {
        let mut m = self.details.clone();
        m.insert("model_id".into(), Value::String(self.model_id.clone()));
        serde_json::from_value(Value::Object(m)).ok()
    }
}

impl From<ModelInfo> for ListedModel {
    fn from(info: ModelInfo) -> Self {
        let mut details = match serde_json::to_value(&info) {
            Ok(Value::Object(m)) => m,
            // ModelInfo is a plain struct of strings, numbers and enums: it
            // always serializes to an object.
            _ => Map::new(),
        };
        details.remove("model_id");
        ListedModel {
            model_id: info.model_id,
            details,
        }
    }
}

/// Dimensions of the three latent blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatentDims {
    /// Biological block.
    pub biological: usize,
    /// Technical block.
    pub technical: usize,
    /// Perturbation block.
    pub perturbation: usize,
}

/// Why a prediction did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PredictError {
    /// No such model here.
    #[error("model {0:?} is not served here; list the models with GET /api/models")]
    UnknownModel(String),
    /// The query breaks the rules (answered 400/422 with paths).
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// The model accepted the query but failed to run it (answered `status: failed`).
    #[error("model failed: {0}")]
    Failed(String),
    /// The server could not be reached or answered outside the protocol.
    #[error(transparent)]
    Remote(Box<dyn std::error::Error + Send + Sync>),
}

/// Something that serves GEM models: lists them, gives example queries, predicts.
///
/// The local engine implements it in-process and the client over HTTP, so a
/// study written against `dyn Predictor` runs on either.
pub trait Predictor: Send + Sync {
    /// The models served, as `GET /api/models` lists them.
    fn models(&self) -> Result<Vec<ListedModel>, PredictError>;
    /// A valid example query for a model.
    fn example_query(&self, model: &ModelId) -> Result<Query, PredictError>;
    /// Runs a query (validated by the implementation) and returns the result.
    fn predict(&self, model: &ModelId, query: &Query) -> Result<Dataset, PredictError>;
    /// The gene ids a model's counts are ordered by, when this predictor knows
    /// them without asking a server (the local engine always does; a client
    /// once an answer has told it). Tables are put in this order before a query.
    fn gene_order(&self, model: &ModelId) -> Option<Vec<String>> {
        let _ = model;
        None
    }
    /// Whether this predictor reads [`Query::measured`], encoding each sample from
    /// the genes it measured (the local engine); behind the wire protocol a server
    /// receives unmeasured genes as 0.
    fn reads_measured_mask(&self) -> bool {
        false
    }
    /// One line saying where queries run, for logs and reports (never a key).
    fn describe(&self) -> String {
        "a predictor in this process".to_string()
    }
}
