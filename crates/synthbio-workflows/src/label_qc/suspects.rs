//! The table of suspects: every sample, most suspect first.

use super::LabelQcResult;
use synthbio_core::{Cell, Table};
use synthbio_qc::{Agreement, LabelStatus};

/// One sample's line in the table of suspects.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    /// Sample id.
    pub sample_id: String,
    /// Fields whose claimed label the classifier finds unlikely, as
    /// `field: claimed -> predicted`.
    pub label_flags: Vec<String>,
    /// Highest label score of the sample, `ln(p(predicted) / p(claimed))` (0 if none).
    pub max_score: f64,
    /// The marker genes contradict the claimed sex.
    pub marker_flag: bool,
}

impl Suspect {
    /// Checks that flag the sample (0, 1 or 2).
    pub fn n_checks(&self) -> usize {
        usize::from(!self.label_flags.is_empty()) + usize::from(self.marker_flag)
    }
}

impl LabelQcResult {
    /// Every sample, most suspect first: by the number of checks that flag it,
    /// then a marker-gene disagreement before a classifier flag, then by its
    /// highest label score (ties in sample order).
    pub fn suspects(&self) -> Vec<Suspect> {
        let mut out: Vec<Suspect> = self
            .data
            .sample_ids()
            .iter()
            .map(|id| Suspect {
                sample_id: id.clone(),
                label_flags: Vec::new(),
                max_score: 0.0,
                marker_flag: false,
            })
            .collect();
        if let Some(labels) = self.qc.labels.ran() {
            for c in &labels.checks {
                let s = &mut out[c.sample];
                s.max_score = s.max_score.max(c.score.unwrap_or(0.0));
                if c.status == LabelStatus::Suspect {
                    s.label_flags
                        .push(format!("{}: {} -> {}", c.field, c.claimed, c.predicted));
                }
            }
        }
        if let Some(sex) = self.qc.sex.ran() {
            for (s, check) in out.iter_mut().zip(&sex.samples) {
                s.marker_flag = check.claimed_agreement == Agreement::Disagrees;
            }
        }
        // Among samples flagged by as many checks, the marker genes' direct
        // evidence of sex comes before a classifier's probabilistic call.
        out.sort_by(|a, b| {
            b.n_checks()
                .cmp(&a.n_checks())
                .then(b.marker_flag.cmp(&a.marker_flag))
                .then(b.max_score.total_cmp(&a.max_score))
        });
        out
    }

    /// Ids of the samples flagged by at least one check, most suspect first.
    pub fn flagged(&self) -> Vec<String> {
        self.suspects()
            .into_iter()
            .filter(|s| s.n_checks() > 0)
            .map(|s| s.sample_id)
            .collect()
    }

    /// The table of suspects, one row per sample, most suspect first.
    pub fn suspects_table(&self) -> Table {
        let sex = self.qc.sex.ran();
        let mut table = Table::new([
            "sample_id",
            "checks_flagging",
            "label_flags",
            "max_label_score",
            "claimed_sex",
            "predicted_sex",
            "marker_call",
            "marker_vs_claimed",
        ]);
        for s in self.suspects() {
            let i = self.data.sample_position(&s.sample_id).unwrap_or(0);
            let meta =
                |key: &str| -> Cell { self.data.metadata().get(i, key).map(str::to_string).into() };
            let marker = sex.and_then(|r| r.samples.get(i));
            table.push(vec![
                s.sample_id.as_str().into(),
                s.n_checks().into(),
                s.label_flags.join("; ").into(),
                s.max_score.into(),
                meta("sex"),
                meta("predicted_sex"),
                marker.map(|m| m.evidence.call.as_str().to_string()).into(),
                marker
                    .map(|m| m.claimed_agreement.as_str().to_string())
                    .into(),
            ]);
        }
        table
    }
}
