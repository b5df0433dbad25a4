//! Writing a study's sections as one HTML report with its TSV tables.

use crate::WorkflowError;
use std::path::Path;
use synthbio_core::ReportSection;
use synthbio_report::{write_report_with, RenderOptions, ReportFiles};

/// Writes `sections` as `<name>.html` plus TSV tables into `dir`, with flagged
/// samples and significant genes named in the legends.
pub(crate) fn write_sections(
    dir: &Path,
    name: &str,
    title: &str,
    subtitle: &str,
    intro: &[String],
    sections: &[ReportSection],
) -> Result<ReportFiles, WorkflowError> {
    let options = RenderOptions::default()
        .with_subtitle(subtitle)
        .with_marked_label("flagged")
        .with_marked_label_for("Volcano", "significant")
        .with_marked_label_for("MA plot", "significant")
        .with_marked_label_for("fold changes", "top observed genes");
    Ok(write_report_with(
        dir, name, title, intro, sections, &options,
    )?)
}

/// A figure for prose: three decimals, or "undefined".
pub(crate) fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".into(), |x| format!("{x:.3}"))
}
