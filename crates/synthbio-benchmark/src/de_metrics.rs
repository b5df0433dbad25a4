//! cell-eval's DE metrics: overlap and precision of the top DE genes, agreement of
//! significant-gene counts, directions and fold changes, recall, and the AUCs of
//! recovering the real significant genes from the predicted FDRs.
//!
//! cell-eval casts fold changes and FDRs to Float32 before these metrics, so they are
//! read here through the same cast ([`DeTable::lfc32`], [`DeTable::significant`]).

use crate::de::DeTable;
use crate::results::{Best, Results};
use crate::stats::{average_precision, roc_auc, spearman};

/// cell-eval's FDR threshold.
pub const FDR: f64 = 0.05;

/// Significant genes of `pert`, largest |log2 fold change| first (Float32 values; ties
/// keep gene order, as polars' ordinal rank).
fn top_genes(de: &DeTable, pert: usize) -> Vec<usize> {
    let mut sig = de.significant(pert, FDR);
    sig.sort_by(|&a, &b| de.lfc32(pert, b).abs().total_cmp(&de.lfc32(pert, a).abs()));
    sig
}

fn overlap(real: &DeTable, pred: &DeTable, k: Option<usize>, precision: bool) -> Vec<Option<f64>> {
    let n = real.perts.len();
    let tops_r: Vec<Vec<usize>> = (0..n).map(|i| top_genes(real, i)).collect();
    let tops_p: Vec<Vec<usize>> = (0..n).map(|i| top_genes(pred, i)).collect();
    // No significant gene on one side at all: cell-eval scores every perturbation 0.
    if tops_r.iter().all(|t| t.is_empty()) || tops_p.iter().all(|t| t.is_empty()) {
        return vec![Some(0.0); n];
    }
    (0..n)
        .map(|i| {
            let (r, p) = (&tops_r[i], &tops_p[i]);
            let base = if precision { p.len() } else { r.len() };
            let k_eff = k.filter(|k| *k > 0).unwrap_or(base).min(base);
            if k_eff == 0 {
                return Some(0.0);
            }
            let rs = &r[..k_eff.min(r.len())];
            let ps = &p[..k_eff.min(p.len())];
            let hits = rs.iter().filter(|g| ps.contains(g)).count();
            Some(hits as f64 / k_eff as f64)
        })
        .collect()
}

/// A metric over the real significant genes: when no perturbation has any, cell-eval
/// reports no column at all; so does this, with a note. Otherwise the column stays, with
/// undefined values where the metric is (a constant prediction's Spearman).
fn push_if_any(out: &mut Results, name: &str, any_real_sig: bool, values: Vec<Option<f64>>) {
    if !any_real_sig {
        out.notes.push(format!(
            "{name}: not reported, no perturbation has a real significant gene (FDR < {FDR})"
        ));
    } else {
        out.push(name, Best::One, values);
    }
}

/// Appends cell-eval's DE metrics to `out`, in its column order.
pub fn de_metrics(real: &DeTable, pred: &DeTable, out: &mut Results) {
    let n = real.perts.len();
    for (metric, precision) in [("overlap", false), ("precision", true)] {
        for k in [None, Some(50), Some(100), Some(200), Some(500)] {
            let name = match k {
                None => format!("{metric}_at_N"),
                Some(k) => format!("{metric}_at_{k}"),
            };
            out.push(&name, Best::One, overlap(real, pred, k, precision));
        }
    }
    let sig_r: Vec<Vec<usize>> = (0..n).map(|i| real.significant(i, FDR)).collect();
    let sig_p: Vec<Vec<usize>> = (0..n).map(|i| pred.significant(i, FDR)).collect();

    // One value for all perturbations: Spearman of the significant-gene counts over the
    // perturbations with any real significant gene; 1 when there are none.
    let with_sig: Vec<usize> = (0..n).filter(|&i| !sig_r[i].is_empty()).collect();
    let any_sig = !with_sig.is_empty();
    let nsig = if with_sig.is_empty() {
        Some(1.0)
    } else {
        let a: Vec<f64> = with_sig.iter().map(|&i| sig_r[i].len() as f64).collect();
        let b: Vec<f64> = with_sig.iter().map(|&i| sig_p[i].len() as f64).collect();
        spearman(&a, &b)
    };
    out.push("de_spearman_sig", Best::One, vec![nsig; n]);

    // Over the real significant genes; undefined for a perturbation without any.
    let sign = |v: f64| {
        if v > 0.0 {
            1
        } else if v < 0.0 {
            -1
        } else {
            0
        }
    };
    let direction = (0..n)
        .map(|i| {
            let s = &sig_r[i];
            (!s.is_empty()).then(|| {
                let agree = s
                    .iter()
                    .filter(|&&g| sign(real.lfc32(i, g)) == sign(pred.lfc32(i, g)))
                    .count();
                agree as f64 / s.len() as f64
            })
        })
        .collect();
    push_if_any(out, "de_direction_match", any_sig, direction);
    let lfc_sp = (0..n)
        .map(|i| {
            let s = &sig_r[i];
            let a: Vec<f64> = s.iter().map(|&g| real.lfc32(i, g)).collect();
            let b: Vec<f64> = s.iter().map(|&g| pred.lfc32(i, g)).collect();
            spearman(&a, &b)
        })
        .collect();
    push_if_any(out, "de_spearman_lfc_sig", any_sig, lfc_sp);
    let recall = (0..n)
        .map(|i| {
            let s = &sig_r[i];
            (!s.is_empty())
                .then(|| s.iter().filter(|g| sig_p[i].contains(g)).count() as f64 / s.len() as f64)
        })
        .collect();
    push_if_any(out, "de_sig_genes_recall", any_sig, recall);
    out.push(
        "de_nsig_counts_real",
        Best::None,
        sig_r.iter().map(|s| Some(s.len() as f64)).collect(),
    );
    out.push(
        "de_nsig_counts_pred",
        Best::None,
        sig_p.iter().map(|s| Some(s.len() as f64)).collect(),
    );

    // Labels: real FDR < 0.05; scores: -log10 of the predicted FDR clipped to [1e-10, 1].
    let auc = |f: fn(&[bool], &[f64]) -> Option<f64>| -> Vec<Option<f64>> {
        (0..n)
            .map(|i| {
                let labels: Vec<bool> = (0..real.genes.len())
                    .map(|g| sig_r[i].binary_search(&g).is_ok())
                    .collect();
                let scores: Vec<f64> = (0..real.genes.len())
                    .map(|g| -((pred.fdr[i][g] as f32).clamp(1e-10, 1.0) as f64).log10())
                    .collect();
                f(&labels, &scores)
            })
            .collect()
    };
    out.push("pr_auc", Best::One, auc(average_precision));
    out.push("roc_auc", Best::One, auc(roc_auc));
}
