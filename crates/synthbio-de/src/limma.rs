//! limma's moderated t (Smyth 2004, Statistical Applications in Genetics and Molecular
//! Biology 3:3): a two-group linear model per gene, then empirical-Bayes shrinkage of the
//! residual variances towards a common prior (`squeezeVar` / `fitFDist`).

use crate::special::{trigamma, trigamma_inverse};
use crate::stats::GroupStats;
use crate::welch::GeneTest;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::function::gamma::digamma;

/// The prior of the residual variances: `s2 ~ s0^2 F(d, d0)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriorFit {
    /// Prior degrees of freedom `d0` (limma's `df.prior`; may be infinite).
    pub df_prior: f64,
    /// Prior variance `s0^2` (limma's `var.prior`).
    pub var_prior: f64,
}

/// Variances after shrinkage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SqueezedVar {
    /// The fitted prior.
    pub prior: PriorFit,
    /// Posterior variances `(d s2 + d0 s0^2) / (d + d0)` (`s0^2` where `d0` is infinite).
    pub var_post: Vec<f64>,
}

/// limma's `fitFDist` without covariate: the moment estimates of `d0` and `s0^2` from the
/// log variances. `var` must hold finite non-negative values, `df > 0` residual df.
///
/// Zero variances are offset to `1e-5 * median` (median taken as 1 if more than half are
/// zero), as limma does. With fewer than 2 variances there is nothing to estimate:
/// `d0 = 0` and `s0^2` is the variance itself (or NaN when there is none).
pub fn fit_f_dist(var: &[f64], df: f64) -> PriorFit {
    let n = var.len();
    if n < 2 {
        return PriorFit {
            df_prior: 0.0,
            var_prior: var.first().copied().unwrap_or(f64::NAN),
        };
    }
    let mut sorted: Vec<f64> = var.iter().map(|&v| v.max(0.0)).collect();
    sorted.sort_by(f64::total_cmp);
    let mid = n / 2;
    let mut median = if n % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    };
    if median == 0.0 {
        median = 1.0;
    }
    let floor = 1e-5 * median;
    let half = df / 2.0;
    // e = log(s2) - digamma(d/2) + log(d/2): its mean and variance give s0^2 and d0.
    let e: Vec<f64> = var
        .iter()
        .map(|&v| v.max(0.0).max(floor).ln() - digamma(half) + half.ln())
        .collect();
    let emean = e.iter().sum::<f64>() / n as f64;
    let evar = e.iter().map(|x| (x - emean).powi(2)).sum::<f64>() / (n - 1) as f64 - trigamma(half);
    if evar > 0.0 {
        let df_prior = 2.0 * trigamma_inverse(evar);
        let var_prior = (emean + digamma(df_prior / 2.0) - (df_prior / 2.0).ln()).exp();
        PriorFit {
            df_prior,
            var_prior,
        }
    } else {
        PriorFit {
            df_prior: f64::INFINITY,
            var_prior: emean.exp(),
        }
    }
}

/// limma's `squeezeVar`: the prior from [`fit_f_dist`] and the posterior variances.
pub fn squeeze_var(var: &[f64], df: f64) -> SqueezedVar {
    let prior = fit_f_dist(var, df);
    let var_post = var
        .iter()
        .map(|&v| {
            if prior.df_prior.is_infinite() {
                prior.var_prior
            } else if var.len() < 2 {
                v
            } else {
                (df * v + prior.df_prior * prior.var_prior) / (df + prior.df_prior)
            }
        })
        .collect();
    SqueezedVar { prior, var_post }
}

/// Moderated t per gene from the two groups' statistics.
///
/// The model is limma's `lmFit` on the design `~ group`: coefficient = `mean_a - mean_b`,
/// residual variance = pooled variance with `d = n_a + n_b - 2` df, unscaled standard
/// error `sqrt(1/n_a + 1/n_b)`. Then `eBayes`: `t = coef / (se_unscaled * sqrt(s2_post))`
/// on `d + d0` df, capped at the pooled df of all genes (limma's `df.total`). A gene whose
/// posterior variance is 0 (only when `d0 = 0`) gets [`GeneTest::UNDEFINED`].
pub fn moderated_from_stats(a: &GroupStats, b: &GroupStats) -> (Vec<GeneTest>, PriorFit) {
    let d = (a.n + b.n - 2) as f64;
    let pooled: Vec<f64> = a
        .var
        .iter()
        .zip(&b.var)
        .map(|(va, vb)| ((a.n - 1) as f64 * va + (b.n - 1) as f64 * vb) / d)
        .collect();
    let squeezed = squeeze_var(&pooled, d);
    let unscaled = (1.0 / a.n as f64 + 1.0 / b.n as f64).sqrt();
    let df_total = (d + squeezed.prior.df_prior).min(d * pooled.len() as f64);
    let tests = squeezed
        .var_post
        .par_iter()
        .enumerate()
        .map(|(g, &s2)| {
            if s2.is_nan() || s2 <= 0.0 {
                return GeneTest::UNDEFINED;
            }
            let t = (a.mean[g] - b.mean[g]) / (unscaled * s2.sqrt());
            GeneTest::new(t, df_total)
        })
        .collect();
    (tests, squeezed.prior)
}
