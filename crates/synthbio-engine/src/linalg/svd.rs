//! Leading right singular vectors of a wide matrix (rows x genes).

use super::exact::{exact_matmul, exact_product, Split, SplitView};
use super::small::{orient, sym_eigen};
use ndarray::{Array2, ArrayView2, Axis, Slice};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Above this many rows, a randomized range finder first reduces the rows.
const DIRECT_ROWS: usize = 48;
/// Extra columns of the randomized range finder.
const OVERSAMPLE: usize = 10;
/// Power iterations of the randomized range finder.
const POWER_ITERATIONS: usize = 2;

/// The leading right singular vectors of `s` (rows x columns): at most `k_max`
/// of them, keeping only singular values above `rel_tol` times the largest.
/// Returns the singular values (decreasing) and the vectors as columns
/// (columns of `s` x kept), each oriented with its largest entry positive.
pub(crate) fn top_right_singular(
    s: ArrayView2<'_, f64>,
    k_max: usize,
    rel_tol: f64,
) -> (Vec<f64>, Array2<f64>) {
    let split = Split::new(s);
    if s.nrows() > DIRECT_ROWS && k_max + OVERSAMPLE < s.nrows() {
        let q = range_basis(split.view(), k_max + OVERSAMPLE);
        // B = Qᵀ S has the same leading right singular vectors as S.
        let b = exact_product(Split::new(q.view()).view().t(), split.view());
        return direct(Split::new(b.view()).view(), k_max, rel_tol);
    }
    direct(split.view(), k_max, rel_tol)
}

/// SVD through the eigen-decomposition of the small Gram matrix `S Sᵀ`.
fn direct(s: SplitView<'_>, k_max: usize, rel_tol: f64) -> (Vec<f64>, Array2<f64>) {
    let gram = exact_product(s, s.t());
    let (vals, vecs) = sym_eigen(gram.view());
    let top = vals.first().copied().unwrap_or(0.0);
    let keep = vals
        .iter()
        .take(k_max)
        .take_while(|&&v| top > 0.0 && v > rel_tol * rel_tol * top)
        .count();
    let sing: Vec<f64> = vals[..keep].iter().map(|v| v.sqrt()).collect();
    // V = Sᵀ U Σ⁻¹
    let u = vecs.slice_axis(Axis(1), Slice::from(..keep)).to_owned();
    let mut v = exact_product(s.t(), Split::new(u.view()).view());
    for (j, &sv) in sing.iter().enumerate() {
        let mut col = v.column_mut(j);
        col.mapv_inplace(|x| x / sv);
        let mut c: Vec<f64> = col.to_vec();
        orient(&mut c);
        col.assign(&ndarray::Array1::from(c));
    }
    (sing, v)
}

/// An orthonormal basis (rows x l) of the range of `s`, by a randomized range
/// finder with a seeded, portable sign matrix and power iterations.
fn range_basis(s: SplitView<'_>, l: usize) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5EED_0F5B);
    let omega = Array2::from_shape_fn((s.ncols(), l), |_| {
        if rng.random::<bool>() {
            1.0
        } else {
            -1.0
        }
    });
    let product = |x: SplitView<'_>, y: &Array2<f64>| exact_product(x, Split::new(y.view()).view());
    let mut q = orthonormalize(product(s, &omega));
    for _ in 0..POWER_ITERATIONS {
        let z = orthonormalize(product(s.t(), &q));
        q = orthonormalize(product(s, &z));
    }
    q
}

/// Orthonormal columns spanning the columns of `y` (through the eigen-decomposition
/// of `yᵀy`, dropping directions that are numerically absent).
fn orthonormalize(y: Array2<f64>) -> Array2<f64> {
    let gram = exact_matmul(y.t(), y.view());
    let (vals, vecs) = sym_eigen(gram.view());
    let top = vals.first().copied().unwrap_or(0.0);
    let keep = vals
        .iter()
        .take_while(|&&v| top > 0.0 && v > 1e-20 * top)
        .count();
    let mut basis = exact_matmul(y.view(), vecs.slice_axis(Axis(1), Slice::from(..keep)));
    for (j, mut col) in basis.axis_iter_mut(Axis(1)).enumerate() {
        let norm = vals[j].sqrt();
        col.mapv_inplace(|x| x / norm);
    }
    basis
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// A rank-2 matrix with known singular values 5 and 2.
    fn rank_two(rows: usize) -> (Array2<f64>, Array2<f64>) {
        let cols = 40;
        let mut v = Array2::zeros((cols, 2));
        for k in 0..cols {
            v[[k, 0]] = 1.0 / (cols as f64).sqrt();
            v[[k, 1]] = if k % 2 == 0 { 1.0 } else { -1.0 } / (cols as f64).sqrt();
        }
        let mut u = Array2::zeros((rows, 2));
        for i in 0..rows {
            let a = i as f64 * 0.7;
            u[[i, 0]] = a.cos();
            u[[i, 1]] = a.sin();
        }
        // orthonormalize u's columns (Gram-Schmidt, two columns)
        let n0 = u.column(0).dot(&u.column(0)).sqrt();
        u.column_mut(0).mapv_inplace(|x| x / n0);
        let p = u.column(0).dot(&u.column(1));
        let c0 = u.column(0).to_owned();
        u.column_mut(1).scaled_add(-p, &c0);
        let n1 = u.column(1).dot(&u.column(1)).sqrt();
        u.column_mut(1).mapv_inplace(|x| x / n1);
        let sig = Array2::from_diag(&ndarray::array![5.0, 2.0]);
        (u.dot(&sig).dot(&v.t()), v)
    }

    #[test]
    fn recovers_singular_values_and_vectors_directly_and_randomized() {
        for rows in [10, 400] {
            let (m, v) = rank_two(rows);
            let (sing, vecs) = top_right_singular(m.view(), 5, 1e-6);
            assert_eq!(sing.len(), 2, "rows {rows}");
            assert_abs_diff_eq!(sing[0], 5.0, epsilon = 1e-4);
            assert_abs_diff_eq!(sing[1], 2.0, epsilon = 1e-4);
            for j in 0..2 {
                let dot = vecs.column(j).dot(&v.column(j)).abs();
                assert_abs_diff_eq!(dot, 1.0, epsilon = 1e-6);
            }
        }
    }
}
