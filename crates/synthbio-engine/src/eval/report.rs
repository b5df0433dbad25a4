//! The evaluation report: a table on screen and as TSV.

use crate::io::Correction;
use std::fmt;
use synthbio_core::Modality;

/// What a row evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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

/// Why a figure says less than it seems to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Caveat {
    /// The key has one value per dataset: predicting it only tells datasets apart.
    DatasetIdentity,
    /// The labels were derived from the same cells' expression (marker rules),
    /// so scoring a classifier on them is circular.
    DerivedLabels,
}

impl Caveat {
    /// A short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Caveat::DatasetIdentity => "dataset identity",
            Caveat::DerivedLabels => "circular: labels derived from marker genes",
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
    /// The metadata field, or the perturbation or comparison evaluated; a
    /// dataset in parentheses restricts the figure to its held-out units.
    pub target: String,
    /// The figure (`accuracy`, `log loss`, `pearson r`, `mse`).
    pub metric: &'static str,
    /// Whether larger values are better.
    pub higher_is_better: bool,
    /// Held-out units (donors, individuals, conditions or cells) behind the figure.
    pub units: usize,
    /// The model's figure.
    pub model: f64,
    /// Each baseline's name and figure.
    pub baselines: Vec<(String, f64)>,
    /// Why the figure says less than it seems to, if it does.
    pub caveat: Option<Caveat>,
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
    /// How the held-out sets were formed, per modality and task.
    pub splits: Vec<(Modality, String)>,
    /// Source labels the expression contradicts, corrected before training
    /// and scoring (`data/bulk/label_corrections.tsv`).
    pub corrections: Vec<Correction>,
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

    /// Every baseline name, in order of first appearance.
    pub fn baseline_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for (n, _) in self.rows.iter().flat_map(|r| &r.baselines) {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
        names
    }

    /// The table as TSV: `model`, `task`, `target`, `metric`, `units`,
    /// `engine`, one column per baseline (empty where a row lacks it), `caveat`.
    pub fn to_tsv(&self) -> String {
        let names = self.baseline_names();
        let mut out = String::from("model\ttask\ttarget\tmetric\tunits\tengine");
        for n in &names {
            out.push('\t');
            out.push_str(n);
        }
        out.push_str("\tcaveat\n");
        for r in &self.rows {
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                modality_name(r.modality),
                r.task.as_str(),
                r.target,
                r.metric,
                r.units,
                r.model
            ));
            for n in &names {
                out.push('\t');
                if let Some((_, v)) = r.baselines.iter().find(|(b, _)| b == n) {
                    out.push_str(&v.to_string());
                }
            }
            out.push('\t');
            out.push_str(r.caveat.map_or("", Caveat::as_str));
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (m, how) in &self.splits {
            writeln!(f, "{}: {how}", modality_name(*m))?;
        }
        for c in &self.corrections {
            writeln!(
                f,
                "label corrected: {} {} {} -> {} ({})",
                c.sample_id, c.key, c.source_value, c.corrected_value, c.evidence
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<5} {:<22} {:<32} {:<9} {:>5} {:>7}  baselines",
            "model", "task", "target", "metric", "units", "engine"
        )?;
        for r in &self.rows {
            let baselines: Vec<String> = r
                .baselines
                .iter()
                .map(|(n, v)| format!("{n} {v:.3}"))
                .collect();
            let mut notes = Vec::new();
            if !r.beats_baselines() {
                notes.push("below a baseline");
            }
            if let Some(c) = r.caveat {
                notes.push(c.as_str());
            }
            writeln!(
                f,
                "{:<5} {:<22} {:<32} {:<9} {:>5} {:>7.3}  {}{}",
                modality_name(r.modality),
                r.task.as_str(),
                r.target,
                r.metric,
                r.units,
                r.model,
                baselines.join(", "),
                if notes.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", notes.join("; "))
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
