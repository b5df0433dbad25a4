//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while drawing a figure or writing a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The report name cannot be used as a file name stem.
    #[error(
        "report name {name:?} is not usable as a file name: {reason}; use letters, digits, '-', '_' or '.' (not leading)"
    )]
    InvalidName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A figure's vectors disagree in length.
    #[error(
        "figure {title:?}: field `{field}` has {found} entries but `{reference}` has {expected}; give one entry per point"
    )]
    LengthMismatch {
        /// Figure title.
        title: String,
        /// The field with the wrong length.
        field: &'static str,
        /// Its length.
        found: usize,
        /// The field it is compared with.
        reference: &'static str,
        /// The length that field has.
        expected: usize,
    },
    /// The figure is too small to draw into.
    #[error(
        "figure size {width}x{height} px is too small; use at least {min_width}x{min_height} px"
    )]
    FigureTooSmall {
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
        /// Smallest usable width.
        min_width: u32,
        /// Smallest usable height.
        min_height: u32,
    },
    /// The plotting library failed.
    #[error("figure {title:?}: drawing failed: {message}")]
    Drawing {
        /// Figure title.
        title: String,
        /// The plotting library's message.
        message: String,
    },
    /// A [`synthbio_core::Figure`] variant this version does not know how to draw.
    #[error("figure kind not supported by synthbio-report {version}; update synthbio-report")]
    UnsupportedFigure {
        /// This crate's version.
        version: &'static str,
    },
    /// Creating the output folder failed.
    #[error("cannot create report folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Writing a file failed (nothing is left half-written at `path`).
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file that was being written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Result alias for this crate.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
