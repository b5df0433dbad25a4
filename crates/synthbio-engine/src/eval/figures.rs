//! Figures built up over folds and held-out units, then turned into rows.

use super::metrics::Mean;
use super::report::{Caveat, EvalRow, Task};
use std::collections::BTreeSet;
use synthbio_core::Modality;

/// One figure of the model and its baselines, as it accumulates.
struct Figure {
    task: Task,
    target: String,
    metric: &'static str,
    caveat: Option<Caveat>,
    model: Mean,
    baselines: Vec<(String, Mean)>,
    units: BTreeSet<String>,
}

/// One scored value of a held-out unit, as added.
struct Added {
    task: Task,
    target: String,
    metric: &'static str,
    caveat: Option<Caveat>,
    unit: String,
    weight: f64,
    model: f64,
    baselines: Vec<(String, f64)>,
}

/// The figures of one modality: the values in the order they were added
/// (folds scored side by side are appended in fold order, so the sums run
/// in the same order whatever the threads did).
#[derive(Default)]
pub(super) struct Figures {
    added: Vec<Added>,
}

/// Where a scored value goes.
pub(super) struct Slot<'a> {
    pub task: Task,
    pub target: &'a str,
    pub metric: &'static str,
    pub caveat: Option<Caveat>,
}

impl Figures {
    /// Adds the model's and the baselines' values for one held-out `unit`
    /// (weights let a unit with several samples count once).
    pub fn add(
        &mut self,
        slot: &Slot<'_>,
        unit: &str,
        weight: f64,
        model: f64,
        baselines: &[(&str, f64)],
    ) {
        self.added.push(Added {
            task: slot.task,
            target: slot.target.to_string(),
            metric: slot.metric,
            caveat: slot.caveat,
            unit: unit.to_string(),
            weight,
            model,
            baselines: baselines.iter().map(|&(n, v)| (n.to_string(), v)).collect(),
        });
    }

    /// Appends the values of `other` after these.
    pub fn append(&mut self, other: Figures) {
        self.added.extend(other.added);
    }

    /// The figures: values of the same task, target and metric averaged.
    fn figures(self) -> Vec<Figure> {
        let mut figures: Vec<Figure> = Vec::new();
        for a in self.added {
            let pos = figures
                .iter()
                .position(|f| f.task == a.task && f.target == a.target && f.metric == a.metric);
            let f = match pos {
                Some(p) => &mut figures[p],
                None => {
                    figures.push(Figure {
                        task: a.task,
                        target: a.target,
                        metric: a.metric,
                        caveat: a.caveat,
                        model: Mean::default(),
                        baselines: Vec::new(),
                        units: BTreeSet::new(),
                    });
                    figures.last_mut().expect("just pushed")
                }
            };
            f.model.add(a.model, a.weight);
            for (name, v) in a.baselines {
                match f.baselines.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, m)) => m.add(v, a.weight),
                    None => {
                        let mut m = Mean::default();
                        m.add(v, a.weight);
                        f.baselines.push((name, m));
                    }
                }
            }
            f.units.insert(a.unit);
        }
        figures
    }

    /// The rows, sorted by task, target and metric.
    pub fn rows(self, modality: Modality) -> Vec<EvalRow> {
        let mut rows: Vec<EvalRow> = self
            .figures()
            .into_iter()
            .filter_map(|f| {
                Some(EvalRow {
                    modality,
                    task: f.task,
                    higher_is_better: matches!(f.metric, "accuracy" | "pearson r"),
                    metric: f.metric,
                    units: f.units.len(),
                    model: f.model.get()?,
                    baselines: f
                        .baselines
                        .into_iter()
                        .filter_map(|(n, m)| Some((n, m.get()?)))
                        .collect(),
                    caveat: f.caveat,
                    target: f.target,
                })
            })
            .collect();
        rows.sort_by(|a, b| (a.task, &a.target, a.metric).cmp(&(b.task, &b.target, b.metric)));
        rows
    }
}
