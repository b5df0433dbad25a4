//! The DEG-aware metrics of "Diversity by Design" (Mejia et al. 2025, arXiv:2506.22641):
//! the weighted MSE (WMSE) of pseudobulks and the weighted R^2 of deltas taken against
//! the mean of all perturbations, which send the mean baseline to zero.
//!
//! Each perturbation's gene weights come from a DEG test of its real cells against the
//! real cells of every other perturbation (control excluded): scanpy's
//! `rank_genes_groups(method="t-test_overestim_var", reference="rest")` scores,
//! `w = ((|t| - min |t|) / (max |t| - min |t|))^2`, here normalised to sum 1 (both
//! metrics are invariant to the scale of `w`). These are the definitions of the authors'
//! code (github.com/shiftbioscience/diversity_by_design, `analyses/common.py`).

use crate::pair::{mean_rows, Pair};
use crate::results::{Best, Results};
use ndarray::Array1;

/// Weights from per-gene DEG scores: `|s|` min-max scaled to [0, 1], squared, then
/// normalised to sum 1. All scores equal and nonzero give equal weights; `None` when every
/// weight is 0 (all scores 0) or a score is not finite.
pub fn weights_from_scores(scores: &[f64]) -> Option<Vec<f64>> {
    if scores.iter().any(|s| !s.is_finite()) {
        return None;
    }
    let abs: Vec<f64> = scores.iter().map(|s| s.abs()).collect();
    let lo = abs.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = abs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = if hi > lo {
        abs.iter().map(|a| ((a - lo) / (hi - lo)).powi(2)).collect()
    } else {
        vec![if hi > 0.0 { 1.0 } else { 0.0 }; abs.len()]
    };
    let total: f64 = w.iter().sum();
    (total > 0.0).then(|| w.iter().map(|v| v / total).collect())
}

/// Weighted mean squared error `sum w (pred - real)^2 / sum w`; `None` if the lengths
/// differ or the weights sum to 0.
pub fn wmse(pred: &[f64], real: &[f64], weights: &[f64]) -> Option<f64> {
    let total: f64 = weights.iter().sum();
    if pred.len() != real.len() || real.len() != weights.len() || total <= 0.0 {
        return None;
    }
    let s: f64 = (0..real.len())
        .map(|g| weights[g] * (pred[g] - real[g]).powi(2))
        .sum();
    Some(s / total)
}

/// Weighted R^2 of `pred` for `real` (scikit-learn's `r2_score` with `sample_weight`):
/// `1 - sum w (real - pred)^2 / sum w (real - mean_w real)^2`. `None` if the lengths
/// differ, there are fewer than 2 values, the weights sum to 0 or `real` has no weighted
/// variance (scikit-learn would report 1 or 0 there).
pub fn weighted_r2(real: &[f64], pred: &[f64], weights: &[f64]) -> Option<f64> {
    let total: f64 = weights.iter().sum();
    if pred.len() != real.len() || real.len() != weights.len() || real.len() < 2 || total <= 0.0 {
        return None;
    }
    let mean = (0..real.len()).map(|g| weights[g] * real[g]).sum::<f64>() / total;
    let (mut num, mut den) = (0.0, 0.0);
    for g in 0..real.len() {
        num += weights[g] * (real[g] - pred[g]).powi(2);
        den += weights[g] * (real[g] - mean).powi(2);
    }
    (den > 0.0).then(|| 1.0 - num / den)
}

/// Column means and sample variances (n - 1) of the rows of `x` listed in `rows`.
fn mean_var(x: &ndarray::Array2<f64>, rows: &[usize]) -> (Array1<f64>, Array1<f64>) {
    let mean = mean_rows(x, rows);
    let mut var = Array1::<f64>::zeros(x.ncols());
    for &i in rows {
        var += &(&x.row(i) - &mean).mapv(|v| v * v);
    }
    (mean, var / (rows.len() as f64 - 1.0))
}

/// scanpy's `t-test_overestim_var` score of every gene for each perturbation against the
/// rest of the perturbed real cells: Welch's t with the rest's variance divided by the
/// group's size, not its own; 0 where it is undefined (equal means, no variance).
/// Rounded to single precision, as scanpy stores them (`float32`).
pub fn scores_vs_rest(pair: &Pair) -> Vec<Vec<f64>> {
    let x = &pair.real.x;
    pair.perts
        .iter()
        .map(|p| {
            let group = &pair.real_rows[p];
            let rest: Vec<usize> = pair
                .perts
                .iter()
                .filter(|q| *q != p)
                .flat_map(|q| pair.real_rows[q].iter().cloned())
                .collect();
            let (mg, vg) = mean_var(x, group);
            let (mr, vr) = mean_var(x, &rest);
            let n = group.len() as f64;
            (0..x.ncols())
                .map(|g| {
                    let t = (mg[g] - mr[g]) / (vg[g] / n + vr[g] / n).sqrt();
                    if t.is_nan() {
                        0.0
                    } else {
                        t as f32 as f64
                    }
                })
                .collect()
        })
        .collect()
}

