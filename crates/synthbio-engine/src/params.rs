//! The model file: everything a trained model is, as stored in `data/models/`
//! (postcard, a compact serde format; large vectors in f32).

use crate::schema::{Codes, Schema};
use crate::EngineError;
use serde::{Deserialize, Serialize};
use synthbio_core::{Metadata, Modality};

/// Format version of the model files; loading another version fails.
pub(crate) const FORMAT: u32 = 5;

/// A Gaussian prior `z ~ N(intercept + coefᵀ x, cov)` whose mean is linear in
/// the one-hot metadata `x` of one block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LinearPrior {
    /// (key, level) of each one-hot feature.
    pub features: Vec<(u16, u16)>,
    /// Mean at all-unknown metadata (dimension of the block).
    pub intercept: Vec<f64>,
    /// Features x dimensions, row-major.
    pub coef: Vec<f64>,
    /// Covariance, dimensions x dimensions, row-major.
    pub cov: Vec<f64>,
}

/// One entry of the perturbation prior: a perturbation condition, optionally
/// within a biological context (a cell type), and its latent mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PertEntry {
    /// Index into [`PertPrior::conditions`].
    pub condition: u16,
    /// Level of the context key, or `None` for the context-free entry.
    pub context: Option<u16>,
    /// Mean of the perturbation latent.
    pub mean: Vec<f64>,
    /// Training samples behind it.
    pub weight: u32,
}

/// The prior of the perturbation latent: a table of means per condition (and
/// context), with one covariance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PertPrior {
    /// Schema indices of the perturbation keys.
    pub keys: Vec<u16>,
    /// Distinct perturbation conditions: codes over `keys`.
    pub conditions: Vec<Codes>,
    /// Schema index of the key whose value selects context-specific effects.
    pub context_key: Option<u16>,
    /// Means per (condition, context).
    pub entries: Vec<PertEntry>,
    /// Covariance, dimensions x dimensions, row-major.
    pub cov: Vec<f64>,
}

/// A distinct metadata combination of the training samples and how many had it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Combo {
    /// Codes over the schema keys.
    pub codes: Codes,
    /// Number of training samples.
    pub weight: u32,
}

/// One condition of a classifier's mixture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Component {
    /// Index of its class in [`Classifier::classes`].
    pub class: u16,
    /// Mean latent of the block.
    pub mean: Vec<f64>,
    /// Log of its training samples.
    pub log_weight: f64,
}

/// A classifier of one metadata key on its block's latent (see `classify`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Classifier {
    /// Schema index of the key.
    pub key: u16,
    /// Level of each class.
    pub classes: Vec<u16>,
    /// The conditions of the mixture.
    pub components: Vec<Component>,
    /// Inverse of the pooled covariance, row-major.
    pub precision: Vec<f64>,
    /// Temperature dividing the log-densities, fitted on held-out donors.
    pub temperature: f64,
    /// The expression head, where it beat the latent mixture on held-out donors.
    pub expression: Option<ExpressionHead>,
}

/// A key's classes from the log expression of chosen genes (see
/// `expression_head`), in the order of [`Classifier::classes`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ExpressionHead {
    /// Gene indices.
    pub genes: Vec<u32>,
    /// Training mean log expression of each gene, subtracted before the slopes.
    pub centre: Vec<f64>,
    /// Slopes, classes x genes, row-major.
    pub coef: Vec<f64>,
    /// Intercept of each class.
    pub intercept: Vec<f64>,
    /// Temperature dividing the logits, fitted on held-out donors.
    pub temperature: f64,
}

/// One marker gene of the sex head and its training class means (log
/// expression), which put its level on a 0 (one sex) to 1 (the other) scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MarkerScale {
    /// Gene index.
    pub gene: u32,
    /// Mean log expression of the training samples labelled female.
    pub female: f64,
    /// Mean log expression of the training samples labelled male.
    pub male: f64,
}

/// A logistic regression of `male` on marker scores: intercept, then one
/// slope per score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Logistic {
    /// Intercept and slopes.
    pub coef: Vec<f64>,
}

/// Sex from measured marker genes (see `sex_head`), used for the `sex` key
/// in place of the latent classifier whenever a sample measured a marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SexHead {
    /// Schema index of `sex`.
    pub key: u16,
    /// Levels of `female` and `male`.
    pub levels: [u16; 2],
    /// The Y-chromosome markers the training data separate.
    pub y_markers: Vec<MarkerScale>,
    /// XIST, when training samples of both sexes measured it.
    pub xist: Option<MarkerScale>,
    /// `male` on the Y score.
    pub on_y: Option<Logistic>,
    /// `male` on the Y score and the XIST score.
    pub on_y_xist: Option<Logistic>,
    /// `male` on the XIST score.
    pub on_xist: Option<Logistic>,
}

