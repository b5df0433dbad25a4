//! Fold change of generated samples against their references, as the
//! reference-conditioning documentation computes it: `log2(cpm + 1)` of each, difference.

use crate::error::{DeError, Result};
use ndarray::{Array2, ArrayView1, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use synthbio_core::{check_same_gene_order, Dataset, Figure, Report, ReportSection, Table};
use synthbio_normalize::{
    normalize, normalize_dataset, CountValue, Method, NormalizeError, NormalizeParams,
};

/// `log2(cpm + 1)` parameters (raw library sizes).
fn log2_cpm_plus_one() -> NormalizeParams {
    NormalizeParams::new(Method::Log2CpmPlusOne)
}

/// One log2 fold change per gene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldChange {
    /// What was compared, e.g. `sample_1 vs reference 0`.
    pub label: String,
    /// Gene ids.
    pub gene_ids: Vec<String>,
    /// `log2(cpm_generated + 1) - log2(cpm_reference + 1)` per gene.
    pub log2_fc: Vec<f64>,
}

impl FoldChange {
    /// The `n` largest positive changes, largest first (ties in gene order).
    pub fn top_up(&self, n: usize) -> Vec<(&str, f64)> {
        self.top(n, |x| x > 0.0, |a, b| b.total_cmp(&a))
    }

    /// The `n` most negative changes, most negative first (ties in gene order).
    pub fn top_down(&self, n: usize) -> Vec<(&str, f64)> {
        self.top(n, |x| x < 0.0, |a, b| a.total_cmp(&b))
    }

    fn top(
        &self,
        n: usize,
        keep: impl Fn(f64) -> bool,
        order: impl Fn(f64, f64) -> std::cmp::Ordering,
    ) -> Vec<(&str, f64)> {
        let mut v: Vec<(&str, f64)> = self
            .gene_ids
            .iter()
            .zip(&self.log2_fc)
            .filter(|(_, &x)| keep(x))
            .map(|(g, &x)| (g.as_str(), x))
            .collect();
        // A stable sort keeps gene order among ties.
        v.sort_by(|a, b| order(a.1, b.1));
        v.truncate(n);
        v
    }
}

fn pairs_table(pairs: &[(&str, f64)]) -> Table {
    let mut t = Table::new(["gene_id", "log2_fc"]);
    for (g, x) in pairs {
        t.push(vec![(*g).into(), (*x).into()]);
    }
    t
}

impl Report for FoldChange {
    /// Every gene: `gene_id`, `log2_fc`.
    fn table(&self) -> Table {
        let pairs: Vec<(&str, f64)> = self
            .gene_ids
            .iter()
            .map(String::as_str)
            .zip(self.log2_fc.iter().copied())
            .collect();
        pairs_table(&pairs)
    }

    fn section(&self) -> ReportSection {
        let up = self.top_up(10);
        let down = self.top_down(10);
        let mut labels: Vec<String> = up.iter().map(|(g, _)| g.to_string()).collect();
        labels.extend(down.iter().rev().map(|(g, _)| g.to_string()));
        let mut values: Vec<f64> = up.iter().map(|(_, x)| *x).collect();
        values.extend(down.iter().rev().map(|(_, x)| *x));
        ReportSection {
            title: format!("Fold change: {}", self.label),
            paragraphs: vec![format!(
                "log2(CPM + 1) of the generated sample minus that of its reference, over {} \
                 genes; {} up, {} down.",
                self.log2_fc.len(),
                self.log2_fc.iter().filter(|&&x| x > 0.0).count(),
                self.log2_fc.iter().filter(|&&x| x < 0.0).count()
            )],
            tables: vec![
                ("Top 10 up genes".into(), pairs_table(&up)),
                ("Top 10 down genes".into(), pairs_table(&down)),
            ],
            figures: vec![Figure::Bar {
                title: "Largest fold changes".into(),
                y_label: "log2 fold change".into(),
                labels,
                values,
            }],
        }
    }
}

