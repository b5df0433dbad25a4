//! limma's robust variance prior (Phipson, Lee, Majewski, Alexander & Smyth 2016, Annals
//! of Applied Statistics 10:946): `fitFDistRobustly` and `squeezeVar(robust = TRUE)`, as
//! limma 3.5x computes them. Outlier genes (variances far above or below the prior) get
//! fewer prior df, so they are moderated less and do not inflate the prior for the rest.

use crate::error::{DeError, Result};
use crate::fdist::{df_density, pf_upper, qf};
use crate::limma::{fit, median, PriorFit, SqueezedVar};
use crate::lowess::lowess;
use crate::spline::quantile_sorted;
use crate::zeroin::zeroin;

/// limma's default `winsor.tail.p`: the lower and upper tail proportions Winsorized.
pub const DEFAULT_WINSOR_TAIL_P: [f64; 2] = [0.05, 0.1];

/// The robust fit of the variance prior.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustPrior {
    /// The prior df of typical genes (limma's `df2`; may be infinite).
    pub df2: f64,
    /// Prior variance: one value, or one per gene with a covariate (limma's `scale`).
    pub scale: Vec<f64>,
    /// Prior df of each gene, shrunk for outliers (limma's `df2.shrunk`).
    pub df2_shrunk: Vec<f64>,
}

