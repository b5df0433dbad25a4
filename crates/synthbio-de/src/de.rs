//! Two-group differential expression: per-gene tests, BH, and the volcano table.

use crate::bh::benjamini_hochberg;
use crate::design::Design;
use crate::ebayes::{ebayes, EBayesOptions};
use crate::error::{DeError, Result};
use crate::groups::Groups;
use crate::limma::PriorFit;
use crate::lmfit::lm_fit;
use crate::stats::GroupStats;
use crate::welch::{welch_from_stats, GeneTest};
use ndarray::{ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use synthbio_core::{Expression, Scale};

/// The per-gene test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum DeTest {
    /// limma's moderated t with empirical-Bayes variance shrinkage (Smyth 2004).
    #[default]
    Moderated,
    /// Welch's unequal-variance t.
    Welch,
}

/// One gene's row of the volcano table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeGene {
    /// Gene id.
    pub gene_id: String,
    /// `mean_case - mean_control` on the input log2 scale (natural log for scanpy's log1p).
    pub log2_fc: f64,
    /// Mean over the samples of both groups (limma's `AveExpr`).
    pub mean_expression: f64,
    /// Test statistic, p-value, df (`None` when undefined).
    pub test: GeneTest,
    /// BH adjusted p-value over the tested genes.
    pub adj_p_value: Option<f64>,
}

/// A two-group comparison: one [`DeGene`] per gene, in the input gene order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeResult {
    /// The test used.
    pub test: DeTest,
    /// Scale of the values tested.
    pub scale: Scale,
    /// The groups compared (case over control).
    pub groups: Groups,
    /// The empirical-Bayes prior (moderated t only).
    pub prior: Option<PriorFit>,
    /// The genes.
    pub genes: Vec<DeGene>,
    /// Genes a filter (edgeR's `filterByExpr`) removed before testing: they are listed with
    /// their fold change but untested.
    #[serde(default)]
    pub n_filtered: usize,
}

impl DeResult {
    /// The `n` genes with the largest positive fold change, largest first.
    pub fn top_up(&self, n: usize) -> Vec<&DeGene> {
        let mut v: Vec<&DeGene> = self.genes.iter().filter(|g| g.log2_fc > 0.0).collect();
        v.sort_by(|x, y| y.log2_fc.total_cmp(&x.log2_fc));
        v.truncate(n);
        v
    }

    /// The `n` genes with the most negative fold change, most negative first.
    pub fn top_down(&self, n: usize) -> Vec<&DeGene> {
        let mut v: Vec<&DeGene> = self.genes.iter().filter(|g| g.log2_fc < 0.0).collect();
        v.sort_by(|x, y| x.log2_fc.total_cmp(&y.log2_fc));
        v.truncate(n);
        v
    }

    /// Genes with adjusted p-value below `alpha`.
    pub fn significant(&self, alpha: f64) -> Vec<&DeGene> {
        self.genes
            .iter()
            .filter(|g| g.adj_p_value.is_some_and(|p| p < alpha))
            .collect()
    }

    /// Genes whose t could not be computed.
    pub fn n_untested(&self) -> usize {
        self.genes.iter().filter(|g| g.test.t.is_none()).count()
    }
}

/// Tests every gene of a log-scale matrix (samples x genes) between two groups.
///
/// Each group needs 2 samples or more ([`DeError::TooFewSamples`] names the group);
/// values must be finite and on a log scale. A gene with zero within-group variance in
/// both groups has an undefined Welch t: its `t`, `p_value` and `adj_p_value` are `None`.
/// The moderated t is defined for it (the prior variance keeps the denominator positive).
pub fn differential_expression(
    values: &Expression<f64>,
    gene_ids: &[String],
    groups: &Groups,
    test: DeTest,
) -> Result<DeResult> {
    if !values.scale.is_log() {
        return Err(DeError::NotLogScale {
            scale: values.scale,
        });
    }
    let v = values.values.view();
    if gene_ids.len() != v.ncols() {
        return Err(DeError::Shape {
            what: "gene ids (one per column of the values)".into(),
            expected: v.ncols(),
            found: gene_ids.len(),
        });
    }
    groups.check(v.nrows(), 2)?;
    check_finite(v, groups)?;
    let a = GroupStats::of(v, &groups.case);
    let b = GroupStats::of(v, &groups.control);
    let (tests, prior) = match test {
        DeTest::Welch => (welch_from_stats(&a, &b), None),
        DeTest::Moderated => {
            let (t, p) = moderated(v, groups)?;
            (t, Some(p))
        }
    };
    let adj = benjamini_hochberg(&tests.iter().map(|t| t.p_value).collect::<Vec<_>>());
    let (na, nb) = (a.n as f64, b.n as f64);
    let genes = (0..v.ncols())
        .map(|g| DeGene {
            gene_id: gene_ids[g].clone(),
            log2_fc: a.mean[g] - b.mean[g],
            mean_expression: (na * a.mean[g] + nb * b.mean[g]) / (na + nb),
            test: tests[g],
            adj_p_value: adj[g],
        })
        .collect();
    Ok(DeResult {
        test,
        scale: values.scale,
        groups: groups.clone(),
        prior,
        genes,
        n_filtered: 0,
    })
}

/// limma's moderated t of the two-group design `~ group` (cases over controls): the
/// general `lm_fit` + `ebayes` path on the groups' samples.
fn moderated(v: ArrayView2<'_, f64>, groups: &Groups) -> Result<(Vec<GeneTest>, PriorFit)> {
    let rows: Vec<usize> = groups.case.iter().chain(&groups.control).copied().collect();
    let sub = v.select(Axis(0), &rows);
    let n_case = groups.case.len();
    let design = Design::two_group(
        &(0..n_case).collect::<Vec<_>>(),
        &(n_case..rows.len()).collect::<Vec<_>>(),
        rows.len(),
    );
    let fit = ebayes(
        lm_fit(sub.view(), &design, None)?,
        &EBayesOptions::default(),
    )?;
    let tests = (0..fit.s2_post.len())
        .map(|g| {
            if fit.s2_post[g].is_nan() || fit.s2_post[g] <= 0.0 {
                GeneTest::UNDEFINED
            } else {
                GeneTest::new(fit.t[[g, 1]], fit.df_total[g])
            }
        })
        .collect();
    Ok((tests, fit.prior))
}

/// Refuses NaN or infinite values in the samples tested.
fn check_finite(v: ArrayView2<'_, f64>, groups: &Groups) -> Result<()> {
    for &i in groups.case.iter().chain(&groups.control) {
        if let Some((j, &x)) = v
            .index_axis(Axis(0), i)
            .indexed_iter()
            .find(|(_, x)| !x.is_finite())
        {
            return Err(DeError::InvalidValue {
                what: "expression value".into(),
                position: format!("sample row {i}, gene column {j}"),
                value: x,
                fix: "test normalized log values of valid counts",
            });
        }
    }
    Ok(())
}
