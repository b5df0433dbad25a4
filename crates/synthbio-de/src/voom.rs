//! limma's `voom` (Law et al. 2014, Genome Biology 15:R29): log CPM with precision
//! weights from the mean-variance trend.

use crate::design::Design;
use crate::error::{DeError, Result};
use crate::lmfit::lm_fit;
use crate::lowess::{lowess, Interpolator};
use ndarray::{Array2, ArrayView2};

/// voom's output: the log CPM values and their weights (both samples x genes).
#[derive(Debug, Clone, PartialEq)]
pub struct Voom {
    /// `log2((count + 0.5) / (lib + 1) * 1e6)`.
    pub e: Array2<f64>,
    /// Precision weights: `1 / trend(fitted log count)^4`.
    pub weights: Array2<f64>,
}

/// `voom(counts, design, lib.size, span = 0.5)`: `counts` samples x genes, non-negative;
/// `lib_size` one per sample (`None`: the totals of `counts`, as voom's default). Needs 2
/// genes or more.
pub fn voom(
    counts: ArrayView2<'_, f64>,
    design: &Design,
    lib_size: Option<&[f64]>,
) -> Result<Voom> {
    let (n, g) = counts.dim();
    if g < 2 {
        return Err(DeError::Shape {
            what: "genes for voom's mean-variance trend (at least)".into(),
            expected: 2,
            found: g,
        });
    }
    if let Some(((i, j), &x)) = counts
        .indexed_iter()
        .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
    {
        return Err(DeError::InvalidValue {
            what: "count".into(),
            position: format!("sample row {i}, gene column {j}"),
            value: x,
            fix: "voom takes non-negative counts",
        });
    }
    let lib: Vec<f64> = match lib_size {
        Some(l) if l.len() != n => {
            return Err(DeError::Shape {
                what: "library sizes (one per sample)".into(),
                expected: n,
                found: l.len(),
            })
        }
        Some(l) => l.to_vec(),
        None => (0..n).map(|i| counts.row(i).sum()).collect(),
    };
    if let Some((i, &l)) = lib
        .iter()
        .enumerate()
        .find(|(_, l)| !(l.is_finite() && **l > 0.0))
    {
        return Err(DeError::InvalidValue {
            what: "library size".into(),
            position: format!("sample row {i}"),
            value: l,
            fix: "every sample needs counts",
        });
    }
    let e = Array2::from_shape_fn((n, g), |(i, j)| {
        ((counts[[i, j]] + 0.5) / (lib[i] + 1.0) * 1e6).log2()
    });
    let fit = lm_fit(e.view(), design, None)?;
    let shift = lib.iter().map(|l| (l + 1.0).log2()).sum::<f64>() / n as f64 - 1e6f64.log2();
    let (mut sx, mut sy) = (Vec::with_capacity(g), Vec::with_capacity(g));
    for j in 0..g {
        if counts.column(j).iter().any(|&c| c != 0.0) {
            sx.push(fit.amean[j] + shift);
            sy.push(fit.sigma[j].sqrt());
        }
    }
    if sx.len() < 2 {
        return Err(DeError::Shape {
            what: "genes with counts for voom's trend (at least)".into(),
            expected: 2,
            found: sx.len(),
        });
    }
    let (lx, ly) = lowess(&sx, &sy, 0.5, 3);
    let f = Interpolator::new(&lx, &ly);
    let x = design.matrix.view();
    let weights = Array2::from_shape_fn((n, g), |(i, j)| {
        let fitted: f64 = (0..x.ncols())
            .map(|k| fit.coefficients[[j, k]] * x[[i, k]])
            .sum();
        let log_count = (1e-6 * 2f64.powf(fitted) * (lib[i] + 1.0)).log2();
        1.0 / f.at(log_count).powi(4)
    });
    Ok(Voom { e, weights })
}