/// Real training samples behind the example queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Examples {
    /// Counts of an untreated sample, in gene order.
    pub reference_counts: Vec<u32>,
    /// Its metadata.
    pub reference_metadata: Metadata,
    /// A trained perturbation to apply to it (perturbation keys only).
    pub perturbation: Metadata,
}

/// A trained model of one modality (it serves all three families).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ModelParams {
    /// [`FORMAT`].
    pub format: u32,
    /// Bulk or single cell.
    pub modality: Modality,
    /// Version string reported in results.
    pub model_version: String,
    /// The library size the log scale refers to (1e6 bulk, 1e4 single cell).
    pub scale: f64,
    /// Gene ids in model order.
    pub gene_ids: Vec<String>,
    /// Known metadata.
    pub schema: Schema,
    /// Latent dimensions: biological, technical, perturbation.
    pub dims: [u32; 3],
    /// Mean log expression per gene.
    pub mu: Vec<f32>,
    /// Decoder loadings, genes x latent dimensions, row-major.
    pub loadings: Vec<f32>,
    /// Residual variance of the log expression per gene.
    pub noise_var: Vec<f32>,
    /// Negative binomial dispersion per gene (bulk; empty for single cell).
    pub dispersion: Vec<f32>,
    /// Share of a reference's residual that a perturbed sample of its unit
    /// keeps, per gene (empty: all of it; see `train::shared_residual`).
    pub residual_share: Vec<f32>,
    /// Mean of the latents over training samples (the encoder's prior).
    pub marginal_mean: Vec<f64>,
    /// Covariance of the latents over training samples, row-major.
    pub marginal_cov: Vec<f64>,
    /// Prior of the biological latent.
    pub bio_prior: LinearPrior,
    /// Prior of the technical latent.
    pub tech_prior: LinearPrior,
    /// Prior of the perturbation latent.
    pub pert_prior: PertPrior,
    /// Metadata combinations seen in training (for metadata a query leaves out).
    pub combos: Vec<Combo>,
    /// One classifier per known key.
    pub classifiers: Vec<Classifier>,
    /// Sex from marker genes, when the training data allow it.
    pub sex_head: Option<SexHead>,
    /// Example samples.
    pub examples: Examples,
    /// The reduced gene panels of the training data: per panel, the genes it did
    /// not measure (sorted indices). A sample with zero counts on every one of
    /// them is encoded from the genes it measured (see `Model::encode_counts`).
    pub panels: Vec<Vec<u32>>,
}

impl ModelParams {
    /// Total latent dimension.
    pub fn latent_dim(&self) -> usize {
        self.dims.iter().map(|&d| d as usize).sum()
    }

    /// The file bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EngineError> {
        postcard::to_stdvec(self).map_err(|e| EngineError::ModelFile {
            name: file_name(self.modality).into(),
            message: format!("cannot encode: {e}"),
        })
    }

    /// Reads file bytes, checking the format version and the sizes.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Self, EngineError> {
        let bad = |message: String| EngineError::ModelFile {
            name: name.into(),
            message,
        };
        let p: ModelParams =
            postcard::from_bytes(bytes).map_err(|e| bad(format!("cannot decode: {e}")))?;
        if p.format != FORMAT {
            return Err(bad(format!(
                "format {} but this engine reads format {FORMAT}",
                p.format
            )));
        }
        let g = p.gene_ids.len();
        let d = p.latent_dim();
        let ok = p.mu.len() == g
            && p.loadings.len() == g * d
            && p.noise_var.len() == g
            && (p.dispersion.is_empty() || p.dispersion.len() == g)
            && (p.residual_share.is_empty() || p.residual_share.len() == g)
            && p.marginal_mean.len() == d
            && p.marginal_cov.len() == d * d
            && p.examples.reference_counts.len() == g;
        if !ok {
            return Err(bad("inconsistent sizes".into()));
        }
        Ok(p)
    }
}

/// The file name of a modality's model in `data/models/`.
pub(crate) fn file_name(modality: Modality) -> &'static str {
    match modality {
        Modality::Bulk => "gem-1-bulk.model",
        Modality::SingleCell => "gem-1-sc.model",
    }
}
