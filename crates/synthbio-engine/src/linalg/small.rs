//! Dense linear algebra for small matrices (latent dimensions, at most a few
//! hundred rows) in plain fixed-order loops, so results are the same bits on
//! every CPU (see the module doc of `linalg`). faer would be faster, but it
//! picks SIMD kernels at run time; at these sizes the loops cost milliseconds.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// `a · b` in fixed summation order.
pub(crate) fn matmul(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let (m, k) = a.dim();
    let (k2, n) = b.dim();
    assert_eq!(k, k2, "matmul: inner dimensions differ");
    let mut out = Array2::zeros((m, n));
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0;
            for t in 0..k {
                s += a[[i, t]] * b[[t, j]];
            }
            out[[i, j]] = s;
        }
    }
    out
}

/// `a · x` in fixed summation order.
pub(crate) fn matvec(a: ArrayView2<'_, f64>, x: ArrayView1<'_, f64>) -> Array1<f64> {
    let (m, k) = a.dim();
    assert_eq!(k, x.len(), "matvec: dimensions differ");
    Array1::from_shape_fn(m, |i| {
        let mut s = 0.0;
        for t in 0..k {
            s += a[[i, t]] * x[t];
        }
        s
    })
}

/// The lower Cholesky factor `L` of a symmetric positive definite matrix
/// (`a = L Lᵀ`); `None` if a pivot is not positive.
pub(crate) fn cholesky(a: ArrayView2<'_, f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    assert_eq!(n, a.ncols(), "cholesky: matrix is not square");
    let mut l = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        if d.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        l[[j, j]] = d;
        for i in (j + 1)..n {
            let mut s = a[[i, j]];
            for k in 0..j {
                s -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = s / d;
        }
    }
    Some(l)
}

/// Cholesky factor after adding `jitter * mean(diag) * I` until it succeeds.
pub(crate) fn cholesky_jittered(a: ArrayView2<'_, f64>) -> Array2<f64> {
    if let Some(l) = cholesky(a) {
        return l;
    }
    let n = a.nrows();
    let scale = (0..n).map(|i| a[[i, i]].abs()).sum::<f64>() / n.max(1) as f64;
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let mut jitter = 1e-10;
    loop {
        let mut b = a.to_owned();
        for i in 0..n {
            b[[i, i]] += jitter * scale;
        }
        if let Some(l) = cholesky(b.view()) {
            return l;
        }
        jitter *= 10.0;
        // A diagonal of `scale` alone is positive definite, so this ends.
        assert!(jitter < 1e6, "cholesky_jittered: matrix is not symmetric");
    }
}

/// Solves `L x = b` for lower-triangular `L`.
pub(crate) fn solve_lower(l: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Array1<f64> {
    let n = l.nrows();
    let mut x = Array1::zeros(n);
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[[i, k]] * x[k];
        }
        x[i] = s / l[[i, i]];
    }
    x
}

/// Solves `Lᵀ x = b` for lower-triangular `L`.
pub(crate) fn solve_lower_t(l: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Array1<f64> {
    let n = l.nrows();
    let mut x = Array1::zeros(n);
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in (i + 1)..n {
            s -= l[[k, i]] * x[k];
        }
        x[i] = s / l[[i, i]];
    }
    x
}

