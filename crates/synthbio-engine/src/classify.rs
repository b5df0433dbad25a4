//! Metadata classifiers that invert the model's own latent structure.
//!
//! A key belongs to one latent block. Within that block, every training
//! condition (a distinct combination of the block's keys) is a multivariate
//! Student t (`DF` degrees of freedom) around its mean latent, with one pooled
//! scale matrix (the spread within conditions plus the encoder's posterior
//! covariance, its correlations shrunk toward zero). The t's heavy tails keep
//! a sample far from every training condition (a tissue never seen) from
//! getting near-certain probabilities out of small differences between huge
//! distances, which Gaussians would give. The class-conditional density of a value is the mixture
//! of the conditions with that value, weighted by their training samples, so
//! a class seen in several guises (a compound given to two cell lines) keeps
//! them apart. Bayes' rule gives the class probabilities; a temperature
//! fitted on held-out donors calibrates them.

use crate::linalg::small::{chol_inverse, cholesky_jittered};
use crate::linalg::{log_normalize, log_sum_exp};
use crate::params::{Classifier, Component};
use ndarray::{Array2, ArrayView1, ArrayView2};

/// Weight of the shrinkage target (the diagonal of the pooled covariance).
const SHRINKAGE: f64 = 0.2;
/// Degrees of freedom of the Student t conditions.
const DF: f64 = 4.0;

/// Log-probabilities of each class for the latent block `z` (sum of exp is 1).
pub(crate) fn log_probs(c: &Classifier, z: ArrayView1<'_, f64>) -> Vec<f64> {
    let logits = logits(c, z);
    log_normalize(logits.iter().map(|l| l / c.temperature).collect())
}

/// Unnormalized class log-densities (temperature 1).
fn logits(c: &Classifier, z: ArrayView1<'_, f64>) -> Vec<f64> {
    let d = z.len();
    let mut per_class: Vec<Vec<f64>> = vec![Vec::new(); c.classes.len()];
    let mut diff = vec![0.0; d];
    for comp in &c.components {
        for t in 0..d {
            diff[t] = z[t] - comp.mean[t];
        }
        let mut q = 0.0;
        for a in 0..d {
            let row = &c.precision[a * d..(a + 1) * d];
            let s: f64 = row.iter().zip(&diff).map(|(p, x)| p * x).sum();
            q += diff[a] * s;
        }
        // log density of a multivariate t up to a constant shared by all conditions
        per_class[comp.class as usize]
            .push(comp.log_weight - 0.5 * (DF + d as f64) * (q / DF).ln_1p());
    }
    per_class
        .into_iter()
        .map(|v| {
            if v.is_empty() {
                f64::NEG_INFINITY
            } else {
                log_sum_exp(&v)
            }
        })
        .collect()
}

/// Training rows of one classifier: the block latents, each row's condition
/// (index into `conditions`) and weight.
pub(crate) struct BlockRows<'a> {
    /// Latents of the key's block, rows x block dimensions.
    pub z: ArrayView2<'a, f64>,
    /// Condition index of each row.
    pub condition: &'a [usize],
    /// Weight of each row (samples it stands for).
    pub weight: &'a [f64],
    /// Class (index into the classes) of each condition, `None` if the key is unknown there.
    pub condition_class: &'a [Option<usize>],
    /// Training samples of each condition (mixture weights).
    pub condition_samples: &'a [f64],
    /// Mean posterior covariance of the block.
    pub post_cov: &'a Array2<f64>,
}

/// Fits a classifier on the rows whose `use_row` is true.
pub(crate) fn fit(
    key: u16,
    classes: &[u16],
    rows: &BlockRows<'_>,
    use_row: &dyn Fn(usize) -> bool,
) -> Classifier {
    let d = rows.z.ncols();
    let n_cond = rows.condition_samples.len();
    let mut means = Array2::<f64>::zeros((n_cond, d));
    let mut wsum = vec![0.0; n_cond];
    for r in 0..rows.z.nrows() {
        if !use_row(r) {
            continue;
        }
        let c = rows.condition[r];
        wsum[c] += rows.weight[r];
        for t in 0..d {
            means[[c, t]] += rows.weight[r] * rows.z[[r, t]];
        }
    }
    for c in 0..n_cond {
        if wsum[c] > 0.0 {
            for t in 0..d {
                means[[c, t]] /= wsum[c];
            }
        }
    }
    let mut cov = Array2::<f64>::zeros((d, d));
    let mut total = 0.0;
    for r in 0..rows.z.nrows() {
        if !use_row(r) {
            continue;
        }
        let c = rows.condition[r];
        let w = rows.weight[r];
        total += w;
        for a in 0..d {
            let da = rows.z[[r, a]] - means[[c, a]];
            for b in 0..d {
                cov[[a, b]] += w * da * (rows.z[[r, b]] - means[[c, b]]);
            }
        }
    }
    if total > 0.0 {
        cov.mapv_inplace(|x| x / total);
    }
    cov += rows.post_cov;
    // shrink the correlations toward zero, keeping each dimension's variance
    for a in 0..d {
        for b in 0..d {
            if a != b {
                cov[[a, b]] *= 1.0 - SHRINKAGE;
            }
        }
    }
    let precision = chol_inverse(cholesky_jittered(cov.view()).view());
    let components = (0..n_cond)
        .filter(|&c| wsum[c] > 0.0 && rows.condition_samples[c] > 0.0)
        .filter_map(|c| {
            rows.condition_class[c].map(|class| Component {
                class: class as u16,
                mean: means.row(c).to_vec(),
                log_weight: rows.condition_samples[c].ln(),
            })
        })
        .collect();
    Classifier {
        key,
        classes: classes.to_vec(),
        components,
        precision: precision.iter().copied().collect(),
        temperature: 1.0,
        expression: None,
    }
}

