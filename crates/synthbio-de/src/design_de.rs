//! Differential expression for a study design: edgeR's `filterByExpr`, then log CPM +
//! limma-trend (or plain `eBayes`) or `voom`, `lmFit`, a coefficient or contrast,
//! `eBayes` and `topTable`.

use crate::de::{DeGene, DeResult, DeTest};
use crate::design::Design;
use crate::ebayes::{ebayes, EBayesOptions, TopRow};
use crate::error::{DeError, Result};
use crate::filter::{filter_by_expr, FilterParams};
use crate::groups::Groups;
use crate::limma::PriorFit;
use crate::lmfit::lm_fit;
use crate::robust::DEFAULT_WINSOR_TAIL_P;
use crate::voom::voom;
use crate::welch::GeneTest;
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};
use synthbio_core::{Dataset, Report, ReportSection, Scale, Table};
use synthbio_normalize::{normalize, Method, NormalizeParams};

/// What is tested: one coefficient of the design, or a contrast of its coefficients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tested {
    /// A coefficient by name, e.g. `dextrt`.
    Coef(String),
    /// A contrast: `name=weight` pairs (`dextrt=1,dexuntrt=-1`) or one weight per coefficient.
    Contrast(String),
}

/// How counts become the values fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// edgeR log CPM (prior count 2), unweighted.
    #[default]
    LogCpm,
    /// limma's voom: log CPM with precision weights from the mean-variance trend.
    Voom,
}

/// Settings of [`design_de`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignDeParams {
    /// The design (from [`Design::from_formula`] or [`Design::from_tsv`]); one row per sample.
    pub design: Design,
    /// The coefficient or contrast tested.
    pub tested: Tested,
    /// Values fitted.
    pub transform: Transform,
    /// limma-trend (prior variance as a function of average log expression).
    pub trend: bool,
    /// limma's robust empirical Bayes (`eBayes(robust = TRUE)`): outlier genes get fewer
    /// prior df.
    #[serde(default)]
    pub robust: bool,
    /// limma's `winsor.tail.p` of the robust prior (lower and upper tail proportions).
    #[serde(default = "default_winsor_tail_p")]
    pub winsor_tail_p: [f64; 2],
    /// `filterByExpr` settings; `None` tests every gene.
    pub filter: Option<FilterParams>,
}

/// `", winsor.tail.p 0.1, 0.2"` when the tails are not limma's default.
fn tails_note(p: [f64; 2]) -> String {
    if p == DEFAULT_WINSOR_TAIL_P {
        String::new()
    } else {
        format!(", winsor.tail.p {}, {}", p[0], p[1])
    }
}

fn default_winsor_tail_p() -> [f64; 2] {
    DEFAULT_WINSOR_TAIL_P
}

/// The result: limma's `topTable` (sort.by = "none") over the genes kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignDe {
    /// What was tested (coefficient name or contrast).
    pub tested: String,
    /// The design's coefficients.
    pub design_columns: Vec<String>,
    /// How the values were made and fitted, in words.
    pub method: String,
    /// How counts became the values fitted.
    pub transform: Transform,
    /// Genes in the input.
    pub n_genes_input: usize,
    /// Gene ids tested (the ones the filter kept), in input order.
    pub gene_ids: Vec<String>,
    /// One row per tested gene.
    pub rows: Vec<TopRow>,
    /// The variance prior (median prior variance with a trend; robust: the typical
    /// genes' df before shrinking).
    pub prior: PriorFit,
    /// Prior df per tested gene (limma's `df.prior`; one value repeated unless robust).
    pub df_prior: Vec<f64>,
    /// Total df per tested gene (limma's `df.total`), the df of its t.
    pub df_total: Vec<f64>,
}

/// Columns of [`DesignDe`]'s table, as limma's `topTable`.
pub const TOP_TABLE_COLUMNS: [&str; 7] = [
    "gene_id",
    "logFC",
    "AveExpr",
    "t",
    "P.Value",
    "adj.P.Val",
    "B",
];