/// The mean of all perturbations' real pseudobulks (control excluded), `mu_all`.
fn mean_of_perturbations(pair: &Pair) -> Array1<f64> {
    let mut m = Array1::<f64>::zeros(pair.genes().len());
    for p in &pair.perts {
        m += &pair.pseudobulk(true, p);
    }
    m / pair.perts.len() as f64
}

/// Per perturbation: `wmse` of the pseudobulks, and the unweighted and weighted R^2 of
/// the deltas against `mu_all` (`r2_delta`, `weighted_r2_delta`; the same `mu_all`, from
/// the real cells, for both sides). Needs two perturbations or more for the weights
/// (the test is against the rest) and for a nonzero delta; with one, the columns are
/// absent and a note says why.
pub fn weighted_metrics(pair: &Pair) -> Results {
    let mut out = Results {
        perturbations: pair.perts.clone(),
        columns: Vec::new(),
        notes: Vec::new(),
    };
    if pair.perts.len() < 2 {
        out.notes.push(format!(
            "wmse, r2_delta, weighted_r2_delta: not computed, their DEG weights test each \
             perturbation against the others and their deltas are taken against the mean of \
             all perturbations, which needs at least 2; found {}",
            pair.perts.len()
        ));
        return out;
    }
    let mu_all = mean_of_perturbations(pair);
    let weights: Vec<Option<Vec<f64>>> = scores_vs_rest(pair)
        .iter()
        .map(|s| weights_from_scores(s))
        .collect();
    let (mut e, mut r2, mut wr2) = (Vec::new(), Vec::new(), Vec::new());
    for (i, p) in pair.perts.iter().enumerate() {
        let (real, pred) = (pair.pseudobulk(true, p), pair.pseudobulk(false, p));
        let dr = (&real - &mu_all).to_vec();
        let dp = (&pred - &mu_all).to_vec();
        let w = weights[i].as_deref();
        e.push(w.and_then(|w| wmse(&pred.to_vec(), &real.to_vec(), w)));
        r2.push(weighted_r2(&dr, &dp, &vec![1.0; dr.len()]));
        wr2.push(w.and_then(|w| weighted_r2(&dr, &dp, w)));
    }
    out.push("wmse", Best::Zero, e);
    out.push("r2_delta", Best::One, r2);
    out.push("weighted_r2_delta", Best::One, wr2);
    if weights.iter().any(Option::is_none) {
        out.notes.push(
            "wmse, weighted_r2_delta: undefined where a perturbation's DEG scores give no \
             weight (all 0) or are not finite"
                .into(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_and_metrics_by_hand() {
        // |s| = 1, 3, 2 -> (0, 1, 0.5)^2 = 0, 1, 0.25 -> / 1.25.
        let w = weights_from_scores(&[-1.0, 3.0, 2.0]).unwrap();
        approx::assert_relative_eq!(w[1], 0.8, max_relative = 1e-15);
        approx::assert_relative_eq!(w[2], 0.2, max_relative = 1e-15);
        assert_eq!(weights_from_scores(&[0.0, 0.0]), None);
        assert_eq!(weights_from_scores(&[2.0, -2.0]), Some(vec![0.5, 0.5]));
        // Errors 0, 1, 2 weighted 0, 0.8, 0.2: 0.8 + 0.8.
        let m = wmse(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0], &w).unwrap();
        approx::assert_relative_eq!(m, 1.6, max_relative = 1e-15);
        // Predicting the weighted mean scores exactly 0.
        let real = [1.0, 2.0, 4.0];
        let mean = 2.0 * 0.8 + 4.0 * 0.2;
        let r2 = weighted_r2(&real, &[mean; 3], &w).unwrap();
        approx::assert_abs_diff_eq!(r2, 0.0, epsilon = 1e-15);
        assert_eq!(weighted_r2(&[1.0, 1.0], &[1.0, 2.0], &[1.0, 1.0]), None);
    }
}
