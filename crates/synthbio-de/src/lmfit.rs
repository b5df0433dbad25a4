//! limma's `lmFit` (least squares per gene by QR, `lm.series`) and `contrasts.fit`.

use crate::design::Design;
use crate::error::{DeError, Result};
use crate::linalg::{cholesky_upper, Qr};
use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// A linear model fitted to every gene (limma's `MArrayLM` before `eBayes`).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearFit {
    /// Coefficient (or contrast) names.
    pub names: Vec<String>,
    /// Genes x coefficients.
    pub coefficients: Array2<f64>,
    /// Genes x coefficients: standard errors divided by sigma.
    pub stdev_unscaled: Array2<f64>,
    /// Residual standard deviation per gene.
    pub sigma: Vec<f64>,
    /// Residual degrees of freedom per gene.
    pub df_residual: Vec<f64>,
    /// Mean of each gene over the samples (limma's `Amean`).
    pub amean: Vec<f64>,
    /// `(X^T X)^{-1}` of the unweighted design (for contrasts).
    pub cov_coefficients: Array2<f64>,
}

/// Fits `values` (samples x genes, log scale) on `design`, optionally with precision
/// `weights` (samples x genes, e.g. from voom; all positive). A rank-deficient design is
/// an error naming the non-estimable columns.
pub fn lm_fit(
    values: ArrayView2<'_, f64>,
    design: &Design,
    weights: Option<ArrayView2<'_, f64>>,
) -> Result<LinearFit> {
    let (n, g) = values.dim();
    if design.n_samples() != n {
        return Err(DeError::Shape {
            what: "design rows (one per sample of the values)".into(),
            expected: n,
            found: design.n_samples(),
        });
    }
    design.check()?;
    if let Some(w) = weights {
        if w.dim() != values.dim() {
            return Err(DeError::Shape {
                what: "weights (samples x genes, as the values)".into(),
                expected: n * g,
                found: w.len(),
            });
        }
        if let Some(((i, j), &x)) = w
            .indexed_iter()
            .find(|(_, x)| !(x.is_finite() && **x > 0.0))
        {
            return Err(DeError::InvalidValue {
                what: "precision weight".into(),
                position: format!("sample row {i}, gene column {j}"),
                value: x,
                fix: "weights must be finite and positive",
            });
        }
    }
    if let Some(((i, j), &x)) = values.indexed_iter().find(|(_, x)| !x.is_finite()) {
        return Err(DeError::InvalidValue {
            what: "expression value".into(),
            position: format!("sample row {i}, gene column {j}"),
            value: x,
            fix: "fit normalized log values of valid counts",
        });
    }
    let x = design.matrix.view();
    let qr = Qr::new(x);
    let p = design.columns.len();
    if qr.rank < p {
        return Err(DeError::RankDeficient {
            columns: design.columns.clone(),
            dependent: qr.pivot[qr.rank..]
                .iter()
                .map(|&j| design.columns[j].clone())
                .collect(),
        });
    }
    let cov = unpivot(&qr.cov_unscaled(), &qr.pivot);
    let se0: Vec<f64> = (0..p).map(|j| cov[[j, j]].sqrt()).collect();
    let df = (n - p) as f64;
    let rows: Vec<(Vec<f64>, Vec<f64>, f64)> = (0..g)
        .into_par_iter()
        .map(|gene| {
            let y = values.index_axis(Axis(1), gene);
            match weights {
                None => {
                    let (b, s) = fit_one(&qr, y);
                    (b, se0.clone(), s)
                }
                Some(w) => {
                    let sw: Vec<f64> = w
                        .index_axis(Axis(1), gene)
                        .iter()
                        .map(|v| v.sqrt())
                        .collect();
                    let xw = Array2::from_shape_fn((n, p), |(i, j)| x[[i, j]] * sw[i]);
                    let yw: ndarray::Array1<f64> = y.iter().zip(&sw).map(|(a, b)| a * b).collect();
                    let qw = Qr::new(xw.view());
                    let (b, s) = fit_one(&qw, yw.view());
                    let c = unpivot(&qw.cov_unscaled(), &qw.pivot);
                    (b, (0..p).map(|j| c[[j, j]].sqrt()).collect(), s)
                }
            }
        })
        .collect();
    let mut coefficients = Array2::zeros((g, p));
    let mut stdev_unscaled = Array2::zeros((g, p));
    let mut sigma = Vec::with_capacity(g);
    for (k, (b, se, s)) in rows.into_iter().enumerate() {
        for j in 0..p {
            coefficients[[k, j]] = b[j];
            stdev_unscaled[[k, j]] = se[j];
        }
        sigma.push(s);
    }
    let amean = values
        .mean_axis(Axis(0))
        .map(|m| m.to_vec())
        .unwrap_or_default();
    Ok(LinearFit {
        names: design.columns.clone(),
        coefficients,
        stdev_unscaled,
        sigma,
        df_residual: vec![df; g],
        amean,
        cov_coefficients: cov,
    })
}

