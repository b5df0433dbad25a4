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
//! - [`report`]: self-contained HTML reports with SVG figures;
//! - [`workflows`]: the perturbation benchmark study and the mislabeled-sample
//!   QC report, as library functions ([`workflows::demo`] runs both on `data/`).
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
//!
//! The two workflows (end to end, with engines that never saw the held-out
//! donors, in `examples/perturbation_study.rs` and `examples/label_qc.rs`):
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use synthbio::workflows::{demo, LabelQcStudy, PerturbationStudy};
//! use synthbio::Backend;
//! # let data_dir = std::path::Path::new("data");
//! let backend = Backend::from_env()?; // the local engine without a key
//! let engine = synthbio::engine::Engine::embedded()?;
//! let samples = demo::read_bulk_samples(data_dir, &engine)?;
//!
//! // Perturbation benchmark: one (reference, treated) pair per donor.
//! let pairs = demo::donor_pairs(&samples, "donor", "CHEBI:41879")?;
//! let study = PerturbationStudy::new(demo::dexamethasone())
//!     .run(&samples, &pairs, |_| Ok(backend.clone()))?;
//! println!("mean Pearson r {:?}", study.mean_metrics("model").0);
//! study.write_report("reports".as_ref(), "perturbation-study")?;
//!
//! // Mislabeled-sample QC: claimed labels against metadata prediction and markers.
//! let qc = LabelQcStudy::default().run(&backend, &samples)?;
//! println!("flagged: {:?}", qc.flagged());
//! qc.write_report("reports".as_ref(), "label-qc")?;
//! # Ok(()) }
//! ```

mod backend;
pub mod workflows;

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
