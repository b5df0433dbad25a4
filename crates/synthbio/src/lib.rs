//! synthbio: a Rust toolkit for generative models of gene expression (GEM-1).
//!
//! One crate to depend on: it re-exports the workspace under clear modules
//! and picks where models run. Every model server is a
//! [`Predictor`](core::Predictor) (the local engine in-process, the client
//! over HTTP), and a [`Backend`] is one of them chosen by
//! [`backend::from_env`]: the local engine unless the environment configures
//! a server (`SYNTHESIZE_API_KEY`, `SYNTHESIZE_API_BASE_URL`, ...).
//!
//! - [`core`]: queries, validation, [`core::Dataset`], the plug-in traits;
//! - [`client`] (feature `client`): the GEM protocol client;
//! - [`engine`] (feature `engine`): the six models offline, trained on real public data;
//! - [`server`] (feature `server`): the protocol over HTTP for any predictor;
//! - [`normalize`], [`de`], [`qc`], [`pca`]: the analyses, listed by [`analyses`];
//! - [`io`]: counts tables, Matrix Market, 10x folders, metadata; TSV/CSV/JSON out,
//!   Parquet (feature `parquet`) and AnnData `.h5ad` in and out (feature `h5ad`);
//! - [`report`] and [`workflows`] (feature `report`): HTML reports, and the
//!   perturbation benchmark study and mislabeled-sample QC built on them.
//!
//! The default features hold everything; a program that only analyses
//! tables can depend on `synthbio` with `default-features = false`.
//!
//! ```
//! use synthbio::prelude::*;
//!
//! let backend = synthbio::backend::local()?;
//! let query = Query::baseline(SamplingStrategy::MeanEstimation)
//!     .with_input(metadata([("sex", "female")]), 2)
//!     .with_seed(1);
//! let ds = backend.predict(&ModelId::from("gem-1-bulk"), &query)?;
//! assert_eq!(ds.n_samples(), 2);
//! assert_eq!(backend.describe(), "the local engine (offline, in-process)");
//!
//! // Every analysis is a plug-in the facade can list and run.
//! let names: Vec<_> = synthbio::analyses().iter().map(|a| a.name()).collect();
//! assert!(names.contains(&"normalize"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The two studies, end to end on `data/` with engines that never saw the
//! held-out donors, are `examples/perturbation_study.rs` and
//! `examples/label_qc.rs`; `synthbio demo` runs both.

pub mod backend;

pub use backend::{Backend, BackendError};
#[cfg(feature = "client")]
pub use synthbio_client as client;
pub use synthbio_core as core;
pub use synthbio_de as de;
#[cfg(feature = "engine")]
pub use synthbio_engine as engine;
pub use synthbio_io as io;
pub use synthbio_normalize as normalize;
pub use synthbio_pca as pca;
pub use synthbio_qc as qc;
#[cfg(feature = "report")]
pub use synthbio_report as report;
#[cfg(feature = "server")]
pub use synthbio_server as server;
#[cfg(feature = "report")]
pub use synthbio_workflows as workflows;

/// What most programs need, in one `use synthbio::prelude::*`.
pub mod prelude {
    pub use crate::backend::Backend;
    pub use synthbio_core::{
        metadata, Analysis, Dataset, ModelId, Predictor, Query, SamplingStrategy,
    };
}

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
