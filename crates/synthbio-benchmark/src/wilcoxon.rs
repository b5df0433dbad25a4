//! Two-sided Mann-Whitney U (Wilcoxon rank-sum) test, asymptotic, with continuity and
//! tie correction, as `numba_mwu` (used by pdex, hence cell-eval) and
//! `scipy.stats.mannwhitneyu(method="asymptotic")` compute it.
//!
//! Written here because no maintained crate gives the tie-corrected asymptotic test
//! with scipy's conventions. `erfc` comes from `libm` (the C library's algorithm, which
//! numba_mwu calls through Python's `math.erfc`); statrs' `erfc` differs from it by
//! ~1e-10 relative.

use libm::erfc;

/// U statistic of `x` and the two-sided p-value of `x` against `y`.
///
/// Both samples must be non-empty (the caller checks cell counts). All-equal values
/// (zero variance) give p = 1, as numba_mwu does.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> (f64, f64) {
    let (n1, n2) = (x.len(), y.len());
    let n = n1 + n2;
    let mut all: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v, true))
        .chain(y.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut r1, mut tie_term) = (0.0f64, 0.0f64);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        tie_term += t * t * t - t;
        r1 += rank * all[i..=j].iter().filter(|e| e.1).count() as f64;
        i = j + 1;
    }
    let (n1f, n2f, nf) = (n1 as f64, n2 as f64, n as f64);
    let u1 = r1 - n1f * (n1f + 1.0) / 2.0;
    let u2 = n1f * n2f - u1;
    let u = u1.max(u2);
    let mu = n1f * n2f / 2.0;
    let s_sq = n1f * n2f / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)));
    if s_sq <= 0.0 {
        return (u1, 1.0);
    }
    let z = (u - mu - 0.5) / s_sq.sqrt();
    // 2 * Phi(-z) = erfc(z / sqrt 2).
    let p = erfc(z / std::f64::consts::SQRT_2);
    (u1, p.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scipy_values() {
        // scipy.stats.mannwhitneyu([1,2,3,4,5],[3,4,5,6,7,8], method="asymptotic")
        // -> statistic 4.5, pvalue 0.066015431521231 (ties at 3, 4, 5).
        let (u, p) = mann_whitney_u(&[1.0, 2.0, 3.0, 4.0, 5.0], &[3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert_eq!(u, 4.5);
        approx::assert_relative_eq!(p, 0.066015431521231, max_relative = 1e-12);
        let (_, p) = mann_whitney_u(&[0.0, 0.0], &[0.0, 0.0, 0.0]);
        assert_eq!(p, 1.0);
    }
}
