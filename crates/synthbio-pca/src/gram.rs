//! The lower half of `X^T X`, the covariance solver's only pass over the data.
//!
//! faer's triangular product computes just that half. A blocked symmetric
//! rank-k update written on faer's general product (the blocks of the lower half
//! side by side on rayon, as BLAS' `dsyrk` does) measured the same here:
//! 7.5-7.6 s against 7.3-8.1 s at 100,000 x 1,568, and it was dropped. Both
//! trail OpenBLAS' `dsyrk` (3.0-3.4 s for the product alone against 4.1-5.3
//! s); see `benches/README.md` for what was measured and why no BLAS is linked.

use faer::linalg::matmul::triangular::{matmul, BlockStructure};
use faer::{Accum, Mat, MatRef};

/// `X^T X` with its lower half (diagonal included) filled; the upper half is zero.
pub(crate) fn gram_lower(x: MatRef<'_, f64>) -> Mat<f64> {
    let p = x.ncols();
    let mut gram = Mat::<f64>::zeros(p, p);
    matmul(
        gram.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        x.transpose(),
        BlockStructure::Rectangular,
        x,
        BlockStructure::Rectangular,
        1.0,
        faer::get_global_parallelism(),
    );
    gram
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lower_half_is_the_full_product_to_rounding() {
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
