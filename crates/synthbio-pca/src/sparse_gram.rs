//! `X^T (X B - 1 shift^T)` for a sparse chunk `X` and a thin dense `B`: the
//! product every pass of [`crate::fit_sparse_in_passes`] forms.
//!
//! Written here rather than as two `sprs` products: sprs forms `X B`, stores
//! it, and multiplies by `X^T` serially through a generic kernel; fused per
//! row, `(X B)` lives one row at a time in cache and the rows split over the
//! threads, each adding into its own `features x width` block: `pca --stream`
//! on the Kang data (9.6 M stored values, 60 columns, 10 passes) went from
//! 26.5 s to 14.4 s (`benches/README.md`).

use ndarray::{Array1, Array2};
use rayon::prelude::*;
use synthbio_core::SparseValues;

/// Adds `X^T T` to `out` (features x width) and the column sums of `T` to
/// `sums`, where `T = X b - 1 shift^T`; `b` is features x width, row-major.
pub(crate) fn add_gram_times(
    x: &SparseValues,
    b: &Array2<f64>,
    shift: &Array1<f64>,
    out: &mut Array2<f64>,
    sums: &mut Array1<f64>,
) {
    let (p, width) = b.dim();
    let b = b.as_standard_layout();
    // Standard layout: the slice is always there.
    let b = b.as_slice().unwrap_or(&[]);
    let shift = shift.to_vec();
    let threads = rayon::current_num_threads().max(1);
    let block = x.rows().div_ceil(threads).max(1);
    let partials: Vec<(Vec<f64>, Vec<f64>)> = (0..x.rows())
        .step_by(block)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|from| {
            let mut acc = vec![0.0; p * width];
            let mut sums = vec![0.0; width];
            let mut t = vec![0.0; width];
            for i in from..(from + block).min(x.rows()) {
                let Some(row) = x.outer_view(i) else { continue };
                for (tk, s) in t.iter_mut().zip(&shift) {
                    *tk = -s;
                }
                for (g, &v) in row.iter() {
                    axpy(&mut t, v, &b[g * width..(g + 1) * width]);
                }
                for (s, tk) in sums.iter_mut().zip(&t) {
                    *s += tk;
                }
                for (g, &v) in row.iter() {
                    axpy(&mut acc[g * width..(g + 1) * width], v, &t);
                }
            }
            (acc, sums)
        })
        .collect();
    for (acc, partial_sums) in partials {
        for (o, a) in out.iter_mut().zip(&acc) {
            *o += a;
        }
        for (s, a) in sums.iter_mut().zip(&partial_sums) {
            *s += a;
        }
    }
}

/// `y += a x` over equal lengths.
#[inline]
fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}
