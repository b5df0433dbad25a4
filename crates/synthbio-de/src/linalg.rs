//! Householder QR with R's limited column pivoting (LINPACK `dqrdc2`, tolerance 1e-7),
//! the small dense algebra of `lm.fit`.
//!
//! Written by hand rather than with faer: a design has a handful of columns, and limma's
//! answers depend on `dqrdc2`'s rule of moving near-dependent columns to the end (which
//! names the non-estimable coefficients), which general-purpose QRs do not follow.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// R's `qr()` tolerance for a column to count as linearly dependent.
pub const QR_TOL: f64 = 1e-7;

/// A QR decomposition `X P = Q R` of an `n x p` matrix, Householder vectors kept.
#[derive(Debug, Clone)]
pub struct Qr {
    /// Householder vectors (column k holds v_k in rows k..n, v_k[k] = 1 implied by `beta`).
    v: Array2<f64>,
    /// `2 / (v_k . v_k)` per reflection.
    beta: Vec<f64>,
    /// The `rank x rank` upper triangle of R.
    pub r: Array2<f64>,
    /// Original column order: estimable columns first, then the dependent ones.
    pub pivot: Vec<usize>,
    /// Number of linearly independent columns.
    pub rank: usize,
    /// Rows.
    pub n: usize,
}

impl Qr {
    /// Decomposes `x` (rows = observations). Columns whose norm after removing the
    /// earlier columns falls below `QR_TOL` times their original norm go to the end.
    pub fn new(x: ArrayView2<'_, f64>) -> Self {
        let (n, p) = x.dim();
        let mut a = x.to_owned();
        let norms: Vec<f64> = (0..p).map(|j| norm(a.column(j))).collect();
        let mut order: Vec<usize> = (0..p).collect();
        let mut dependent = Vec::new();
        let mut v = Array2::zeros((n, p.min(n)));
        let mut beta = Vec::new();
        let mut k = 0;
        let mut next = 0;
        while next < order.len() && k < n {
            let j = order[next];
            next += 1;
            let col: Vec<f64> = (k..n).map(|i| a[[i, j]]).collect();
            let cn = col.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norms[j] == 0.0 || cn < QR_TOL * norms[j] {
                dependent.push(j);
                continue;
            }
            // Reflection mapping col to (-sign * cn, 0, ...).
            let alpha = if col[0] >= 0.0 { -cn } else { cn };
            let mut hv = col.clone();
            hv[0] -= alpha;
            let vv: f64 = hv.iter().map(|x| x * x).sum();
            let b = if vv > 0.0 { 2.0 / vv } else { 0.0 };
            for &c in order[next - 1..].iter() {
                let dot: f64 = (k..n).map(|i| hv[i - k] * a[[i, c]]).sum();
                for i in k..n {
                    a[[i, c]] -= b * dot * hv[i - k];
                }
            }
            for i in k..n {
                v[[i, k]] = hv[i - k];
            }
            beta.push(b);
            // Accepted columns occupy the first k positions (skipped ones are recorded).
            order[k] = j;
            k += 1;
        }
        // Columns never reached (k == n) are dependent too.
        dependent.extend(order[next..].iter().copied());
        let accepted: Vec<usize> = order[..k].to_vec();
        let rank = accepted.len();
        let mut r = Array2::zeros((rank, rank));
        for (cj, &j) in accepted.iter().enumerate() {
            for i in 0..=cj {
                r[[i, cj]] = a[[i, j]];
            }
        }
        let mut pivot = accepted;
        pivot.extend(dependent);
        Qr {
            v,
            beta,
            r,
            pivot,
            rank,
            n,
        }
    }

    /// `Q^T y`: R's `effects` (the first `rank` fit the coefficients, the rest are residual).
    pub fn qty(&self, y: ArrayView1<'_, f64>) -> Array1<f64> {
        let mut e = y.to_owned();
        for k in 0..self.rank {
            let dot: f64 = (k..self.n).map(|i| self.v[[i, k]] * e[i]).sum();
            let b = self.beta[k] * dot;
            for i in k..self.n {
                e[i] -= b * self.v[[i, k]];
            }
        }
        e
    }

