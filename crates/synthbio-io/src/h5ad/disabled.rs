//! Stand-ins for a build without the `h5ad` feature: every call says how to get it.

use super::{H5adError, H5adOptions};
use crate::{CountsChunks, Detected, IoError};
use std::path::Path;
use synthbio_core::{Dataset, Expression};

fn disabled(path: &Path, action: &'static str) -> IoError {
    H5adError::Disabled {
        file: path.display().to_string(),
        action,
    }
    .into()
}

/// Reads an `.h5ad` file (needs the `h5ad` feature).
pub fn read_h5ad(path: &Path, _options: &H5adOptions) -> Result<(Dataset, Detected), IoError> {
    Err(disabled(path, "read"))
}

/// Writes an `.h5ad` file (needs the `h5ad` feature).
pub fn write_h5ad(path: &Path, _dataset: &Dataset) -> Result<(), IoError> {
    Err(disabled(path, "write"))
}

/// Writes normalized values as an `.h5ad` file (needs the `h5ad` feature).
pub fn write_h5ad_expression(
    path: &Path,
    _expression: &Expression,
    _gene_ids: &[String],
    _sample_ids: &[String],
) -> Result<(), IoError> {
    Err(disabled(path, "write"))
}

/// Writes a dataset with normalized values as an `.h5ad` file (needs the `h5ad` feature).
pub fn write_h5ad_normalized(
    path: &Path,
    _dataset: &Dataset,
    _expression: &Expression,
) -> Result<(), IoError> {
    Err(disabled(path, "write"))
}

/// Opens an `.h5ad` file for reading in chunks of cells (needs the `h5ad` feature).
pub fn h5ad_chunks(
    path: &Path,
    _options: &H5adOptions,
    _max_entries: usize,
) -> Result<Box<dyn CountsChunks>, IoError> {
    Err(disabled(path, "read"))
}
