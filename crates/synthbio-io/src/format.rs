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
}

const ALLOWED: &str = ".tsv, .txt, .csv (optionally followed by .gz) or .parquet";

impl OutputFormat {
    /// The format a file name asks for; `what` names what is being written, for the
    /// message when the extension is not one of `.tsv`, `.txt`, `.csv` (each optionally
    /// `.gz`) or `.parquet`.
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
            _ => Err(IoError::Format {
                file: path.display().to_string(),
                what,
                allowed: ALLOWED,
            }),
        }
    }
}
