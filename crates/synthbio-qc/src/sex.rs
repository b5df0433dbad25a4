//! Model-free sex check from marker genes.
//!
//! **Rule.** With `CPM = count / library size x 1e6` (library size = the
//! sample's total count) and `L(g) = log2(CPM(g) + 1)`:
//!
//! - Y evidence: `y = mean of L over the Y markers present` ([`Y_MARKERS`]) and
//!   measured by the sample (a gene absent from the input, or an empty cell, is
//!   unmeasured, see [`Dataset::measured`], and is no evidence either way);
//!   male if `y >= y_male_min`, female if `y <= y_female_max`, else uncertain.
//! - XIST evidence: `xist = L(XIST)`; female if `xist >= xist_female_min`,
//!   male if `xist <= xist_male_max`, else uncertain.
//! - The call is male (female) when every piece of evidence present says male
//!   (female), and uncertain otherwise (a piece in its grey zone, or Y and XIST
//!   in conflict, as in XXY cells or a mixture of samples).
//!
//! Defaults: `y_male_min` 3 (CPM 7), `y_female_max` 1.5 (CPM 1.8),
//! `xist_female_min` 3, `xist_male_max` 1.5. Male cells express the Y markers
//! at tens to hundreds of CPM and female cells not at all (reads there are
//! mapping noise from X homologues), and the other way round for XIST. On the
//! GEUVADIS lymphoblastoid cells (`tests/data`), `y` spans 4.9 to 6.4 in the 44
//! males and 0.02 to 1.1 in the 41 females; those data have no XIST row.

use crate::error::{QcError, Result};
use crate::markers::{describe_all, Marker, XIST, Y_MARKERS};
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};
use synthbio_core::{Dataset, Measured};

/// Thresholds of the sex check (log2(CPM + 1) units) and where the labels are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SexCheckParams {
    /// Metadata column with the claimed sex (default `sex`); predicted sex is
    /// read from the classifier probabilities of that field, else from the
    /// `predicted_<field>` column that [`Dataset::with_predictions`] adds.
    pub field: String,
    /// Mean Y-marker level at or above which the Y evidence says male (default 3).
    pub y_male_min: f64,
    /// Mean Y-marker level at or below which the Y evidence says female (default 1.5).
    pub y_female_max: f64,
    /// XIST level at or above which the XIST evidence says female (default 3).
    pub xist_female_min: f64,
    /// XIST level at or below which the XIST evidence says male (default 1.5).
    pub xist_male_max: f64,
}

impl Default for SexCheckParams {
    fn default() -> Self {
        SexCheckParams {
            field: "sex".into(),
            y_male_min: 3.0,
            y_female_max: 1.5,
            xist_female_min: 3.0,
            xist_male_max: 1.5,
        }
    }
}

impl SexCheckParams {
    fn validate(&self) -> Result<()> {
        let pairs = [
            (
                "y_female_max < y_male_min",
                self.y_female_max,
                self.y_male_min,
            ),
            (
                "xist_male_max < xist_female_min",
                self.xist_male_max,
                self.xist_female_min,
            ),
        ];
        for (name, low, high) in pairs {
            if !(low.is_finite() && high.is_finite() && low >= 0.0 && low < high) {
                return Err(QcError::InvalidParam {
                    name,
                    message: format!(
                        "got {low} and {high}; both must be finite and >= 0, the first below the second \
                         (the gap between them is the uncertain zone)"
                    ),
                });
            }
        }
        Ok(())
    }
}

/// A sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Sex {
    /// Reads `male`/`m` or `female`/`f` (any case, surrounding spaces ignored);
    /// `None` for anything else.
    pub fn parse(label: &str) -> Option<Sex> {
        match label.trim().to_ascii_lowercase().as_str() {
            "male" | "m" => Some(Sex::Male),
            "female" | "f" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// What the markers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SexCall {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Not decided: grey zone or conflicting evidence.
    Uncertain,
}

impl SexCall {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SexCall::Male => "male",
            SexCall::Female => "female",
            SexCall::Uncertain => "uncertain",
        }
    }

    fn of(sex: Sex) -> SexCall {
        match sex {
            Sex::Male => SexCall::Male,
            Sex::Female => SexCall::Female,
        }
    }
}

