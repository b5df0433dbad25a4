//! Input checks, centering and optional scaling to unit variance.
//!
//! Every pass is parallel over blocks of rows, with the blocks' column sums
//! added in block order. The centered copy is row-major, like the input, so it
//! is written with sequential reads and writes; faer reads it through a
//! row-major view (its kernels take any strides).

use crate::error::{PcaError, Result};
use crate::model::Centering;
use faer::MatRef;
use ndarray::parallel::prelude::*;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Zip};

/// Column means, scales and the centered (and scaled) data.
pub(crate) struct Prepared {
    pub centering: Centering,
    /// The centered (and scaled) data, samples x features, row-major.
    data: Vec<f64>,
    n_rows: usize,
    n_cols: usize,
}

impl Prepared {
    /// The centered (and scaled) data as a faer matrix (a row-major view).
    pub fn matrix(&self) -> MatRef<'_, f64> {
        MatRef::from_row_major_slice(&self.data, self.n_rows, self.n_cols)
    }
}

/// The first non-finite value, as an error.
pub(crate) fn check_finite(x: ArrayView2<'_, f64>) -> Result<()> {
    let row = x
        .axis_iter(Axis(0))
        .into_par_iter()
        .position_first(|r| !r.iter().fold(true, |ok, v| ok & v.is_finite()));
    match row.and_then(|row| {
        let (column, &value) = x.row(row).indexed_iter().find(|(_, v)| !v.is_finite())?;
        Some(PcaError::NonFinite { row, column, value })
    }) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Checks the shape and values, then centers and (optionally) scales.
pub(crate) fn prepare(x: ArrayView2<'_, f64>, standardize: bool) -> Result<Prepared> {
    let (n, p) = x.dim();
    if n < 2 {
        return Err(PcaError::TooFewSamples { found: n });
    }
    if p == 0 {
        return Err(PcaError::NoFeatures);
    }
    check_finite(x)?;
    let nf = n as f64;
    let mean = column_sums_by(x, |sums, row| *sums += &row) / nf;
    let mut data = Array2::<f64>::zeros((n, p));
    // Two-pass variance around the mean (population, n), as StandardScaler;
    // unscaled, the centered values are written in its second pass.
    let (scale, constant_columns, written_squares) = if standardize {
        let var0 = column_sums_by(x, |sums, row| {
            Zip::from(sums).and(&row).and(&mean).for_each(|s, &v, &m| {
                let d = v - m;
                *s += d * d;
            })
        }) / nf;
        let constant: Vec<usize> = (0..p)
            .filter(|&j| is_constant(var0[j], mean[j], nf))
            .collect();
        let mut scale = var0.mapv(f64::sqrt);
        constant.iter().for_each(|&j| scale[j] = 1.0);
        let squares = center_into(&mut data, x, &mean, Some(&scale));
        (Some(scale), constant, squares)
    } else {
        let squares = center_into(&mut data, x, &mean, None);
        let constant = (0..p).filter(|&j| squares[j] == 0.0).collect();
        (None, constant, squares)
    };
    let total_variance = written_squares.sum() / (nf - 1.0);
    if total_variance == 0.0 || constant_columns.len() == p {
        return Err(PcaError::NoVariance);
    }
    let (data, _) = data.into_raw_vec_and_offset();
    Ok(Prepared {
        centering: Centering {
            mean,
            scale,
            constant_columns,
            total_variance,
        },
        data,
        n_rows: n,
        n_cols: p,
    })
}

/// Rows per block of the parallel passes. Block results are added in block
/// order, so every sum is the same bits on any number of threads.
const BLOCK_ROWS: usize = 256;

/// Adds per-block column vectors in block order.
fn add_in_order(blocks: Vec<Array1<f64>>, p: usize) -> Array1<f64> {
    blocks
        .into_iter()
        .fold(Array1::zeros(p), |total, b| total + b)
}

/// Column sums accumulated by `per_row(sums, row)` over the rows of `x`, in
/// parallel blocks of rows.
fn column_sums_by(
    x: ArrayView2<'_, f64>,
    per_row: impl Fn(&mut Array1<f64>, ArrayView1<'_, f64>) + Sync,
) -> Array1<f64> {
    let p = x.ncols();
    let blocks = x
        .axis_chunks_iter(Axis(0), BLOCK_ROWS)
        .into_par_iter()
        .map(|block| {
            let mut sums = Array1::<f64>::zeros(p);
            block
                .rows()
                .into_iter()
                .for_each(|row| per_row(&mut sums, row));
            sums
        })
        .collect();
    add_in_order(blocks, p)
}

/// Writes `(x - mean) / scale` (or `x - mean`) into `out` and returns the column
/// sums of squares of the values written.
fn center_into(
    out: &mut Array2<f64>,
    x: ArrayView2<'_, f64>,
    mean: &Array1<f64>,
    scale: Option<&Array1<f64>>,
) -> Array1<f64> {
    let p = x.ncols();
    let blocks = out
        .axis_chunks_iter_mut(Axis(0), BLOCK_ROWS)
        .into_par_iter()
        .zip(x.axis_chunks_iter(Axis(0), BLOCK_ROWS).into_par_iter())
        .map(|(mut out, block)| {
            let mut sq = Array1::<f64>::zeros(p);
            for (mut o, row) in out.rows_mut().into_iter().zip(block.rows()) {
                match scale {
                    Some(s) => Zip::from(&mut o)
                        .and(&row)
                        .and(mean)
                        .and(s)
                        .and(&mut sq)
                        .for_each(|o, &v, &m, &s, q| {
                            *o = (v - m) / s;
                            *q += *o * *o;
                        }),
                    None => Zip::from(&mut o).and(&row).and(mean).and(&mut sq).for_each(
                        |o, &v, &m, q| {
                            *o = v - m;
                            *q += *o * *o;
                        },
                    ),
                }
            }
            sq
        })
        .collect();
    add_in_order(blocks, p)
}

/// scikit-learn's `_is_constant_feature`: a variance within rounding error of 0
/// (written here because the rule must match scikit-learn's exactly).
pub(crate) fn is_constant(var: f64, mean: f64, n: f64) -> bool {
    let eps = f64::EPSILON;
    let upper = n * eps * var + (n * mean * eps).powi(2);
    var <= upper
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use ndarray::array;

    #[test]
    fn centers_scales_and_keeps_constant_columns_finite() {
        let x = array![[1.0, 5.0, 2.0], [3.0, 5.0, 4.0], [5.0, 5.0, 9.0]];
        let prepared = prepare(x.view(), true).unwrap();
        let p = &prepared.centering;
        assert_eq!(p.mean, array![3.0, 5.0, 5.0]);
        let s = p.scale.as_ref().unwrap();
        // Population standard deviation of 1, 3, 5 is sqrt(8/3).
        assert_relative_eq!(s[0], (8.0f64 / 3.0).sqrt(), epsilon = 1e-15);
        assert_eq!(s[1], 1.0);
        assert_eq!(p.constant_columns, vec![1]);
        assert_eq!(prepared.matrix()[(0, 1)], 0.0);
        assert_relative_eq!(prepared.matrix()[(0, 0)], -2.0 / (8.0f64 / 3.0).sqrt());
        // Two unit-variance (n) columns have variance n/(n-1) each with n - 1.
        assert_relative_eq!(p.total_variance, 2.0 * 3.0 / 2.0, epsilon = 1e-12);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            prepare(array![[1.0, 2.0]].view(), false).err(),
            Some(PcaError::TooFewSamples { found: 1 })
        );
        assert!(matches!(
            prepare(array![[1.0, f64::NAN], [1.0, 2.0]].view(), false),
            Err(PcaError::NonFinite {
                row: 0,
                column: 1,
                ..
            })
        ));
        assert_eq!(
            prepare(array![[1.0, 2.0], [1.0, 2.0]].view(), true).err(),
            Some(PcaError::NoVariance)
        );
        assert_eq!(
            prepare(array![[1.0, 2.0], [1.0, 2.0]].view(), false).err(),
            Some(PcaError::NoVariance)
        );
    }
}