/// limma's `fitFDistRobustly(var, df1, covariate, winsor.tail.p)` with one residual df
/// `df > 0` for all genes: the variances' log is Winsorized (the lower and upper tail
/// proportions `winsor_tail_p`, limma's default [`DEFAULT_WINSOR_TAIL_P`]) around its
/// trimmed mean (or, with a covariate, around a lowess trend with span 0.4), `d0` is
/// matched to the Winsorized variance, and each gene's prior df shrinks by its
/// probability of being an outlier.
///
/// `var` (and `covariate`) must hold finite values, more than half of `var` positive. With 2 variances
/// this is the non-robust fit (as limma), with fewer an error.
pub fn fit_f_dist_robustly(
    var: &[f64],
    df: f64,
    covariate: Option<&[f64]>,
    winsor_tail_p: [f64; 2],
) -> Result<RobustPrior> {
    let n = var.len();
    if let Some(p) = winsor_tail_p.iter().find(|p| !(**p > 0.0 && **p < 0.5)) {
        return Err(DeError::InvalidParam {
            name: "winsor_tail_p",
            value: format!("{winsor_tail_p:?} ({p})"),
            fix: "give two tail proportions above 0 and below 0.5 (limma's default: 0.05, 0.1)"
                .into(),
        });
    }
    if let Some(c) = covariate.filter(|c| c.len() != n) {
        return Err(DeError::Shape {
            what: "covariate values (one per variance)".into(),
            expected: n,
            found: c.len(),
        });
    }
    if n < 2 || !(df > 0.0 && df.is_finite()) {
        return Err(DeError::InvalidParam {
            name: "robust",
            value: format!("{n} gene(s) with {df} residual df"),
            fix: "the robust prior needs 2 genes or more and positive residual df".into(),
        });
    }
    for (what, values) in [("residual variance", Some(var)), ("covariate", covariate)] {
        if let Some((k, &v)) = values
            .into_iter()
            .flatten()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(DeError::InvalidValue {
                what: what.into(),
                position: format!("gene {k}"),
                value: v,
                fix: "give finite values",
            });
        }
    }
    let non_robust = |x: &[f64]| {
        let (df2, scale) = fit(x, df, covariate);
        RobustPrior {
            df2,
            scale,
            df2_shrunk: vec![df2; n],
        }
    };
    if n == 2 {
        return Ok(non_robust(var));
    }
    let m = median(var);
    if m <= 0.0 {
        return Err(DeError::InvalidParam {
            name: "robust",
            value: format!("median residual variance {m}"),
            fix: "more than half the genes have no residual variance: filter unexpressed \
                  genes first (filterByExpr) or drop robust"
                .into(),
        });
    }
    let x: Vec<f64> = var.iter().map(|&v| v.max(m * 1e-12)).collect();
    let plain = non_robust(&x);
    if winsor_tail_p.iter().all(|&p| p < 1.0 / n as f64) {
        return Ok(plain);
    }
    let z: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ztrend: Vec<f64> = match covariate {
        None => vec![trimmed_mean(&z, winsor_tail_p[1]); n],
        Some(c) => lowess_fitted(c, &z, 0.4, 4),
    };
    let zresid: Vec<f64> = z.iter().zip(&ztrend).map(|(a, b)| a - b).collect();
    let mut sorted = zresid.clone();
    sorted.sort_by(f64::total_cmp);
    let lo = quantile_sorted(&sorted, winsor_tail_p[0]);
    let hi = quantile_sorted(&sorted, 1.0 - winsor_tail_p[1]);
    let zwins: Vec<f64> = zresid.iter().map(|r| r.max(lo).min(hi)).collect();
    let zwmean = zwins.iter().sum::<f64>() / n as f64;
    let zwvar = zwins.iter().map(|w| (w - zwmean).powi(2)).sum::<f64>() / n as f64 * n as f64
        / (n - 1) as f64;
    let nodes = gauss_legendre_unit(128);
    let moments = |df2: f64| winsorized_moments(df, df2, winsor_tail_p, &nodes);
    let mom_inf = moments(f64::INFINITY);
    let funval_inf = (zwvar / mom_inf.1).ln();
    if funval_inf <= 0.0 {
        return Ok(infinite_df2(
            &z,
            &ztrend,
            zwmean,
            mom_inf.0,
            df,
            covariate.is_some(),
        ));
    }
    if plain.df2.is_infinite() {
        return Ok(plain);
    }
    let link = |d: f64| d / (1.0 + d);
    let link_inv = |u: f64| u / (1.0 - u);
    let fun = |u: f64| (zwvar / moments(link_inv(u)).1).ln();
    let rbx = link(plain.df2);
    let funval_low = fun(rbx);
    let df2 = if funval_low >= 0.0 {
        plain.df2
    } else {
        link_inv(zeroin(fun, (rbx, 1.0), (funval_low, funval_inf), 1e-8))
    };
    let (mom_mean, _) = moments(df2);
    let (corrected, f_stat) = f_statistics(&z, &ztrend, zwmean, mom_mean);
    let log_tail: Vec<f64> = f_stat.iter().map(|&f| pf_upper(f, df, df2).ln()).collect();
    let ranks = average_ranks(&f_stat);
    let nf = n as f64;
    let log_not_outlier: Vec<f64> = log_tail
        .iter()
        .zip(&ranks)
        .map(|(lt, r)| (lt - ((nf - r + 0.5).ln() - nf.ln())).min(0.0))
        .collect();
    let mut df2_shrunk = vec![df2; n];
    if log_not_outlier.iter().any(|&l| l < 0.0) {
        let min_log_tail = log_tail.iter().copied().fold(f64::INFINITY, f64::min);
        if min_log_tail == f64::NEG_INFINITY {
            for (s, l) in df2_shrunk.iter_mut().zip(&log_not_outlier) {
                *s = l.exp() * df2;
            }
        } else {
            let f_max = f_stat.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut df2_outlier = 0.5f64.ln() / min_log_tail * df2;
            df2_outlier *= 0.5f64.ln() / pf_upper(f_max, df, df2_outlier).ln();
            for (s, l) in df2_shrunk.iter_mut().zip(&log_not_outlier) {
                *s = l.exp() * df2 - l.exp_m1() * df2_outlier;
            }
        }
        // Along increasing tail p: the running mean's minimum up to its position, then
        // the cumulative maximum.
        let o = order(&log_tail);
        let mut ordered: Vec<f64> = o.iter().map(|&k| df2_shrunk[k]).collect();
        let mut sum = 0.0;
        let (mut imin, mut mmin) = (0, f64::INFINITY);
        for (k, v) in ordered.iter().enumerate() {
            sum += v;
            let mean = sum / (k + 1) as f64;
            if mean < mmin {
                (imin, mmin) = (k, mean);
            }
        }
        ordered[..=imin].fill(mmin);
        cummax_into(&o, &ordered, &mut df2_shrunk);
    }
    Ok(RobustPrior {
        df2,
        scale: scale_of(&corrected, covariate.is_some()),
        df2_shrunk,
    })
}

