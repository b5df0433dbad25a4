//! limma's variance prior (Smyth 2004, Statistical Applications in Genetics and Molecular
//! Biology 3:3): `fitFDist` and `squeezeVar`, with or without a trend in the average log
//! expression (limma-trend), as limma 3.5x computes them.

use crate::linalg::Qr;
use crate::special::{trigamma, trigamma_inverse};
use crate::spline::natural_spline_basis;
use serde::{Deserialize, Serialize};
use statrs::function::gamma::digamma;

/// The prior of the residual variances: `s2 ~ s0^2 F(d, d0)` (one `s0^2` per gene with a trend).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriorFit {
    /// Prior degrees of freedom `d0` (limma's `df.prior`; may be infinite).
    pub df_prior: f64,
    /// Prior variance `s0^2` (limma's `var.prior`; with a trend, its median over genes).
    pub var_prior: f64,
}

/// Variances after shrinkage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SqueezedVar {
    /// The fitted prior (with a trend, `var_prior` is the median of `var_prior_genes`).
    pub prior: PriorFit,
    /// Prior variance per gene (one value repeated without a trend).
    pub var_prior_genes: Vec<f64>,
    /// Prior df per gene: `prior.df_prior` repeated, or shrunk for outliers by
    /// [`squeeze_var_robust`](crate::squeeze_var_robust).
    pub df_prior_genes: Vec<f64>,
    /// Posterior variances `(d s2 + d0 s0^2) / (d + d0)` (`s0^2` where `d0` is infinite).
    pub var_post: Vec<f64>,
}

/// limma's `fitFDist` without covariate: the moment estimates of `d0` and `s0^2` from the
/// log variances. `var` must hold finite non-negative values, `df > 0` residual df.
///
/// Zero variances are offset to `1e-5 * median` (median taken as 1 if more than half are
/// zero), as limma does. When the variances vary less than `F(d, inf)` predicts, `d0` is
/// infinite and `s0^2` is the mean of the (offset) variances, as limma since 3.19.11
/// (before, the geometric mean). With fewer than 2 variances there is nothing to
/// estimate: `d0 = 0` and `s0^2` is the variance itself (or NaN when there is none).
pub fn fit_f_dist(var: &[f64], df: f64) -> PriorFit {
    let (df_prior, s0) = fit(var, df, None);
    PriorFit {
        df_prior,
        var_prior: s0.first().copied().unwrap_or(f64::NAN),
    }
}

/// `fitFDist` with a covariate (limma-trend: `covariate` = average log expression): the
/// mean of the log variances is a natural cubic spline in the covariate with 1 to 4 df
/// (by the number of genes, at most the number of distinct covariate values), so the
/// prior variance is one per gene. `var` and `covariate` have the same length.
pub fn fit_f_dist_trend(var: &[f64], df: f64, covariate: &[f64]) -> (f64, Vec<f64>) {
    fit(var, df, Some(covariate))
}

/// `fitFDist`: `(d0, s0^2)`, one `s0^2` or one per gene with a covariate.
pub(crate) fn fit(var: &[f64], df: f64, covariate: Option<&[f64]>) -> (f64, Vec<f64>) {
    let n = var.len();
    if n < 2 {
        return (
            0.0,
            vec![var.first().copied().unwrap_or(f64::NAN); n.max(1)],
        );
    }
    let mut splinedf = 1;
    if let Some(c) = covariate {
        splinedf = 1 + usize::from(n >= 3) + usize::from(n >= 6) + usize::from(n >= 30);
        let mut u = c.to_vec();
        u.sort_by(f64::total_cmp);
        u.dedup();
        splinedf = splinedf.min(u.len());
    }
    let x: Vec<f64> = var.iter().map(|&v| v.max(0.0)).collect();
    let mut sorted = x.clone();
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
    let x: Vec<f64> = x.iter().map(|v| v.max(1e-5 * median)).collect();
    let half = df / 2.0;
    // e = log(s2) - digamma(d/2) + log(d/2): its mean (or trend) and variance give s0^2 and d0.
    let e: Vec<f64> = x
        .iter()
        .map(|v| v.ln() - digamma(half) + half.ln())
        .collect();
    let (emean, evar) = match covariate {
        Some(c) if splinedf >= 2 => {
            let basis = natural_spline_basis(c, splinedf);
            let qr = Qr::new(basis.view());
            let effects = qr.qty(ndarray::ArrayView1::from(&e));
            let rank = qr.rank;
            let mut fitted_effects = effects.clone();
            let resid: f64 = effects.iter().skip(rank).map(|v| v * v).sum::<f64>();
            for v in fitted_effects.iter_mut().skip(rank) {
                *v = 0.0;
            }
            // Fitted values = X b with R b = effects[..rank].
            let b = qr.solve_r(fitted_effects.view());
            let fitted: Vec<f64> = (0..n)
                .map(|i| {
                    qr.pivot[..rank]
                        .iter()
                        .zip(&b)
                        .map(|(&j, bj)| basis[[i, j]] * bj)
                        .sum()
                })
                .collect();
            (fitted, resid / (n - rank) as f64)
        }
        _ => {
            let m = e.iter().sum::<f64>() / n as f64;
            let v = e.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
            (vec![m], v)
        }
    };
    let evar = evar - trigamma(half);
    if evar > 0.0 {
        let df_prior = 2.0 * trigamma_inverse(evar);
        let shift = digamma(df_prior / 2.0) - (df_prior / 2.0).ln();
        (df_prior, emean.iter().map(|m| (m + shift).exp()).collect())
    } else if covariate.is_some() && splinedf >= 2 {
        (f64::INFINITY, emean.iter().map(|m| m.exp()).collect())
    } else {
        // limma >= 3.19.11: the pooled variance, the MLE of the scale here.
        (f64::INFINITY, vec![x.iter().sum::<f64>() / n as f64])
    }
}

/// limma's `squeezeVar`: the prior from [`fit_f_dist`] (or [`fit_f_dist_trend`] when a
/// covariate is given) and the posterior variances.
pub fn squeeze_var(var: &[f64], df: f64, covariate: Option<&[f64]>) -> SqueezedVar {
    let (df_prior, s0) = fit(var, df, covariate);
    let n = var.len();
    let prior_of = |g: usize| if s0.len() == n { s0[g] } else { s0[0] };
    let var_post = (0..n)
        .map(|g| {
            if df_prior.is_infinite() {
                prior_of(g)
            } else if n < 2 {
                var[g]
            } else {
                (df * var[g] + df_prior * prior_of(g)) / (df + df_prior)
            }
        })
        .collect();
    let var_prior_genes: Vec<f64> = (0..n).map(prior_of).collect();
    SqueezedVar {
        prior: PriorFit {
            df_prior,
            var_prior: median(&var_prior_genes),
        },
        var_prior_genes,
        df_prior_genes: vec![df_prior; n],
        var_post,
    }
}

/// Median (R's `median`), NaN for an empty slice.
pub(crate) fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}