/// How a label compares with the marker call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    /// The label is the sex called.
    Agrees,
    /// The label is the other sex.
    Disagrees,
    /// The markers did not decide.
    CallUncertain,
    /// No label given.
    NoLabel,
    /// A label that is neither male nor female.
    UnrecognizedLabel,
}

impl Agreement {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::Agrees => "agrees",
            Agreement::Disagrees => "disagrees",
            Agreement::CallUncertain => "call_uncertain",
            Agreement::NoLabel => "no_label",
            Agreement::UnrecognizedLabel => "unrecognized_label",
        }
    }

    /// Compares a label with a call.
    pub fn of(label: Option<&str>, call: SexCall) -> Agreement {
        let Some(label) = label.filter(|l| !l.trim().is_empty()) else {
            return Agreement::NoLabel;
        };
        match (Sex::parse(label), call) {
            (None, _) => Agreement::UnrecognizedLabel,
            (Some(_), SexCall::Uncertain) => Agreement::CallUncertain,
            (Some(sex), call) if SexCall::of(sex) == call => Agreement::Agrees,
            (Some(_), _) => Agreement::Disagrees,
        }
    }
}

/// The marker evidence of one sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SexEvidence {
    /// Mean log2(CPM + 1) of the Y markers present (`None` when none is).
    pub y_log2cpm: Option<f64>,
    /// log2(CPM + 1) of XIST (`None` when absent).
    pub xist_log2cpm: Option<f64>,
    /// What the Y markers say.
    pub y_vote: Option<SexCall>,
    /// What XIST says.
    pub xist_vote: Option<SexCall>,
    /// The call.
    pub call: SexCall,
}

/// Which markers were found, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkersFound {
    /// Y markers present, with their column.
    pub y: Vec<(Marker, usize)>,
    /// XIST's column, if present.
    pub xist: Option<usize>,
}

impl MarkersFound {
    /// Looks the markers up among gene ids (Ensembl ids, versioned or not, or symbols).
    pub fn locate(gene_ids: &[String]) -> Result<Self> {
        Self::locate_where(gene_ids, |_| true)
    }

    /// [`MarkersFound::locate`], keeping only the columns `keep` accepts (the
    /// markers some sample measured).
    pub fn locate_where(gene_ids: &[String], keep: impl Fn(usize) -> bool) -> Result<Self> {
        let y: Vec<_> = Y_MARKERS
            .iter()
            .filter_map(|m| m.find(gene_ids).filter(|&j| keep(j)).map(|j| (*m, j)))
            .collect();
        let xist = XIST.find(gene_ids).filter(|&j| keep(j));
        if y.is_empty() && xist.is_none() {
            return Err(QcError::NoMarkerGenes {
                looked_for: describe_all(),
            });
        }
        Ok(MarkersFound { y, xist })
    }

    /// The markers present as `SYMBOL (ENSG...)`.
    pub fn describe(&self) -> Vec<String> {
        self.xist
            .map(|_| XIST)
            .into_iter()
            .chain(self.y.iter().map(|(m, _)| *m))
            .map(|m| format!("{} ({})", m.symbol, m.ensembl_id))
            .collect()
    }
}

/// The marker evidence and call of every sample of a samples x genes count
/// matrix, with CPM over the given library sizes (usually each sample's total
/// count; pass them explicitly when the matrix holds only some genes).
pub fn sex_evidence(
    counts: ArrayView2<'_, u32>,
    gene_ids: &[String],
    sample_ids: &[String],
    library_sizes: &[u64],
    params: &SexCheckParams,
) -> Result<(MarkersFound, Vec<SexEvidence>)> {
    sex_evidence_measured(counts, gene_ids, sample_ids, library_sizes, None, params)
}