/// The prior variances `exp(trend)`: one per gene with a covariate, else the one value.
fn scale_of(corrected: &[f64], per_gene: bool) -> Vec<f64> {
    let all = corrected.iter().map(|c| c.exp());
    if per_gene {
        all.collect()
    } else {
        all.take(1).collect()
    }
}

/// The branch where the Winsorized variance is no larger than `F(d, inf)` gives:
/// `d0` infinite, genes shrunk by their chi-square tail probability.
fn infinite_df2(
    z: &[f64],
    ztrend: &[f64],
    zwmean: f64,
    mom_mean: f64,
    df: f64,
    per_gene: bool,
) -> RobustPrior {
    let n = z.len();
    let nf = n as f64;
    let (corrected, f_stat) = f_statistics(z, ztrend, zwmean, mom_mean);
    let tail: Vec<f64> = f_stat
        .iter()
        .map(|&f| pf_upper(f, df, f64::INFINITY))
        .collect();
    let ranks = average_ranks(&f_stat);
    let mut df2_shrunk = vec![f64::INFINITY; n];
    let mut any = false;
    for k in 0..n {
        let not_outlier = (tail[k] / ((nf - ranks[k] + 0.5) / nf)).min(1.0);
        if not_outlier < 1.0 {
            df2_shrunk[k] = not_outlier * nf * df;
            any = true;
        }
    }
    if any {
        let o = order(&tail);
        let ordered: Vec<f64> = o.iter().map(|&k| df2_shrunk[k]).collect();
        cummax_into(&o, &ordered, &mut df2_shrunk);
    }
    RobustPrior {
        df2: f64::INFINITY,
        scale: scale_of(&corrected, per_gene),
        df2_shrunk,
    }
}

/// limma's `squeezeVar(var, df, covariate, robust = TRUE, winsor.tail.p)`: the robust
/// prior and the posterior variances, each gene with its own prior df.
pub fn squeeze_var_robust(
    var: &[f64],
    df: f64,
    covariate: Option<&[f64]>,
    winsor_tail_p: [f64; 2],
) -> Result<SqueezedVar> {
    let prior = fit_f_dist_robustly(var, df, covariate, winsor_tail_p)?;
    let n = var.len();
    let prior_of = |g: usize| prior.scale[if prior.scale.len() == n { g } else { 0 }];
    let var_post = (0..n)
        .map(|g| {
            let d0 = prior.df2_shrunk[g];
            if d0.is_infinite() {
                prior_of(g)
            } else {
                (df * var[g] + d0 * prior_of(g)) / (df + d0)
            }
        })
        .collect();
    let var_prior_genes: Vec<f64> = (0..n).map(prior_of).collect();
    Ok(SqueezedVar {
        prior: PriorFit {
            df_prior: prior.df2,
            var_prior: median(&var_prior_genes),
        },
        var_prior_genes,
        df_prior_genes: prior.df2_shrunk,
        var_post,
    })
}

/// Mean and variance of the Winsorized `log F(d1, d2)` (limma's `winsorizedMoments`):
/// 128-point Gauss-Legendre quadrature between the Winsorizing quantiles, on the scale
/// `F / (1 + F)`.
fn winsorized_moments(d1: f64, d2: f64, tail_p: [f64; 2], nodes: &[(f64, f64)]) -> (f64, f64) {
    let fq = [qf(tail_p[0], d1, d2), qf(1.0 - tail_p[1], d1, d2)];
    let zq = fq.map(f64::ln);
    let q = fq.map(|f| f / (1.0 + f));
    let q21 = q[1] - q[0];
    let points: Vec<(f64, f64, f64)> = nodes
        .iter()
        .map(|&(u, w)| {
            let node = q[0] + q21 * u;
            let f = node / (1.0 - node);
            (w, f.ln(), df_density(f, d1, d2) / (1.0 - node).powi(2))
        })
        .collect();
    let tails = |g: &dyn Fn(f64) -> f64| g(zq[0]) * tail_p[0] + g(zq[1]) * tail_p[1];
    let m = q21 * points.iter().map(|(w, z, f)| w * f * z).sum::<f64>() + tails(&|z| z);
    let v = q21
        * points
            .iter()
            .map(|(w, z, f)| w * f * (z - m).powi(2))
            .sum::<f64>()
        + tails(&|z| (z - m).powi(2));
    (m, v)
}

