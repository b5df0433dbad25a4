//! Polygamma functions that statrs lacks (it has `digamma` only), and limma's
//! `trigammaInverse`.
//!
//! Written by hand: the recurrence psi_n(x) = psi_n(x + 1) - (-1)^n n! / x^(n+1) moves the
//! argument above 20, where the asymptotic (Bernoulli) series is exact to double
//! precision.

/// Arguments at or above this use the asymptotic series.
const SHIFT: f64 = 20.0;

/// Trigamma, the derivative of digamma, for `x > 0`.
pub fn trigamma(mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut acc = 0.0;
    while x < SHIFT {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let r = 1.0 / x;
    let r2 = r * r;
    // 1/x + 1/(2x^2) + sum B_2k / x^(2k+1)
    let series = r2
        * (1.0 / 6.0
            + r2 * (-1.0 / 30.0
                + r2 * (1.0 / 42.0
                    + r2 * (-1.0 / 30.0 + r2 * (5.0 / 66.0 + r2 * (-691.0 / 2730.0))))));
    acc + r + 0.5 * r2 + r * series
}

/// Tetragamma (R's `psigamma(x, deriv = 2)`), for `x > 0`.
pub fn tetragamma(mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut acc = 0.0;
    while x < SHIFT {
        acc -= 2.0 / (x * x * x);
        x += 1.0;
    }
    let r = 1.0 / x;
    let r2 = r * r;
    // -1/x^2 - 1/x^3 - sum (2k+1) B_2k / x^(2k+2)
    let series = r2
        * (-1.0 / 2.0
            + r2 * (1.0 / 6.0
                + r2 * (-1.0 / 6.0
                    + r2 * (3.0 / 10.0 + r2 * (-5.0 / 6.0 + r2 * (691.0 / 210.0))))));
    acc - r2 - r2 * r + r2 * series
}

/// The `y > 0` with `trigamma(y) = x`, for `x > 0`, by limma's Newton iteration
/// (Smyth 2004): start at `0.5 + 1/x`, stop at relative step 1e-8 (at most 50 steps).
pub fn trigamma_inverse(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x > 1e7 {
        return 1.0 / x.sqrt();
    }
    if x < 1e-6 {
        return 1.0 / x;
    }
    let mut y = 0.5 + 1.0 / x;
    for _ in 0..50 {
        let tri = trigamma(y);
        let dif = tri * (1.0 - tri / x) / tetragamma(y);
        y += dif;
        if -dif / y < 1e-8 {
            break;
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use std::f64::consts::PI;

    #[test]
    fn known_values() {
        // trigamma(1) = pi^2 / 6; tetragamma(1) = -2 zeta(3).
        assert_abs_diff_eq!(trigamma(1.0), PI * PI / 6.0, epsilon = 1e-15);
        assert_abs_diff_eq!(
            tetragamma(1.0),
            -2.0 * 1.202_056_903_159_594_3,
            epsilon = 1e-14
        );
        assert_abs_diff_eq!(trigamma(0.5), PI * PI / 2.0, epsilon = 1e-14);
        let y = trigamma_inverse(0.3);
        assert_abs_diff_eq!(trigamma(y), 0.3, epsilon = 1e-9);
        assert!(trigamma(0.0).is_nan() && trigamma_inverse(-1.0).is_nan());
    }
}
