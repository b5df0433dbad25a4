//! Perturbation benchmark metrics: how well predicted fold changes match observed ones,
//! next to two baselines a model should beat.

use crate::error::{DeError, Result};
use serde::{Deserialize, Serialize};
use synthbio_core::{Cell, Figure, Report, ReportSection, Table};

/// Agreement of one prediction with the observed changes over one set of genes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Genes compared.
    pub n_genes: usize,
    /// Pearson correlation; `None` when undefined (a constant vector, fewer than 2 genes).
    pub pearson: Option<f64>,
    /// Spearman correlation (Pearson of average ranks); `None` when undefined.
    pub spearman: Option<f64>,
    /// Among the genes whose observed change is not 0, the fraction whose
    /// predicted change has the same sign (0 = 0 is never counted as
    /// agreement); `None` when no gene changed.
    pub direction_agreement: Option<f64>,
    /// Mean squared error.
    pub mse: f64,
}

/// Metrics over all genes and over the top-N observed genes (by |observed|).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScopedMetrics {
    /// Over all genes.
    pub all: Metrics,
    /// Over the top-N genes.
    pub top: Metrics,
}

/// The model's metrics and the baselines'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    /// N of the top-N scope (at most the number of genes).
    pub top_n: usize,
    /// Rows of the top-N genes, largest |observed| first (ties in gene order).
    pub top_genes: Vec<usize>,
    /// The model.
    pub model: ScopedMetrics,
    /// Predicting no change (0 everywhere): its correlations are undefined (`None`).
    pub no_change: ScopedMetrics,
    /// Predicting the mean observed effect of the training perturbations / donors, when given.
    pub mean_effect: Option<ScopedMetrics>,
}

pub use synthbio_core::stats::{pearson, spearman};

/// Metrics of `predicted` against `observed` (same length, finite).
pub fn metrics(predicted: &[f64], observed: &[f64]) -> Metrics {
    let n = predicted.len();
    let changed: Vec<(f64, f64)> = predicted
        .iter()
        .zip(observed)
        .filter(|(_, o)| **o != 0.0)
        .map(|(&p, &o)| (p, o))
        .collect();
    let agree = changed.iter().filter(|(p, o)| sign(*p) == sign(*o)).count();
    let mse = predicted
        .iter()
        .zip(observed)
        .map(|(p, o)| (p - o).powi(2))
        .sum::<f64>()
        / n as f64;
    Metrics {
        n_genes: n,
        pearson: pearson(predicted, observed),
        spearman: spearman(predicted, observed),
        direction_agreement: (!changed.is_empty()).then(|| agree as f64 / changed.len() as f64),
        mse,
    }
}

fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

fn check(name: &str, v: &[f64], n: usize) -> Result<()> {
    if v.len() != n {
        return Err(DeError::Shape {
            what: format!("{name} (one value per gene of observed)"),
            expected: n,
            found: v.len(),
        });
    }
    if let Some((i, &x)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(DeError::InvalidValue {
            what: name.to_string(),
            position: format!("position {i}"),
            value: x,
            fix: "fold changes must be finite; compute them from valid counts",
        });
    }
    Ok(())
}

