//! Reports people would rather look at than read: one self-contained HTML
//! page per report (inline CSS and SVG figures, no scripts, nothing fetched
//! from the network) plus one TSV file per table.
//!
//! Figures are drawn from [`synthbio_core::Figure`] data with plotters in
//! Okabe-Ito colours, which stay distinct for colour-blind readers. Scatter
//! plots colour points by group, outline marked points (flagged samples,
//! significant genes) and list them in the legend; non-finite values are
//! skipped and counted in the caption. Long tables are cut in the page with a
//! pointer to the full TSV.
//!
//! ```
//! use synthbio_core::{Figure, ReportSection, Table};
//!
//! let mut table = Table::new(["sample", "library size"]);
//! table.push(vec!["S1".into(), 1_200_000_i64.into()]);
//! let section = ReportSection {
//!     title: "Quality control".into(),
//!     paragraphs: vec!["One sample, no flags.".into()],
//!     tables: vec![("Library sizes".into(), table)],
//!     figures: vec![Figure::Bar {
//!         title: "Explained variance".into(),
//!         y_label: "% of variance".into(),
//!         labels: vec!["PC1".into(), "PC2".into()],
//!         values: vec![62.0, 21.5],
//!     }],
//! };
//!
//! let html = synthbio_report::render_html("QC report", &[], std::slice::from_ref(&section));
//! assert!(html.contains("<svg"));
//!
//! let dir = tempfile::tempdir()?;
//! let files = synthbio_report::write_report(dir.path(), "qc", "QC report", &[], &[section])?;
//! assert!(files.html.ends_with("qc.html"));
//! assert!(files.tables[0].ends_with("qc_quality-control_library-sizes.tsv"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod figure;
mod html;
mod options;
mod palette;
mod text;
mod write;

pub use error::{ReportError, Result};
pub use figure::{render_figure_svg, FigureSvg};
pub use html::{render_html, render_html_with};
pub use options::RenderOptions;
pub use text::{escape_html, slug};
pub use write::{table_file_names, write_report, write_report_with, ReportFiles};
