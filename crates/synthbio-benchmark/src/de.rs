//! Differential expression of every perturbation against the control, as cell-eval
//! runs pdex 0.3 (`mode="ref"`, `is_log1p=True`, `geometric_mean=True`,
//! `epsilon=0`): the fold change compares `expm1(mean(log1p values))` of the two groups,
//! the p-value is the Mann-Whitney U test on the per-cell values, and the FDR is
//! Benjamini-Hochberg over all genes of the perturbation.

use crate::bh::false_discovery_control;
use crate::pair::{mean_rows, Pair};
use crate::wilcoxon::mann_whitney_u;
use ndarray::Axis;

/// DE of one side (real or predicted): rows are perturbations (sorted), columns genes.
#[derive(Debug, Clone, PartialEq)]
pub struct DeTable {
    /// Perturbations, one per row.
    pub perts: Vec<String>,
    /// Genes, one per column.
    pub genes: Vec<String>,
    /// log2 fold change of the geometric means; `0/0` is 0, one-sided zeros are ±inf.
    pub lfc: Vec<Vec<f64>>,
    /// Two-sided Mann-Whitney U p-values.
    pub p_value: Vec<Vec<f64>>,
    /// Benjamini-Hochberg FDR within each perturbation.
    pub fdr: Vec<Vec<f64>>,
}

impl DeTable {
    /// Runs the DE of every perturbation of `pair` (real or predicted side).
    pub fn compute(pair: &Pair, real: bool) -> Self {
        let (e, rows) = if real {
            (&pair.real, &pair.real_rows)
        } else {
            (&pair.pred, &pair.pred_rows)
        };
        let ctrl_rows = &rows[&pair.control];
        let ctrl = e.x.select(Axis(0), ctrl_rows);
        let ref_bulk = mean_rows(&e.x, ctrl_rows).mapv(f64::exp_m1);
        let ctrl_cols: Vec<Vec<f64>> = ctrl.columns().into_iter().map(|c| c.to_vec()).collect();
        let (mut lfc, mut p_value, mut fdr) = (Vec::new(), Vec::new(), Vec::new());
        for pert in &pair.perts {
            let group = e.x.select(Axis(0), &rows[pert]);
            let bulk = mean_rows(&e.x, &rows[pert]).mapv(f64::exp_m1);
            let l: Vec<f64> = bulk
                .iter()
                .zip(&ref_bulk)
                .map(|(g, r)| {
                    let v = (g / r).log2();
                    if v.is_nan() {
                        0.0
                    } else {
                        v
                    }
                })
                .collect();
            let p: Vec<f64> = group
                .columns()
                .into_iter()
                .zip(&ctrl_cols)
                .map(|(g, c)| mann_whitney_u(&g.to_vec(), c).1)
                .collect();
            let q = false_discovery_control(&p);
            lfc.push(l);
            p_value.push(p);
            fdr.push(q);
        }
        Self {
            perts: pair.perts.clone(),
            genes: pair.genes().to_vec(),
            lfc,
            p_value,
            fdr,
        }
    }

    /// Genes (column indices) with FDR below `threshold`, compared in single precision
    /// as cell-eval does (it casts DE columns to Float32), in gene order.
    pub fn significant(&self, pert: usize, threshold: f64) -> Vec<usize> {
        let t = threshold as f32;
        (0..self.genes.len())
            .filter(|&g| (self.fdr[pert][g] as f32) < t)
            .collect()
    }

    /// The fold change as cell-eval's metrics see it (cast to Float32).
    pub fn lfc32(&self, pert: usize, gene: usize) -> f64 {
        self.lfc[pert][gene] as f32 as f64
    }
}
