//! Per-perturbation metric tables, in cell-eval's column order.

use serde::{Deserialize, Serialize};

/// How a metric is compared with a baseline (cell-eval's `MetricBestValue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Best {
    /// An error: 0 is perfect; scored `1 - model / baseline`.
    Zero,
    /// An agreement: 1 is perfect; scored `(model - baseline) / (1 - baseline)`.
    One,
    /// Not compared with baselines (counts).
    None,
}

/// One metric's value for every perturbation; `None` where it is undefined (cell-eval
/// writes NaN or leaves the cell empty), with the reason in [`Results::notes`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricColumn {
    /// cell-eval's column name.
    pub name: String,
    /// How it compares with a baseline.
    pub best: Best,
    /// One value per perturbation of [`Results::perturbations`].
    pub values: Vec<Option<f64>>,
}

/// Metrics per perturbation (rows) and metric (columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Perturbations, sorted.
    pub perturbations: Vec<String>,
    /// Metric columns.
    pub columns: Vec<MetricColumn>,
    /// Metrics not computed or values undefined, and why.
    pub notes: Vec<String>,
}

impl Results {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&MetricColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Value of `metric` for `pert`, `None` if absent or undefined.
    pub fn get(&self, metric: &str, pert: &str) -> Option<f64> {
        let i = self.perturbations.iter().position(|p| p == pert)?;
        self.column(metric)?.values[i]
    }

    pub(crate) fn push(&mut self, name: &str, best: Best, values: Vec<Option<f64>>) {
        let undefined: Vec<&String> = self
            .perturbations
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(p, _)| p)
            .collect();
        if !undefined.is_empty() {
            self.notes
                .push(format!("{name}: undefined for {undefined:?}"));
        }
        self.columns.push(MetricColumn {
            name: name.into(),
            best,
            values,
        });
    }

    /// Tab-separated table: `perturbation` then one column per metric; undefined cells
    /// read `NA`.
    pub fn to_tsv(&self) -> String {
        let mut s = String::from("perturbation");
        for c in &self.columns {
            s.push('\t');
            s.push_str(&c.name);
        }
        s.push('\n');
        for (i, p) in self.perturbations.iter().enumerate() {
            s.push_str(p);
            for c in &self.columns {
                s.push('\t');
                s.push_str(&fmt(c.values[i]));
            }
            s.push('\n');
        }
        s
    }
}

pub(crate) fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| "NA".into(), |x| format!("{x}"))
}