/// Differential expression of `data` (all its samples) on a design: `filterByExpr` on
/// the design (unless `filter` is `None`), the values of the kept genes with library sizes
/// over all genes (edgeR's `keep.lib.sizes = TRUE`), `lmFit`, the coefficient or
/// contrast, `eBayes`, `topTable`.
pub fn design_de(data: &Dataset, params: &DesignDeParams) -> Result<DesignDe> {
    // Unmeasured cells hold placeholder zeros: missing is never read as zero.
    data.require_all_measured("differential expression")?;
    let design = &params.design;
    if design.n_samples() != data.n_samples() {
        return Err(DeError::Shape {
            what: "design rows (one per sample of the dataset)".into(),
            expected: data.n_samples(),
            found: design.n_samples(),
        });
    }
    design.check()?;
    let counts = data.counts().mapv(f64::from);
    let keep = match &params.filter {
        Some(f) => filter_by_expr(counts.view(), design, f)?,
        None => vec![true; data.n_genes()],
    };
    let cols: Vec<usize> = (0..keep.len()).filter(|&j| keep[j]).collect();
    if cols.len() < 2 {
        return Err(DeError::InvalidParam {
            name: "filter",
            value: format!("{} of {} genes kept", cols.len(), data.n_genes()),
            fix: "test every gene (--all-genes) or give deeper libraries".into(),
        });
    }
    // Library sizes count every gene (edgeR's keep.lib.sizes = TRUE): the filter chooses
    // the genes tested, not the samples' depths.
    let (values, weights): (Array2<f64>, Option<Array2<f64>>) = match params.transform {
        Transform::LogCpm => {
            let n = normalize::<u32, f64>(
                data.counts(),
                &NormalizeParams::new(Method::LogCpm { prior_count: 2.0 }),
            )
            .map_err(|e| e.with_ids(data.sample_ids(), data.gene_ids()))?;
            (n.expression.values.select(Axis(1), &cols), None)
        }
        Transform::Voom => {
            let lib: Vec<f64> = counts.rows().into_iter().map(|r| r.sum()).collect();
            let kept = counts.select(Axis(1), &cols);
            let v = voom(kept.view(), design, Some(&lib))?;
            (v.e, Some(v.weights))
        }
    };
    let mut fit = lm_fit(values.view(), design, weights.as_ref().map(|w| w.view()))?;
    let (coef, tested) = match &params.tested {
        Tested::Coef(name) => (design.coef_index(name)?, name.clone()),
        Tested::Contrast(spec) => {
            let c = design.contrast(spec)?;
            fit = fit.contrast(&c, spec)?;
            (0, spec.clone())
        }
    };
    let options = EBayesOptions {
        trend: params.trend,
        robust: params.robust,
        winsor_tail_p: params.winsor_tail_p,
        ..EBayesOptions::default()
    };
    let moderated = ebayes(fit, &options)?;
    let rows = moderated.top_table(coef)?;
    let method = format!(
        "{}{}, lmFit, eBayes{}",
        match &params.filter {
            Some(_) => format!(
                "edgeR filterByExpr kept {} of {} genes; ",
                cols.len(),
                data.n_genes()
            ),
            None => format!("all {} genes tested; ", data.n_genes()),
        },
        match params.transform {
            Transform::LogCpm => "edgeR log CPM (prior count 2)",
            Transform::Voom => "voom precision weights",
        },
        match (params.trend, params.robust) {
            (false, false) => String::new(),
            (true, false) => " (trend)".into(),
            (false, true) => format!(" (robust{})", tails_note(params.winsor_tail_p)),
            (true, true) => format!(" (trend, robust{})", tails_note(params.winsor_tail_p)),
        }
    );
    Ok(DesignDe {
        tested,
        design_columns: design.columns.clone(),
        method,
        transform: params.transform,
        n_genes_input: data.n_genes(),
        gene_ids: cols.iter().map(|&j| data.gene_ids()[j].clone()).collect(),
        rows,
        prior: moderated.prior,
        df_prior: moderated.df_prior,
        df_total: moderated.df_total,
    })
}

impl DesignDe {
    /// Genes with adjusted p-value below `alpha`.
    pub fn n_significant(&self, alpha: f64) -> usize {
        self.rows.iter().filter(|r| r.adj_p_value < alpha).count()
    }

