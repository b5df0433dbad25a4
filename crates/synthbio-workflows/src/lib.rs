//! The two studies users come for, as library functions on any
//! [`Predictor`](synthbio_core::Predictor) (the local engine, the hosted
//! service, a self-hosted server):
//!
//! - [`PerturbationStudy`]: reference conditioning of real reference samples,
//!   fold changes and differential expression of the generated replicates,
//!   scored against the observed effects of held-out donors and the no-change
//!   and mean-effect baselines;
//! - [`Sweep`]: every perturbation of a training set held out by donor or cell
//!   type ([`CellStudy`] for single cells), one table with the baselines;
//! - [`LabelQcStudy`]: metadata prediction on real samples with claimed labels,
//!   the label-mismatch and marker-gene sex checks, and PCA of the latents.
//!
//! Each result renders itself as report sections ([`synthbio_core::ReportSection`])
//! and writes a self-contained HTML report with TSV tables.
//!
//! ```
//! use synthbio_workflows::{HeldOutPair, PerturbationStudy};
//! use synthbio_core::metadata;
//!
//! let study = PerturbationStudy::new(metadata([("perturbation_type", "compound")]));
//! assert_eq!(study.model.as_str(), "gem-1-bulk_reference-conditioning");
//! // A study needs held-out pairs: an empty list is refused before any query runs.
//! # let data = synthbio_core::Dataset::new(ndarray::Array2::zeros((1, 1)), vec!["g".into()], vec!["s".into()])?;
//! let err = study.run(&data, &[], |_: &HeldOutPair| unreachable!()).unwrap_err();
//! assert!(err.to_string().contains("no held-out pairs"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod encode;
mod error;
mod label_qc;
mod perturbation;
mod report;
mod sweep;

pub use encode::align_to_model;
pub use error::WorkflowError;
pub use label_qc::{LabelQcResult, LabelQcStudy, Suspect};
pub use perturbation::{
    donor_pairs, lower_is_better, pairs_for, perturbation_label, perturbations_of, DeAgreement,
    HeldOutPair, MeanFoldChanges, MeanMetrics, MetricSet, PerturbationStudy,
    PerturbationStudyResult, Scored, UnitResult, METRICS, PREDICTORS,
};
pub use sweep::{
    cells_to_score, CellStudy, ContextScores, MetricValues, Sweep, SweptPerturbation,
    SWEEP_PREDICTORS,
};
