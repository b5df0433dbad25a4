//! The two workflows users come for, as library functions:
//!
//! - [`PerturbationStudy`]: reference conditioning of real reference samples,
//!   fold changes and differential expression of the generated replicates,
//!   scored against the observed effects of held-out donors and the no-change
//!   and mean-effect baselines;
//! - [`LabelQcStudy`]: metadata prediction on real samples with claimed labels,
//!   the label-mismatch and marker-gene sex checks, and PCA of the latents.
//!
//! Each result renders itself as report sections ([`synthbio_core::ReportSection`])
//! and writes a self-contained HTML report with TSV tables. [`demo`] builds both
//! studies from the real public data in `data/` with engines that never saw the
//! held-out donors.

pub mod demo;
mod error;
mod label_qc;
mod perturbation;

pub use error::WorkflowError;
pub use label_qc::{LabelQcResult, LabelQcStudy, Suspect};
pub use perturbation::{
    DeAgreement, HeldOutPair, PerturbationStudy, PerturbationStudyResult, UnitResult,
};

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
