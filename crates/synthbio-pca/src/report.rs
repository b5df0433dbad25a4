//! How a PCA result shows itself: variance table, scores table, score plots
//! and variance bars.

use crate::latents::PcaOutput;
use synthbio_core::{Cell, Figure, Report, ReportSection, Table};

impl PcaOutput {
    /// The scores of every sample on every kept component, one row per
    /// sample and fit (`sample_id`, `blocks`, `PC1`, `PC2`, ...; a fit with
    /// fewer components leaves the rest empty).
    pub fn scores_table(&self) -> Table {
        let width = self
            .fits
            .iter()
            .map(|f| f.model.n_components())
            .max()
            .unwrap_or(0);
        let columns = ["sample_id".to_string(), "blocks".to_string()]
            .into_iter()
            .chain((1..=width).map(|c| format!("PC{c}")));
        let mut table = Table::new(columns);
        for fit in &self.fits {
            for (i, id) in self.sample_ids.iter().enumerate() {
                let mut row: Vec<Cell> = vec![id.as_str().into(), fit.label().into()];
                row.extend((0..width).map(|c| {
                    fit.scores
                        .get((i, c))
                        .map_or(Cell::Empty, |&v| Cell::Float(v))
                }));
                table.push(row);
            }
        }
        table
    }
}

impl Report for PcaOutput {
    /// One row per fit and component: singular value, explained variance,
    /// its ratio and the cumulative ratio.
    fn table(&self) -> Table {
        let mut t = Table::new([
            "blocks",
            "component",
            "singular_value",
            "explained_variance",
            "explained_variance_ratio",
            "cumulative_ratio",
        ]);
        for fit in &self.fits {
            let m = &fit.model;
            let mut cumulative = 0.0;
            for c in 0..m.n_components() {
                cumulative += m.explained_variance_ratio()[c];
                t.push(vec![
                    fit.label().into(),
                    format!("PC{}", c + 1).into(),
                    m.singular_values()[c].into(),
                    m.explained_variance()[c].into(),
                    m.explained_variance_ratio()[c].into(),
                    cumulative.into(),
                ]);
            }
        }
        t
    }

    fn section(&self) -> ReportSection {
        let mut paragraphs = Vec::new();
        let mut figures = Vec::new();
        let mut scores = Table::new(["sample_id", "blocks", "PC1", "PC2"]);
        for fit in &self.fits {
            let m = &fit.model;
            let ratio = m.explained_variance_ratio();
            let pc2 = ratio
                .get(1)
                .map(|r| format!(", PC2 {:.1}%", 100.0 * r))
                .unwrap_or_default();
            paragraphs.push(format!(
                "{} latents ({} samples x {} dimensions{}, {} solver): PC1 explains {:.1}% of the variance{}; \
                 the {} components kept explain {:.1}%.",
                fit.label(),
                m.n_samples(),
                m.n_features(),
                if m.scale().is_some() { ", standardized" } else { "" },
                m.solver().as_str(),
                100.0 * ratio[0],
                pc2,
                m.n_components(),
                100.0 * ratio.sum(),
            ));
            if !m.constant_columns().is_empty() {
                paragraphs.push(format!(
                    "{} latents: {} constant dimension(s) carry no variance: {:?}.",
                    fit.label(),
                    m.constant_columns().len(),
                    m.constant_columns()
                ));
            }
            let pc = |i: usize, c: usize| fit.scores.get((i, c)).copied();
            for (i, id) in self.sample_ids.iter().enumerate() {
                scores.push(vec![
                    id.as_str().into(),
                    fit.label().into(),
                    pc(i, 0).into(),
                    pc(i, 1).map_or(Cell::Empty, Cell::Float),
                ]);
            }
            if m.n_components() >= 2 {
                figures.push(Figure::Scatter {
                    title: format!("PCA of {} latents", fit.label()),
                    x_label: format!("PC1 ({:.1}%)", 100.0 * ratio[0]),
                    y_label: format!("PC2 ({:.1}%)", 100.0 * ratio[1]),
                    x: fit.scores.column(0).to_vec(),
                    y: fit.scores.column(1).to_vec(),
                    groups: self.groups.as_ref().map(|(_, g)| g.clone()),
                    marked: vec![false; self.sample_ids.len()],
                });
            }
            figures.push(Figure::Bar {
                title: format!("Explained variance ratio, {} latents", fit.label()),
                y_label: "fraction of total variance".into(),
                labels: (1..=m.n_components()).map(|c| format!("PC{c}")).collect(),
                values: ratio.to_vec(),
            });
        }
        if let Some((key, _)) = &self.groups {
            paragraphs.push(format!("Points are coloured by metadata column {key:?}."));
        }
        ReportSection {
            title: "PCA of latents".into(),
            paragraphs,
            tables: vec![
                ("Explained variance per component".into(), self.table()),
                ("Scores on the first two components".into(), scores),
            ],
            figures,
        }
    }
}
