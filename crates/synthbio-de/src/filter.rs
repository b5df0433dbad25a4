//! edgeR's `filterByExpr`: keep genes with enough counts in enough samples.

use crate::design::Design;
use crate::error::{DeError, Result};
use crate::linalg::Qr;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// `filterByExpr`'s arguments, with edgeR's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilterParams {
    /// Minimum count in the median library (converted to a CPM cutoff); default 10.
    pub min_count: f64,
    /// Minimum total count over all samples; default 15.
    pub min_total_count: f64,
    /// Group size above which only `min_prop` of the extra samples must pass; default 10.
    pub large_n: f64,
    /// See `large_n`; default 0.7.
    pub min_prop: f64,
}

impl Default for FilterParams {
    fn default() -> Self {
        FilterParams {
            min_count: 10.0,
            min_total_count: 15.0,
            large_n: 10.0,
            min_prop: 0.7,
        }
    }
}

/// `filterByExpr(counts, design)`: a gene is kept when its CPM reaches
/// `min_count / median(lib size) * 1e6` in at least `1 / max(hat(design))` samples (the
/// smallest group size for a group design) and its total count reaches `min_total_count`.
/// `counts` is samples x genes; library sizes are the column totals of all genes given.
pub fn filter_by_expr(
    counts: ArrayView2<'_, f64>,
    design: &Design,
    params: &FilterParams,
) -> Result<Vec<bool>> {
    let (n, g) = counts.dim();
    if design.n_samples() != n {
        return Err(DeError::Shape {
            what: "design rows (one per sample of the counts)".into(),
            expected: n,
            found: design.n_samples(),
        });
    }
    let hat = Qr::new(design.matrix.view()).hat();
    let max_h = hat.iter().copied().fold(0.0, f64::max);
    let mut min_size = 1.0 / max_h;
    if min_size > params.large_n {
        min_size = params.large_n + (min_size - params.large_n) * params.min_prop;
    }
    let lib: Vec<f64> = (0..n).map(|i| counts.row(i).sum()).collect();
    let med = crate::limma::median(&lib);
    if med.is_nan() || med <= 0.0 {
        return Err(DeError::InvalidValue {
            what: "median library size".into(),
            position: "all samples".into(),
            value: med,
            fix: "give counts with non-empty libraries",
        });
    }
    let cutoff = params.min_count / med * 1e6;
    let tol = 1e-14;
    Ok((0..g)
        .map(|j| {
            let mut above = 0.0;
            let mut total = 0.0;
            for i in 0..n {
                let c = counts[[i, j]];
                total += c;
                if c / lib[i] * 1e6 >= cutoff {
                    above += 1.0;
                }
            }
            above >= min_size - tol && total >= params.min_total_count - tol
        })
        .collect())
}
