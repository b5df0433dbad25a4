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

/// The figures of one modality.
#[derive(Default)]
pub(super) struct Figures {
    figures: Vec<Figure>,
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
        let pos = self.figures.iter().position(|f| {
            f.task == slot.task && f.target == slot.target && f.metric == slot.metric
        });
        let f = match pos {
            Some(p) => &mut self.figures[p],
            None => {
                self.figures.push(Figure {
                    task: slot.task,
                    target: slot.target.to_string(),
                    metric: slot.metric,
                    caveat: slot.caveat,
                    model: Mean::default(),
                    baselines: Vec::new(),
                    units: BTreeSet::new(),
                });
                self.figures.last_mut().expect("just pushed")
            }
        };
        f.model.add(model, weight);
        for &(name, v) in baselines {
            match f.baselines.iter_mut().find(|(n, _)| n == name) {
                Some((_, m)) => m.add(v, weight),
                None => {
                    let mut m = Mean::default();
                    m.add(v, weight);
                    f.baselines.push((name.to_string(), m));
                }
            }
        }
        f.units.insert(unit.to_string());
    }

    /// The rows, sorted by task, target and metric.
    pub fn rows(self, modality: Modality) -> Vec<EvalRow> {
        let mut rows: Vec<EvalRow> = self
            .figures
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
