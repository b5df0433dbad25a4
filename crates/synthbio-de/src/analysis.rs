//! The `de` analysis plug-in: groups from a metadata column, normalization, tests.

use crate::de::{differential_expression, DeResult, DeTest};
use crate::error::{DeError, Result};
use crate::groups::Groups;
use serde::{Deserialize, Serialize};
use synthbio_core::{Analysis, Dataset};
use synthbio_normalize::{normalize_dataset, Method, NormalizeParams};

/// Parameters of [`De`]. The groups have no default: `group_column`, `group_a` and
/// `group_b` must be set (an empty one is an error naming it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeParams {
    /// Metadata column holding the groups, e.g. `perturbation_type` or `dex`.
    pub group_column: String,
    /// Value of group a (the numerator, e.g. `compound`, `trt`).
    pub group_a: String,
    /// Value of group b (the reference, e.g. `control`, `untrt`).
    pub group_b: String,
    /// The test; default the moderated t.
    pub test: DeTest,
    /// How counts become the tested values; default edgeR's log CPM with prior count 2
    /// on raw library sizes, computed over the samples of the two groups only.
    pub normalization: NormalizeParams,
    /// Adjusted p-value below which a gene is marked significant in the report; default 0.05.
    pub alpha: f64,
    /// Genes listed in the report's top-up and top-down tables; default 10.
    pub top_n: usize,
}

impl Default for DeParams {
    fn default() -> Self {
        DeParams {
            group_column: String::new(),
            group_a: String::new(),
            group_b: String::new(),
            test: DeTest::Moderated,
            normalization: NormalizeParams::new(Method::LogCpm { prior_count: 2.0 }),
            alpha: 0.05,
            top_n: 10,
        }
    }
}

impl DeParams {
    /// Parameters comparing `column = a` over `column = b`, other fields at their defaults.
    pub fn new(column: impl Into<String>, a: impl Into<String>, b: impl Into<String>) -> Self {
        DeParams {
            group_column: column.into(),
            group_a: a.into(),
            group_b: b.into(),
            ..DeParams::default()
        }
    }

    fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("group_column", &self.group_column),
            ("group_a", &self.group_a),
            ("group_b", &self.group_b),
        ] {
            if v.is_empty() {
                return Err(DeError::InvalidParam {
                    name,
                    value: String::new(),
                    fix: "set group_column to the metadata column holding the groups, and \
                          group_a / group_b to the two values compared (a over b)"
                        .into(),
                });
            }
        }
        if self.group_a == self.group_b {
            return Err(DeError::InvalidParam {
                name: "group_b",
                value: self.group_b.clone(),
                fix: "give two different values for group_a and group_b".into(),
            });
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(DeError::InvalidParam {
                name: "alpha",
                value: self.alpha.to_string(),
                fix: "give a level in (0, 1), e.g. 0.05".into(),
            });
        }
        Ok(())
    }
}

/// Two-group differential expression of a dataset, as [`De`] runs it: groups from the
/// metadata column, then [`de_groups`].
pub fn de_dataset(data: &Dataset, params: &DeParams) -> Result<DeResult> {
    params.validate()?;
    let groups =
        Groups::from_metadata(data, &params.group_column, &params.group_a, &params.group_b)?;
    de_groups(data, &groups, params.test, &params.normalization)
}

/// Two-group differential expression of a dataset's counts with explicit groups (rows of
/// `data`): the groups' samples are normalized together (other samples play no part),
/// then every gene is tested. The result's groups hold rows of `data`.
pub fn de_groups(
    data: &Dataset,
    groups: &Groups,
    test: DeTest,
    normalization: &NormalizeParams,
) -> Result<DeResult> {
    groups.check(data.n_samples(), 2)?;
    let rows: Vec<usize> = groups.a.iter().chain(&groups.b).copied().collect();
    let subset = data.select_samples(&rows);
    let normalized = normalize_dataset::<f64>(&subset, normalization)?;
    let local = Groups {
        a: (0..groups.a.len()).collect(),
        b: (groups.a.len()..rows.len()).collect(),
        ..groups.clone()
    };
    let mut result =
        differential_expression(&normalized.expression, data.gene_ids(), &local, test)?;
    result.groups = groups.clone();
    Ok(result)
}

/// The `de` analysis: moderated or Welch t per gene between two metadata groups, with
/// BH adjusted p-values and a volcano-ready table.
///
/// Every gene is tested, as limma would with the matrix given: genes without counts in
/// the tested samples enter the variance prior (pulling `s0^2` down and `d0` towards 0).
/// Select expressed genes first (`Dataset::select_genes`, as edgeR's `filterByExpr`
/// before limma) for a prior that reflects expressed genes.
#[derive(Debug, Clone, Copy, Default)]
pub struct De;

impl Analysis for De {
    type Params = DeParams;
    type Output = crate::report::DeReport;
    type Error = DeError;

    fn name(&self) -> &'static str {
        "de"
    }

    fn description(&self) -> &'static str {
        "two-group differential expression: limma moderated t or Welch t on log CPM, BH adjusted"
    }

    fn run(&self, data: &Dataset, params: &DeParams) -> Result<crate::report::DeReport> {
        Ok(crate::report::DeReport {
            result: de_dataset(data, params)?,
            alpha: params.alpha,
            top_n: params.top_n,
        })
    }
}
