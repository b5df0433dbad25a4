//! The column space of R's `splines::ns(x, df, intercept = TRUE)`: natural cubic splines
//! with boundary knots at the range of `x` and `df - 2` interior knots at its quantiles.
//!
//! limma-trend only uses the least-squares fitted values, which depend on the space and
//! not on the basis, so the truncated-power basis of Hastie, Tibshirani & Friedman (ESL
//! 5.2.1) stands in for R's B-spline basis (written by hand: no crate offers `ns`).

use ndarray::Array2;

/// R's `quantile(x, p, type = 7)` of sorted values, with R's arithmetic
/// (`(1 - h) x[lo] + h x[hi]`).
pub(crate) fn quantile_sorted(s: &[f64], p: f64) -> f64 {
    let index = (s.len() - 1) as f64 * p;
    let lo = index.floor() as usize;
    let hi = (index.ceil() as usize).min(s.len() - 1);
    let h = index - lo as f64;
    if h > 0.0 && s[hi] != s[lo] {
        (1.0 - h) * s[lo] + h * s[hi]
    } else {
        s[lo]
    }
}

/// `n x df` basis (df >= 2) of natural cubic splines in `x`, on `x` rescaled to [0, 1]
/// (an affine map leaves the space unchanged and keeps the columns well scaled).
pub fn natural_spline_basis(x: &[f64], df: usize) -> Array2<f64> {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let (lo, hi) = (s[0], s[s.len() - 1]);
    let width = if hi > lo { hi - lo } else { 1.0 };
    let scale = |v: f64| (v - lo) / width;
    // Knots: boundary, interior quantiles, boundary (df knots in all).
    let n_inner = df - 2;
    let mut knots = vec![scale(lo)];
    for k in 1..=n_inner {
        knots.push(scale(quantile_sorted(&s, k as f64 / (n_inner + 1) as f64)));
    }
    knots.push(scale(hi));
    let last = knots[df - 1];
    let d = |k: usize, v: f64| {
        let c = |a: f64| if a > 0.0 { a * a * a } else { 0.0 };
        (c(v - knots[k]) - c(v - last)) / (last - knots[k])
    };
    Array2::from_shape_fn((x.len(), df), |(i, j)| {
        let v = scale(x[i]);
        match j {
            0 => 1.0,
            1 => v,
            _ => d(j - 2, v) - d(df - 2, v),
        }
    })
}
