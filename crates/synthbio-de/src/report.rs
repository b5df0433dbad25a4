//! How a DE result shows itself: the volcano table, top genes, volcano and MA plots.

use crate::de::{DeGene, DeResult, DeTest};
use serde::{Deserialize, Serialize};
use synthbio_core::{Cell, Figure, Report, ReportSection, Scale, Table};

/// A [`DeResult`] with the report settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeReport {
    /// The comparison.
    pub result: DeResult,
    /// Adjusted p-value threshold for marking genes.
    pub alpha: f64,
    /// Genes in the top-up and top-down tables.
    pub top_n: usize,
}

/// Columns of the volcano table.
pub const VOLCANO_COLUMNS: [&str; 6] = [
    "gene_id",
    "log2_fc",
    "mean_expression",
    "t",
    "p_value",
    "adj_p_value",
];

fn row(g: &DeGene) -> Vec<Cell> {
    vec![
        g.gene_id.as_str().into(),
        g.log2_fc.into(),
        g.mean_expression.into(),
        g.test.t.into(),
        g.test.p_value.into(),
        g.adj_p_value.into(),
    ]
}

fn table_of<'a>(genes: impl IntoIterator<Item = &'a DeGene>) -> Table {
    let mut t = Table::new(VOLCANO_COLUMNS);
    for g in genes {
        t.push(row(g));
    }
    t
}

fn scale_text(scale: Scale) -> String {
    match scale {
        Scale::LogCpm { prior_count } => {
            format!("edgeR log2 CPM (prior count {prior_count}, scaled by library size)")
        }
        Scale::Log2CpmPlusOne => "log2(CPM + 1)".into(),
        Scale::Log1p { target_sum } => format!(
            "natural log1p of counts scaled to {target_sum} (fold changes are natural-log ratios)"
        ),
        Scale::Cpm => "CPM".into(),
    }
}

impl Report for DeReport {
    /// The volcano-ready table: one row per gene in input order; empty cells where the
    /// test is undefined.
    fn table(&self) -> Table {
        table_of(&self.result.genes)
    }

    fn section(&self) -> ReportSection {
        let r = &self.result;
        let g = &r.groups;
        let mut paragraphs = vec![format!(
            "{} ({} samples) over {} ({} samples), {} on {}.",
            g.case_label,
            g.case.len(),
            g.control_label,
            g.control.len(),
            match r.test {
                DeTest::Moderated =>
                    "limma-style moderated t (empirical-Bayes variance shrinkage, Smyth 2004)",
                DeTest::Welch => "Welch t",
            },
            scale_text(r.scale)
        )];
        if let Some(p) = r.prior {
            paragraphs.push(format!(
                "Prior degrees of freedom d0 = {:.3}, prior variance s0^2 = {:.5}.",
                p.df_prior, p.var_prior
            ));
        }
        paragraphs.push(format!(
            "{} of {} genes have a BH adjusted p-value below {}.",
            r.significant(self.alpha).len(),
            r.genes.len(),
            self.alpha
        ));
        if r.n_filtered > 0 {
            paragraphs.push(format!(
                "{} genes were removed by edgeR's filterByExpr before testing: they are listed \
                 with their fold change, left blank and out of the BH adjustment.",
                r.n_filtered
            ));
        }
        let untested = r.n_untested() - r.n_filtered;
        if untested > 0 {
            paragraphs.push(format!(
                "{untested} genes have zero variance in both groups: their t is undefined, \
                 they are left blank and out of the BH adjustment."
            ));
        }
        let tested: Vec<&DeGene> = r
            .genes
            .iter()
            .filter(|g| g.test.p_value.is_some())
            .collect();
        let volcano = Figure::Scatter {
            title: "Volcano plot".into(),
            x_label: "log2 fold change".into(),
            y_label: "-log10 p-value".into(),
            x: tested.iter().map(|g| g.log2_fc).collect(),
            y: tested
                .iter()
                .map(|g| -g.test.p_value.unwrap_or(1.0).max(f64::MIN_POSITIVE).log10())
                .collect(),
            groups: None,
            marked: tested
                .iter()
                .map(|g| g.adj_p_value.is_some_and(|p| p < self.alpha))
                .collect(),
        };
        let ma = Figure::Scatter {
            title: "MA plot".into(),
            x_label: "mean expression".into(),
            y_label: "log2 fold change".into(),
            x: r.genes.iter().map(|g| g.mean_expression).collect(),
            y: r.genes.iter().map(|g| g.log2_fc).collect(),
            groups: None,
            marked: r
                .genes
                .iter()
                .map(|g| g.adj_p_value.is_some_and(|p| p < self.alpha))
                .collect(),
        };
        ReportSection {
            title: format!(
                "Differential expression: {} vs {}",
                g.case_label, g.control_label
            ),
            paragraphs,
            tables: vec![
                (
                    format!("Top {} up genes", self.top_n),
                    table_of(r.top_up(self.top_n)),
                ),
                (
                    format!("Top {} down genes", self.top_n),
                    table_of(r.top_down(self.top_n)),
                ),
            ],
            figures: vec![volcano, ma],
        }
    }
}
