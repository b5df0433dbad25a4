//! Output formats, told from the file name's extension.

use crate::delimited::Delimiter;
use crate::error::IoError;
use std::path::Path;

/// A format to write a matrix or a table in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OutputFormat {
    /// Delimited text (`.tsv`, `.txt`, `.csv`), gzipped when the name ends in `.gz`.
    Text {
        /// Tab for `.tsv` / `.txt`, comma for `.csv`.
        delimiter: Delimiter,
        /// Whether the name ends in `.gz`.
        gzip: bool,
    },
    /// Apache Parquet (`.parquet`), Snappy-compressed.
    Parquet,
    /// AnnData (`.h5ad`): matrices only (see [`write_h5ad`](crate::write_h5ad)).
    H5ad,
}

const ALLOWED: &str = ".tsv, .txt, .csv (optionally followed by .gz) or .parquet";
const ALLOWED_MATRIX: &str = ".tsv, .txt, .csv (optionally followed by .gz), .parquet or .h5ad";

/// What [`OutputFormat::from_path`] is told when writing a matrix: the one kind of
/// output `.h5ad` may hold.
pub const MATRIX: &str = "a matrix";

impl OutputFormat {
    /// The format a file name asks for; `what` names what is being written, for the
    /// message when the extension is not one of `.tsv`, `.txt`, `.csv` (each optionally
    /// `.gz`) or `.parquet` (or, for [`MATRIX`], `.h5ad`).
    pub fn from_path(path: &Path, what: &'static str) -> Result<OutputFormat, IoError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let (stem, gzip) = match name.strip_suffix(".gz") {
            Some(stem) => (stem, true),
            None => (name.as_str(), false),
        };
        let ext = stem.rsplit_once('.').map(|(_, e)| e);
        match (ext, gzip) {
            (Some("tsv" | "txt" | "tab"), _) => Ok(OutputFormat::Text {
                delimiter: Delimiter::Tab,
                gzip,
            }),
            (Some("csv"), _) => Ok(OutputFormat::Text {
                delimiter: Delimiter::Comma,
                gzip,
            }),
            (Some("parquet" | "pq"), false) => Ok(OutputFormat::Parquet),
            (Some("h5ad"), false) if what == MATRIX => Ok(OutputFormat::H5ad),
            _ => Err(IoError::Format {
                file: path.display().to_string(),
                what,
                allowed: if what == MATRIX {
                    ALLOWED_MATRIX
                } else {
                    ALLOWED
                },
            }),
        }
    }
}
