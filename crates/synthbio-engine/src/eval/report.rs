//! The evaluation report.

use std::fmt;
use synthbio_core::Modality;

/// What a row evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Task {
    /// Metadata prediction on held-out samples.
    MetadataPrediction,
    /// Baseline generation of held-out condition means.
    Generation,
    /// Reference conditioning: log fold changes of held-out donors.
    ReferenceConditioning,
}

impl Task {
    /// A short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Task::MetadataPrediction => "metadata prediction",
            Task::Generation => "baseline generation",
            Task::ReferenceConditioning => "reference conditioning",
        }
    }
}

/// One held-out figure of the model next to its baselines.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalRow {
    /// Bulk or single cell.
    pub modality: Modality,
    /// What is evaluated.
    pub task: Task,
    /// The metadata field, or the perturbation or comparison evaluated.
    pub target: String,
    /// The figure (`accuracy`, `log loss`, `pearson r`, `mse`).
    pub metric: &'static str,
    /// Whether larger values are better.
    pub higher_is_better: bool,
    /// Held-out units (donors, individuals, or cells) behind the figure.
    pub units: usize,
    /// The model's figure.
    pub model: f64,
    /// Each baseline's name and figure.
    pub baselines: Vec<(String, f64)>,
}

impl EvalRow {
    /// True if the model is at least as good as every baseline.
    pub fn beats_baselines(&self) -> bool {
        self.baselines.iter().all(|(_, b)| {
            if self.higher_is_better {
                self.model >= *b
            } else {
                self.model <= *b
            }
        })
    }
}

/// Held-out figures of both models (see [`crate::evaluate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// One row per figure.
    pub rows: Vec<EvalRow>,
    /// How the held-out sets were formed, per modality.
    pub splits: Vec<(Modality, String)>,
}

impl EvalReport {
    /// The row of a modality, task, target and metric.
    pub fn row(
        &self,
        modality: Modality,
        task: Task,
        target: &str,
        metric: &str,
    ) -> Option<&EvalRow> {
        self.rows.iter().find(|r| {
            r.modality == modality && r.task == task && r.target == target && r.metric == metric
        })
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (m, how) in &self.splits {
            writeln!(f, "{}: {how}", modality_name(*m))?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<7} {:<23} {:<26} {:<10} {:>6} {:>8}  baselines",
            "model", "task", "target", "metric", "units", "model"
        )?;
        for r in &self.rows {
            let baselines: Vec<String> = r
                .baselines
                .iter()
                .map(|(n, v)| format!("{n} {v:.3}"))
                .collect();
            writeln!(
                f,
                "{:<7} {:<23} {:<26} {:<10} {:>6} {:>8.3}  {}{}",
                modality_name(r.modality),
                r.task.as_str(),
                r.target,
                r.metric,
                r.units,
                r.model,
                baselines.join(", "),
                if r.beats_baselines() {
                    ""
                } else {
                    "  (below a baseline)"
                }
            )?;
        }
        Ok(())
    }
}

fn modality_name(m: Modality) -> &'static str {
    match m {
        Modality::Bulk => "bulk",
        Modality::SingleCell => "sc",
    }
}
