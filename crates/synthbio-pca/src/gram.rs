//! The lower half of `X^T X`, as BLAS' `dsyrk` forms it: in column blocks.
//!
//! Written by hand because no well-kept crate offers a symmetric rank-k update
//! on faer, and faer's own triangular product ran 1.75x scikit-learn's OpenBLAS
//! `dsyrk` here. Each block of the lower half, `X[:, I]^T X[:, J]` with `I >= J`,
//! is one of faer's general products (its fastest kernel), run single-threaded;
//! the blocks run side by side on rayon, so both cores stay busy on whole
//! products instead of splitting small ones.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rayon::prelude::*;

/// Widest column block: wide enough for faer's kernels to run at full speed,
/// narrow enough that the wasted upper half of the diagonal blocks stays small.
const BLOCK: usize = 256;

/// `X^T X` with its lower half (diagonal included) filled; the upper half is zero.
pub(crate) fn gram_lower(x: MatRef<'_, f64>) -> Mat<f64> {
    let p = x.ncols();
    let n_blocks = p.div_ceil(BLOCK).max(1);
    // Equal widths (to one column), so the products cost about the same.
    let bounds: Vec<usize> = (0..=n_blocks).map(|b| b * p / n_blocks).collect();
    let pairs: Vec<(usize, usize)> = (0..n_blocks)
        .flat_map(|i| (0..=i).map(move |j| (i, j)))
        .collect();
    let blocks: Vec<Mat<f64>> = pairs
        .par_iter()
        .map(|&(i, j)| {
            let rows = x.subcols(bounds[i], bounds[i + 1] - bounds[i]);
            let cols = x.subcols(bounds[j], bounds[j + 1] - bounds[j]);
            let mut block = Mat::<f64>::zeros(rows.ncols(), cols.ncols());
            matmul(
                block.as_mut(),
                Accum::Replace,
                rows.transpose(),
                cols,
                1.0,
                Par::Seq,
            );
            block
        })
        .collect();
    let mut gram = Mat::<f64>::zeros(p, p);
    for (&(i, j), block) in pairs.iter().zip(&blocks) {
        for c in 0..block.ncols() {
            let col = bounds[j] + c;
            for r in 0..block.nrows() {
                let row = bounds[i] + r;
                if row >= col {
                    gram[(row, col)] = block[(r, c)];
                }
            }
        }
    }
    gram
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lower_half_is_the_full_product_to_rounding() {
        // Uneven widths: 600 columns are three blocks of 200.
        for &(n, p) in &[(50, 600), (7, 3), (300, 257), (1, 1)] {
            let x = Mat::<f64>::from_fn(n, p, |i, j| ((i * 31 + j * 17) % 23) as f64 - 11.0);
            let full = x.transpose() * &x;
            let lower = gram_lower(x.as_ref());
            for r in 0..p {
                for c in 0..p {
                    let want = if r >= c { full[(r, c)] } else { 0.0 };
                    assert!(
                        (lower[(r, c)] - want).abs() <= 1e-12 * full[(r, r)].abs().max(1.0),
                        "({r}, {c}) of {n} x {p}: {} vs {want}",
                        lower[(r, c)]
                    );
                }
            }
        }
    }
}
