//! Library sizes, computed in the matrix's memory order while checking every count.

use crate::error::{column_label, row_label, NormalizeError, Result};
use crate::values::CountValue;
use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;

/// Genes per parallel task when walking a column-major matrix.
const COLUMN_CHUNK: usize = 256;

/// True when genes (columns) are contiguous in memory, i.e. the matrix is column-major
/// (a genes x samples table seen transposed); then the work walks genes.
pub(crate) fn gene_major<T>(m: &ArrayView2<'_, T>) -> bool {
    m.ncols() > 1 && m.nrows() > 1 && m.strides()[0] == 1 && m.strides()[1] != 1
}

/// The total count of each sample (row), checking that every count is finite and
/// non-negative. Zero totals are returned as they are; see [`check_positive`].
pub fn library_sizes<T: CountValue>(counts: ArrayView2<'_, T>) -> Result<Vec<f64>> {
    if gene_major(&counts) {
        let partial: Vec<Result<Vec<f64>>> = counts
            .axis_chunks_iter(Axis(1), COLUMN_CHUNK)
            .into_par_iter()
            .enumerate()
            .map(|(k, chunk)| {
                let mut sums = vec![0.0; chunk.nrows()];
                for (jj, col) in chunk.columns().into_iter().enumerate() {
                    for (i, (&c, s)) in col.iter().zip(sums.iter_mut()).enumerate() {
                        *s += checked(c, i, k * COLUMN_CHUNK + jj)?;
                    }
                }
                Ok(sums)
            })
            .collect();
        add_partials(counts.nrows(), partial)
    } else {
        counts
            .axis_iter(Axis(0))
            .into_par_iter()
            .enumerate()
            .map(|(i, row)| match row.as_slice() {
                Some(r) => T::sum_slice(r).map_err(|j| invalid(r[j], i, j)),
                None => row
                    .iter()
                    .enumerate()
                    .try_fold(0.0, |s, (j, &c)| Ok(s + checked(c, i, j)?)),
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    }
}

/// Refuses a library size that is not positive, naming the sample (as edgeR does).
pub fn check_positive(library_sizes: &[f64]) -> Result<()> {
    match library_sizes.iter().position(|&l| l.is_nan() || l <= 0.0) {
        Some(index) => Err(NormalizeError::EmptyLibrary {
            sample: row_label(index),
            index,
            library_size: library_sizes[index],
        }),
        None => Ok(()),
    }
}

#[inline]
fn checked<T: CountValue>(c: T, i: usize, j: usize) -> Result<f64> {
    c.to_count().ok_or_else(|| invalid(c, i, j))
}

fn invalid<T: CountValue>(c: T, i: usize, j: usize) -> NormalizeError {
    NormalizeError::InvalidCount {
        sample: row_label(i),
        gene: column_label(j),
        value: c.raw(),
    }
}

/// Adds per-chunk sums in chunk order (deterministic), returning the first error.
fn add_partials(n: usize, partial: Vec<Result<Vec<f64>>>) -> Result<Vec<f64>> {
    let mut sums = vec![0.0; n];
    for p in partial {
        for (s, v) in sums.iter_mut().zip(p?) {
            *s += v;
        }
    }
    Ok(sums)
}