    /// The result in the two-group shape ([`DeResult`]; moderated t), for code written
    /// against [`de_groups`](crate::de_groups): one [`DeGene`] per tested gene in input
    /// order (`log2_fc` = the coefficient or contrast, `mean_expression` = AveExpr, t
    /// with its total df, p, BH adjusted p), `prior` and `n_filtered` (genes the filter
    /// removed; they are not listed, as they have no fitted coefficient). `groups` are
    /// the groups the design compares (for [`de_paired`], the ones it was given). The
    /// scale is edgeR's log CPM with prior count 2, or for voom `LogCpm { prior_count:
    /// 0.5 }` (voom's log2((count + 0.5) / (library + 1) 1e6)).
    pub fn to_de_result(&self, groups: &Groups) -> DeResult {
        let genes = self
            .gene_ids
            .iter()
            .zip(&self.rows)
            .zip(&self.df_total)
            .map(|((id, r), &df)| DeGene {
                gene_id: id.clone(),
                log2_fc: r.log_fc,
                mean_expression: r.ave_expr,
                test: GeneTest {
                    t: Some(r.t).filter(|t| t.is_finite()),
                    df: Some(df),
                    p_value: Some(r.p_value).filter(|p| !p.is_nan()),
                },
                adj_p_value: Some(r.adj_p_value).filter(|p| !p.is_nan()),
            })
            .collect();
        DeResult {
            test: DeTest::Moderated,
            scale: Scale::LogCpm {
                prior_count: match self.transform {
                    Transform::LogCpm => 2.0,
                    Transform::Voom => 0.5,
                },
            },
            groups: groups.clone(),
            prior: Some(self.prior),
            genes,
            n_filtered: self.n_genes_input - self.gene_ids.len(),
        }
    }

    /// `" (robust: per-gene d0 from x to y)"` when the prior df differ between genes.
    fn shrunk_note(&self) -> String {
        let lo = self.df_prior.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self
            .df_prior
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        if lo < hi {
            format!(" (robust: per-gene d0 from {lo:.3} to {hi:.3})")
        } else {
            String::new()
        }
    }
}

impl Report for DesignDe {
    /// limma's topTable columns, one row per tested gene in input order.
    fn table(&self) -> Table {
        let mut t = Table::new(TOP_TABLE_COLUMNS);
        for (id, r) in self.gene_ids.iter().zip(&self.rows) {
            t.push(vec![
                id.as_str().into(),
                r.log_fc.into(),
                r.ave_expr.into(),
                r.t.into(),
                r.p_value.into(),
                r.adj_p_value.into(),
                r.b.into(),
            ]);
        }
        t
    }

    fn section(&self) -> ReportSection {
        ReportSection {
            title: format!("Differential expression: {}", self.tested),
            paragraphs: vec![
                format!(
                    "Design columns {}; tested: {}.",
                    self.design_columns.join(", "),
                    self.tested
                ),
                format!("{}.", self.method),
                format!(
                    "Prior degrees of freedom d0 = {:.3}{}, prior variance s0^2 = {:.5}.",
                    self.prior.df_prior,
                    self.shrunk_note(),
                    self.prior.var_prior
                ),
            ],
            tables: Vec::new(),
            figures: Vec::new(),
        }
    }
}

/// The paired (blocked) two-group analysis, `~ donor + group` as for airway: the samples
/// of `groups` (rows of `data`), donors from the metadata column `donor_column`, the
/// case-over-control coefficient (`groupcase`) tested with limma-trend or voom after
/// `filterByExpr` (unless `filter` is `None`), with limma's robust prior if `robust`
/// (default tails). The result's genes are the ones tested.
pub fn de_paired(
    data: &Dataset,
    groups: &Groups,
    donor_column: &str,
    transform: Transform,
    filter: Option<FilterParams>,
    robust: bool,
) -> Result<DesignDe> {
    groups.check(data.n_samples(), 2)?;
    let rows: Vec<usize> = groups.case.iter().chain(&groups.control).copied().collect();
    let mut subset = data.select_samples(&rows);
    let label = |i: usize| {
        Some(
            if i < groups.case.len() {
                "case"
            } else {
                "control"
            }
            .to_string(),
        )
    };
    let group: Vec<Option<String>> = (0..rows.len()).map(label).collect();
    let meta = subset.metadata_mut();
    if meta.column(donor_column).is_none() {
        return Err(DeError::UnknownColumn {
            column: donor_column.into(),
            available: meta.keys().map(String::from).collect(),
        });
    }
    meta.set_column("group", group)?;
    let formula = format!("~ factor({donor_column}) + group");
    let design = Design::from_formula(
        subset.metadata(),
        &formula,
        &[("group".to_string(), "control".to_string())],
    )?;
    let params = DesignDeParams {
        design,
        tested: Tested::Coef("groupcase".into()),
        transform,
        trend: transform == Transform::LogCpm,
        robust,
        winsor_tail_p: DEFAULT_WINSOR_TAIL_P,
        filter,
    };
    design_de(&subset, &params)
}
