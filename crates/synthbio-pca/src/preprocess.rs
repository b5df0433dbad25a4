//! Input checks, centering and optional scaling to unit variance.
//!
//! The centered copy is row-major, like the input, so it is written in one
//! parallel pass of sequential reads and writes; faer reads it through a
//! row-major view (its kernels take any strides).

use crate::error::{PcaError, Result};
use crate::model::Centering;
use faer::MatRef;
use ndarray::parallel::prelude::*;
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};

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
    let mean = x.sum_axis(Axis(0)) / nf;
    // Two-pass variance around the mean (population, n), as StandardScaler.
    let mut var0 = Array1::<f64>::zeros(p);
    for row in x.rows() {
        for ((v, &xi), &m) in var0.iter_mut().zip(row).zip(&mean) {
            let d = xi - m;
            *v += d * d;
        }
    }
    var0 /= nf;
    let mut constant_columns = Vec::new();
    let scale = standardize.then(|| {
        Array1::from_iter((0..p).map(|j| {
            if is_constant(var0[j], mean[j], nf) {
                constant_columns.push(j);
                1.0
            } else {
                var0[j].sqrt()
            }
        }))
    });
    if !standardize {
        constant_columns = (0..p).filter(|&j| var0[j] == 0.0).collect();
    }
    let mut data = Array2::<f64>::zeros((n, p));
    Zip::from(data.rows_mut())
        .and(x.rows())
        .par_for_each(|mut out, row| match &scale {
            Some(s) => Zip::from(&mut out)
                .and(&row)
                .and(&mean)
                .and(s)
                .for_each(|o, &v, &m, &s| *o = (v - m) / s),
            None => Zip::from(&mut out)
                .and(&row)
                .and(&mean)
                .for_each(|o, &v, &m| *o = v - m),
        });
    // Per-row sums in parallel, added in row order: the same total on any thread count.
    let row_sums: Vec<f64> = data
        .axis_iter(Axis(0))
        .into_par_iter()
        .map(|r| r.iter().map(|v| v * v).sum::<f64>())
        .collect();
    let total_variance = row_sums.iter().sum::<f64>() / (nf - 1.0);
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
