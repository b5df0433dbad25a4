//! The sweep as a report: per perturbation, the means beside the baselines, the
//! per-context values of the headline metrics, and figures of both.

use super::table::{Sweep, SweptPerturbation, SWEEP_PREDICTORS};
use crate::report::{fmt, write_sections};
use crate::WorkflowError;
use std::path::Path;
use synthbio_benchmark::Best;
use synthbio_core::{Cell, Figure, ReportSection, Table};
use synthbio_report::ReportFiles;

/// Metrics shown per context and drawn: the effect's correlation, its error, the
/// direction of changed genes, and (for cells) DE recovery and its ranking.
const HEADLINE: [&str; 5] = [
    "pearson_delta",
    "mse",
    "direction_nonzero",
    "overlap_at_N",
    "roc_auc",
];

fn better(best: Best) -> &'static str {
    match best {
        Best::Zero => "lower",
        Best::One => "higher",
        Best::None => "(a count)",
    }
}

impl SweptPerturbation {
    /// One row per metric: which way is better, then each predictor's mean.
    pub fn means_table(&self) -> Table {
        let mut t = Table::new(["metric", "better"].into_iter().chain(SWEEP_PREDICTORS));
        for m in self.means() {
            let mut row: Vec<Cell> = vec![m.metric.as_str().into(), better(m.best).into()];
            row.extend(m.values.iter().map(|v| Cell::from(*v)));
            t.push(row);
        }
        t
    }

    /// One row per context and headline metric, each predictor's value.
    pub fn contexts_table(&self) -> Table {
        let head = [self.held_out_by.as_str(), "metric"];
        let mut t = Table::new(head.into_iter().chain(SWEEP_PREDICTORS));
        for c in &self.contexts {
            for m in c
                .metrics
                .iter()
                .filter(|m| HEADLINE.contains(&m.metric.as_str()))
            {
                let mut row: Vec<Cell> = vec![c.context.as_str().into(), m.metric.as_str().into()];
                row.extend(m.values.iter().map(|v| Cell::from(*v)));
                t.push(row);
            }
        }
        t
    }

    /// The model's minus the other contexts' value of `metric`, per context.
    fn gap(&self, metric: &str) -> Option<Figure> {
        let (labels, values): (Vec<String>, Vec<f64>) = self
            .contexts
            .iter()
            .filter_map(|c| Some((c.context.clone(), c.value(metric, 0)? - c.value(metric, 3)?)))
            .unzip();
        (!values.is_empty()).then(|| Figure::Bar {
            title: format!(
                "{}: model minus the other-contexts baseline, {metric} per held-out {}",
                self.perturbation, self.held_out_by
            ),
            y_label: format!("difference in {metric}"),
            labels,
            values,
        })
    }

    /// The section of this perturbation.
    fn section(&self, notes: &[String]) -> ReportSection {
        let means = self.means();
        let mean = |metric: &str, p: usize| {
            fmt(means
                .iter()
                .find(|m| m.metric == metric)
                .and_then(|m| m.values[p]))
        };
        let mut paragraphs = vec![format!(
            "{} on {}, each of {} values of {} held out of the model in turn. Mean pearson_delta: model {}, other contexts {}, split halves {}; mean mse: model {}, no change {}, other contexts {}, split halves {}.",
            self.perturbation,
            self.model,
            self.contexts.len(),
            self.held_out_by,
            mean("pearson_delta", 0),
            mean("pearson_delta", 3),
            mean("pearson_delta", 4),
            mean("mse", 0),
            mean("mse", 1),
            mean("mse", 3),
            mean("mse", 4),
        )];
        paragraphs.extend(
            notes
                .iter()
                .filter(|n| n.starts_with(self.perturbation.as_str()))
                .map(|n| format!("Note: {n}.")),
        );
        ReportSection {
            title: format!("{} held out by {}", self.perturbation, self.held_out_by),
            paragraphs,
            tables: vec![
                (
                    format!(
                        "{}: every metric, mean over held-out contexts",
                        self.perturbation
                    ),
                    self.means_table(),
                ),
                (
                    format!(
                        "{}: headline metrics per held-out context",
                        self.perturbation
                    ),
                    self.contexts_table(),
                ),
            ],
            figures: ["pearson_delta", "mse"]
                .iter()
                .filter_map(|m| self.gap(m))
                .collect(),
        }
    }
}

impl Sweep {
    /// The report's sections: what the sweep is, then one per perturbation.
    pub fn sections(&self) -> Vec<ReportSection> {
        let mut sections = vec![ReportSection {
            title: "What is held out and how it is scored".into(),
            paragraphs: vec![
                "Every perturbation of the data is held out in turn, one context (a donor in bulk data, a cell type in single-cell data) at a time, on a model that never saw that context's perturbed samples. Baselines: no_change (the control itself), mean_training_effect (the control plus the mean effect of the data's perturbations elsewhere), other_contexts (the control plus the same perturbation's mean effect in the other contexts) and, for cells, split_halves (half of the real cells scored against the other half: the positive baseline).".into(),
                "Each context is scored as its own evaluation with one perturbation, so cell-eval's discrimination scores (the rank of the true effect among all real effects of an evaluation) are 1 by construction here and are listed, not drawn; they mean something in a screen of many perturbations (synthbio benchmark).".into(),
            ],
            tables: Vec::new(),
            figures: Vec::new(),
        }];
        sections[0].paragraphs.extend(
            self.notes
                .iter()
                .filter(|n| {
                    !self
                        .perturbations
                        .iter()
                        .any(|p| n.starts_with(&p.perturbation))
                })
                .map(|n| format!("Note: {n}.")),
        );
        sections.extend(self.perturbations.iter().map(|p| p.section(&self.notes)));
        sections
    }

    /// Writes `<name>.html` and its TSV tables into `dir`.
    pub fn write_report(&self, dir: &Path, name: &str) -> Result<ReportFiles, WorkflowError> {
        write_sections(
            dir,
            name,
            "Perturbation sweep",
            "every perturbation held out by donor or cell type, beside its baselines",
            &[],
            &self.sections(),
        )
    }
}