/// [`sex_evidence`] for samples that did not measure every gene: a marker a sample
/// did not measure (`measured`, samples x genes as in [`Dataset::measured`]) is not
/// evidence for it, so an unmeasured XIST never reads as "no XIST". A sample that
/// measured no marker is uncertain. Markers no sample measured are not "found".
pub fn sex_evidence_measured(
    counts: ArrayView2<'_, u32>,
    gene_ids: &[String],
    sample_ids: &[String],
    library_sizes: &[u64],
    measured: Option<&Measured>,
    params: &SexCheckParams,
) -> Result<(MarkersFound, Vec<SexEvidence>)> {
    params.validate()?;
    let (n, g) = counts.dim();
    for (what, expected, found) in [
        ("gene ids", g, gene_ids.len()),
        ("sample ids", n, sample_ids.len()),
        ("library sizes", n, library_sizes.len()),
    ] {
        if expected != found {
            return Err(QcError::Shape {
                what,
                expected,
                found,
            });
        }
    }
    if let Some(m) = measured {
        for (what, expected, found) in [
            ("measured-gene mask samples", n, m.n_samples()),
            ("measured-gene mask genes", g, m.n_genes()),
        ] {
            if expected != found {
                return Err(QcError::Shape {
                    what,
                    expected,
                    found,
                });
            }
        }
    }
    let is_measured = |i: usize, j: usize| measured.is_none_or(|m| m.is_measured(i, j));
    let any_sample = |j: usize| (0..n).any(|i| is_measured(i, j));
    let markers = MarkersFound::locate_where(gene_ids, any_sample)?;
    let evidence = (0..n)
        .map(|i| {
            let lib = library_sizes[i];
            if lib == 0 {
                return Err(QcError::EmptyLibrary {
                    sample_id: sample_ids[i].clone(),
                });
            }
            let level = |j: usize| (f64::from(counts[[i, j]]) / lib as f64 * 1e6 + 1.0).log2();
            let y: Vec<f64> = markers
                .y
                .iter()
                .filter(|&&(_, j)| is_measured(i, j))
                .map(|&(_, j)| level(j))
                .collect();
            let y_log2cpm = (!y.is_empty()).then(|| y.iter().sum::<f64>() / y.len() as f64);
            let xist_log2cpm = markers.xist.filter(|&j| is_measured(i, j)).map(level);
            Ok(decide(y_log2cpm, xist_log2cpm, params))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((markers, evidence))
}

/// Applies the rule of the module documentation.
pub fn decide(
    y_log2cpm: Option<f64>,
    xist_log2cpm: Option<f64>,
    params: &SexCheckParams,
) -> SexEvidence {
    let vote = |male: bool, female: bool| match (male, female) {
        (true, _) => SexCall::Male,
        (false, true) => SexCall::Female,
        (false, false) => SexCall::Uncertain,
    };
    let y_vote = y_log2cpm.map(|y| vote(y >= params.y_male_min, y <= params.y_female_max));
    let xist_vote =
        xist_log2cpm.map(|x| vote(x <= params.xist_male_max, x >= params.xist_female_min));
    let votes: Vec<SexCall> = y_vote.into_iter().chain(xist_vote).collect();
    let call = match votes.first() {
        Some(&first) if first != SexCall::Uncertain && votes.iter().all(|&v| v == first) => first,
        _ => SexCall::Uncertain,
    };
    SexEvidence {
        y_log2cpm,
        xist_log2cpm,
        y_vote,
        xist_vote,
        call,
    }
}

/// The sex check of one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SexCheckSample {
    /// Sample id.
    pub sample_id: String,
    /// Marker levels and the call.
    pub evidence: SexEvidence,
    /// The claimed sex, as given.
    pub claimed: Option<String>,
    /// Claimed vs called.
    pub claimed_agreement: Agreement,
    /// The predicted sex (metadata prediction), if any.
    pub predicted: Option<String>,
    /// Predicted vs called (`NoLabel` without a prediction).
    pub predicted_agreement: Agreement,
}

impl SexCheckSample {
    /// Flagged: the markers decided, and against the claimed sex.
    pub fn flagged(&self) -> bool {
        self.claimed_agreement == Agreement::Disagrees
    }
}

/// Result of the sex check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SexCheckReport {
    /// Thresholds used.
    pub params: SexCheckParams,
    /// Markers found, as `SYMBOL (ENSG...)`.
    pub markers_used: Vec<String>,
    /// Where the predicted sex came from (`classifier probabilities of "sex"`,
    /// `metadata column "predicted_sex"`), if anywhere.
    pub predicted_source: Option<String>,
    /// One entry per sample, in dataset order.
    pub samples: Vec<SexCheckSample>,
}

impl SexCheckReport {
    /// Flagged samples, in dataset order.
    pub fn flagged(&self) -> Vec<&SexCheckSample> {
        self.samples.iter().filter(|s| s.flagged()).collect()
    }

