//! The perturbation benchmark study: how well reference conditioning predicts
//! the effect of a perturbation on donors it never saw.
//!
//! [`settings`] holds what a study is, [`pairs`] how its held-out pairs are
//! found, [`run`] the queries, [`score`] the comparison with the observed
//! effects and baselines, and [`report`] its prose and figures.

mod pairs;
mod report;
mod run;
mod score;
mod settings;

pub use pairs::donor_pairs;
pub use score::{
    DeAgreement, MeanFoldChanges, MeanMetrics, PerturbationStudyResult, Scored, UnitResult,
};
pub use settings::{HeldOutPair, PerturbationStudy};
