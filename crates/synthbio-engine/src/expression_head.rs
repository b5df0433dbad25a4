//! The expression head: a metadata key read from the log expression of the
//! training samples' most variable genes by an L2-penalised multinomial
//! logistic regression (`linalg::multinomial`).
//!
//! A latent block keeps only what the model's few dimensions hold, so classes
//! that differ in genes the block blurs are read better from the genes
//! themselves. Training keeps a key's head only where it beat the latent
//! classifier on held-out donors (`train::classifiers`); a sample that did not
//! measure every gene of the head is classified from its latent.

use crate::linalg::log_normalize;
use crate::linalg::multinomial::{fit as fit_multinomial, Problem};
use crate::params::ExpressionHead;
use ndarray::Array2;

/// Penalty `λ` on the slopes, against the sum of the rows' weighted log
/// losses (scikit-learn's `C = 1 / λ`).
const LAMBDA: f64 = 1.0;
/// Fit tolerance: the largest gradient entry, relative to the total weight
/// (scikit-learn's default `tol`, as its iteration limit below).
const TOL: f64 = 1e-4;
/// Most L-BFGS iterations.
const MAX_ITER: usize = 100;

impl ExpressionHead {
    /// Class log-probabilities of a sample with log expression `level(j)` of
    /// gene `j`; `None` when it did not measure a gene of the head.
    pub(crate) fn log_probs(&self, level: &dyn Fn(usize) -> Option<f64>) -> Option<Vec<f64>> {
        let logits = self.logits(level)?;
        Some(log_normalize(
            logits.iter().map(|l| l / self.temperature).collect(),
        ))
    }

    /// Logits at temperature 1; `None` when a gene is unmeasured.
    pub(crate) fn logits(&self, level: &dyn Fn(usize) -> Option<f64>) -> Option<Vec<f64>> {
        let x = self
            .genes
            .iter()
            .zip(&self.centre)
            .map(|(&j, c)| level(j as usize).map(|v| v - c))
            .collect::<Option<Vec<f64>>>()?;
        let d = x.len();
        Some(
            self.intercept
                .iter()
                .enumerate()
                .map(|(k, b)| {
                    let row = &self.coef[k * d..(k + 1) * d];
                    b + row.iter().zip(&x).map(|(a, v)| a * v).sum::<f64>()
                })
                .collect(),
        )
    }
}

/// Fits a head on `levels` (rows x the head's `genes`, log expression), each
/// row's class (`< classes`) and weight; temperature 1.
pub(crate) fn fit(
    genes: Vec<u32>,
    levels: &Array2<f64>,
    y: &[usize],
    w: &[f64],
    classes: usize,
) -> ExpressionHead {
    let total: f64 = w.iter().sum();
    let centre: Vec<f64> = (0..levels.ncols())
        .map(|j| {
            let s: f64 = levels.column(j).iter().zip(w).map(|(v, w)| v * w).sum();
            s / total
        })
        .collect();
    let mut x = levels.clone();
    for mut row in x.rows_mut() {
        for (v, c) in row.iter_mut().zip(&centre) {
            *v -= c;
        }
    }
    let problem = Problem {
        x: x.view(),
        y,
        w,
        classes,
        lambda: LAMBDA,
    };
    let m = fit_multinomial(&problem, TOL, MAX_ITER);
    ExpressionHead {
        genes,
        centre,
        coef: m.coef.iter().copied().collect(),
        intercept: m.intercept,
        temperature: 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    fn head() -> ExpressionHead {
        ExpressionHead {
            genes: vec![2, 5],
            centre: vec![1.0, 3.0],
            coef: vec![0.5, -1.0, -0.5, 1.0],
            intercept: vec![0.2, -0.2],
            temperature: 2.0,
        }
    }

    #[test]
    fn probabilities_come_from_the_centred_levels_at_the_temperature() {
        let level = |j: usize| Some(j as f64);
        // x = (2 - 1, 5 - 3) = (1, 2): logits 0.2 + 0.5 - 2 = -1.3 and -0.2 - 0.5 + 2 = 1.3
        let lp = head().log_probs(&level).unwrap();
        let p1 = 1.0 / (1.0 + (-2.6f64 / 2.0).exp());
        assert_abs_diff_eq!(lp[1].exp(), p1, epsilon = 1e-12);
        assert_abs_diff_eq!(lp[0].exp() + lp[1].exp(), 1.0, epsilon = 1e-12);
    }

    #[test]
    fn a_sample_missing_a_gene_of_the_head_gets_no_answer() {
        let level = |j: usize| (j != 5).then_some(1.0);
        assert!(head().log_probs(&level).is_none());
    }
}
