//! The `qc` analysis: both checks over one dataset.

use crate::error::{QcError, Result};
use crate::labels::{check_labels, LabelCheckParams, LabelReport};
use crate::sex::{check_sex, SexCheckParams, SexCheckReport};
use serde::{Deserialize, Serialize};
use synthbio_core::{Analysis, Dataset};

/// Parameters of the `qc` analysis.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QcParams {
    /// The model-based label check (on by default).
    pub labels: LabelCheckParams,
    /// The marker-based sex check (on by default).
    pub sex: SexCheckParams,
    /// Turn the label check off (default `false`).
    pub skip_labels: bool,
    /// Turn the sex check off (default `false`).
    pub skip_sex: bool,
}

/// Whether a check ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome<T> {
    /// It ran.
    Ran(T),
    /// It could not run on this dataset, and why (the message of the error a
    /// plain call would have returned).
    Skipped(String),
    /// Turned off by the parameters.
    Off,
}

impl<T> Outcome<T> {
    /// The result, if the check ran.
    pub fn ran(&self) -> Option<&T> {
        match self {
            Outcome::Ran(t) => Some(t),
            _ => None,
        }
    }
}

/// Result of the `qc` analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QcOutput {
    /// The model-based label check.
    pub labels: Outcome<LabelReport>,
    /// The marker-based sex check.
    pub sex: Outcome<SexCheckReport>,
}

/// The `qc` analysis.
///
/// A check whose input is missing from the dataset (no classifier
/// probabilities, no field with both claimed labels and probabilities, no
/// marker gene) is reported as [`Outcome::Skipped`] with the reason, which the
/// report shows; when no check runs at all, that is an error. Any other
/// problem (bad parameters, malformed probabilities, an empty library, a field
/// asked for by name that is missing) is an error.
#[derive(Debug, Clone, Copy, Default)]
pub struct Qc;

impl Analysis for Qc {
    type Params = QcParams;
    type Output = QcOutput;
    type Error = QcError;

    fn name(&self) -> &'static str {
        "qc"
    }

    fn description(&self) -> &'static str {
        "Sample QC: claimed labels the metadata classifier finds unlikely, and a marker-gene sex check"
    }

    fn run(&self, data: &Dataset, params: &QcParams) -> Result<QcOutput> {
        let labels = if params.skip_labels {
            Outcome::Off
        } else {
            soften(check_labels(data, &params.labels))?
        };
        let sex = if params.skip_sex {
            Outcome::Off
        } else {
            soften(check_sex(data, &params.sex))?
        };
        let reasons: Vec<String> = [
            ("label check", outcome_reason(&labels)),
            ("sex check", outcome_reason(&sex)),
        ]
        .into_iter()
        .filter_map(|(name, reason)| reason.map(|r| format!("{name}: {r}")))
        .collect();
        if reasons.len() == 2 {
            return Err(QcError::NothingToCheck(reasons.join("; ")));
        }
        Ok(QcOutput { labels, sex })
    }
}

/// Missing inputs become `Skipped`; other errors stay errors.
fn soften<T>(result: Result<T>) -> Result<Outcome<T>> {
    match result {
        Ok(t) => Ok(Outcome::Ran(t)),
        Err(
            e @ (QcError::NoPredictions
            | QcError::NoCheckableFields { .. }
            | QcError::NoMarkerGenes { .. }),
        ) => Ok(Outcome::Skipped(e.to_string())),
        Err(e) => Err(e),
    }
}

fn outcome_reason<T>(o: &Outcome<T>) -> Option<String> {
    match o {
        Outcome::Ran(_) => None,
        Outcome::Skipped(reason) => Some(reason.clone()),
        Outcome::Off => Some("turned off".into()),
    }
}
