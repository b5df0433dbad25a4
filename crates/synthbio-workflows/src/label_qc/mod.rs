//! The mislabeled-sample QC study: do the claimed labels agree with what the
//! expression says?

use super::{write_sections, WorkflowError};
use crate::Backend;
use synthbio_core::{
    check_same_gene_order, Analysis, Cell, Dataset, Figure, ModelId, Query, Report, ReportSection,
    Table,
};
use synthbio_pca::{Pca, PcaOutput, PcaParams};
use synthbio_qc::{Agreement, LabelStatus, Qc, QcOutput, QcParams};
use synthbio_report::ReportFiles;

/// Settings of a label QC study; `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelQcStudy {
    /// The metadata prediction model (default `gem-1-bulk_predict-metadata`).
    pub model: ModelId,
    /// Thresholds of both checks (defaults of [`QcParams`]).
    pub qc: QcParams,
    /// PCA of the latents (default: all blocks joined, coloured by claimed `sex`).
    pub pca: PcaParams,
    /// Seed of the metadata prediction query (default 42).
    pub seed: u64,
    /// The genes the samples measured, when they come from a reduced panel
    /// (default `None`: all). The marker check ignores the others, so that an
    /// unmeasured XIST does not read as "no XIST". The model still sees every
    /// gene, as the protocol sends them.
    pub measured_genes: Option<Vec<String>>,
}

impl Default for LabelQcStudy {
    fn default() -> Self {
        LabelQcStudy {
            model: ModelId::from("gem-1-bulk_predict-metadata"),
            qc: QcParams::default(),
            pca: PcaParams {
                color_by: Some("sex".into()),
                ..PcaParams::default()
            },
            seed: 42,
            measured_genes: None,
        }
    }
}

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

/// The findings of a [`LabelQcStudy`].
#[derive(Debug, Clone, PartialEq)]
pub struct LabelQcResult {
    /// The settings.
    pub study: LabelQcStudy,
    /// Where the metadata prediction ran.
    pub backend: String,
    /// The samples with their claimed metadata and the predictions attached
    /// (probabilities, latents, `predicted_<field>` columns).
    pub data: Dataset,
    /// Both checks.
    pub qc: QcOutput,
    /// PCA of the latents.
    pub pca: PcaOutput,
}

impl LabelQcStudy {
    /// Runs metadata prediction on the samples of `data` (raw counts in the
    /// model's gene order, claimed labels as metadata), then the label and
    /// marker checks and the PCA of the latents.
    pub fn run(&self, backend: &Backend, data: &Dataset) -> Result<LabelQcResult, WorkflowError> {
        if data.n_samples() < 2 {
            return Err(WorkflowError::Design(format!(
                "QC needs at least 2 samples to compare (got {}); give more samples",
                data.n_samples()
            )));
        }
        let counts = (0..data.n_samples()).map(|i| {
            data.sample_counts(i)
                .iter()
                .map(|&c| f64::from(c))
                .collect::<Vec<_>>()
        });
        let query = Query::metadata_prediction(counts).with_seed(self.seed);
        let predicted = backend.predict(&self.model, &query)?;
        check_same_gene_order(predicted.gene_ids(), data.gene_ids())?;
        let merged = data.clone().with_predictions(&predicted)?;
        let qc = match &self.measured_genes {
            Some(genes) => Qc.run(&merged.select_genes(genes)?, &self.qc)?,
            None => Qc.run(&merged, &self.qc)?,
        };
        let pca = Pca.run(&merged, &self.pca)?;
        Ok(LabelQcResult {
            study: self.clone(),
            backend: backend.describe(),
            data: merged,
            qc,
            pca,
        })
    }
}

impl LabelQcResult {
    /// Every sample, most suspect first: by the number of checks that flag it,
    /// then by its highest label score (ties in sample order).
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
        out.sort_by(|a, b| {
            b.n_checks()
                .cmp(&a.n_checks())
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

    /// The report sections: summary with the table of suspects, both checks,
    /// and the PCA of the latents with the flagged samples outlined.
    pub fn sections(&self) -> Vec<ReportSection> {
        let flagged = self.flagged();
        let both = self.suspects().iter().filter(|s| s.n_checks() == 2).count();
        let summary = ReportSection {
            title: "Suspects".into(),
            paragraphs: vec![
                format!(
                    "{} samples checked with {} on {}; {} flagged by at least one check, {} by both the classifier and the marker genes.",
                    self.data.n_samples(),
                    self.study.model,
                    self.backend,
                    flagged.len(),
                    both
                ),
                "Samples are sorted by suspicion: first by how many independent checks flag them, then by the label score ln(p(predicted) / p(claimed)).".into(),
            ],
            tables: vec![("Samples sorted by suspicion".into(), self.suspects_table())],
            figures: vec![],
        };
        let mut pca = self.pca.section();
        let marked: Vec<bool> = self
            .pca
            .sample_ids
            .iter()
            .map(|id| flagged.contains(id))
            .collect();
        for figure in &mut pca.figures {
            if let Figure::Scatter { marked: m, .. } = figure {
                m.clone_from(&marked);
            }
        }
        pca.paragraphs.push(format!(
            "The {} flagged samples are outlined.",
            flagged.len()
        ));
        vec![summary, self.qc.section(), pca]
    }

    /// Writes `<name>.html` and its TSV tables into `dir`.
    pub fn write_report(
        &self,
        dir: &std::path::Path,
        name: &str,
    ) -> Result<ReportFiles, WorkflowError> {
        let flagged = self.flagged();
        let intro = vec![format!(
            "{} of {} samples have claimed labels that the expression contradicts{}.",
            flagged.len(),
            self.data.n_samples(),
            if flagged.is_empty() {
                String::new()
            } else {
                format!(
                    " (most suspect first: {})",
                    flagged
                        .iter()
                        .take(10)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )];
        write_sections(
            dir,
            name,
            "Mislabeled-sample QC",
            &format!("{} · {}", self.study.model, self.backend),
            &intro,
            &self.sections(),
        )
    }
}