/// Scores predicted fold changes against observed ones, over all genes and over the
/// `top_n` genes with the largest |observed| (all genes if fewer), for the model, the
/// no-change baseline and, when `mean_effect` is given, the mean-effect baseline.
pub fn perturbation_benchmark(
    predicted: &[f64],
    observed: &[f64],
    mean_effect: Option<&[f64]>,
    top_n: usize,
) -> Result<Benchmark> {
    let n = observed.len();
    if n == 0 {
        return Err(DeError::Shape {
            what: "observed fold changes".into(),
            expected: 1,
            found: 0,
        });
    }
    if top_n == 0 {
        return Err(DeError::InvalidParam {
            name: "top_n",
            value: "0".into(),
            fix: "give the number of top observed genes to score, e.g. 20".into(),
        });
    }
    check("observed", observed, n)?;
    check("predicted", predicted, n)?;
    if let Some(m) = mean_effect {
        check("mean_effect", m, n)?;
    }
    let mut order: Vec<usize> = (0..n).collect();
    // Stable: ties keep gene order.
    order.sort_by(|&a, &b| observed[b].abs().total_cmp(&observed[a].abs()));
    order.truncate(top_n.min(n));
    let pick = |v: &[f64]| -> Vec<f64> { order.iter().map(|&i| v[i]).collect() };
    let scoped = |p: &[f64]| ScopedMetrics {
        all: metrics(p, observed),
        top: metrics(&pick(p), &pick(observed)),
    };
    let zeros = vec![0.0; n];
    Ok(Benchmark {
        top_n: order.len(),
        model: scoped(predicted),
        no_change: scoped(&zeros),
        mean_effect: mean_effect.map(scoped),
        top_genes: order,
    })
}

fn opt(v: Option<f64>) -> Cell {
    v.map_or_else(|| Cell::Text("undefined".into()), Cell::Float)
}

impl Benchmark {
    /// The columns of [`Benchmark::table`](Report::table).
    pub const COLUMNS: [&'static str; 7] = [
        "predictor",
        "genes",
        "n_genes",
        "pearson",
        "spearman",
        "direction_agreement",
        "mse",
    ];

    fn rows(&self) -> Vec<(&'static str, ScopedMetrics)> {
        let mut rows = vec![("model", self.model), ("no_change", self.no_change)];
        if let Some(m) = self.mean_effect {
            rows.push(("mean_effect", m));
        }
        rows
    }
}

impl Report for Benchmark {
    /// One row per predictor and scope; undefined correlations read `undefined`.
    fn table(&self) -> Table {
        let mut t = Table::new(Self::COLUMNS);
        for (name, s) in self.rows() {
            for (scope, m) in [
                ("all".to_string(), s.all),
                (format!("top_{}", self.top_n), s.top),
            ] {
                t.push(vec![
                    name.into(),
                    scope.into(),
                    m.n_genes.into(),
                    opt(m.pearson),
                    opt(m.spearman),
                    opt(m.direction_agreement),
                    m.mse.into(),
                ]);
            }
        }
        t
    }

    fn section(&self) -> ReportSection {
        let mut paragraphs = vec![format!(
            "Predicted vs observed fold changes over all genes and the top {} observed genes. \
             The no-change baseline predicts 0 everywhere: its correlations are undefined, its \
             MSE is the observed mean square.",
            self.top_n
        )];
        let m = self.model.all;
        paragraphs.push(format!(
            "Model MSE {:.4} vs no-change {:.4}{}.",
            m.mse,
            self.no_change.all.mse,
            match self.mean_effect {
                Some(b) => format!(
                    " and mean-effect {:.4}; Pearson {} vs mean-effect {}",
                    b.all.mse,
                    fmt_opt(m.pearson),
                    fmt_opt(b.all.pearson)
                ),
                None => String::new(),
            }
        ));
        let rows = self.rows();
        let figures = vec![
            Figure::Bar {
                title: "MSE of fold changes (all genes)".into(),
                y_label: "mean squared error".into(),
                labels: rows.iter().map(|(n, _)| n.to_string()).collect(),
                values: rows.iter().map(|(_, s)| s.all.mse).collect(),
            },
            Figure::Bar {
                title: format!("Direction agreement (top {})", self.top_n),
                y_label: "fraction of genes".into(),
                labels: rows.iter().map(|(n, _)| n.to_string()).collect(),
                values: rows
                    .iter()
                    .map(|(_, s)| s.top.direction_agreement.unwrap_or(f64::NAN))
                    .collect(),
            },
        ];
        ReportSection {
            title: "Perturbation benchmark".into(),
            paragraphs,
            tables: vec![("Metrics".into(), self.table())],
            figures,
        }
    }
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".into(), |x| format!("{x:.4}"))
}
