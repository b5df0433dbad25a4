//! Per-gene group means and variances, walked in memory order.

use ndarray::{ArrayView2, Axis};

/// Relative size below which a standard deviation is rounding noise and set to zero:
/// `sd <= ZERO_SD * max(1, |mean|)`. Genes without counts have the same log CPM in every
/// sample only up to rounding (about 1e-15); without this their t would be noise.
pub const ZERO_SD: f64 = 1e-10;

/// Mean and sample variance (n - 1 denominator) of every gene within one group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupStats {
    /// Number of samples.
    pub n: usize,
    /// Mean of each gene.
    pub mean: Vec<f64>,
    /// Variance of each gene, with rounding noise set to 0 (see [`ZERO_SD`]).
    pub var: Vec<f64>,
}

impl GroupStats {
    /// Statistics of the rows `rows` of `values` (samples x genes, at least 2 rows).
    pub fn of(values: ArrayView2<'_, f64>, rows: &[usize]) -> Self {
        let sub = values.select(Axis(0), rows);
        // mean_axis / var_axis run down the rows, in memory order for row-major input.
        let mean = sub
            .mean_axis(Axis(0))
            .map(|m| m.to_vec())
            .unwrap_or_default();
        let var = sub.var_axis(Axis(0), 1.0);
        let var = var
            .iter()
            .zip(&mean)
            .map(|(&v, &m)| {
                if v.sqrt() <= ZERO_SD * m.abs().max(1.0) {
                    0.0
                } else {
                    v
                }
            })
            .collect();
        GroupStats {
            n: rows.len(),
            mean,
            var,
        }
    }
}
