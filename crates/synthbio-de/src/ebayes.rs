//! limma's `eBayes` on a [`LinearFit`]: moderated t, p-values, log-odds (B), and
//! `topTable`'s columns.

use crate::bh::benjamini_hochberg;
use crate::error::{DeError, Result};
use crate::limma::{median, squeeze_var, PriorFit};
use crate::lmfit::LinearFit;
use crate::robust::{squeeze_var_robust, DEFAULT_WINSOR_TAIL_P};
use crate::welch::two_sided_p;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};

/// Options of [`ebayes`] (limma's defaults: no trend, not robust, proportion 0.01,
/// limits (0.1, 4)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EBayesOptions {
    /// limma-trend: the prior variance is a spline in the average log expression.
    pub trend: bool,
    /// limma's `robust = TRUE`: the prior from [`squeeze_var_robust`] (outlier genes get
    /// fewer prior df).
    pub robust: bool,
    /// limma's `winsor.tail.p` of the robust prior: the lower and upper tail proportions
    /// Winsorized (default 0.05 and 0.1, as limma).
    pub winsor_tail_p: [f64; 2],
    /// Assumed proportion of differentially expressed genes (for B).
    pub proportion: f64,
    /// Limits of the standard deviation of the coefficients of DE genes (for B).
    pub stdev_coef_lim: (f64, f64),
}

impl Default for EBayesOptions {
    fn default() -> Self {
        EBayesOptions {
            trend: false,
            robust: false,
            winsor_tail_p: DEFAULT_WINSOR_TAIL_P,
            proportion: 0.01,
            stdev_coef_lim: (0.1, 4.0),
        }
    }
}

/// A fit after empirical Bayes moderation.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeratedFit {
    /// The linear fit.
    pub fit: LinearFit,
    /// The variance prior (`var_prior` is the median with a trend; `df_prior` is the
    /// robust fit's typical-gene df before shrinking).
    pub prior: PriorFit,
    /// Prior df per gene (limma's `df.prior`; one value repeated unless robust).
    pub df_prior: Vec<f64>,
    /// Prior variance per gene (`s2.prior`).
    pub s2_prior: Vec<f64>,
    /// Posterior variance per gene (`s2.post`).
    pub s2_post: Vec<f64>,
    /// Total df per gene (residual + prior), capped at the pooled residual df.
    pub df_total: Vec<f64>,
    /// Moderated t, genes x coefficients.
    pub t: Array2<f64>,
    /// Two-sided p-values, genes x coefficients.
    pub p_value: Array2<f64>,
    /// Log-odds of differential expression (B), genes x coefficients.
    pub lods: Array2<f64>,
    /// Prior variance of the coefficients of DE genes, per coefficient (`var.prior`).
    pub var_prior_coef: Vec<f64>,
}

/// One row of [`ModeratedFit::top_table`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TopRow {
    /// The coefficient (log fold change).
    pub log_fc: f64,
    /// Average log expression.
    pub ave_expr: f64,
    /// Moderated t.
    pub t: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// BH adjusted p-value over all genes.
    pub adj_p_value: f64,
    /// Log-odds of differential expression.
    pub b: f64,
}

/// limma's `eBayes(fit, trend, robust)`.
pub fn ebayes(fit: LinearFit, options: &EBayesOptions) -> Result<ModeratedFit> {
    let g = fit.sigma.len();
    let df = fit.df_residual.first().copied().unwrap_or(0.0);
    if g == 0 || df <= 0.0 {
        return Err(DeError::InvalidDesign {
            reason: format!("{g} genes with {df} residual degrees of freedom"),
            fix: "give genes and more samples than coefficients".into(),
        });
    }
    let var: Vec<f64> = fit.sigma.iter().map(|s| s * s).collect();
    let covariate = options.trend.then_some(fit.amean.as_slice());
    let squeezed = if options.robust {
        squeeze_var_robust(&var, df, covariate, options.winsor_tail_p)?
    } else {
        squeeze_var(&var, df, covariate)
    };
    let df_pooled = df * g as f64;
    let df_total: Vec<f64> = squeezed
        .df_prior_genes
        .iter()
        .map(|d0| (df + d0).min(df_pooled))
        .collect();
    let p = fit.names.len();
    let mut t = Array2::zeros((g, p));
    let mut pv = Array2::zeros((g, p));
    for k in 0..g {
        for j in 0..p {
            let tv =
                fit.coefficients[[k, j]] / fit.stdev_unscaled[[k, j]] / squeezed.var_post[k].sqrt();
            t[[k, j]] = tv;
            pv[[k, j]] = two_sided_p(tv, df_total[k]).unwrap_or(f64::NAN);
        }
    }
    let med = median(&squeezed.var_prior_genes);
    let lim = (
        options.stdev_coef_lim.0.powi(2) / med,
        options.stdev_coef_lim.1.powi(2) / med,
    );
    let mut var_prior_coef = Vec::with_capacity(p);
    for j in 0..p {
        let tj: Vec<f64> = t.column(j).to_vec();
        let sj: Vec<f64> = fit.stdev_unscaled.column(j).to_vec();
        let v = tmixture(&tj, &sj, &df_total, options.proportion, lim);
        var_prior_coef.push(if v.is_nan() {
            1.0 / squeezed.prior.var_prior
        } else {
            v
        });
    }
    let mut lods = Array2::zeros((g, p));
    let prop = options.proportion;
    for k in 0..g {
        let (d0, dt) = (squeezed.df_prior_genes[k], df_total[k]);
        for j in 0..p {
            let su2 = fit.stdev_unscaled[[k, j]].powi(2);
            let r = (su2 + var_prior_coef[j]) / su2;
            let t2 = t[[k, j]].powi(2);
            let kernel = if d0 > 1e6 {
                t2 * (1.0 - 1.0 / r) / 2.0
            } else {
                (1.0 + dt) / 2.0 * ((t2 + dt) / (t2 / r + dt)).ln()
            };
            lods[[k, j]] = (prop / (1.0 - prop)).ln() - r.ln() / 2.0 + kernel;
        }
    }
    Ok(ModeratedFit {
        fit,
        prior: squeezed.prior,
        df_prior: squeezed.df_prior_genes,
        s2_prior: squeezed.var_prior_genes,
        s2_post: squeezed.var_post,
        df_total,
        t,
        p_value: pv,
        lods,
        var_prior_coef,
    })
}

