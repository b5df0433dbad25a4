//! The QC report: suspects, both checks, PCA with the flagged samples outlined.

use super::LabelQcResult;
use crate::report::write_sections;
use crate::WorkflowError;
use synthbio_core::{Figure, Report, ReportSection};
use synthbio_report::ReportFiles;

impl LabelQcResult {
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
                "Samples are sorted by suspicion: first by how many independent checks flag them, then the marker genes' disagreement (direct evidence) before a classifier flag, then by the label score ln(p(predicted) / p(claimed)).".into(),
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