/// Coefficients (design order) and sigma of one gene from a full-rank QR.
fn fit_one(qr: &Qr, y: ArrayView1<'_, f64>) -> (Vec<f64>, f64) {
    let e = qr.qty(y);
    let bp = qr.solve_r(e.view());
    let mut b = vec![0.0; bp.len()];
    for (k, &j) in qr.pivot.iter().enumerate().take(qr.rank) {
        b[j] = bp[k];
    }
    let res = e.len() - qr.rank;
    let s2 = e.iter().skip(qr.rank).map(|x| x * x).sum::<f64>() / res as f64;
    (b, s2.sqrt())
}

/// A pivot-ordered square matrix back in design order.
fn unpivot(m: &Array2<f64>, pivot: &[usize]) -> Array2<f64> {
    let p = m.nrows();
    let mut out = Array2::zeros((p, p));
    for a in 0..p {
        for b in 0..p {
            out[[pivot[a], pivot[b]]] = m[[a, b]];
        }
    }
    out
}

impl LinearFit {
    /// limma's `contrasts.fit` for one contrast (weights per coefficient): the new
    /// coefficient is `c . beta`; its unscaled standard error is `sqrt(c^2 . se^2)` when
    /// the coefficients are uncorrelated, else limma's form with the Cholesky factor of
    /// their correlation matrix.
    pub fn contrast(&self, weights: &[f64], name: &str) -> Result<LinearFit> {
        let p = self.names.len();
        if weights.len() != p {
            return Err(DeError::Shape {
                what: format!(
                    "contrast weights (one per coefficient: {})",
                    self.names.join(", ")
                ),
                expected: p,
                found: weights.len(),
            });
        }
        let cov = &self.cov_coefficients;
        let cor = Array2::from_shape_fn((p, p), |(i, j)| {
            cov[[i, j]] / (cov[[i, i]] * cov[[j, j]]).sqrt()
        });
        let orthogonal = (0..p).all(|i| (0..i).all(|j| cor[[i, j]].abs() < 1e-14));
        let u = cholesky_upper(cor.view()).ok_or_else(|| DeError::InvalidDesign {
            reason: "the coefficients' covariance is not positive definite".into(),
            fix: "check the design for near-collinear columns".into(),
        })?;
        let g = self.coefficients.nrows();
        let mut coefficients = Array2::zeros((g, 1));
        let mut stdev = Array2::zeros((g, 1));
        for k in 0..g {
            let b = self.coefficients.row(k);
            let s = self.stdev_unscaled.row(k);
            coefficients[[k, 0]] = b.iter().zip(weights).map(|(b, c)| b * c).sum();
            stdev[[k, 0]] = if orthogonal {
                s.iter()
                    .zip(weights)
                    .map(|(s, c)| s * s * c * c)
                    .sum::<f64>()
                    .sqrt()
            } else {
                (0..p)
                    .map(|r| {
                        let v: f64 = (0..p).map(|j| u[[r, j]] * s[j] * weights[j]).sum();
                        v * v
                    })
                    .sum::<f64>()
                    .sqrt()
            };
        }
        Ok(LinearFit {
            names: vec![name.to_string()],
            coefficients,
            stdev_unscaled: stdev,
            sigma: self.sigma.clone(),
            df_residual: self.df_residual.clone(),
            amean: self.amean.clone(),
            cov_coefficients: Array2::from_elem((1, 1), {
                let c = ndarray::Array1::from(weights.to_vec());
                c.dot(&cov.dot(&c))
            }),
        })
    }
}
