//! Model-based label QC: claimed metadata that the metadata-prediction
//! classifier finds unlikely.
//!
//! For a sample and field with claimed label `c`, predicted (most probable)
//! label `m`, and probabilities `p(m) >= p(c)`:
//!
//! - **score** `= ln(p(m) / p(c))`, with both probabilities floored at
//!   [`LabelCheckParams::prob_floor`] so it stays finite; 0 when the claimed
//!   label is the predicted one. It ranks suspects: higher is more suspect;
//!   `ln 10` means the model finds the predicted label 10 times as likely.
//! - **flagged** when `score >= min_log_ratio` and `p(c) <= max_claimed_prob`.
//! - A claimed label that is not one of the classifier's classes is reported
//!   as [`LabelStatus::UnknownToModel`], never scored.
//!
//! Claimed labels match classes exactly, else ignoring ASCII case when that
//! match is unique (`Female` matches `female`).

use crate::error::{QcError, Result};
use serde::{Deserialize, Serialize};
use synthbio_core::{ClassProbabilities, Dataset};

/// Thresholds of the label check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelCheckParams {
    /// Fields to check; empty (default) checks every field that has both
    /// classifier probabilities and a claimed metadata column.
    pub fields: Vec<String>,
    /// Flag when `ln(p(predicted) / p(claimed))` is at least this (default
    /// `ln 10` = 2.302585: the predicted label is at least 10 times as likely).
    pub min_log_ratio: f64,
    /// ... and the claimed label's probability is at most this (default 0.1).
    pub max_claimed_prob: f64,
    /// Probabilities below this are raised to it before taking logs (default 1e-12).
    pub prob_floor: f64,
}

impl Default for LabelCheckParams {
    fn default() -> Self {
        LabelCheckParams {
            fields: Vec::new(),
            min_log_ratio: std::f64::consts::LN_10,
            max_claimed_prob: 0.1,
            prob_floor: 1e-12,
        }
    }
}

impl LabelCheckParams {
    fn validate(&self) -> Result<()> {
        let bad = |name, message: String| Err(QcError::InvalidParam { name, message });
        if !(self.min_log_ratio >= 0.0 && self.min_log_ratio.is_finite()) {
            return bad(
                "min_log_ratio",
                format!(
                    "{} must be finite and >= 0 (default ln 10)",
                    self.min_log_ratio
                ),
            );
        }
        if !(0.0..=1.0).contains(&self.max_claimed_prob) {
            return bad(
                "max_claimed_prob",
                format!("{} must be in [0, 1] (default 0.1)", self.max_claimed_prob),
            );
        }
        if !(self.prob_floor > 0.0 && self.prob_floor < 1.0) {
            return bad(
                "prob_floor",
                format!("{} must be in (0, 1) (default 1e-12)", self.prob_floor),
            );
        }
        Ok(())
    }
}

/// What the check concluded for one sample and field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelStatus {
    /// The model does not find the claimed label unlikely.
    Consistent,
    /// The model finds the claimed label unlikely (flagged).
    Suspect,
    /// The claimed label is not one of the classifier's classes: not scored.
    UnknownToModel,
}

impl LabelStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            LabelStatus::Consistent => "consistent",
            LabelStatus::Suspect => "suspect",
            LabelStatus::UnknownToModel => "unknown_to_model",
        }
    }
}

/// The check of one sample's claimed label for one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelCheck {
    /// Sample position in the dataset.
    pub sample: usize,
    /// Sample id.
    pub sample_id: String,
    /// Metadata field.
    pub field: String,
    /// The claimed label, as given.
    pub claimed: String,
    /// Probability of the claimed label (`None` when the model does not know it).
    pub p_claimed: Option<f64>,
    /// The most probable label.
    pub predicted: String,
    /// Its probability.
    pub p_predicted: f64,
    /// `ln(p_predicted / p_claimed)` with the floor applied (`None` when not scored).
    pub score: Option<f64>,
    /// The conclusion.
    pub status: LabelStatus,
}

/// Summary of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSummary {
    /// The field.
    pub field: String,
    /// Samples with a claimed label.
    pub n_labeled: usize,
    /// Samples without one (not checked).
    pub n_unlabeled: usize,
    /// Samples flagged.
    pub n_suspect: usize,
    /// Samples whose claimed label the model does not know.
    pub n_unknown_to_model: usize,
    /// Claimed labels unknown to the model, each once.
    pub unknown_labels: Vec<String>,
}

/// Result of the label check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelReport {
    /// Thresholds used.
    pub params: LabelCheckParams,
    /// One entry per sample and field with a claimed label, field by field in sample order.
    pub checks: Vec<LabelCheck>,
    /// One entry per field checked.
    pub fields: Vec<FieldSummary>,
}

impl LabelReport {
    /// Flagged checks, most suspect first (ties in sample order).
    pub fn suspects(&self) -> Vec<&LabelCheck> {
        let mut s: Vec<_> = self
            .checks
            .iter()
            .filter(|c| c.status == LabelStatus::Suspect)
            .collect();
        s.sort_by(|a, b| b.score.unwrap_or(0.0).total_cmp(&a.score.unwrap_or(0.0)));
        s
    }
}