/// Solves `A x = b` given the Cholesky factor of `A`.
pub(crate) fn chol_solve(l: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Array1<f64> {
    solve_lower_t(l, solve_lower(l, b).view())
}

/// Solves `A X = B` column by column given the Cholesky factor of `A`.
pub(crate) fn chol_solve_mat(l: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut x = Array2::zeros(b.raw_dim());
    for j in 0..b.ncols() {
        let col = chol_solve(l, b.column(j));
        x.column_mut(j).assign(&col);
    }
    x
}

/// `A⁻¹` given the Cholesky factor of `A`.
pub(crate) fn chol_inverse(l: ArrayView2<'_, f64>) -> Array2<f64> {
    let n = l.nrows();
    let inv = chol_solve_mat(l, Array2::eye(n).view());
    symmetrize(inv)
}

/// `(a + aᵀ) / 2`.
pub(crate) fn symmetrize(mut a: Array2<f64>) -> Array2<f64> {
    let n = a.nrows();
    for i in 0..n {
        for j in (i + 1)..n {
            let v = 0.5 * (a[[i, j]] + a[[j, i]]);
            a[[i, j]] = v;
            a[[j, i]] = v;
        }
    }
    a
}

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations:
/// eigenvalues in decreasing order and the matching eigenvectors as columns,
/// each with its largest-magnitude entry positive.
pub(crate) fn sym_eigen(a: ArrayView2<'_, f64>) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows();
    assert_eq!(n, a.ncols(), "sym_eigen: matrix is not square");
    // Row-major copies in plain vectors: this is the hot loop of training.
    let mut m: Vec<f64> = symmetrize(a.to_owned()).iter().copied().collect();
    let mut v = vec![0.0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let total: f64 = m.iter().map(|x| x * x).sum();
    for _sweep in 0..100 {
        let mut off = 0.0;
        for i in 0..n {
            for j in (i + 1)..n {
                off += m[i * n + j] * m[i * n + j];
            }
        }
        if off <= 1e-30 * total || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in (p + 1)..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let app = m[p * n + p];
                let aqq = m[q * n + q];
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let mkp = m[k * n + p];
                    let mkq = m[k * n + q];
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let mpk = m[p * n + k];
                    let mqk = m[q * n + k];
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    // Stable sort on a total order: ties keep their index order.
    order.sort_by(|&i, &j| m[j * n + j].total_cmp(&m[i * n + i]));
    let values = order.iter().map(|&i| m[i * n + i]).collect();
    let mut vectors = Array2::zeros((n, n));
    for (out, &i) in order.iter().enumerate() {
        let mut col: Vec<f64> = (0..n).map(|k| v[k * n + i]).collect();
        orient(&mut col);
        for k in 0..n {
            vectors[[k, out]] = col[k];
        }
    }
    (values, vectors)
}

/// Flips a vector so that its largest-magnitude entry (the first, on ties) is positive.
pub(crate) fn orient(col: &mut [f64]) {
    let mut best = 0usize;
    for (k, x) in col.iter().enumerate() {
        if x.abs() > col[best].abs() {
            best = k;
        }
    }
    if col.get(best).is_some_and(|&x| x < 0.0) {
        col.iter_mut().for_each(|x| *x = -*x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn cholesky_solves_a_hand_computed_system() {
        // A = [[4, 2], [2, 3]]: L = [[2, 0], [1, sqrt(2)]]; A x = [2, 1] -> x = [0.5, 0].
        let a = array![[4.0, 2.0], [2.0, 3.0]];
        let l = cholesky(a.view()).unwrap();
        assert_abs_diff_eq!(l[[1, 1]], 2f64.sqrt(), epsilon = 1e-15);
        let x = chol_solve(l.view(), array![2.0, 1.0].view());
        assert_abs_diff_eq!(x.as_slice().unwrap(), &[0.5, 0.0][..], epsilon = 1e-15);
        let inv = chol_inverse(l.view());
        let id = matmul(a.view(), inv.view());
        assert_abs_diff_eq!(
            id.as_slice().unwrap(),
            &[1.0, 0.0, 0.0, 1.0][..],
            epsilon = 1e-14
        );
        assert!(cholesky(array![[1.0, 2.0], [2.0, 1.0]].view()).is_none());
    }

    #[test]
    fn jacobi_matches_a_hand_computed_spectrum() {
        // [[2, 1], [1, 2]] has eigenvalues 3 and 1 with vectors (1, 1)/√2 and (1, -1)/√2.
        let (vals, vecs) = sym_eigen(array![[2.0, 1.0], [1.0, 2.0]].view());
        assert_abs_diff_eq!(vals[0], 3.0, epsilon = 1e-14);
        assert_abs_diff_eq!(vals[1], 1.0, epsilon = 1e-14);
        let r = 0.5f64.sqrt();
        assert_abs_diff_eq!(
            vecs.column(0).to_vec().as_slice(),
            &[r, r][..],
            epsilon = 1e-14
        );
        // 3x3: reconstruct A = V diag(λ) Vᵀ.
        let a = array![[4.0, 1.0, -2.0], [1.0, 2.0, 0.5], [-2.0, 0.5, 3.0]];
        let (vals, vecs) = sym_eigen(a.view());
        let d = Array2::from_diag(&Array1::from(vals));
        let back = matmul(matmul(vecs.view(), d.view()).view(), vecs.t());
        assert_abs_diff_eq!(
            back.as_slice().unwrap(),
            a.as_slice().unwrap(),
            epsilon = 1e-12
        );
    }
}
