//! The perturbation benchmark study: how well reference conditioning predicts
//! the effect of a perturbation on donors it never saw.
//!
//! [`settings`] holds what a study is, [`pairs`] how its held-out pairs are
//! found, [`run`] the queries and DE, [`score`] the fold-change comparison with
//! the observed effects and baselines, [`profiles`] and [`metric_set`] the
//! synthbio-benchmark metric set, and [`report`] its prose and figures.

mod donors;
mod metric_report;
mod metric_set;
mod pairs;
mod profiles;
mod report;
mod run;
mod score;
mod settings;

pub use metric_set::{lower_is_better, MetricSet, METRICS, PREDICTORS};
pub use pairs::{donor_pairs, pairs_for, perturbation_label, perturbation_of, perturbations_of};
pub use score::{
    DeAgreement, MeanFoldChanges, MeanMetrics, PerturbationStudyResult, Scored, UnitResult,
};
pub use settings::{HeldOutPair, PerturbationStudy};
