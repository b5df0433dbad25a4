//! The `normalize` analysis plug-in and its report.

use crate::error::{NormalizeError, Result};
use crate::normalize::{normalize, Normalized};
use crate::params::{Method, NormFactors, NormalizeParams};
use crate::values::Real;
use serde::{Deserialize, Serialize};
use synthbio_core::{Analysis, Cell, Dataset, Figure, Report, ReportSection, Scale, Table};

/// Normalizes a dataset's counts with errors that name samples and genes by id.
pub fn normalize_dataset<F: Real>(
    data: &Dataset,
    params: &NormalizeParams,
) -> Result<Normalized<F>> {
    normalize(data.counts(), params).map_err(|e| e.with_ids(data.sample_ids(), data.gene_ids()))
}

/// The `normalize` analysis: CPM, edgeR log CPM, `log2(cpm + 1)` or scanpy's log1p,
/// optionally on TMM-scaled library sizes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Normalize;

impl Analysis for Normalize {
    type Params = NormalizeParams;
    type Output = NormalizeReport;
    type Error = NormalizeError;

    fn name(&self) -> &'static str {
        "normalize"
    }

    fn description(&self) -> &'static str {
        "CPM, edgeR log CPM (prior count), log2(CPM + 1) or scanpy log1p, optionally TMM"
    }

    fn run(&self, data: &Dataset, params: &NormalizeParams) -> Result<NormalizeReport> {
        Ok(NormalizeReport {
            normalized: normalize_dataset(data, params)?,
            params: *params,
            gene_ids: data.gene_ids().to_vec(),
            sample_ids: data.sample_ids().to_vec(),
        })
    }
}

/// The result of [`Normalize`]: the matrix with its ids and the parameters used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalizeReport {
    /// Values, library sizes and factors.
    pub normalized: Normalized<f64>,
    /// The parameters used.
    pub params: NormalizeParams,
    /// Gene ids (columns of the values).
    pub gene_ids: Vec<String>,
    /// Sample ids (rows of the values).
    pub sample_ids: Vec<String>,
}

impl NormalizeReport {
    /// One row per sample: library size, factor, effective library size.
    pub fn library_table(&self) -> Table {
        let mut t = Table::new([
            "sample_id",
            "library_size",
            "norm_factor",
            "effective_library_size",
        ]);
        let eff = self.normalized.effective_library_sizes();
        for (i, id) in self.sample_ids.iter().enumerate() {
            t.push(vec![
                id.as_str().into(),
                self.normalized.library_sizes[i].into(),
                self.normalized.norm_factors[i].into(),
                eff[i].into(),
            ]);
        }
        t
    }
}

/// A sentence on what the values are.
fn describe(scale: Scale, factors: NormFactors) -> String {
    let what = match scale {
        Scale::Cpm => "counts per million".to_string(),
        Scale::LogCpm { prior_count } => format!(
            "log2 counts per million as edgeR's cpm(log = TRUE, prior.count = {prior_count}): \
             the prior count is scaled by each library's size relative to the mean"
        ),
        Scale::Log2CpmPlusOne => "log2(CPM + 1)".to_string(),
        Scale::Log1p { target_sum } => format!(
            "natural log1p of counts scaled to {target_sum} per sample (scanpy normalize_total + log1p)"
        ),
    };
    let libs = match factors {
        NormFactors::None => "library sizes are total counts",
        NormFactors::Tmm(_) => {
            "library sizes are total counts times TMM factors (edgeR calcNormFactors defaults)"
        }
    };
    format!("Values are {what}; {libs}.")
}

impl Report for NormalizeReport {
    /// Genes x samples, as edgeR's `cpm()` returns them: `gene_id` then one column per sample.
    fn table(&self) -> Table {
        let mut columns = vec!["gene_id".to_string()];
        columns.extend(self.sample_ids.iter().cloned());
        let mut t = Table::new(columns);
        let v = &self.normalized.expression.values;
        for (j, gene) in self.gene_ids.iter().enumerate() {
            let mut row: Vec<Cell> = Vec::with_capacity(v.nrows() + 1);
            row.push(gene.as_str().into());
            row.extend(v.column(j).iter().map(|&x| Cell::Float(x)));
            t.push(row);
        }
        t
    }

    fn section(&self) -> ReportSection {
        let libs = &self.normalized.library_sizes;
        let (lo, hi) = libs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let mut paragraphs = vec![
            describe(self.normalized.expression.scale, self.params.norm_factors),
            format!(
                "{} samples x {} genes; library sizes from {lo} to {hi}.",
                self.sample_ids.len(),
                self.gene_ids.len()
            ),
        ];
        let mut figures = vec![Figure::Bar {
            title: "Library sizes".into(),
            y_label: "total count".into(),
            labels: self.sample_ids.clone(),
            values: libs.clone(),
        }];
        if let NormFactors::Tmm(_) = self.params.norm_factors {
            let f = &self.normalized.norm_factors;
            let (flo, fhi) = f
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            paragraphs.push(format!("TMM factors range from {flo:.4} to {fhi:.4}."));
            figures.push(Figure::Bar {
                title: "TMM normalization factors".into(),
                y_label: "factor".into(),
                labels: self.sample_ids.clone(),
                values: f.clone(),
            });
        }
        ReportSection {
            title: format!("Normalization ({})", method_name(self.params.method)),
            paragraphs,
            tables: vec![("Library sizes and factors".into(), self.library_table())],
            figures,
        }
    }
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Cpm => "CPM",
        Method::LogCpm { .. } => "edgeR log CPM",
        Method::Log2CpmPlusOne => "log2(CPM + 1)",
        Method::Log1p { .. } => "scanpy log1p",
    }
}
