//! A sweep: every perturbation of a training set held out in turn, by donor (bulk)
//! or by cell type (single cell), scored with one metric set beside its baselines,
//! written as one table.
//!
//! Bulk perturbations run as a [`PerturbationStudy`](crate::PerturbationStudy) (one
//! sample per donor and condition: cell-eval's expression metrics, direction and the
//! DEG-weighted metrics); single-cell ones as a [`CellStudy`] per context (cells:
//! cell-eval's full metric set with its DE). The caller supplies the predictor of each
//! held-out context, so the sweep runs on the local engine refitted without it or on
//! the hosted service alike.

mod cells;
mod report;
mod table;

pub use cells::{cells_to_score, CellStudy};
pub use table::{ContextScores, MetricValues, Sweep, SweptPerturbation, SWEEP_PREDICTORS};

use crate::perturbation::PerturbationStudyResult;

impl Sweep {
    /// Adds a scored perturbation, with a note for every predictor left out of a
    /// mean because some contexts leave it undefined.
    pub fn push(&mut self, swept: SweptPerturbation) {
        let n = swept.contexts.len();
        let means = swept.means();
        for (p, name) in SWEEP_PREDICTORS.iter().enumerate() {
            let mut partial = Vec::new();
            for m in &means {
                let k = swept
                    .contexts
                    .iter()
                    .filter(|c| c.value(&m.metric, p).is_none())
                    .count();
                if k > 0 && k < n {
                    partial.push(format!("{} ({k} of {n})", m.metric));
                }
            }
            if !partial.is_empty() {
                self.notes.push(format!(
                    "{} {name}: undefined in some contexts, whose values are left out of its mean: {}",
                    swept.perturbation,
                    partial.join(", ")
                ));
            }
        }
        self.perturbations.push(swept);
    }

    /// Adds a bulk perturbation study, held out by `held_out_by`.
    pub fn push_study(&mut self, label: &str, held_out_by: &str, study: &PerturbationStudyResult) {
        self.notes.extend(
            study
                .metric_set
                .notes
                .iter()
                .map(|n| format!("{label}: {n}")),
        );
        self.push(SweptPerturbation {
            model: study.study.model.to_string(),
            perturbation: label.to_string(),
            held_out_by: held_out_by.to_string(),
            contexts: ContextScores::from_metric_set(&study.metric_set, study.expressed.len()),
        });
    }

    /// Adds a single-cell perturbation's scored contexts.
    pub fn push_cells(&mut self, study: &CellStudy, contexts: Vec<ContextScores>) {
        self.notes.extend(cells::cell_notes(study));
        self.push(SweptPerturbation {
            model: study.model.to_string(),
            perturbation: study.label.clone(),
            held_out_by: study.context_column.clone(),
            contexts,
        });
    }
}
