//! Tab-separated tables as the data scripts write them.
//!
//! Written by hand rather than with the `csv` crate: the processed tables have
//! no quoting (data/scripts/common.py refuses tabs and newlines in cells), so a
//! split on tabs is the whole format, and the engine stays free of one more
//! dependency.

use crate::EngineError;
use flate2::read::GzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Opens a text file, decompressing `.gz`.
pub(crate) fn open_text(path: &Path) -> Result<Box<dyn BufRead>, EngineError> {
    let file = File::open(path).map_err(|e| EngineError::io(path, e))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 20, reader)))
}

/// A whole table: header and rows, each row as long as the header.
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads a TSV file with a header line.
    pub fn read(path: &Path) -> Result<Table, EngineError> {
        let mut lines = open_text(path)?.lines();
        let header: Vec<String> = match lines.next() {
            Some(line) => split(&line.map_err(|e| EngineError::io(path, e))?),
            None => {
                return Err(EngineError::data(
                    path,
                    "is empty; rerun the data preparation",
                ))
            }
        };
        let mut rows = Vec::new();
        for (n, line) in lines.enumerate() {
            let line = line.map_err(|e| EngineError::io(path, e))?;
            if line.is_empty() {
                continue;
            }
            let cells = split(&line);
            if cells.len() != header.len() {
                return Err(EngineError::data(
                    path,
                    format!(
                        "line {} has {} cells, the header has {}",
                        n + 2,
                        cells.len(),
                        header.len()
                    ),
                ));
            }
            rows.push(cells);
        }
        Ok(Table { header, rows })
    }

    /// The position of a column, or an error naming it.
    pub fn column(&self, path: &Path, name: &str) -> Result<usize, EngineError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            EngineError::data(
                path,
                format!("has no column {name:?}; see ARCHITECTURE.md, processed data layout"),
            )
        })
    }
}

/// Splits a line on tabs.
pub(crate) fn split(line: &str) -> Vec<String> {
    line.trim_end_matches(['\r', '\n'])
        .split('\t')
        .map(str::to_string)
        .collect()
}
