//! Opening input files: gzip told by its magic bytes, not the file name.

use crate::error::IoError;
use flate2::bufread::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// The two bytes every gzip member starts with (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Buffer size for reading: large enough that the per-call overhead vanishes.
const BUFFER: usize = 1 << 16;

/// An opened input: a buffered reader of the decompressed bytes.
pub(crate) struct Source {
    /// The file name as given, for messages.
    pub file: String,
    /// Whether the file was gzip-compressed.
    pub gzip: bool,
    /// The decompressed bytes.
    pub reader: Box<dyn BufRead + Send>,
}

impl Source {
    /// Opens a file, decompressing it if it starts with the gzip magic bytes.
    /// `MultiGzDecoder` also reads bgzip files, which are concatenated gzip members.
    pub fn open(path: &Path) -> Result<Source, IoError> {
        let file = path.display().to_string();
        let handle = File::open(path).map_err(|source| IoError::Open {
            file: file.clone(),
            source,
        })?;
        let mut raw = BufReader::with_capacity(BUFFER, handle);
        let gzip = starts_with(&mut raw, &GZIP_MAGIC).map_err(|source| IoError::Read {
            file: file.clone(),
            source,
        })?;
        if let Some((kind, fix)) = binary_kind(raw.fill_buf().map_err(|source| IoError::Read {
            file: file.clone(),
            source,
        })?) {
            return Err(IoError::NotText { file, kind, fix });
        }
        let reader: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(BUFFER, MultiGzDecoder::new(raw)))
        } else {
            Box::new(raw)
        };
        Ok(Source { file, gzip, reader })
    }

    /// Maps an I/O error while reading this source.
    pub fn read_err(&self, source: io::Error) -> IoError {
        IoError::Read {
            file: self.file.clone(),
            source,
        }
    }
}

/// Whether the reader's next bytes are `magic`, without consuming them. A file shorter
/// than the magic is not a match.
fn starts_with(reader: &mut impl BufRead, magic: &[u8]) -> io::Result<bool> {
    // A fresh `BufReader` over a regular file fills its buffer with at least two
    // bytes unless the file is shorter than that.
    let buf = reader.fill_buf()?;
    Ok(buf.len() >= magic.len() && &buf[..magic.len()] == magic)
}

/// Binary formats people hand over instead of text tables, told by their first bytes,
/// with what to do instead.
fn binary_kind(start: &[u8]) -> Option<(&'static str, &'static str)> {
    const KINDS: [(&[u8], &str, &str); 4] = [
        (
            b"PAR1",
            "a Parquet file",
            "export it as TSV or CSV (pandas: pd.read_parquet(f).to_csv(out, sep=\"\\t\"))",
        ),
        (
            b"PK\x03\x04",
            "a zip archive (an Excel workbook?)",
            "save the sheet as CSV or tab-separated text",
        ),
        (
            b"\x89HDF\r\n\x1a\n",
            "an HDF5 file (.h5ad or .h5?)",
            "export the raw counts as Matrix Market (scipy.io.mmwrite) or as TSV",
        ),
        (b"ARROW1", "an Arrow IPC file", "export it as TSV or CSV"),
    ];
    KINDS
        .iter()
        .find(|(magic, _, _)| start.starts_with(magic))
        .map(|&(_, kind, fix)| (kind, fix))
}
