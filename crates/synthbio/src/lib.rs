//! synthbio: a Rust toolkit for generative models of gene expression (GEM-1).
//!
//! One crate to depend on. It re-exports the workspace under clear modules and
//! picks where models run with [`Backend`]: the local engine by default
//! (offline, no key), the hosted service when `SYNTHESIZE_API_KEY` is set, or
//! any server by URL (`synthbio serve`, a self-hosted container).
//!
//! - [`core`]: queries, validation, the [`core::Dataset`] type, the plug-in traits;
//! - [`client`]: the GEM protocol client (hosted, self-hosted Arrow, local server);
//! - [`engine`]: the six models offline, trained on real public data;
//! - [`server`]: the protocol over HTTP for any predictor;
//! - [`normalize`], [`de`], [`qc`], [`pca`]: the analyses, listed by [`analyses`];
//! - [`io`]: counts tables, Matrix Market, metadata; TSV/CSV/Parquet/JSON out;
//! - [`report`]: self-contained HTML reports with SVG figures.
//!
//! ```
//! use synthbio::core::{metadata, ModelId, Query, SamplingStrategy};
//! use synthbio::Backend;
//!
//! let backend = Backend::local()?;
//! let query = Query::baseline(SamplingStrategy::MeanEstimation)
//!     .with_input(metadata([("sex", "female")]), 2)
//!     .with_seed(1);
//! let ds = backend.predict(&ModelId::from("gem-1-bulk"), &query)?;
//! assert_eq!(ds.n_samples(), 2);
//!
//! // Every analysis is a plug-in the facade can list and run.
//! let names: Vec<_> = synthbio::analyses().iter().map(|a| a.name()).collect();
//! assert!(names.contains(&"normalize"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backend;

pub use backend::{Backend, BackendError};
pub use synthbio_client as client;
pub use synthbio_core as core;
pub use synthbio_de as de;
pub use synthbio_engine as engine;
pub use synthbio_io as io;
pub use synthbio_normalize as normalize;
pub use synthbio_pca as pca;
pub use synthbio_qc as qc;
pub use synthbio_report as report;
pub use synthbio_server as server;

use synthbio_core::DynAnalysis;

/// Every analysis plug-in, ready to run with JSON parameters.
pub fn analyses() -> Vec<Box<dyn DynAnalysis>> {
    vec![
        Box::new(synthbio_normalize::Normalize),
        Box::new(synthbio_de::De),
        Box::new(synthbio_qc::Qc),
        Box::new(synthbio_pca::Pca),
    ]
}
