//! The sweep's one table: every metric of every held-out context beside its
//! baselines, then the mean over contexts.

use crate::perturbation::{lower_is_better, MetricSet, METRICS, PREDICTORS as STUDY_PREDICTORS};
use synthbio_benchmark::Best;

/// Predictors scored, in column order: the model, the negative baselines (no change,
/// the mean effect of the data's perturbations, the same perturbation's effect in the
/// other contexts) and the positive one (half of the real cells against the other).
pub const SWEEP_PREDICTORS: [&str; 5] = [
    "model",
    "no_change",
    "mean_training_effect",
    "other_contexts",
    "split_halves",
];

/// One metric of one context, per predictor of [`SWEEP_PREDICTORS`] (`None` = undefined or
/// not scored; the sweep's notes say why).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValues {
    /// The metric's name (cell-eval's where it is one of its metrics).
    pub metric: String,
    /// Whether 0 (an error) or 1 (an agreement) is best.
    pub best: Best,
    /// One value per predictor.
    pub values: Vec<Option<f64>>,
}

/// Every metric of one held-out context.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextScores {
    /// The context held out (a donor, a cell type).
    pub context: String,
    /// Real control samples (cells) scored.
    pub n_control: usize,
    /// Real perturbed samples (cells) scored.
    pub n_perturbed: usize,
    /// Genes scored.
    pub n_genes: usize,
    /// The metrics.
    pub metrics: Vec<MetricValues>,
}

impl ContextScores {
    pub(crate) fn push(&mut self, metric: &str, best: Best, values: Vec<Option<f64>>) {
        self.metrics.push(MetricValues {
            metric: metric.into(),
            best,
            values,
        });
    }

    /// The contexts of a bulk perturbation study's metric set (one per held-out
    /// donor; no positive baseline, the data hold one sample per donor and condition).
    pub fn from_metric_set(set: &MetricSet, n_genes: usize) -> Vec<ContextScores> {
        set.units
            .iter()
            .map(|unit| {
                let mut scores = ContextScores {
                    context: unit.clone(),
                    n_control: 1,
                    n_perturbed: 1,
                    n_genes,
                    metrics: Vec::new(),
                };
                for metric in METRICS {
                    let best = if lower_is_better(metric) {
                        Best::Zero
                    } else {
                        Best::One
                    };
                    // the study's other_donors is the sweep's other_contexts
                    let mut values: Vec<Option<f64>> = STUDY_PREDICTORS
                        .iter()
                        .map(|p| set.get(unit, p, metric))
                        .collect();
                    values.push(None);
                    scores.push(metric, best, values);
                }
                scores
            })
            .collect()
    }
}

/// One perturbation of the sweep, held out context by context.
#[derive(Debug, Clone, PartialEq)]
pub struct SweptPerturbation {
    /// The model queried.
    pub model: String,
    /// The perturbation's label (ontology id, else type).
    pub perturbation: String,
    /// The metadata column whose values were held out (`donor`, `cell_type_ontology_id`).
    pub held_out_by: String,
    /// Each context's scores.
    pub contexts: Vec<ContextScores>,
}

/// Every perturbation of a training set held out, and why any was left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sweep {
    /// The perturbations scored, in run order.
    pub perturbations: Vec<SweptPerturbation>,
    /// Perturbations and contexts left out, values not scored, and how baselines are built.
    pub notes: Vec<String>,
}

/// Columns of [`Sweep::to_tsv`] before the predictors.
const KEY_COLUMNS: [&str; 10] = [
    "model_id",
    "perturbation",
    "held_out_by",
    "held_out",
    "n_held_out",
    "n_control",
    "n_perturbed",
    "n_genes",
    "metric",
    "best",
];