/// Nodes and weights of `n`-point Gauss-Legendre quadrature on [0, 1] (weights sum to 1;
/// statmod's `gauss.quad.prob(n, "uniform")`), by Newton's method on the Legendre
/// polynomial (written by hand: a few lines, no crate in the workspace has it).
fn gauss_legendre_unit(n: usize) -> Vec<(f64, f64)> {
    let nf = n as f64;
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let mut x = (std::f64::consts::PI * (i as f64 - 0.25) / (nf + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            // P_n(x) and P_n'(x) by the three-term recurrence.
            let (mut p0, mut p1) = (1.0, x);
            for k in 2..=n {
                let kf = k as f64;
                (p0, p1) = (p1, ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf);
            }
            dp = nf * (x * p1 - p0) / (x * x - 1.0);
            let step = p1 / dp;
            x -= step;
            if step.abs() < 1e-16 {
                break;
            }
        }
        let w = 2.0 / ((1.0 - x * x) * dp * dp);
        out.push(((1.0 - x) / 2.0, w / 2.0));
    }
    out
}

/// R's `mean(x, trim)`: the mean without the `floor(n trim)` smallest and largest values.
fn trimmed_mean(x: &[f64], trim: f64) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let lo = (n as f64 * trim).floor() as usize;
    let kept = &s[lo..n - lo];
    kept.iter().sum::<f64>() / kept.len() as f64
}

/// limma's `loessFit(y, x, span)$fitted` without weights: R's `lowess(x, y, f = span,
/// iter = iterations - 1)`, back in input order.
fn lowess_fitted(x: &[f64], y: &[f64], span: f64, iterations: usize) -> Vec<f64> {
    let (_, fitted_sorted) = lowess(x, y, span, iterations - 1);
    let o = order(x);
    let mut fitted = vec![0.0; x.len()];
    for (&k, f) in o.iter().zip(fitted_sorted) {
        fitted[k] = f;
    }
    fitted
}

/// R's `order(x)`: indices sorting `x` increasingly, ties in input order.
fn order(x: &[f64]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..x.len()).collect();
    o.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    o
}

/// R's `rank(x)` (1-based, ties get their average rank).
fn average_ranks(x: &[f64]) -> Vec<f64> {
    let o = order(x);
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < o.len() {
        let mut j = i;
        while j + 1 < o.len() && x[o[j + 1]] == x[o[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &o[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// `out[o] <- cummax(ordered)`.
fn cummax_into(o: &[usize], ordered: &[f64], out: &mut [f64]) {
    let mut running = f64::NEG_INFINITY;
    for (&k, &v) in o.iter().zip(ordered) {
        running = running.max(v);
        out[k] = running;
    }
}

/// The trend recentred on the prior's mean (`trend + zwmean - mom_mean`) and each
/// gene's F statistic against it, `exp(z - recentred)` (limma's `fitFDistRobustly`).
fn f_statistics(z: &[f64], ztrend: &[f64], zwmean: f64, mom_mean: f64) -> (Vec<f64>, Vec<f64>) {
    let corrected: Vec<f64> = ztrend.iter().map(|t| t + zwmean - mom_mean).collect();
    let f_stat = z
        .iter()
        .zip(&corrected)
        .map(|(a, b)| (a - b).exp())
        .collect();
    (corrected, f_stat)
}
