//! The six GEM models offline: `gem-1-bulk` and `gem-1-sc`, each with its
//! `_predict-metadata` and `_reference-conditioning` variant, trained on real
//! public data (`data/`) and served in-process through
//! [`synthbio_core::Predictor`].
//!
//! ```
//! use synthbio_core::{metadata, Predictor, Query, SamplingStrategy};
//! use synthbio_engine::Engine;
//!
//! let engine = Engine::embedded()?; // the shipped models, compiled in
//! let query = Query::baseline(SamplingStrategy::MeanEstimation)
//!     .with_input(metadata([("cell_type_ontology_id", "CL:0000860")]), 2)
//!     .with_seed(42);
//! let cells = engine.predict(&"gem-1-sc".into(), &query)?;
//! assert_eq!(cells.n_samples(), 2);
//! assert_eq!(cells.library_sizes(), [10_000, 10_000]); // the single-cell default
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The model
//!
//! Expression is modelled per gene as `y = log2(count / library * s + 1)`
//! with `s` = 1,000,000 for bulk (log2(CPM + 1), the scale of reported fold
//! changes) and 10,000 for single cell (log2(CP10k + 1); see `transform`).
//! A linear Gaussian latent model, which published perturbation benchmarks
//! find hard to beat:
//!
//! - decoder `y = mu + W_b z_b + W_t z_t + W_p z_p + e`, `e ~ N(0, diag(psi))`;
//!   each block's loadings are orthonormal: the perturbation block spans the
//!   learned perturbation effects; the technical block the effects of the
//!   technical metadata and of sequencing depth; the biological block the
//!   effects of the biological metadata, then the leading directions of what
//!   is left (differences between donors, cells);
//! - perturbation effects come from treated-vs-control pairs within a donor
//!   (within a cell type for single cell, whose data has no donor ids),
//!   shrunk as a whole (one factor, so the direction is kept) by how much of
//!   their spread over genes the pairs' noise explains;
//! - encoder q(z | x): the Gaussian posterior of the latents given the
//!   expression under the latents' spread over the training samples;
//! - priors p(z | metadata): Gaussians whose mean is linear in the one-hot
//!   metadata of the block (a table per perturbation and cell type for the
//!   perturbation block), with the covariance of the residuals; metadata a
//!   query leaves out is filled in from the training combinations that agree
//!   with it;
//! - measurement noise (bulk sample generation): negative binomial with a
//!   per-gene dispersion fitted to the training samples;
//! - metadata prediction: Bayes' rule over the training conditions of each
//!   key's latent block (Student t, calibrated on held-out donors); where it
//!   had a lower held-out log loss in training, an L2 multinomial logistic
//!   regression on the log expression of the 2,000 most variable genes
//!   instead (for samples that measured them all); `sex` from the
//!   Y-chromosome markers and XIST a sample measured (a ridge logistic
//!   regression fitted on the training data), the latent classifier only for
//!   a sample that measured none of them.
//!
//! Training reads the source labels with `data/bulk/label_corrections.tsv`
//! applied: labels the expression contradicts, each with its evidence.
//!
//! Values a model was not trained on are validation errors that list the
//! trained values ([`synthbio_core::ModelSpec::trained_values`]).
//!
//! # Training and evaluation
//!
//! [`train`] rebuilds `data/models/` from `data/` byte for byte, on any CPU
//! (large products are computed exactly on a fixed-point grid, small ones in
//! fixed-order loops, logarithms with `libm`); [`evaluate`] refits the models
//! without held-out donors and compares them with the baselines a reviewer
//! would use (the same condition's training mean, the same perturbation's
//! mean effect elsewhere, the majority class), marking rows that only tell
//! datasets apart or score labels derived from the same cells.

mod classify;
mod engine;
mod error;
mod eval;
mod expression_head;
mod io;
mod linalg;
mod model;
mod params;
mod posterior;
mod pow2;
mod predict;
mod schema;
mod sex_head;
mod train;
mod transform;

pub use engine::Engine;
pub use error::EngineError;
pub use eval::{evaluate, Caveat, EvalReport, EvalRow, Task};
pub use io::Correction;
pub use train::{
    refit_bulk_without, refit_bulk_without_each, refit_sc_without_treated_each, train,
    TrainSummary, TrainedModel,
};
