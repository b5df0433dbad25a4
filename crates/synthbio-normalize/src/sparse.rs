//! Normalizing sparse counts chunk by chunk, for matrices larger than memory.

use crate::error::{NormalizeError, Result};
use crate::library::check_positive;
use crate::normalize::plan;
use crate::params::{Method, TargetSum};
use crate::transform::apply;
use crate::values::Real;
use synthbio_core::{SparseCounts, SparseValues};

/// Normalizes sparse counts (samples x genes) with a transform that maps a zero
/// count to zero, so the result keeps the counts' sparsity: [`Method::Cpm`],
/// [`Method::Log2CpmPlusOne`], or [`Method::Log1p`] with a fixed target. Each
/// stored value equals the dense [`crate::normalize`] result bit for bit.
///
/// A chunk is normalized on its own, so the methods that look across samples are
/// refused: edgeR's [`Method::LogCpm`] (its prior is scaled by the mean library
/// size and a zero becomes a non-zero value, so the output would be dense) and
/// scanpy's median target (resolve it over every sample with
/// [`crate::median_of_totals`] first, then pass it as [`TargetSum::Fixed`]).
/// A sample without counts is [`NormalizeError::EmptyLibrary`] at its row in the chunk.
///
/// ```
/// use synthbio_core::SparseCounts;
/// use synthbio_normalize::{normalize_sparse, Method};
///
/// let counts = SparseCounts::new((2, 3), vec![0, 2, 3], vec![0, 2, 1], vec![10, 90, 5]);
/// let cpm = normalize_sparse::<f64>(counts, Method::Cpm).unwrap();
/// assert_eq!(cpm.get(0, 2), Some(&900_000.0));
/// assert_eq!(cpm.get(1, 1), Some(&1e6));
/// ```
pub fn normalize_sparse<F: Real>(counts: SparseCounts, method: Method) -> Result<SparseValues<F>> {
    match method {
        Method::LogCpm { .. } => {
            return Err(NormalizeError::InvalidParam {
                name: "method",
                value: "log_cpm".into(),
                fix: "edgeR's log CPM turns every zero into a non-zero value, so its output is dense; use cpm, log2_cpm_plus_one or log1p (they keep zeros at zero)",
            })
        }
        Method::Log1p {
            target_sum: TargetSum::MedianOfTotals,
        } => {
            return Err(NormalizeError::InvalidParam {
                name: "target_sum",
                value: "median of totals".into(),
                fix: "a chunk's median differs from the whole matrix's: compute median_of_totals over every sample first and pass it as a fixed target_sum",
            })
        }
        _ => {}
    }
    if counts.rows() == 0 {
        return Err(NormalizeError::NoSamples);
    }
    let libs: Vec<f64> = counts
        .outer_iterator()
        .map(|row| row.data().iter().map(|&c| f64::from(c)).sum())
        .collect();
    check_positive(&libs)?;
    let (kernel, consts) = plan::<F>(&libs, &vec![1.0; libs.len()], method);
    let log2_e = F::from_f64(std::f64::consts::LOG2_E);
    let shape = counts.shape();
    let (indptr, indices, counts) = counts.into_raw_storage();
    let data = consts
        .iter()
        .zip(indptr.windows(2))
        .flat_map(|(c, span)| {
            counts[span[0]..span[1]]
                .iter()
                .map(move |&x| apply(kernel, F::from_f64(f64::from(x)), c, log2_e))
        })
        .collect();
    // The structure is the counts' own, valid by construction.
    Ok(SparseValues::new(shape, indptr, indices, data))
}
