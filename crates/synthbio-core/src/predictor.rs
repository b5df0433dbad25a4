//! What a model server offers, whatever runs behind it: the local engine
//! in-process, or the local HTTP server in front of it.

use crate::dataset::Dataset;
use crate::error::ValidationErrors;
use crate::model::{Family, Modality, ModelId};
use crate::query::Query;
use crate::validate::ModelSpec;
use serde::{Deserialize, Serialize};

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
}

/// Something that serves GEM models: lists them, gives example queries, predicts.
pub trait Predictor: Send + Sync {
    /// The models served.
    fn models(&self) -> Vec<ModelInfo>;
    /// A valid example query for a model.
    fn example_query(&self, model: &ModelId) -> Result<Query, PredictError>;
    /// Runs a query (validated by the implementation) and returns the result.
    fn predict(&self, model: &ModelId, query: &Query) -> Result<Dataset, PredictError>;
}