    /// Number of samples called male, female and uncertain.
    pub fn call_counts(&self) -> [usize; 3] {
        let count = |c| self.samples.iter().filter(|s| s.evidence.call == c).count();
        [
            count(SexCall::Male),
            count(SexCall::Female),
            count(SexCall::Uncertain),
        ]
    }
}

/// Runs the sex check on a dataset (CPM over each sample's total count), each sample
/// from the markers it measured ([`Dataset::measured`]).
pub fn check_sex(data: &Dataset, params: &SexCheckParams) -> Result<SexCheckReport> {
    let (markers, evidence) = sex_evidence_measured(
        data.counts(),
        data.gene_ids(),
        data.sample_ids(),
        &data.library_sizes(),
        data.measured(),
        params,
    )?;
    let claimed = data.metadata().column(&params.field);
    let predicted_column = format!("predicted_{}", params.field);
    let (predicted, predicted_source): (Vec<Option<String>>, _) =
        if let Some(p) = data.classifier_probs().get(&params.field) {
            (
                (0..data.n_samples())
                    .map(|i| p.argmax(i).map(|(c, _)| c.to_string()))
                    .collect(),
                Some(format!("classifier probabilities of {:?}", params.field)),
            )
        } else if let Some(col) = data.metadata().column(&predicted_column) {
            (
                col.to_vec(),
                Some(format!("metadata column {predicted_column:?}")),
            )
        } else {
            (vec![None; data.n_samples()], None)
        };
    let samples = evidence
        .into_iter()
        .enumerate()
        .map(|(i, evidence)| {
            let claimed = claimed.and_then(|c| c[i].clone());
            let predicted = predicted[i].clone();
            SexCheckSample {
                sample_id: data.sample_ids()[i].clone(),
                claimed_agreement: Agreement::of(claimed.as_deref(), evidence.call),
                predicted_agreement: Agreement::of(predicted.as_deref(), evidence.call),
                evidence,
                claimed,
                predicted,
            }
        })
        .collect();
    Ok(SexCheckReport {
        params: params.clone(),
        markers_used: markers.describe(),
        predicted_source,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_combine_conservatively() {
        let p = SexCheckParams::default();
        let call = |y, x| decide(y, x, &p).call;
        assert_eq!(call(Some(5.0), Some(0.2)), SexCall::Male);
        assert_eq!(call(Some(0.1), Some(7.0)), SexCall::Female);
        assert_eq!(call(Some(5.0), None), SexCall::Male);
        assert_eq!(call(None, Some(7.0)), SexCall::Female);
        // Conflict (XXY-like) and grey zones are uncertain.
        assert_eq!(call(Some(5.0), Some(7.0)), SexCall::Uncertain);
        assert_eq!(call(Some(2.0), None), SexCall::Uncertain);
        assert_eq!(call(Some(5.0), Some(2.0)), SexCall::Uncertain);
        // Thresholds are inclusive.
        assert_eq!(call(Some(3.0), Some(1.5)), SexCall::Male);
        assert_eq!(call(Some(1.5), Some(3.0)), SexCall::Female);
        assert_eq!(call(None, None), SexCall::Uncertain);
    }

    #[test]
    fn labels_compare_with_calls() {
        assert_eq!(
            Agreement::of(Some("Male"), SexCall::Male),
            Agreement::Agrees
        );
        assert_eq!(
            Agreement::of(Some("f"), SexCall::Male),
            Agreement::Disagrees
        );
        assert_eq!(
            Agreement::of(Some("female"), SexCall::Uncertain),
            Agreement::CallUncertain
        );
        assert_eq!(
            Agreement::of(Some("unknown"), SexCall::Male),
            Agreement::UnrecognizedLabel
        );
        assert_eq!(Agreement::of(Some(" "), SexCall::Male), Agreement::NoLabel);
        assert_eq!(Agreement::of(None, SexCall::Female), Agreement::NoLabel);
    }

    #[test]
    fn bad_thresholds_are_refused() {
        let p = SexCheckParams {
            y_female_max: 4.0,
            ..SexCheckParams::default()
        };
        assert!(matches!(
            p.validate(),
            Err(QcError::InvalidParam {
                name: "y_female_max < y_male_min",
                ..
            })
        ));
        let p = SexCheckParams {
            xist_female_min: f64::NAN,
            ..SexCheckParams::default()
        };
        assert!(p.validate().is_err());
    }
}
