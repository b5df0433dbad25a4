//! Shared builders for the tests.

use synthbio_core::{Figure, ReportSection, Table};

/// A scatter figure without groups or marks.
pub fn scatter(x: Vec<f64>, y: Vec<f64>) -> Figure {
    Figure::Scatter {
        title: "scatter".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        x,
        y,
        groups: None,
        marked: vec![],
    }
}

/// A scatter figure with groups and marks.
pub fn grouped(x: Vec<f64>, y: Vec<f64>, groups: &[&str], marked: Vec<bool>) -> Figure {
    Figure::Scatter {
        title: "grouped".into(),
        x_label: "PC1".into(),
        y_label: "PC2".into(),
        x,
        y,
        groups: Some(groups.iter().map(|g| g.to_string()).collect()),
        marked,
    }
}

/// A bar figure.
pub fn bars(labels: &[&str], values: Vec<f64>) -> Figure {
    Figure::Bar {
        title: "bars".into(),
        y_label: "value".into(),
        labels: labels.iter().map(|l| l.to_string()).collect(),
        values,
    }
}

/// A table of `n` rows: `id`, `value`.
pub fn table(n: usize) -> Table {
    let mut t = Table::new(["id", "value"]);
    for i in 0..n {
        t.push(vec![format!("row{i}").into(), (i as f64 * 0.5).into()]);
    }
    t
}

/// A section with the given figures and tables.
pub fn section(title: &str, figures: Vec<Figure>, tables: Vec<(&str, Table)>) -> ReportSection {
    ReportSection {
        title: title.into(),
        paragraphs: vec![format!("About {title}.")],
        tables: tables
            .into_iter()
            .map(|(c, t)| (c.to_string(), t))
            .collect(),
        figures,
    }
}

/// Number of dots in the SVG point paths (each is one `h0` segment).
pub fn dots(svg: &str) -> usize {
    svg.matches("h0").count()
}
