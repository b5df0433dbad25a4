//! A 10x Genomics matrix folder (Cell Ranger's `filtered_feature_bc_matrix/`), read from
//! the folder path alone.

use crate::detect::Detected;
use crate::error::IoError;
use crate::mtx_read::read_matrix_market;
use std::path::{Path, PathBuf};
use synthbio_core::Dataset;

/// The names Cell Ranger gives each file, newest first (v3 `features.tsv.gz`, v2
/// `genes.tsv`), gzipped or not.
const MATRIX: [&str; 2] = ["matrix.mtx.gz", "matrix.mtx"];
const FEATURES: [&str; 4] = [
    "features.tsv.gz",
    "features.tsv",
    "genes.tsv.gz",
    "genes.tsv",
];
const BARCODES: [&str; 2] = ["barcodes.tsv.gz", "barcodes.tsv"];

/// The three files of a 10x folder, if it holds them: `(matrix, features, barcodes)`.
pub fn tenx_files(dir: &Path) -> Result<(PathBuf, PathBuf, PathBuf), IoError> {
    let find = |names: &[&str]| names.iter().map(|n| dir.join(n)).find(|p| p.is_file());
    let (matrix, features, barcodes) = (find(&MATRIX), find(&FEATURES), find(&BARCODES));
    let mut missing = Vec::new();
    if matrix.is_none() {
        missing.push("matrix.mtx.gz");
    }
    if features.is_none() {
        missing.push("features.tsv.gz (or genes.tsv.gz)");
    }
    if barcodes.is_none() {
        missing.push("barcodes.tsv.gz");
    }
    match (matrix, features, barcodes) {
        (Some(m), Some(f), Some(b)) => Ok((m, f, b)),
        _ => Err(IoError::NotTenX {
            dir: dir.display().to_string(),
            missing: missing.join(", "),
        }),
    }
}

/// Reads a 10x Genomics matrix folder: `matrix.mtx.gz` (genes x cells), the gene ids
/// from the first column of `features.tsv.gz` (or v2 `genes.tsv.gz`), the cell barcodes
/// from `barcodes.tsv.gz` (each also uncompressed), as
/// [`read_matrix_market`] reads them. The files used are named in [`Detected::source`].
pub fn read_10x_dir(dir: &Path) -> Result<(Dataset, Detected), IoError> {
    let (matrix, features, barcodes) = tenx_files(dir)?;
    let (dataset, mut detected) = read_matrix_market(&matrix, &features, &barcodes)?;
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    detected.source = Some(format!(
        "10x folder: {}, {}, {}",
        name(&matrix),
        name(&features),
        name(&barcodes)
    ));
    Ok((dataset, detected))
}
