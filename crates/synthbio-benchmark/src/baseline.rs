//! Baseline predictions to calibrate a model's metrics: negative ones (no change, the
//! mean perturbation effect, the same perturbation's effect in another context) and a
//! positive one (a split of the real cells).

use crate::error::{BenchError, Result};
use crate::expression::Expression;
use crate::pair::mean_rows;
use ndarray::{Array1, Array2};

fn rows_of(e: &Expression, label: &str) -> Vec<usize> {
    (0..e.n_cells())
        .filter(|&i| e.perturbations[i] == label)
        .collect()
}

fn labels(e: &Expression, control: &str) -> Result<Vec<String>> {
    if !e.perturbations.iter().any(|p| p == control) {
        return Err(BenchError::Invalid {
            field: "control".into(),
            detail: format!("{control:?} labels no cell"),
            fix: "name the control label used in the perturbation column".into(),
        });
    }
    let mut l: Vec<String> = e
        .perturbations
        .iter()
        .filter(|p| *p != control)
        .cloned()
        .collect();
    l.sort();
    l.dedup();
    if l.is_empty() {
        return Err(BenchError::Invalid {
            field: "perturbation".into(),
            detail: "only control cells".into(),
            fix: "give cells of at least one perturbation".into(),
        });
    }
    Ok(l)
}

/// Every perturbed cell replaced by `profile(label)`; control cells kept. Works on the
/// log-normalised data.
fn replace(
    real: &Expression,
    control: &str,
    profile: &dyn Fn(&str) -> Array1<f64>,
) -> Result<Expression> {
    let norm = real.normalised()?;
    let mut x = norm.x.clone();
    for (i, p) in norm.perturbations.iter().enumerate() {
        if p != control {
            x.row_mut(i).assign(&profile(p));
        }
    }
    Expression::new(norm.cells, norm.perturbations, norm.genes, x)
}

/// "No change": each perturbation predicted as the control's pseudobulk.
pub fn no_change(real: &Expression, control: &str) -> Result<Expression> {
    labels(real, control)?;
    let norm = real.normalised()?;
    let ctrl = mean_rows(&norm.x, &rows_of(&norm, control));
    replace(real, control, &|_| ctrl.clone())
}

/// The mean baseline: every perturbation predicted as the mean of all perturbations'
/// pseudobulks (control excluded).
pub fn mean_effect(real: &Expression, control: &str) -> Result<Expression> {
    mean_of(real, control, labels(real, control)?)
}

/// cell-eval 0.8.2's mean baseline exactly (`build_base_mean_adata`): its mean runs over
/// every label's pseudobulk, the control's included (unlike [`mean_effect`]).
pub fn cell_eval_mean(real: &Expression, control: &str) -> Result<Expression> {
    let mut all = labels(real, control)?;
    all.push(control.to_string());
    mean_of(real, control, all)
}

fn mean_of(real: &Expression, control: &str, perts: Vec<String>) -> Result<Expression> {
    let norm = real.normalised()?;
    let mut m = Array1::<f64>::zeros(norm.genes.len());
    for p in &perts {
        m += &mean_rows(&norm.x, &rows_of(&norm, p));
    }
    m /= perts.len() as f64;
    replace(real, control, &|_| m.clone())
}

/// The same perturbation's effect in another context (donor, cell type): each
/// perturbation of `real` predicted as its control pseudobulk plus the perturbation's
/// pseudobulk delta in `other` (log-normalised; clipped at 0, the floor of log1p).
/// Every perturbation of `real` must be in `other`, over the same genes.
pub fn other_context(real: &Expression, other: &Expression, control: &str) -> Result<Expression> {
    let perts = labels(real, control)?;
    labels(other, control)?;
    if real.genes != other.genes {
        return Err(BenchError::Mismatch {
            what: "genes of the other context differ from the real data's".into(),
            fix: "give both contexts the same genes in the same order".into(),
        });
    }
    if let Some(p) = perts.iter().find(|p| !other.perturbations.contains(p)) {
        return Err(BenchError::Invalid {
            field: "perturbation".into(),
            detail: format!("{p:?} is not in the other context"),
            fix: "restrict the comparison to perturbations measured in both contexts".into(),
        });
    }
    let (nr, no) = (real.normalised()?, other.normalised()?);
    let ctrl = mean_rows(&nr.x, &rows_of(&nr, control));
    let octrl = mean_rows(&no.x, &rows_of(&no, control));
    replace(real, control, &|p| {
        (&ctrl + &(mean_rows(&no.x, &rows_of(&no, p)) - &octrl)).mapv(|v| v.max(0.0))
    })
}

/// A positive baseline: the real cells of every label split in two disjoint halves by
/// alternation (1st, 3rd, ... cell to the first, 2nd, 4th, ... to the second; an odd
/// last cell goes to the first). Returns (real half, predicted half); every label
/// needs at least 2 cells.
pub fn split_halves(real: &Expression) -> Result<(Expression, Expression)> {
    let mut seen = std::collections::HashMap::<&str, usize>::new();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (i, p) in real.perturbations.iter().enumerate() {
        let k = seen.entry(p).or_default();
        if *k % 2 == 0 {
            a.push(i)
        } else {
            b.push(i)
        }
        *k += 1;
    }
    if let Some((p, _)) = seen.iter().find(|(_, n)| **n < 2) {
        return Err(BenchError::Invalid {
            field: "perturbation".into(),
            detail: format!("{p:?} has one cell; it cannot be split"),
            fix: "drop perturbations with fewer than 2 cells".into(),
        });
    }
    let take = |rows: &[usize]| -> Result<Expression> {
        let x: Array2<f64> = real.x.select(ndarray::Axis(0), rows);
        Expression::new(
            rows.iter().map(|&i| real.cells[i].clone()).collect(),
            rows.iter()
                .map(|&i| real.perturbations[i].clone())
                .collect(),
            real.genes.clone(),
            x,
        )
    };
    Ok((take(&a)?, take(&b)?))
}
