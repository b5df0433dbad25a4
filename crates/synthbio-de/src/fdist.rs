//! The F distribution as R's `pf`, `qf` and `df` compute it, for limma's robust prior.
//!
//! Written by hand on statrs' incomplete beta and gamma functions: R's `qf` switches to
//! the chi-square limit for `df2 > 4e5`, the robust prior's root search passes through
//! such df, and the golden values depend on it; quantiles are solved to full precision
//! (statrs' `inverse_cdf` for F stops short of it); the density keeps its precision
//! for large `df2`, where `ln B(df1/2, df2/2)` from `ln_gamma` would cancel.

use statrs::function::beta::beta_reg;
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// `P(F > x)` for `F(d1, d2)` (R's `pf(x, d1, d2, lower.tail = FALSE)`); `d2` may be
/// infinite (the chi-square limit `chisq(d1) / d1`).
pub(crate) fn pf_upper(x: f64, d1: f64, d2: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    if d2.is_infinite() {
        return gamma_ur(d1 / 2.0, d1 * x / 2.0);
    }
    beta_reg(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * x))
}

/// `P(F <= x)`.
fn pf_lower(x: f64, d1: f64, d2: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    if d2.is_infinite() {
        return gamma_lr(d1 / 2.0, d1 * x / 2.0);
    }
    beta_reg(d1 / 2.0, d2 / 2.0, d1 * x / (d2 + d1 * x))
}

/// The density of `F(d1, d2)` at `x > 0` (R's `df`); `d2` may be infinite.
pub(crate) fn df_density(x: f64, d1: f64, d2: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 0.0;
    }
    let a = d1 / 2.0;
    if d2.is_infinite() {
        // d1 * dchisq(d1 x, d1)
        let y = d1 * x;
        return d1 * ((a - 1.0) * y.ln() - y / 2.0 - a * 2f64.ln() - ln_gamma(a)).exp();
    }
    let b = d2 / 2.0;
    let ln_beta = ln_gamma(a) - ln_gamma_ratio(b, a);
    (a * (d1 / d2).ln() + (a - 1.0) * x.ln() - (a + b) * (d1 * x / d2).ln_1p() - ln_beta).exp()
}

/// `ln Gamma(b + a) - ln Gamma(b)`, by Stirling's series for large `b` (no cancellation).
fn ln_gamma_ratio(b: f64, a: f64) -> f64 {
    if b < 20.0 {
        return ln_gamma(b + a) - ln_gamma(b);
    }
    // Stirling's correction 1/(12z) - 1/(360z^3) + 1/(1260z^5) - 1/(1680z^7); the next
    // term is below 1e-15 for z >= 20.
    let s = |z: f64| {
        let r2 = 1.0 / (z * z);
        (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 / 1680.0))) / z
    };
    a * b.ln() + (b + a - 0.5) * (a / b).ln_1p() - a + s(b + a) - s(b)
}

/// The lower-tail quantile of `F(d1, d2)` at `p` in (0, 1) (R's `qf(p, d1, d2)`),
/// including R's chi-square limits: `qchisq(p, d1) / d1` when `d1 <= d2` and
/// `d2 > 4e5`, `d2 / qchisq(1 - p, d2)` when `d1 > 4e5`.
pub(crate) fn qf(p: f64, d1: f64, d2: f64) -> f64 {
    if d1 <= d2 && d2 > 4e5 {
        return invert(
            p,
            |x| pf_lower(x, d1, f64::INFINITY),
            |x| df_density(x, d1, f64::INFINITY),
        );
    }
    if d1 > 4e5 {
        // R: d2 / qchisq(p, d2, lower = FALSE), and qchisq(1 - p, d2) / d2 is `q` here.
        let q = invert(
            1.0 - p,
            |x| pf_lower(x, d2, f64::INFINITY),
            |x| df_density(x, d2, f64::INFINITY),
        );
        return 1.0 / q;
    }
    invert(p, |x| pf_lower(x, d1, d2), |x| df_density(x, d1, d2))
}

/// The `x > 0` with `cdf(x) = p`: Newton steps kept inside a bisection bracket, to a
/// relative step of 1e-15.
fn invert(p: f64, cdf: impl Fn(f64) -> f64, pdf: impl Fn(f64) -> f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    let (mut lo, mut hi) = (0.0, f64::INFINITY);
    let mut x = 1.0;
    for _ in 0..200 {
        let f = cdf(x) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let mut next = x - f / pdf(x);
        if !(next > lo && next < hi) {
            next = if hi.is_finite() {
                (lo + hi) / 2.0
            } else {
                2.0 * x
            };
        }
        if (next - x).abs() <= 1e-15 * x {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R 4.2's values (`options(digits = 17)`), to 1e-13 relative; below R's chi-square
    /// switch (df2 = 2e5) statrs' incomplete beta keeps 1e-9 (its `ln_gamma(a + b) -
    /// ln_gamma(b)` loses digits as df2 grows).
    #[test]
    fn matches_r() {
        let cases = [
            (pf_upper(2.5, 3.0, 7.5), 0.13819360276446277, 1e-13),
            (df_density(2.5, 3.0, 7.5), 0.09442297460530949, 1e-13),
            (df_density(1.3, 3.0, 1e9), 0.3362709755256484, 1e-13),
            (df_density(0.2, 3.0, 150.0), 0.6864988045518816, 1e-13),
            (qf(0.05, 3.0, 7.5), 0.11280666776848469, 1e-13),
            (qf(0.05, 3.0, 2e5), 0.11728191588270913, 1e-9),
            (qf(0.9, 3.0, f64::INFINITY), 2.083796210390108, 1e-13),
            (qf(0.9, 3.0, 5e5), 2.083796210390108, 1e-13),
        ];
        for (k, (got, want, rel)) in cases.into_iter().enumerate() {
            assert!(
                (got - want).abs() <= rel * want,
                "case {k}: {got} vs {want}"
            );
        }
    }
}
