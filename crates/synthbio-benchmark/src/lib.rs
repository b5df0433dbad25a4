//! Perturbation benchmark metrics equal to Arc Institute's cell-eval 0.8.2.
//!
//! Given real and predicted cells (a perturbation label per cell, one control label),
//! [`evaluate`] normalises both as cell-eval does (`normalize_total` + `log1p` for
//! integer counts), computes its DE (pdex: Mann-Whitney U + Benjamini-Hochberg per
//! perturbation against the control), and returns every cell-eval metric per
//! perturbation ([`Evaluation::results`], in cell-eval's column order; its
//! `clustering_agreement` is not implemented), direction agreements that never count
//! 0 = 0 ([`Evaluation::direction`]), the DEG-weighted MSE and weighted delta R^2 of
//! "Diversity by Design" ([`Evaluation::weighted`]) and the aggregate. [`baseline`] builds the
//! negative and positive baseline predictions; [`score`] is cell-eval's
//! baseline-scaled score.
//!
//! Golden files from cell-eval itself are in `tests/golden/` (`make_golden.py`); those of
//! the weighted metrics from scanpy and scikit-learn (`make_weighted_golden.py`).

mod aggregate;
pub mod baseline;
mod bh;
mod de;
mod de_metrics;
mod direction;
mod error;
mod expr_metrics;
mod expression;
mod pair;
mod results;
pub mod stats;
mod weighted;
mod wilcoxon;

pub use aggregate::{aggregate, aggregate_tsv, score, Score, Summary};
pub use de::DeTable;
pub use de_metrics::{de_metrics, FDR};
pub use direction::{direction_agreement, direction_metrics};
pub use error::{BenchError, Result};
pub use expr_metrics::{discrimination, energy_distances, expression_metrics, Distance};
pub use expression::Expression;
pub use pair::Pair;
pub use results::{Best, MetricColumn, Results};
pub use weighted::{scores_vs_rest, weighted_metrics, weighted_r2, weights_from_scores, wmse};
pub use wilcoxon::mann_whitney_u;

/// Options of [`evaluate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Fewest cells a label may have in either file (cell-eval accepts 1; the default 2
    /// rejects single-cell perturbations with an error naming them).
    pub min_cells: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { min_cells: 2 }
    }
}

/// Everything [`evaluate`] computes.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// cell-eval's metrics per perturbation (same names, order and values).
    pub results: Results,
    /// `direction_nonzero` and `direction_sig` per perturbation.
    pub direction: Results,
    /// `wmse`, `r2_delta` and `weighted_r2_delta` per perturbation (Mejia et al. 2025).
    pub weighted: Results,
    /// Aggregate of `results` over perturbations (undefined values counted, not averaged).
    pub summary: Vec<Summary>,
    /// DE of the real cells.
    pub de_real: DeTable,
    /// DE of the predicted cells.
    pub de_pred: DeTable,
}

/// Scores `pred` against `real` with cell-eval's full metric set.
pub fn evaluate(
    real: &Expression,
    pred: &Expression,
    control: &str,
    options: Options,
) -> Result<Evaluation> {
    let pair = Pair::new(real, pred, control, options.min_cells)?;
    let de_real = DeTable::compute(&pair, true);
    let de_pred = DeTable::compute(&pair, false);
    let mut results = Results {
        perturbations: pair.perts.clone(),
        columns: Vec::new(),
        notes: Vec::new(),
    };
    de_metrics(&de_real, &de_pred, &mut results);
    expression_metrics(&pair, &mut results);
    let direction = direction_metrics(&pair, &de_real, &de_pred);
    let weighted = weighted_metrics(&pair);
    let summary = aggregate(&results);
    Ok(Evaluation {
        results,
        direction,
        weighted,
        summary,
        de_real,
        de_pred,
    })
}
