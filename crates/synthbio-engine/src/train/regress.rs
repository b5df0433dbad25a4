//! Ridge regressions on one-hot metadata.

use crate::linalg::exact_matmul;
use crate::linalg::small::{chol_inverse, chol_solve, cholesky_jittered};
use ndarray::{Array1, Array2, ArrayView2, Axis, Slice};
use std::collections::BTreeMap;

/// Per gene, the ridge regression of sample log expression on `[1, x]`
/// (intercept unpenalized), from group sums: `x` is groups x features,
/// `sums` and `counts` groups x genes (counts of samples that measured the
/// gene). Genes of the same `gene_class` must have the same counts; they
/// share one factorization. Returns the intercepts (genes) and coefficients
/// (features x genes).
pub(crate) fn ridge_from_groups(
    x: ArrayView2<'_, f64>,
    sums: ArrayView2<'_, f64>,
    counts: ArrayView2<'_, f64>,
    gene_class: &[usize],
    ridge: f64,
) -> (Array1<f64>, Array2<f64>) {
    let (n_groups, p) = x.dim();
    let g = sums.ncols();
    let xt = Array2::from_shape_fn(
        (p + 1, n_groups),
        |(a, k)| if a == 0 { 1.0 } else { x[[k, a - 1]] },
    );
    // right-hand sides of every gene at once: [1, x]ᵀ sums
    let rhs = exact_matmul(xt.view(), sums);
    let mut classes: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (j, &c) in gene_class.iter().enumerate() {
        classes.entry(c).or_default().push(j);
    }
    let mut beta = Array2::<f64>::zeros((p + 1, g));
    for genes in classes.values() {
        let j0 = genes[0];
        let mut m = Array2::<f64>::zeros((p + 1, p + 1));
        for k in 0..n_groups {
            let n = counts[[k, j0]];
            if n == 0.0 {
                continue;
            }
            for a in 0..=p {
                for b in 0..=p {
                    m[[a, b]] += n * xt[[a, k]] * xt[[b, k]];
                }
            }
        }
        for a in 1..=p {
            m[[a, a]] += ridge;
        }
        let inv = chol_inverse(cholesky_jittered(m.view()).view());
        let part = exact_matmul(inv.view(), rhs.select(Axis(1), genes).view());
        for (col, &j) in genes.iter().enumerate() {
            beta.column_mut(j).assign(&part.column(col));
        }
    }
    let mu = beta.row(0).to_owned();
    let coef = beta.slice_axis(Axis(0), Slice::from(1..)).to_owned();
    (mu, coef)
}

/// Weighted ridge regression of `y` (rows x d) on `[1, x]` (x: rows x features):
/// the intercept (d), coefficients (features x d) and residuals (rows x d).
pub(crate) fn weighted_ridge(
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    w: &[f64],
    ridge: f64,
) -> (Array1<f64>, Array2<f64>, Array2<f64>) {
    let (n, p) = x.dim();
    let d = y.ncols();
    let xt = |i: usize, a: usize| if a == 0 { 1.0 } else { x[[i, a - 1]] };
    let mut m = Array2::<f64>::zeros((p + 1, p + 1));
    let mut rhs = Array2::<f64>::zeros((p + 1, d));
    for i in 0..n {
        for a in 0..=p {
            let xa = xt(i, a);
            if xa == 0.0 {
                continue;
            }
            for b in 0..=p {
                m[[a, b]] += w[i] * xa * xt(i, b);
            }
            for t in 0..d {
                rhs[[a, t]] += w[i] * xa * y[[i, t]];
            }
        }
    }
    for a in 1..=p {
        m[[a, a]] += ridge;
    }
    let l = cholesky_jittered(m.view());
    let mut intercept = Array1::zeros(d);
    let mut coef = Array2::zeros((p, d));
    for t in 0..d {
        let beta = chol_solve(l.view(), rhs.column(t));
        intercept[t] = beta[0];
        for a in 0..p {
            coef[[a, t]] = beta[a + 1];
        }
    }
    let mut resid = y.to_owned();
    for i in 0..n {
        for t in 0..d {
            let mut f = intercept[t];
            for a in 0..p {
                f += x[[i, a]] * coef[[a, t]];
            }
            resid[[i, t]] -= f;
        }
    }
    (intercept, coef, resid)
}

/// Weighted mean (d) and covariance (d x d, divided by the total weight) of rows.
pub(crate) fn weighted_moments(z: ArrayView2<'_, f64>, w: &[f64]) -> (Array1<f64>, Array2<f64>) {
    let (n, d) = z.dim();
    let total: f64 = w.iter().sum();
    let mut mean = Array1::<f64>::zeros(d);
    for i in 0..n {
        for t in 0..d {
            mean[t] += w[i] * z[[i, t]];
        }
    }
    if total > 0.0 {
        mean.mapv_inplace(|v| v / total);
    }
    let mut cov = Array2::<f64>::zeros((d, d));
    for i in 0..n {
        for a in 0..d {
            let da = z[[i, a]] - mean[a];
            for b in 0..d {
                cov[[a, b]] += w[i] * da * (z[[i, b]] - mean[b]);
            }
        }
    }
    if total > 0.0 {
        cov.mapv_inplace(|v| v / total);
    }
    (mean, cov)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn ridge_from_groups_matches_the_closed_form() {
        // Two groups, one feature (0 / 1), one gene; group means 2 and 5 with 3 and 1
        // samples. Normal equations with ridge 1 on the slope:
        // [[4, 1], [1, 1 + 1]] [a, b] = [3*2 + 5, 5] -> a = 17/7, b = 9/7.
        let x = array![[0.0], [1.0]];
        let sums = array![[6.0], [5.0]];
        let counts = array![[3.0], [1.0]];
        let (mu, coef) = ridge_from_groups(x.view(), sums.view(), counts.view(), &[0], 1.0);
        assert_abs_diff_eq!(mu[0], 17.0 / 7.0, epsilon = 1e-12);
        assert_abs_diff_eq!(coef[[0, 0]], 9.0 / 7.0, epsilon = 1e-12);
        // the same from individual rows
        let xr = array![[0.0], [0.0], [0.0], [1.0]];
        let yr = array![[1.0], [2.0], [3.0], [5.0]];
        let (a, b, r) = weighted_ridge(xr.view(), yr.view(), &[1.0; 4], 1.0);
        assert_abs_diff_eq!(a[0], 17.0 / 7.0, epsilon = 1e-12);
        assert_abs_diff_eq!(b[[0, 0]], 9.0 / 7.0, epsilon = 1e-12);
        assert_abs_diff_eq!(r[[3, 0]], 5.0 - 26.0 / 7.0, epsilon = 1e-12);
    }
}
