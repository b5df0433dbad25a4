//! A validated pair of predicted and real expression, and their pseudobulks.

use crate::error::{BenchError, Result};
use crate::expression::Expression;
use ndarray::{Array1, Array2, Axis};
use std::collections::BTreeMap;

/// Real and predicted cells over the same genes and perturbations, both log-normalised
/// as cell-eval does, with the pseudobulk (mean over cells) of every label.
#[derive(Debug, Clone)]
pub struct Pair {
    /// Real cells, log-normalised.
    pub real: Expression,
    /// Predicted cells, log-normalised.
    pub pred: Expression,
    /// The control label.
    pub control: String,
    /// Perturbations other than the control, sorted (cell-eval's order).
    pub perts: Vec<String>,
    /// Row indices of each label's cells in `real`.
    pub real_rows: BTreeMap<String, Vec<usize>>,
    /// Row indices of each label's cells in `pred`.
    pub pred_rows: BTreeMap<String, Vec<usize>>,
}

fn rows_by_label(e: &Expression) -> BTreeMap<String, Vec<usize>> {
    let mut m: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in e.perturbations.iter().enumerate() {
        m.entry(p.clone()).or_default().push(i);
    }
    m
}

impl Pair {
    /// Normalises both sets as cell-eval does and checks they can be compared: same
    /// genes in the same order, same perturbations, the control in both, and at least
    /// `min_cells` cells for every label on both sides (cell-eval accepts one cell; a
    /// value of 2 or more keeps single-cell perturbations out with a clear error).
    pub fn new(
        real: &Expression,
        pred: &Expression,
        control: &str,
        min_cells: usize,
    ) -> Result<Self> {
        if real.genes != pred.genes {
            let first = real
                .genes
                .iter()
                .zip(&pred.genes)
                .position(|(a, b)| a != b)
                .unwrap_or(real.genes.len().min(pred.genes.len()));
            return Err(BenchError::Mismatch {
                what: format!(
                    "genes: real has {}, predicted {}; first difference at column {first} \
                     (real {:?}, predicted {:?})",
                    real.genes.len(),
                    pred.genes.len(),
                    real.genes.get(first),
                    pred.genes.get(first)
                ),
                fix: "give both files the same genes in the same order".into(),
            });
        }
        let real_rows = rows_by_label(real);
        let pred_rows = rows_by_label(pred);
        let rk: Vec<&String> = real_rows.keys().collect();
        let pk: Vec<&String> = pred_rows.keys().collect();
        if rk != pk {
            let only_real: Vec<&&String> = rk.iter().filter(|k| !pk.contains(k)).collect();
            let only_pred: Vec<&&String> = pk.iter().filter(|k| !rk.contains(k)).collect();
            return Err(BenchError::Mismatch {
                what: format!(
                    "perturbations only in real: {only_real:?}; only in predicted: {only_pred:?}"
                ),
                fix: "predict every real perturbation (and the control), and nothing else".into(),
            });
        }
        if !real_rows.contains_key(control) {
            return Err(BenchError::Invalid {
                field: "control".into(),
                detail: format!("{control:?} labels no cell; labels are {rk:?}"),
                fix: "name the control label used in the perturbation column".into(),
            });
        }
        if real_rows.len() < 2 {
            return Err(BenchError::Invalid {
                field: "perturbation".into(),
                detail: format!("only the control {control:?} is present"),
                fix: "give cells of at least one perturbation besides the control".into(),
            });
        }
        for (side, rows) in [("real", &real_rows), ("predicted", &pred_rows)] {
            if let Some((p, r)) = rows.iter().find(|(_, r)| r.len() < min_cells) {
                return Err(BenchError::Invalid {
                    field: "perturbation".into(),
                    detail: format!(
                        "{side} {p:?} has {} cell(s), fewer than {min_cells}",
                        r.len()
                    ),
                    fix: "drop that perturbation from both files, or lower min_cells".into(),
                });
            }
        }
        let perts = real_rows
            .keys()
            .filter(|k| *k != control)
            .cloned()
            .collect();
        Ok(Self {
            real: real.normalised()?,
            pred: pred.normalised()?,
            control: control.into(),
            perts,
            real_rows,
            pred_rows,
        })
    }

    /// Genes, in column order.
    pub fn genes(&self) -> &[String] {
        &self.real.genes
    }

    /// Mean over the cells of `label` (cell-eval's pseudobulk), real or predicted.
    pub fn pseudobulk(&self, real: bool, label: &str) -> Array1<f64> {
        let (e, rows) = self.side(real);
        mean_rows(&e.x, &rows[label])
    }

    /// The cells of `label` as a matrix.
    pub fn cells(&self, real: bool, label: &str) -> Array2<f64> {
        let (e, rows) = self.side(real);
        e.x.select(Axis(0), &rows[label])
    }

    /// Pseudobulk of `pert` minus the control's.
    pub fn delta(&self, real: bool, pert: &str) -> Array1<f64> {
        self.pseudobulk(real, pert) - self.pseudobulk(real, &self.control)
    }

    fn side(&self, real: bool) -> (&Expression, &BTreeMap<String, Vec<usize>>) {
        if real {
            (&self.real, &self.real_rows)
        } else {
            (&self.pred, &self.pred_rows)
        }
    }
}

/// Column means of the given rows. Identical rows (a baseline's constant prediction)
/// give that row exactly: summing n copies and dividing by n can miss it in the last
/// bit, which would leave a no-change prediction with a spurious nonzero delta.
pub(crate) fn mean_rows(x: &Array2<f64>, rows: &[usize]) -> Array1<f64> {
    if let Some((&first, rest)) = rows.split_first() {
        if rest.iter().all(|&i| x.row(i) == x.row(first)) {
            return x.row(first).to_owned();
        }
    }
    let mut s = Array1::<f64>::zeros(x.ncols());
    for &i in rows {
        s += &x.row(i);
    }
    s / rows.len() as f64
}
