//! Matrices that say what they hold, so that a double log cannot happen.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// The scale of an expression matrix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scale", rename_all = "snake_case")]
pub enum Scale {
    /// Counts per million.
    Cpm,
    /// edgeR's `cpm(log = TRUE, prior.count)`: log2 of CPM with a library-scaled prior count.
    LogCpm {
        /// The prior count (edgeR default 2).
        prior_count: f64,
    },
    /// `log2(cpm + 1)`, the reference-conditioning documentation's scale for fold changes.
    Log2CpmPlusOne,
    /// scanpy's `normalize_total(target_sum)` then natural `log1p`.
    Log1p {
        /// Counts each sample is scaled to (scanpy's `target_sum`).
        target_sum: f64,
    },
}

impl Scale {
    /// True for the logarithmic scales.
    pub fn is_log(self) -> bool {
        !matches!(self, Scale::Cpm)
    }
}

/// A normalized samples x genes matrix with its scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expression<F = f64> {
    /// Values, samples x genes, in the dataset's gene order.
    pub values: Array2<F>,
    /// What the values are.
    pub scale: Scale,
}