/// Held-out logits (temperature 1) of a classifier for one row.
pub(crate) fn held_out_logits(c: &Classifier, z: ArrayView1<'_, f64>) -> Vec<f64> {
    logits(c, z)
}

/// The weighted negative log-likelihood of held-out predictions (logits at
/// temperature 1, the true class, a weight) at temperature `t`.
pub(crate) fn log_loss(held_out: &[(Vec<f64>, usize, f64)], t: f64) -> f64 {
    held_out
        .iter()
        .map(|(logits, truth, w)| {
            let scaled: Vec<f64> = logits.iter().map(|l| l / t).collect();
            w * (log_sum_exp(&scaled) - scaled[*truth])
        })
        .sum()
}

/// The temperature minimising [`log_loss`] of held-out predictions, searched
/// on a log scale between 1 and 100 (softening only: held-out sets without a
/// mistake would otherwise sharpen the probabilities without limit); 1 when
/// there is nothing to fit.
pub(crate) fn fit_temperature(held_out: &[(Vec<f64>, usize, f64)]) -> f64 {
    if held_out.is_empty() {
        return 1.0;
    }
    let nll = |log_t: f64| log_loss(held_out, libm::exp(log_t));
    // golden-section search on log T
    let (mut a, mut b) = (0.0, libm::log(100.0));
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - r * (b - a);
    let mut d = a + r * (b - a);
    let (mut fc, mut fd) = (nll(c), nll(d));
    for _ in 0..80 {
        if fc <= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - r * (b - a);
            fc = nll(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + r * (b - a);
            fd = nll(d);
        }
    }
    libm::exp(0.5 * (a + b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn two_t_conditions_give_the_bayes_posterior() {
        // Two 1-D conditions centred at -1 and +1, within variance 1 (samples at
        // centre ± 1), no posterior variance, equal weights. Shrinkage toward the
        // average variance leaves a 1-D variance unchanged, so with t densities
        // (1 + q/4)^(-5/2) the posterior of class 1 at z = 0.5 is
        // 1 / (1 + ((1 + 2.25/4) / (1 + 0.25/4))^(-5/2)).
        let z = array![[-2.0], [0.0], [0.0], [2.0]];
        let rows = BlockRows {
            z: z.view(),
            condition: &[0, 0, 1, 1],
            weight: &[1.0; 4],
            condition_class: &[Some(0), Some(1)],
            condition_samples: &[2.0, 2.0],
            post_cov: &Array2::zeros((1, 1)),
        };
        let c = fit(0, &[0, 1], &rows, &|_| true);
        let lp = log_probs(&c, array![0.5].view());
        let p1 = lp[1].exp();
        let ratio = ((1.0f64 + 2.25 / 4.0) / (1.0 + 0.25 / 4.0)).powf(-2.5);
        assert_abs_diff_eq!(p1, 1.0 / (1.0 + ratio), epsilon = 1e-12);
        assert_abs_diff_eq!(lp[0].exp() + lp[1].exp(), 1.0, epsilon = 1e-12);
    }

    #[test]
    fn a_class_with_two_conditions_is_a_mixture() {
        // Class 0 has conditions at -4 and +4, class 1 one at 0 (unit scale,
        // weights 1, 1, 2): at z = 4, class 0's density is t(4; -4) + t(4; 4)
        // and class 1's 2 t(4; 0), with t(x; m) = (1 + (x - m)^2 / 4)^(-5/2).
        let z = array![[-5.0], [-3.0], [3.0], [5.0], [-1.0], [1.0]];
        let rows = BlockRows {
            z: z.view(),
            condition: &[0, 0, 1, 1, 2, 2],
            weight: &[1.0; 6],
            condition_class: &[Some(0), Some(0), Some(1)],
            condition_samples: &[1.0, 1.0, 2.0],
            post_cov: &Array2::zeros((1, 1)),
        };
        let c = fit(0, &[0, 1], &rows, &|_| true);
        let lp = log_probs(&c, array![4.0].view());
        let dens = |x: f64, m: f64| (1.0 + (x - m) * (x - m) / 4.0).powf(-2.5);
        let c0 = dens(4.0, -4.0) + dens(4.0, 4.0);
        let c1 = 2.0 * dens(4.0, 0.0);
        assert_abs_diff_eq!(lp[0].exp(), c0 / (c0 + c1), epsilon = 1e-12);
    }

    #[test]
    fn temperature_recovers_a_known_scale_and_never_sharpens() {
        // Logits 3x too confident for outcomes drawn with p = sigmoid(x): T = 3.
        let mut held = Vec::new();
        for i in 0..200 {
            let x = (i as f64 / 199.0) * 6.0 - 3.0;
            let p = 1.0 / (1.0 + (-x).exp());
            held.push((vec![0.0, 3.0 * x], 1, p));
            held.push((vec![0.0, 3.0 * x], 0, 1.0 - p));
        }
        let t = fit_temperature(&held);
        assert_abs_diff_eq!(t, 3.0, epsilon = 1e-3);
        // all correct and confident: the best temperature would be below 1
        let sure = vec![(vec![0.0, 5.0], 1, 1.0)];
        assert_abs_diff_eq!(fit_temperature(&sure), 1.0, epsilon = 1e-6);
    }
}