/// limma's `tmixture.vector`: the prior variance of the coefficients of DE genes, from
/// the largest |t| (genes with fewer df than the most first get the |t| of equal tail
/// probability at the most df).
fn tmixture(t: &[f64], su: &[f64], df: &[f64], proportion: f64, lim: (f64, f64)) -> f64 {
    let ok: Vec<usize> = (0..t.len()).filter(|&k| !t[k].is_nan()).collect();
    let n = ok.len();
    let ntarget = (proportion / 2.0 * n as f64).ceil() as usize;
    if ntarget < 1 {
        return f64::NAN;
    }
    let p = (ntarget as f64 / n as f64).max(proportion);
    let max_df = ok.iter().map(|&k| df[k]).fold(f64::NEG_INFINITY, f64::max);
    let abs_t = |k: usize| {
        let ts = t[k].abs();
        if df[k] < max_df {
            qt_upper(upper_t(ts, df[k]), max_df)
        } else {
            ts
        }
    };
    let tabs: Vec<f64> = (0..t.len())
        .map(|k| if t[k].is_nan() { t[k] } else { abs_t(k) })
        .collect();
    let mut order = ok.clone();
    // Largest |t| first; the stable sort keeps gene order among ties (R's order()).
    order.sort_by(|&a, &b| tabs[b].total_cmp(&tabs[a]));
    let mut sum = 0.0;
    for (r, &k) in order.iter().take(ntarget).enumerate() {
        let ts = tabs[k];
        let v1 = su[k] * su[k];
        let p0 = two_sided_p(ts, max_df).unwrap_or(1.0);
        let ptarget = ((r as f64 + 0.5) / n as f64 - (1.0 - p) * p0) / p;
        let mut v0 = 0.0;
        if ptarget > p0 {
            let q = qt_upper(ptarget / 2.0, max_df);
            v0 = v1 * ((ts / q).powi(2) - 1.0);
        }
        sum += v0.clamp(lim.0, lim.1);
    }
    sum / ntarget as f64
}

/// `P(T > t)` for Student's t with `df` degrees of freedom.
fn upper_t(t: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |d| d.sf(t))
}

/// The upper-tail quantile `q` with `P(T > q) = p` (R's `qt(p, df, lower.tail = FALSE)`),
/// statrs' inverse refined by Newton steps on the lower tail to full precision.
fn qt_upper(p: f64, df: f64) -> f64 {
    let Ok(dist) = StudentsT::new(0.0, 1.0, df) else {
        return f64::NAN;
    };
    // P(T > q) = p  <=>  P(T < -q) = p.
    let mut x = dist.inverse_cdf(p);
    for _ in 0..6 {
        let step = (dist.cdf(x) - p) / dist.pdf(x);
        if !step.is_finite() {
            break;
        }
        x -= step;
        if step.abs() <= 1e-15 * x.abs().max(1.0) {
            break;
        }
    }
    -x
}

impl ModeratedFit {
    /// limma's `topTable(coef, sort.by = "none")`: one row per gene in input order, BH
    /// over all genes.
    pub fn top_table(&self, coef: usize) -> Result<Vec<TopRow>> {
        if coef >= self.fit.names.len() {
            return Err(DeError::UnknownCoefficient {
                name: coef.to_string(),
                available: self.fit.names.clone(),
            });
        }
        let p: Vec<Option<f64>> = self
            .p_value
            .column(coef)
            .iter()
            .map(|&p| (!p.is_nan()).then_some(p))
            .collect();
        let adj = benjamini_hochberg(&p);
        Ok((0..self.s2_post.len())
            .map(|k| TopRow {
                log_fc: self.fit.coefficients[[k, coef]],
                ave_expr: self.fit.amean[k],
                t: self.t[[k, coef]],
                p_value: self.p_value[[k, coef]],
                adj_p_value: adj[k].unwrap_or(f64::NAN),
                b: self.lods[[k, coef]],
            })
            .collect())
    }
}
