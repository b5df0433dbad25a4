//! Shared types of synthbio, below the client, the local engine and the analyses.
//!
//! - [`query`]: queries with the protocol's exact wire names, read tolerantly;
//! - [`validate()`]: every problem in a query, with its JSON path and the fix,
//!   found before anything is sent;
//! - [`Dataset`]: a samples x genes count matrix with gene and sample ids,
//!   per-sample metadata, optional latents and classifier probabilities;
//! - [`Analysis`]: the plug-in trait every analysis crate implements;
//! - [`Predictor`]: what serves models, in-process or over HTTP.
//!
//! ```
//! use synthbio_core::{metadata, validate, ModelId, Query, SamplingStrategy};
//!
//! let query = Query::baseline(SamplingStrategy::MeanEstimation)
//!     .with_input(metadata([("sex", "female"), ("tissue_ontology_id", "lung")]), 3)
//!     .with_seed(42);
//! let err = validate(&ModelId::from("gem-1-bulk"), &query, None).unwrap_err();
//! assert_eq!(err.errors[0].path, "inputs[0].metadata.tissue_ontology_id");
//! assert!(err.errors[0].message.contains("UBERON"));
//! ```

pub mod analysis;
pub mod dataset;
mod encode;
pub mod error;
pub mod expression;
pub mod fs;
pub mod model;
pub mod predictor;
pub mod query;
pub mod sparse;
pub mod stats;
pub mod validate;
pub mod vocab;
mod wire_num;

pub use analysis::{
    Analysis, AnalysisError, Cell, DynAnalysis, Figure, Report, ReportSection, Table,
};
pub use dataset::{
    check_same_gene_order, ClassProbabilities, Dataset, DatasetError, Latents, Measured,
    MetadataTable,
};
pub use error::{Problem, ValidationErrors};
pub use expression::{Expression, Scale};
pub use model::{Family, LatentBlock, Modality, ModelId};
pub use predictor::{LatentDims, ListedModel, ModelInfo, PredictError, Predictor};
pub use query::{metadata, Input, Metadata, Query, SamplingStrategy, DEFAULT_CONDITIONING};
pub use sparse::{SparseCounts, SparseValues};
pub use validate::{validate, ModelSpec};