    /// Solves `R b = e[..rank]`: the coefficients of the estimable columns (pivot order).
    pub fn solve_r(&self, e: ArrayView1<'_, f64>) -> Vec<f64> {
        let p = self.rank;
        let mut b = vec![0.0; p];
        for i in (0..p).rev() {
            let s: f64 = ((i + 1)..p).map(|j| self.r[[i, j]] * b[j]).sum();
            b[i] = (e[i] - s) / self.r[[i, i]];
        }
        b
    }

    /// `(R^T R)^{-1}` (R's `chol2inv`), in pivot order.
    pub fn cov_unscaled(&self) -> Array2<f64> {
        let p = self.rank;
        // R^{-1} by back substitution, column by column.
        let mut rinv = Array2::<f64>::zeros((p, p));
        for c in 0..p {
            for i in (0..=c).rev() {
                let s: f64 = ((i + 1)..=c).map(|j| self.r[[i, j]] * rinv[[j, c]]).sum();
                let rhs = if i == c { 1.0 } else { 0.0 };
                rinv[[i, c]] = (rhs - s) / self.r[[i, i]];
            }
        }
        rinv.dot(&rinv.t())
    }

    /// Diagonal of the hat matrix (R's `hat()`): squared row norms of the first `rank`
    /// columns of Q.
    pub fn hat(&self) -> Vec<f64> {
        let mut h = vec![0.0; self.n];
        for k in 0..self.rank {
            let mut unit = Array1::zeros(self.n);
            unit[k] = 1.0;
            // Q e_k = H_1 ... H_rank e_k, applied in reverse order.
            for m in (0..self.rank).rev() {
                let dot: f64 = (m..self.n).map(|i| self.v[[i, m]] * unit[i]).sum();
                let b = self.beta[m] * dot;
                for i in m..self.n {
                    unit[i] -= b * self.v[[i, m]];
                }
            }
            for (hi, u) in h.iter_mut().zip(unit.iter()) {
                *hi += u * u;
            }
        }
        h
    }
}

/// Euclidean norm.
fn norm(x: ArrayView1<'_, f64>) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// Upper Cholesky factor `U` with `U^T U = a` (R's `chol`), `None` if not positive definite.
pub fn cholesky_upper(a: ArrayView2<'_, f64>) -> Option<Array2<f64>> {
    let p = a.nrows();
    let mut u = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        let s: f64 = (0..j).map(|k| u[[k, j]] * u[[k, j]]).sum();
        let d = a[[j, j]] - s;
        if d <= 0.0 {
            return None;
        }
        u[[j, j]] = d.sqrt();
        for i in (j + 1)..p {
            let s: f64 = (0..j).map(|k| u[[k, j]] * u[[k, i]]).sum();
            u[[j, i]] = (a[[j, i]] - s) / u[[j, j]];
        }
    }
    Some(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn solves_least_squares_and_names_dependent_columns() {
        let x = array![
            [1.0, 0.0, 2.0],
            [1.0, 1.0, 2.0],
            [1.0, 2.0, 2.0],
            [1.0, 3.0, 2.0]
        ];
        let qr = Qr::new(x.view());
        assert_eq!(qr.rank, 2);
        assert_eq!(qr.pivot, vec![0, 1, 2]);
        let y = array![1.0, 3.0, 5.0, 7.0];
        let e = qr.qty(y.view());
        let b = qr.solve_r(e.view());
        assert_abs_diff_eq!(b[0], 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(b[1], 2.0, epsilon = 1e-12);
        assert_abs_diff_eq!(e[2], 0.0, epsilon = 1e-12);
        assert_abs_diff_eq!(e[3], 0.0, epsilon = 1e-12);
        let h: f64 = qr.hat().iter().sum();
        assert_abs_diff_eq!(h, 2.0, epsilon = 1e-12);
        let cov = qr.cov_unscaled();
        // (X^T X)^{-1} of [1, x] with x = 0..3: [[0.7, -0.3], [-0.3, 0.2]].
        assert_abs_diff_eq!(cov[[0, 0]], 0.7, epsilon = 1e-12);
        assert_abs_diff_eq!(cov[[0, 1]], -0.3, epsilon = 1e-12);
        let u = cholesky_upper(array![[4.0, 2.0], [2.0, 5.0]].view()).unwrap();
        assert_abs_diff_eq!(u[[0, 0]], 2.0, epsilon = 1e-15);
        assert_abs_diff_eq!(u[[1, 1]], 2.0, epsilon = 1e-15);
    }
}