impl Sweep {
    /// One table: a row per perturbation, context and metric, then a row per
    /// perturbation and metric with `held_out = all`, each predictor's mean over the
    /// contexts where it is defined (`n_held_out` counts those of the model). Undefined
    /// values read `NA`; `best` is `0` for errors and `1` for agreements.
    pub fn to_tsv(&self) -> String {
        let mut out = KEY_COLUMNS.join("\t");
        for p in SWEEP_PREDICTORS {
            out.push('\t');
            out.push_str(p);
        }
        out.push('\n');
        let cell = |v: Option<f64>| v.map_or_else(|| "NA".to_string(), |v| v.to_string());
        let best = |b: Best| match b {
            Best::Zero => "0",
            Best::One => "1",
            Best::None => "none",
        };
        for p in &self.perturbations {
            let key = |held_out: &str, n: usize, sizes: [String; 3], m: &MetricValues| {
                let [nc, np, ng] = sizes;
                format!(
                    "{}\t{}\t{}\t{held_out}\t{n}\t{nc}\t{np}\t{ng}\t{}\t{}",
                    p.model,
                    p.perturbation,
                    p.held_out_by,
                    m.metric,
                    best(m.best)
                )
            };
            for c in &p.contexts {
                for m in &c.metrics {
                    let sizes = [c.n_control, c.n_perturbed, c.n_genes].map(|n| n.to_string());
                    out.push_str(&key(&c.context, 1, sizes, m));
                    m.values
                        .iter()
                        .for_each(|v| out.push_str(&format!("\t{}", cell(*v))));
                    out.push('\n');
                }
            }
            for m in p.means() {
                let n = p
                    .contexts
                    .iter()
                    .filter(|c| c.value(&m.metric, 0).is_some())
                    .count();
                out.push_str(&key("all", n, ["NA", "NA", "NA"].map(String::from), &m));
                m.values
                    .iter()
                    .for_each(|v| out.push_str(&format!("\t{}", cell(*v))));
                out.push('\n');
            }
        }
        out
    }
}

impl ContextScores {
    /// Value of `metric` for the predictor at `predictor` of [`SWEEP_PREDICTORS`].
    pub fn value(&self, metric: &str, predictor: usize) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.metric == metric)
            .and_then(|m| m.values.get(predictor).copied().flatten())
    }
}

impl SweptPerturbation {
    /// Each metric's mean over the contexts where it is defined, per predictor.
    pub fn means(&self) -> Vec<MetricValues> {
        let Some(first) = self.contexts.first() else {
            return Vec::new();
        };
        first
            .metrics
            .iter()
            .map(|m| MetricValues {
                metric: m.metric.clone(),
                best: m.best,
                values: (0..SWEEP_PREDICTORS.len())
                    .map(|p| {
                        let v: Vec<f64> = self
                            .contexts
                            .iter()
                            .filter_map(|c| c.value(&m.metric, p))
                            .collect();
                        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
                    })
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(name: &str, mse: [Option<f64>; 5]) -> ContextScores {
        let mut c = ContextScores {
            context: name.into(),
            n_control: 3,
            n_perturbed: 4,
            n_genes: 10,
            metrics: Vec::new(),
        };
        c.push("mse", Best::Zero, mse.to_vec());
        c
    }

    #[test]
    fn means_skip_undefined_contexts_and_the_table_says_how_many() {
        let swept = SweptPerturbation {
            model: "m".into(),
            perturbation: "P".into(),
            held_out_by: "donor".into(),
            contexts: vec![
                context("a", [Some(1.0), Some(4.0), None, Some(2.0), None]),
                context("b", [Some(3.0), Some(6.0), None, None, None]),
            ],
        };
        let means = swept.means();
        assert_eq!(means.len(), 1);
        assert_eq!(
            means[0].values,
            vec![Some(2.0), Some(5.0), None, Some(2.0), None]
        );
        let mut sweep = Sweep::default();
        sweep.push(swept);
        // other_contexts is defined in one context of two: said so, never silent
        assert_eq!(sweep.notes.len(), 1, "{:?}", sweep.notes);
        assert!(
            sweep.notes[0].contains("other_contexts") && sweep.notes[0].contains("mse (1 of 2)")
        );
        let tsv = sweep.to_tsv();
        let lines: Vec<&str> = tsv.lines().collect();
        assert_eq!(lines.len(), 4, "header, two contexts, the mean");
        assert_eq!(
            lines[0],
            "model_id\tperturbation\theld_out_by\theld_out\tn_held_out\tn_control\tn_perturbed\tn_genes\tmetric\tbest\tmodel\tno_change\tmean_training_effect\tother_contexts\tsplit_halves"
        );
        assert_eq!(
            lines[1],
            "m\tP\tdonor\ta\t1\t3\t4\t10\tmse\t0\t1\t4\tNA\t2\tNA"
        );
        assert_eq!(
            lines[3],
            "m\tP\tdonor\tall\t2\tNA\tNA\tNA\tmse\t0\t2\t5\tNA\t2\tNA"
        );
        for line in &lines {
            assert_eq!(line.split('\t').count(), 15, "{line}");
        }
    }
}
