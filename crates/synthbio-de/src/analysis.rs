//! The `de` analysis plug-in: groups from a metadata column, normalization, tests.

use crate::de::{differential_expression, DeResult, DeTest};
use crate::design::Design;
use crate::error::{DeError, Result};
use crate::filter::{filter_by_expr, FilterParams};
use crate::groups::Groups;
use crate::welch::GeneTest;
use ndarray::Axis;
use serde::{Deserialize, Serialize};
use synthbio_core::{Analysis, Dataset};
use synthbio_normalize::{normalize_dataset, Method, NormalizeParams};

/// Parameters of [`De`]. The groups have no default: `group_column`, `case` and
/// `control` must be set (an empty one is an error naming it; `group_a` / `group_b` are
/// accepted as their old names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeParams {
    /// Metadata column holding the groups, e.g. `perturbation_type` or `dex`.
    pub group_column: String,
    /// Value of the case group (the numerator, e.g. `compound`, `trt`).
    #[serde(alias = "group_a")]
    pub case: String,
    /// Value of the control group (the reference, e.g. `control`, `untrt`).
    #[serde(alias = "group_b")]
    pub control: String,
    /// The test; default the moderated t.
    pub test: DeTest,
    /// How counts become the tested values; default edgeR's log CPM with prior count 2
    /// on raw library sizes, computed over the samples of the two groups only.
    pub normalization: NormalizeParams,
    /// Adjusted p-value below which a gene is marked significant in the report; default 0.05.
    pub alpha: f64,
    /// Genes listed in the report's top-up and top-down tables; default 10.
    pub top_n: usize,
    /// edgeR's `filterByExpr` on the two-group design before testing; default `None`
    /// (every gene tested). Filtered genes keep their fold change and are left untested.
    pub filter: Option<FilterParams>,
}

impl Default for DeParams {
    fn default() -> Self {
        DeParams {
            group_column: String::new(),
            case: String::new(),
            control: String::new(),
            test: DeTest::Moderated,
            normalization: NormalizeParams::new(Method::LogCpm { prior_count: 2.0 }),
            alpha: 0.05,
            top_n: 10,
            filter: None,
        }
    }
}

impl DeParams {
    /// Parameters comparing `column = a` over `column = b`, other fields at their defaults.
    pub fn new(
        column: impl Into<String>,
        case: impl Into<String>,
        control: impl Into<String>,
    ) -> Self {
        DeParams {
            group_column: column.into(),
            case: case.into(),
            control: control.into(),
            ..DeParams::default()
        }
    }

    fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("group_column", &self.group_column),
            ("case", &self.case),
            ("control", &self.control),
        ] {
            if v.is_empty() {
                return Err(DeError::InvalidParam {
                    name,
                    value: String::new(),
                    fix: "set group_column to the metadata column holding the groups, and \
                          case / control to the two values compared (case over control)"
                        .into(),
                });
            }
        }
        if self.case == self.control {
            return Err(DeError::InvalidParam {
                name: "control",
                value: self.control.clone(),
                fix: "give two different values for case and control".into(),
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
    let groups = Groups::from_metadata(data, &params.group_column, &params.case, &params.control)?;
    de_groups_filtered(
        data,
        &groups,
        params.test,
        &params.normalization,
        params.filter.as_ref(),
    )
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
    de_groups_filtered(data, groups, test, normalization, None)
}

/// [`de_groups`] with edgeR's `filterByExpr` first (on the groups' samples and the
/// two-group design) when `filter` is given: the genes it removes keep their fold change
/// and mean but are not tested (`None` t, p and adjusted p, out of the BH adjustment and
/// of the variance prior). Library sizes count every gene (edgeR's `keep.lib.sizes = TRUE`).
pub fn de_groups_filtered(
    data: &Dataset,
    groups: &Groups,
    test: DeTest,
    normalization: &NormalizeParams,
    filter: Option<&FilterParams>,
) -> Result<DeResult> {
    groups.check(data.n_samples(), 2)?;
    let rows: Vec<usize> = groups.case.iter().chain(&groups.control).copied().collect();
    let subset = data.select_samples(&rows);
    // Unmeasured cells hold placeholder zeros: missing is never read as zero.
    subset.require_all_measured("differential expression")?;
    let normalized = normalize_dataset::<f64>(&subset, normalization)?;
    let local = Groups {
        case: (0..groups.case.len()).collect(),
        control: (groups.case.len()..rows.len()).collect(),
        ..groups.clone()
    };
    let Some(filter) = filter else {
        let mut result =
            differential_expression(&normalized.expression, data.gene_ids(), &local, test)?;
        result.groups = groups.clone();
        return Ok(result);
    };
    let design = Design::two_group(&local.case, &local.control, rows.len());
    let keep = filter_by_expr(subset.counts().mapv(f64::from).view(), &design, filter)?;
    let cols: Vec<usize> = (0..keep.len()).filter(|&j| keep[j]).collect();
    let mut kept = normalized.expression.clone();
    kept.values = normalized.expression.values.select(Axis(1), &cols);
    let ids: Vec<String> = cols.iter().map(|&j| data.gene_ids()[j].clone()).collect();
    let tested = differential_expression(&kept, &ids, &local, test)?;
    // Every gene, in input order: the kept ones tested, the others with their fold change.
    let all = differential_expression_untested(&normalized.expression, data.gene_ids(), &local)?;
    let mut tested_genes = tested.genes.into_iter();
    let genes = all
        .into_iter()
        .zip(&keep)
        .map(|(g, &k)| {
            if k {
                tested_genes.next().unwrap_or(g)
            } else {
                g
            }
        })
        .collect();
    Ok(DeResult {
        groups: groups.clone(),
        genes,
        n_filtered: keep.len() - cols.len(),
        ..tested
    })
}

/// Fold change and mean of every gene without a test (the genes a filter removed).
fn differential_expression_untested(
    values: &synthbio_core::Expression<f64>,
    gene_ids: &[String],
    groups: &Groups,
) -> Result<Vec<crate::de::DeGene>> {
    let v = values.values.view();
    let a = crate::stats::GroupStats::of(v, &groups.case);
    let b = crate::stats::GroupStats::of(v, &groups.control);
    let (na, nb) = (a.n as f64, b.n as f64);
    Ok((0..v.ncols())
        .map(|g| crate::de::DeGene {
            gene_id: gene_ids[g].clone(),
            log2_fc: a.mean[g] - b.mean[g],
            mean_expression: (na * a.mean[g] + nb * b.mean[g]) / (na + nb),
            test: GeneTest::UNDEFINED,
            adj_p_value: None,
        })
        .collect())
}

/// The `de` analysis: moderated or Welch t per gene between two metadata groups, with
/// BH adjusted p-values and a volcano-ready table.
///
/// By default every gene is tested, as limma would with the matrix given: genes without
/// counts in the tested samples enter the variance prior (pulling `s0^2` down and `d0`
/// towards 0). Set `filter` (edgeR's `filterByExpr`, as the CLI does by default) for a
/// prior that reflects expressed genes.
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