/// Checks the claimed metadata of `data` against its classifier probabilities
/// (a dataset with predictions attached by [`Dataset::with_predictions`]).
pub fn check_labels(data: &Dataset, params: &LabelCheckParams) -> Result<LabelReport> {
    params.validate()?;
    let probs = data.classifier_probs();
    if probs.is_empty() {
        return Err(QcError::NoPredictions);
    }
    let fields: Vec<String> = if params.fields.is_empty() {
        let found: Vec<String> = probs
            .keys()
            .filter(|k| data.metadata().column(k).is_some())
            .cloned()
            .collect();
        if found.is_empty() {
            return Err(QcError::NoCheckableFields {
                claimed: data.metadata().keys().map(String::from).collect(),
                predicted: probs.keys().cloned().collect(),
            });
        }
        found
    } else {
        params.fields.clone()
    };
    let mut checks = Vec::new();
    let mut summaries = Vec::new();
    for field in &fields {
        let p = probs
            .get(field)
            .ok_or_else(|| QcError::NoProbabilitiesForField {
                field: field.clone(),
                available: probs.keys().cloned().collect(),
            })?;
        let claimed = data
            .metadata()
            .column(field)
            .ok_or_else(|| QcError::NoClaimedLabels {
                field: field.clone(),
            })?;
        let (field_checks, summary) = check_field(field, claimed, p, data.sample_ids(), params)?;
        checks.extend(field_checks);
        summaries.push(summary);
    }
    Ok(LabelReport {
        params: params.clone(),
        checks,
        fields: summaries,
    })
}

/// Checks one field: claimed labels (one per sample, `None` = not given)
/// against a samples x classes probability matrix.
pub fn check_field(
    field: &str,
    claimed: &[Option<String>],
    probs: &ClassProbabilities,
    sample_ids: &[String],
    params: &LabelCheckParams,
) -> Result<(Vec<LabelCheck>, FieldSummary)> {
    params.validate()?;
    let n = probs.probs.nrows();
    for (what, found) in [
        ("claimed labels", claimed.len()),
        ("sample ids", sample_ids.len()),
    ] {
        if found != n {
            return Err(QcError::Shape {
                what,
                expected: n,
                found,
            });
        }
    }
    if probs.classes.len() != probs.probs.ncols() {
        return Err(QcError::Shape {
            what: "classes",
            expected: probs.probs.ncols(),
            found: probs.classes.len(),
        });
    }
    let mut checks = Vec::new();
    let mut summary = FieldSummary {
        field: field.to_string(),
        n_labeled: 0,
        n_unlabeled: 0,
        n_suspect: 0,
        n_unknown_to_model: 0,
        unknown_labels: Vec::new(),
    };
    for (i, label) in claimed.iter().enumerate() {
        let Some(label) = label.as_deref().filter(|l| !l.trim().is_empty()) else {
            summary.n_unlabeled += 1;
            continue;
        };
        summary.n_labeled += 1;
        let row = probs.probs.row(i);
        let sum: f64 = row.sum();
        if row.iter().any(|p| !(0.0..=1.0).contains(p)) || (sum - 1.0).abs() > 1e-6 {
            return Err(QcError::BadProbabilities {
                field: field.to_string(),
                sample: i,
                sum,
            });
        }
        // No class at all: the row sum (0) was refused above; kept as an error, not a panic.
        let (predicted, p_predicted) = probs.argmax(i).ok_or(QcError::BadProbabilities {
            field: field.to_string(),
            sample: i,
            sum,
        })?;
        let (p_claimed, score, status) = match match_class(&probs.classes, label) {
            None => {
                summary.n_unknown_to_model += 1;
                if !summary.unknown_labels.iter().any(|l| l == label) {
                    summary.unknown_labels.push(label.to_string());
                }
                (None, None, LabelStatus::UnknownToModel)
            }
            Some(j) => {
                let pc = probs.probs[[i, j]];
                let floor = params.prob_floor;
                let score = p_predicted.max(floor).ln() - pc.max(floor).ln();
                let suspect = score >= params.min_log_ratio && pc <= params.max_claimed_prob;
                if suspect {
                    summary.n_suspect += 1;
                }
                let status = if suspect {
                    LabelStatus::Suspect
                } else {
                    LabelStatus::Consistent
                };
                (Some(pc), Some(score), status)
            }
        };
        checks.push(LabelCheck {
            sample: i,
            sample_id: sample_ids[i].clone(),
            field: field.to_string(),
            claimed: label.to_string(),
            p_claimed,
            predicted: predicted.to_string(),
            p_predicted,
            score,
            status,
        });
    }
    Ok((checks, summary))
}

/// The class a claimed label names: exact match, else a unique ASCII
/// case-insensitive match.
fn match_class(classes: &[String], label: &str) -> Option<usize> {
    let label = label.trim();
    if let Some(j) = classes.iter().position(|c| c == label) {
        return Some(j);
    }
    let mut folded = classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.eq_ignore_ascii_case(label));
    match (folded.next(), folded.next()) {
        (Some((j, _)), None) => Some(j),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_exactly_then_ignoring_case() {
        let classes = vec!["female".to_string(), "male".to_string()];
        assert_eq!(match_class(&classes, "male"), Some(1));
        assert_eq!(match_class(&classes, "Female"), Some(0));
        assert_eq!(match_class(&classes, "unknown"), None);
        let ambiguous = vec!["A".to_string(), "a".to_string()];
        assert_eq!(match_class(&ambiguous, "a"), Some(1));
        assert_eq!(match_class(&ambiguous, "A"), Some(0));
        assert_eq!(match_class(&ambiguous, " a "), Some(1));
        let ambiguous = vec!["Ab".to_string(), "aB".to_string()];
        assert_eq!(match_class(&ambiguous, "ab"), None);
    }
}
