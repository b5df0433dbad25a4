//! The report section of the metric set: per-donor and mean tables, each metric beside
//! its baselines, and bar charts of the weighted metrics.

use super::metric_set::{lower_is_better, MetricSet, METRICS, PREDICTORS};
use crate::report::fmt;
use synthbio_core::{Cell, Figure, ReportSection, Table};

impl MetricSet {
    /// One row per donor and predictor, one column per metric.
    pub fn per_donor_table(&self) -> Table {
        let mut t = Table::new(["donor", "predictor"].into_iter().chain(METRICS));
        for (u, unit) in self.units.iter().enumerate() {
            for (p, name) in PREDICTORS.iter().enumerate() {
                let mut row: Vec<Cell> = vec![unit.as_str().into(), (*name).into()];
                row.extend(self.values[u][p].iter().map(|v| Cell::from(*v)));
                t.push(row);
            }
        }
        t
    }

    /// One row per metric: which way is better, then each predictor's mean over donors
    /// and the number of donors where it is defined.
    pub fn summary_table(&self) -> Table {
        let head = ["metric", "better"].into_iter().map(String::from).chain(
            PREDICTORS
                .iter()
                .flat_map(|p| [p.to_string(), format!("{p}_donors")]),
        );
        let mut t = Table::new(head);
        for m in METRICS {
            let better = if lower_is_better(m) {
                "lower"
            } else {
                "higher"
            };
            let mut row: Vec<Cell> = vec![m.into(), better.into()];
            for p in PREDICTORS {
                let (mean, n) = self.mean(p, m);
                row.push(mean.into());
                row.push(n.into());
            }
            t.push(row);
        }
        t
    }

    fn bar(&self, metric: &str, title: &str) -> Figure {
        let means: Vec<(&str, f64)> = PREDICTORS
            .iter()
            .filter_map(|p| self.mean(p, metric).0.map(|v| (*p, v)))
            .collect();
        Figure::Bar {
            title: title.into(),
            y_label: metric.into(),
            labels: means.iter().map(|(p, _)| p.to_string()).collect(),
            values: means.iter().map(|(_, v)| *v).collect(),
        }
    }

    /// The section: what was scored, the two tables and the weighted metrics' bars.
    pub fn section(&self) -> ReportSection {
        let m = |p: &str, k: &str| fmt(self.mean(p, k).0);
        let mut paragraphs = vec![
            "Each held-out donor is scored as cell-eval scores a perturbation: real = its reference (control) and observed sample, prediction = its reference and the model's (or a baseline's) perturbed profile, on ln(1 + CPM) of the expressed genes. Baselines: no_change (the reference itself), mean_training_effect (the reference plus the mean effect of every perturbation in the study's data, each averaged over its units other than the donor; the mean baseline) and other_donors (the reference plus this perturbation's mean observed effect in the other held-out donors).".to_string(),
            format!(
                "Perturbations behind mean_training_effect: {}.{}",
                if self.training_perturbations.is_empty() { "none".to_string() } else { self.training_perturbations.join(", ") },
                if self.training_perturbations.len() == 1 { " With one perturbation in the data it equals other_donors: the data holds no other perturbation to average." } else { "" }
            ),
            "direction_nonzero scores signs over genes whose observed change is nonzero (never 0 = 0); direction_top_de over the observed DE's top genes. wmse and weighted_r2_delta are the DEG-aware metrics of Mejia et al. 2025 (Diversity by Design): gene weights are the min-max scaled, squared |t| of the observed DE (against the reference; the paper tests each perturbation against the others, which needs several), and deltas are taken against mean_training_effect, so the mean baseline scores r2 = 0 at best. The control is the reference on both sides, so mse equals mse_delta and mae equals mae_delta. cell-eval's DE-based metrics need several cells per condition and are not reported for one sample per donor and condition; the DE comparison is the section below.".to_string(),
            format!(
                "Mean over donors: weighted delta R^2 model {} (no change {}, mean training effect {}, other donors {}); WMSE model {} (no change {}, mean training effect {}, other donors {}).",
                m("model", "weighted_r2_delta"), m("no_change", "weighted_r2_delta"), m("mean_training_effect", "weighted_r2_delta"), m("other_donors", "weighted_r2_delta"),
                m("model", "wmse"), m("no_change", "wmse"), m("mean_training_effect", "wmse"), m("other_donors", "wmse")
            ),
        ];
        paragraphs.extend(self.notes.iter().map(|n| format!("Note: {n}.")));
        ReportSection {
            title: "Benchmark metric set, model beside baselines".into(),
            paragraphs,
            tables: vec![
                (
                    "Metric set, mean over held-out donors".into(),
                    self.summary_table(),
                ),
                (
                    "Metric set per held-out donor".into(),
                    self.per_donor_table(),
                ),
            ],
            figures: vec![
                self.bar(
                    "weighted_r2_delta",
                    "Weighted delta R^2, mean over held-out donors (higher is better)",
                ),
                self.bar(
                    "wmse",
                    "DEG-weighted MSE, mean over held-out donors (lower is better)",
                ),
            ],
        }
    }
}