/// `log2(cpm + 1)` of `generated` minus that of `reference` (count vectors in the same
/// gene order). An empty or invalid vector is an error naming it.
pub fn log2_fold_change<T: CountValue>(
    generated: ArrayView1<'_, T>,
    reference: ArrayView1<'_, T>,
) -> Result<Vec<f64>> {
    if generated.len() != reference.len() {
        return Err(DeError::Shape {
            what: "reference counts (one per gene of the generated sample)".into(),
            expected: generated.len(),
            found: reference.len(),
        });
    }
    let one = |v: ArrayView1<'_, T>, name: &str| -> Result<Vec<f64>> {
        let m = v.insert_axis(Axis(0));
        let n = normalize::<T, f64>(m, &log2_cpm_plus_one())
            .map_err(|e| e.with_ids(&[name.to_string()], &[]))?;
        Ok(n.expression.values.row(0).to_vec())
    };
    let g = one(generated, "generated")?;
    let r = one(reference, "reference")?;
    Ok(g.iter().zip(&r).map(|(a, b)| a - b).collect())
}

/// Fold changes of every generated sample against the reference of its input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldChanges {
    /// Gene ids (columns).
    pub gene_ids: Vec<String>,
    /// Generated sample ids (rows).
    pub sample_ids: Vec<String>,
    /// The reference sample id of each row.
    pub reference_ids: Vec<String>,
    /// Fold changes, generated samples x genes.
    pub values: Array2<f64>,
}

impl FoldChanges {
    /// The fold change of one generated sample (row).
    pub fn sample(&self, row: usize) -> Option<FoldChange> {
        (row < self.values.nrows()).then(|| FoldChange {
            label: format!("{} vs {}", self.sample_ids[row], self.reference_ids[row]),
            gene_ids: self.gene_ids.clone(),
            log2_fc: self.values.row(row).to_vec(),
        })
    }

    /// The mean fold change over the given rows (e.g. the samples of one input).
    pub fn mean_of(&self, rows: &[usize], label: impl Into<String>) -> Result<FoldChange> {
        if rows.is_empty() {
            return Err(DeError::InvalidParam {
                name: "rows",
                value: "[]".into(),
                fix: "give at least one generated sample row".into(),
            });
        }
        if let Some(&index) = rows.iter().find(|&&r| r >= self.values.nrows()) {
            return Err(DeError::SampleIndex {
                group: "rows".into(),
                index,
                n_samples: self.values.nrows(),
            });
        }
        let sub = self.values.select(Axis(0), rows);
        Ok(FoldChange {
            label: label.into(),
            gene_ids: self.gene_ids.clone(),
            log2_fc: sub
                .mean_axis(Axis(0))
                .map(|m| m.to_vec())
                .unwrap_or_default(),
        })
    }
}

/// Fold changes of a reference-conditioning result: generated sample `i` is compared with
/// row `generated.input_index()[i]` of `references` (one reference per query input).
///
/// The gene orders must agree ([`DeError::Dataset`] names the first differing gene).
pub fn reference_fold_changes(generated: &Dataset, references: &Dataset) -> Result<FoldChanges> {
    check_same_gene_order(generated.gene_ids(), references.gene_ids())?;
    let n_ref = references.n_samples();
    if let Some(&index) = generated.input_index().iter().find(|&&r| r >= n_ref) {
        return Err(DeError::SampleIndex {
            group: "references (input index of a generated sample)".into(),
            index,
            n_samples: n_ref,
        });
    }
    let gen =
        normalize_dataset::<f64>(generated, &log2_cpm_plus_one()).map_err(named("generated"))?;
    let refs =
        normalize_dataset::<f64>(references, &log2_cpm_plus_one()).map_err(named("reference"))?;
    let mut values = gen.expression.values;
    let refs = &refs.expression.values;
    values
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(generated.input_index().par_iter())
        .for_each(|(mut row, &r)| row -= &refs.row(r));
    Ok(FoldChanges {
        gene_ids: generated.gene_ids().to_vec(),
        sample_ids: generated.sample_ids().to_vec(),
        reference_ids: generated
            .input_index()
            .iter()
            .map(|&r| references.sample_ids()[r].clone())
            .collect(),
        values,
    })
}

/// Prefixes which dataset an id belongs to in a normalization error.
fn named(which: &'static str) -> impl Fn(NormalizeError) -> DeError {
    move |e| match e {
        NormalizeError::EmptyLibrary {
            sample,
            index,
            library_size,
        } => NormalizeError::EmptyLibrary {
            sample: format!("{sample} ({which})"),
            index,
            library_size,
        }
        .into(),
        NormalizeError::InvalidCount {
            sample,
            gene,
            value,
        } => NormalizeError::InvalidCount {
            sample: format!("{sample} ({which})"),
            gene,
            value,
        }
        .into(),
        other => other.into(),
    }
}
