//! The synthbio-benchmark metric set of a study: for each held-out donor, the model and
//! three baselines scored on `ln(1 + CPM)` of the expressed genes with cell-eval's
//! expression metrics, direction over changed and over top DE genes, and the DEG-weighted
//! MSE and weighted delta R^2 of Mejia et al. 2025.

use crate::WorkflowError;
use synthbio_benchmark::{
    direction_agreement, expression_metrics, weighted_r2, weights_from_scores, wmse, Expression,
    Pair, Results,
};

/// Predictors scored, in table order.
pub const PREDICTORS: [&str; 4] = ["model", "no_change", "mean_training_effect", "other_donors"];

/// Metrics reported, in table order: cell-eval's expression metrics (the DE-based ones
/// need several cells per condition; one sample per donor and condition gives them
/// nothing), direction, then the weighted metrics.
pub const METRICS: [&str; 10] = [
    "pearson_delta",
    "mse",
    "mae",
    "mse_delta",
    "mae_delta",
    "direction_nonzero",
    "direction_top_de",
    "wmse",
    "r2_delta",
    "weighted_r2_delta",
];

/// Whether lower values are better.
pub fn lower_is_better(metric: &str) -> bool {
    metric.starts_with("mse") || metric.starts_with("mae") || metric == "wmse"
}

/// The metric set per held-out donor and predictor.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSet {
    /// Held-out donors, in study order.
    pub units: Vec<String>,
    /// `values[unit][predictor][metric]` in the order of [`PREDICTORS`] and [`METRICS`];
    /// `None` where undefined (the reason is in `notes`).
    pub values: Vec<Vec<Vec<Option<f64>>>>,
    /// Perturbations of the study's data behind `mean_training_effect`.
    pub training_perturbations: Vec<String>,
    /// Why values are undefined or how a baseline was built.
    pub notes: Vec<String>,
}

/// What one donor's scoring needs, all `ln(1 + CPM)` of the expressed genes.
pub(crate) struct DonorProfiles {
    pub(crate) unit: String,
    pub(crate) reference: Vec<f64>,
    pub(crate) observed: Vec<f64>,
    pub(crate) predicted: Vec<f64>,
    /// Reference plus the mean effect of the data's perturbations (other units).
    pub(crate) training: Option<Vec<f64>>,
    /// Reference plus the mean observed effect of the other held-out donors.
    pub(crate) other_donors: Option<Vec<f64>>,
}

/// Observed DE of the real samples on the expressed genes: t per gene and the top DE
/// genes (significant, smallest p first, at most `top_n`).
pub(crate) struct ObservedDe {
    pub(crate) t: Vec<f64>,
    pub(crate) top: Vec<usize>,
}

/// Scores every donor's predictors.
pub(crate) fn metric_set(
    genes: &[String],
    donors: &[DonorProfiles],
    de: Option<&ObservedDe>,
    training_perturbations: Vec<String>,
) -> Result<MetricSet, WorkflowError> {
    let weights = de.and_then(|d| weights_from_scores(&d.t));
    let mut notes = Vec::new();
    if weights.is_none() {
        notes.push(
            "wmse, weighted_r2_delta: undefined, there is no observed DE to weight genes by \
             (it needs two held-out donors or more)"
                .into(),
        );
    }
    let mut values = Vec::with_capacity(donors.len());
    for d in donors {
        let preds = [
            Some(&d.predicted),
            Some(&d.reference),
            d.training.as_ref(),
            d.other_donors.as_ref(),
        ];
        let mut rows = Vec::with_capacity(PREDICTORS.len());
        for pred in preds {
            rows.push(match pred {
                Some(p) => score(genes, d, p, de, weights.as_deref())?,
                None => vec![None; METRICS.len()],
            });
        }
        values.push(rows);
    }
    if donors.iter().any(|d| d.other_donors.is_none()) {
        notes.push("other_donors: undefined with a single held-out donor".into());
    }
    if donors.iter().any(|d| d.training.is_none()) {
        notes.push(
            "mean_training_effect, r2_delta, weighted_r2_delta: undefined where the data \
             holds no other unit with control and perturbed samples"
                .into(),
        );
    }
    for (p, name) in PREDICTORS.iter().enumerate() {
        for (m, metric) in METRICS.iter().enumerate() {
            let n = values.iter().filter(|u| u[p][m].is_none()).count();
            if n > 0 {
                notes.push(format!(
                    "{name} {metric}: undefined for {n} of {} donor(s), left out of its mean",
                    donors.len()
                ));
            }
        }
    }
    Ok(MetricSet {
        units: donors.iter().map(|d| d.unit.clone()).collect(),
        values,
        training_perturbations,
        notes,
    })
}

