//! Cells x genes expression with a perturbation label per cell, and cell-eval's
//! normalisation (`normalize_total` to the median library size, then `log1p`).

use crate::error::{BenchError, Result};
use ndarray::Array2;
use std::path::Path;

/// Expression of cells (rows) over genes (columns), each cell labelled by perturbation.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    /// Cell identifiers, one per row.
    pub cells: Vec<String>,
    /// Perturbation label of each cell (the control label among them).
    pub perturbations: Vec<String>,
    /// Gene identifiers, one per column.
    pub genes: Vec<String>,
    /// Values, cells x genes.
    pub x: Array2<f64>,
}

impl Expression {
    /// Builds an expression set, checking that the labels and genes fit the matrix and
    /// that every value is finite.
    pub fn new(
        cells: Vec<String>,
        perturbations: Vec<String>,
        genes: Vec<String>,
        x: Array2<f64>,
    ) -> Result<Self> {
        let (n, g) = x.dim();
        for (what, len, want) in [
            ("cell ids (one per matrix row)", cells.len(), n),
            (
                "perturbation labels (one per matrix row)",
                perturbations.len(),
                n,
            ),
            ("gene ids (one per matrix column)", genes.len(), g),
        ] {
            if len != want {
                return Err(BenchError::Shape {
                    what: what.into(),
                    expected: want,
                    found: len,
                });
            }
        }
        if let Some(((i, j), v)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(BenchError::Invalid {
                field: "expression".into(),
                detail: format!("cell {:?}, gene {:?} is {v}", cells[i], genes[j]),
                fix: "give finite counts or log-normalised values".into(),
            });
        }
        if let Some(i) = perturbations.iter().position(|p| p.is_empty()) {
            return Err(BenchError::Invalid {
                field: "perturbation".into(),
                detail: format!("cell {:?} has an empty label", cells[i]),
                fix: "label every cell with its perturbation or the control label".into(),
            });
        }
        Ok(Self {
            cells,
            perturbations,
            genes,
            x,
        })
    }

    /// Reads a tab-separated table with one row per cell: the first column is the cell
    /// id, the column named `perturbation_column` its label, every other column a gene
    /// (the format `tests/golden/make_golden.py` writes, with `perturbation`).
    pub fn read_tsv(path: &Path, perturbation_column: &str) -> Result<Self> {
        let err = |detail: String| BenchError::Read {
            path: path.display().to_string(),
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines
            .next()
            .ok_or_else(|| err("empty file".into()))?
            .split('\t')
            .collect();
        let pc = header
            .iter()
            .skip(1)
            .position(|h| *h == perturbation_column)
            .map(|i| i + 1)
            .ok_or_else(|| {
                err(format!(
                    "no column {perturbation_column:?} (the perturbation column) after the \
                     cell id column; header starts {:?}",
                    header.iter().take(4).collect::<Vec<_>>()
                ))
            })?;
        if header.len() < 3 {
            return Err(err(
                "no gene column: give cell id, perturbation and gene columns".into(),
            ));
        }
        let gene_cols: Vec<usize> = (1..header.len()).filter(|&j| j != pc).collect();
        let genes: Vec<String> = gene_cols.iter().map(|&j| header[j].to_string()).collect();
        let (mut cells, mut perts, mut values) = (Vec::new(), Vec::new(), Vec::new());
        for (k, line) in lines.enumerate().filter(|(_, l)| !l.is_empty()) {
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() != header.len() {
                return Err(err(format!(
                    "line {}: {} fields, the header has {}",
                    k + 2,
                    fields.len(),
                    header.len()
                )));
            }
            cells.push(fields[0].to_string());
            perts.push(fields[1].to_string());
            for (j, f) in fields[2..].iter().enumerate() {
                values.push(f.parse::<f64>().map_err(|_| {
                    err(format!(
                        "line {}, gene {:?}: {f:?} is not a number",
                        k + 2,
                        genes[j]
                    ))
                })?);
            }
        }
        let x = Array2::from_shape_vec((cells.len(), genes.len()), values)
            .map_err(|e| err(e.to_string()))?;
        Self::new(cells, perts, genes, x)
    }

    /// Number of cells.
    pub fn n_cells(&self) -> usize {
        self.x.nrows()
    }

    /// cell-eval's check (`guess_is_lognorm`): values with a fractional part above 1e-3
    /// mean log-normalised data (then every value must lie in [0, 15)); otherwise the
    /// values are integer counts.
    pub fn is_log_normalised(&self) -> Result<bool> {
        let frac = self.x.iter().any(|v| v.fract() > 1e-3);
        if !frac {
            return Ok(false);
        }
        let min = self.x.iter().cloned().fold(f64::INFINITY, f64::min);
        let max = self.x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        if min < 0.0 || max >= 15.0 {
            return Err(BenchError::Invalid {
                field: "expression".into(),
                detail: format!(
                    "values are fractional but range over [{min}, {max}], outside log1p's [0, 15)"
                ),
                fix: "give integer counts or log1p of normalised counts".into(),
            });
        }
        Ok(true)
    }

    /// As cell-eval prepares its input: integer counts are scaled so every cell sums to
    /// the median library size of the cells with a nonzero one (scanpy
    /// `normalize_total`), then `log1p`; log-normalised input is returned unchanged.
    pub fn normalised(&self) -> Result<Self> {
        if self.is_log_normalised()? {
            return Ok(self.clone());
        }
        if let Some(v) = self.x.iter().find(|v| **v < 0.0) {
            return Err(BenchError::Invalid {
                field: "expression".into(),
                detail: format!("negative count {v}"),
                fix: "counts must be non-negative".into(),
            });
        }
        let totals: Vec<f64> = self.x.rows().into_iter().map(|r| r.sum()).collect();
        let mut nonzero: Vec<f64> = totals.iter().cloned().filter(|t| *t > 0.0).collect();
        if nonzero.is_empty() {
            return Err(BenchError::Invalid {
                field: "expression".into(),
                detail: "every cell has zero counts".into(),
                fix: "give cells with measured counts".into(),
            });
        }
        nonzero.sort_by(f64::total_cmp);
        let m = nonzero.len();
        let median = if m % 2 == 1 {
            nonzero[m / 2]
        } else {
            (nonzero[m / 2 - 1] + nonzero[m / 2]) / 2.0
        };
        let mut x = self.x.clone();
        for (mut row, t) in x.rows_mut().into_iter().zip(&totals) {
            // scanpy divides by counts / target_sum; a zero-count cell stays zero.
            let factor = t / median;
            if factor > 0.0 {
                row.mapv_inplace(|v| (v / factor).ln_1p());
            }
        }
        Ok(Self { x, ..self.clone() })
    }
}