/// One predictor's metrics for one donor.
fn score(
    genes: &[String],
    d: &DonorProfiles,
    pred: &[f64],
    de: Option<&ObservedDe>,
    weights: Option<&[f64]>,
) -> Result<Vec<Option<f64>>, WorkflowError> {
    let expr = |profile: &[f64], side: &str| -> Result<Expression, WorkflowError> {
        let x =
            ndarray::Array2::from_shape_vec((2, genes.len()), [&d.reference[..], profile].concat())
                .map_err(|e| WorkflowError::Design(e.to_string()))?;
        Ok(Expression::new(
            vec![format!("{side}:reference"), format!("{side}:perturbed")],
            vec!["control".into(), "perturbed".into()],
            genes.to_vec(),
            x,
        )?)
    };
    let pair = Pair::new(
        &expr(&d.observed, "real")?,
        &expr(pred, "predicted")?,
        "control",
        1,
    )?;
    let mut cell_eval = Results {
        perturbations: pair.perts.clone(),
        columns: Vec::new(),
        notes: Vec::new(),
    };
    expression_metrics(&pair, &mut cell_eval);
    let delta =
        |p: &[f64]| -> Vec<f64> { p.iter().zip(&d.reference).map(|(a, r)| a - r).collect() };
    let (real_d, pred_d) = (delta(&d.observed), delta(pred));
    let all: Vec<usize> = (0..genes.len()).collect();
    // Deltas against the mean of the training perturbations, as the paper takes them
    // against the mean of all perturbations.
    let against =
        |mu: &[f64], p: &[f64]| -> Vec<f64> { p.iter().zip(mu).map(|(a, m)| a - m).collect() };
    let r2 = |w: &[f64]| {
        d.training
            .as_deref()
            .and_then(|mu| weighted_r2(&against(mu, &d.observed), &against(mu, pred), w))
    };
    Ok(METRICS
        .iter()
        .map(|&m| match m {
            "direction_nonzero" => direction_agreement(&pred_d, &real_d, &all),
            "direction_top_de" => de.and_then(|de| direction_agreement(&pred_d, &real_d, &de.top)),
            "wmse" => weights.and_then(|w| wmse(pred, &d.observed, w)),
            "r2_delta" => r2(&vec![1.0; genes.len()]),
            "weighted_r2_delta" => weights.and_then(r2),
            _ => cell_eval.get(m, "perturbed"),
        })
        .collect())
}

impl MetricSet {
    /// Value of `metric` for `predictor` on `unit`.
    pub fn get(&self, unit: &str, predictor: &str, metric: &str) -> Option<f64> {
        let u = self.units.iter().position(|x| x == unit)?;
        let p = PREDICTORS.iter().position(|x| *x == predictor)?;
        let m = METRICS.iter().position(|x| *x == metric)?;
        self.values[u][p][m]
    }

    /// Mean over donors where defined, and how many donors that is.
    pub fn mean(&self, predictor: &str, metric: &str) -> (Option<f64>, usize) {
        let v: Vec<f64> = self
            .units
            .iter()
            .filter_map(|u| self.get(u, predictor, metric))
            .collect();
        let mean = (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        (mean, v.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genes(n: usize) -> Vec<String> {
        (0..n).map(|g| format!("g{g}")).collect()
    }

    /// A donor whose prediction is exact; the training baseline shifts every gene alike.
    fn donor() -> DonorProfiles {
        let reference = vec![1.0, 2.0, 3.0, 4.0, 5.0, 0.5];
        let observed = vec![1.0, 3.5, 1.0, 4.2, 5.0, 0.7];
        DonorProfiles {
            unit: "A".into(),
            training: Some(reference.iter().map(|r| r + 0.1).collect()),
            other_donors: None,
            predicted: observed.clone(),
            reference,
            observed,
        }
    }

    #[test]
    fn exact_prediction_and_baselines() {
        let de = ObservedDe {
            t: vec![0.0, 8.0, -9.0, 1.0, 0.5, 0.2],
            top: vec![2, 1],
        };
        let set = metric_set(&genes(6), &[donor()], Some(&de), vec!["X".into()]).unwrap();
        let v = |p: &str, m: &str| set.get("A", p, m);
        assert_eq!(v("model", "mse"), Some(0.0));
        assert_eq!(v("model", "wmse"), Some(0.0));
        assert_eq!(v("model", "weighted_r2_delta"), Some(1.0));
        assert_eq!(v("model", "direction_top_de"), Some(1.0));
        // No change: its delta is 0, so Pearson is undefined and no sign agrees.
        assert_eq!(v("no_change", "pearson_delta"), None);
        assert_eq!(v("no_change", "direction_nonzero"), Some(0.0));
        // The mean baseline's delta against itself is 0: its R^2 is never above 0.
        let r2 = v("mean_training_effect", "weighted_r2_delta").unwrap();
        assert!(r2 <= 0.0, "{r2}");
        assert_eq!(
            v("mean_training_effect", "r2_delta").map(|r| r <= 0.0),
            Some(true)
        );
        // One donor: no other-donor baseline, said so.
        assert_eq!(v("other_donors", "mse"), None);
        assert!(set.notes.iter().any(|n| n.starts_with("other_donors")));
        assert_eq!(set.mean("model", "mse"), (Some(0.0), 1));
        assert_eq!(set.summary_table().rows.len(), METRICS.len());
        assert_eq!(set.per_donor_table().rows.len(), PREDICTORS.len());
    }

    #[test]
    fn without_observed_de_the_weighted_metrics_are_undefined_and_noted() {
        let set = metric_set(&genes(6), &[donor()], None, vec![]).unwrap();
        assert_eq!(set.get("A", "model", "wmse"), None);
        assert_eq!(set.get("A", "model", "direction_top_de"), None);
        assert!(set.get("A", "model", "r2_delta").is_some());
        assert!(set.notes.iter().any(|n| n.starts_with("wmse")));
    }
}
