//! Writing matrices, tables and JSON, in the format the file name asks for, atomically.

#[cfg(feature = "parquet")]
use crate::atomic::atomic;
use crate::atomic::atomic_maybe_gzip;
use crate::error::{write_err, IoError};
use crate::format::{OutputFormat, MATRIX};
#[cfg(feature = "parquet")]
use crate::write_parquet;
use crate::write_text;
use ndarray::ArrayView2;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use synthbio_core::{Cell, Dataset, Expression, Table};

/// The values of a samples x genes matrix, as the Parquet writer tells them apart.
// Without the `parquet` feature the values are only passed along, never read.
#[cfg_attr(not(feature = "parquet"), allow(dead_code))]
#[derive(Clone, Copy)]
pub(crate) enum Values<'a> {
    /// Raw counts, written as `count` (UInt32).
    Counts(ArrayView2<'a, u32>),
    /// Normalized values, written as `value` (Float64).
    Expression(ArrayView2<'a, f64>),
}

/// Writes a dataset's raw counts and returns the format used:
///
/// - text (`.tsv`, `.txt`, `.csv`, optionally `.gz`): genes as rows, header `gene_id`
///   then the sample ids, the layout [`read_counts`](crate::read_counts) reads and
///   DESeq2/edgeR users expect;
/// - Parquet (`.parquet`): long format, one row per sample and gene (zeros included, so a
///   pivot gives the whole matrix) with columns `sample_id`, `gene_id`, `count` (UInt32).
///   One column per gene was 12x larger and 37x slower to read into pandas on the airway
///   data (64102 genes x 8 samples: 40.5 MB against 3.2 MB). For sparse single-cell data
///   prefer [`write_matrix_market`](crate::write_matrix_market): 12311 genes x 13999
///   cells made 344 MB of Parquet against a 30 MB `matrix.mtx.gz`.
///
/// - AnnData (`.h5ad`): see [`write_h5ad`](crate::write_h5ad) (counts in `X`, metadata
///   and classifier probabilities in `obs`, latents in `obsm`).
pub fn write_counts(path: &Path, dataset: &Dataset) -> Result<OutputFormat, IoError> {
    if OutputFormat::from_path(path, MATRIX)? == OutputFormat::H5ad {
        crate::h5ad::write_h5ad(path, dataset)?;
        return Ok(OutputFormat::H5ad);
    }
    write_matrix(
        path,
        Values::Counts(dataset.counts()),
        dataset.counts(),
        dataset.gene_ids(),
        dataset.sample_ids(),
        HashMap::new(),
    )
}

/// Writes normalized values (samples x genes) with their ids, laid out as
/// [`write_counts`] does; the Parquet column is `value` (Float64) and the Arrow schema
/// metadata key `synthbio.scale` holds the scale as JSON (text formats cannot carry it).
/// Returns the format used. `.h5ad` writes the values as a dense `X` with the scale in
/// `uns["synthbio_scale"]` ([`write_h5ad_expression`](crate::write_h5ad_expression)).
pub fn write_expression(
    path: &Path,
    expression: &Expression,
    gene_ids: &[String],
    sample_ids: &[String],
) -> Result<OutputFormat, IoError> {
    check_expression_shape(path, expression, gene_ids, sample_ids)?;
    if OutputFormat::from_path(path, MATRIX)? == OutputFormat::H5ad {
        crate::h5ad::write_h5ad_expression(path, expression, gene_ids, sample_ids)?;
        return Ok(OutputFormat::H5ad);
    }
    let file = path.display().to_string();
    let scale = serde_json::to_string(&expression.scale).map_err(|source| IoError::Json {
        file: file.clone(),
        source,
    })?;
    write_matrix(
        path,
        Values::Expression(expression.values.view()),
        expression.values.view(),
        gene_ids,
        sample_ids,
        HashMap::from([("synthbio.scale".to_string(), scale)]),
    )
}

/// Writes normalized values of `dataset` (its samples x genes) in the format the file
/// name asks for: `.h5ad` keeps the whole dataset, the values as `X` and the raw counts
/// in `layers["counts"]` ([`write_h5ad_normalized`](crate::write_h5ad_normalized)), so
/// the file reads back as counts; the other formats hold the values as
/// [`write_expression`] writes them. Returns the format used.
pub fn write_normalized(
    path: &Path,
    dataset: &Dataset,
    expression: &Expression,
) -> Result<OutputFormat, IoError> {
    if OutputFormat::from_path(path, MATRIX)? == OutputFormat::H5ad {
        crate::h5ad::write_h5ad_normalized(path, dataset, expression)?;
        return Ok(OutputFormat::H5ad);
    }
    write_expression(path, expression, dataset.gene_ids(), dataset.sample_ids())
}

fn write_matrix<T: std::fmt::Display + Copy>(
    path: &Path,
    values: Values<'_>,
    view: ArrayView2<'_, T>,
    gene_ids: &[String],
    sample_ids: &[String],
    metadata: HashMap<String, String>,
) -> Result<OutputFormat, IoError> {
    let format = OutputFormat::from_path(path, MATRIX)?;
    let file = path.display().to_string();
    match format {
        OutputFormat::Text { delimiter, gzip } => atomic_maybe_gzip(path, gzip, |w| {
            write_text::write_matrix(w, &file, delimiter, view, gene_ids, sample_ids)
        })?,
        #[cfg(feature = "parquet")]
        OutputFormat::Parquet => atomic(path, |w| {
            write_parquet::write_matrix(w, &file, values, gene_ids, sample_ids, metadata)
        })?,
        #[cfg(not(feature = "parquet"))]
        OutputFormat::Parquet => {
            let _ = (values, metadata);
            return Err(IoError::ParquetDisabled { file });
        }
        // The callers write .h5ad themselves, before coming here.
        OutputFormat::H5ad => {
            return Err(IoError::Format {
                file,
                what: MATRIX,
                allowed: ".tsv, .txt, .csv (optionally followed by .gz) or .parquet",
            })
        }
    }
    Ok(format)
}

/// Writes a table as text (`.tsv`, `.txt`, `.csv`, optionally `.gz`; fields quoted where
/// needed) or Parquet (`.parquet`: a column of Int64 if every cell is a whole number,
/// Float64 if every cell is a number, else text; empty cells are nulls). Returns the
/// format used.
pub fn write_table(path: &Path, table: &Table) -> Result<OutputFormat, IoError> {
    let format = OutputFormat::from_path(path, "a table")?;
    let file = path.display().to_string();
    match format {
        OutputFormat::Text { delimiter, gzip } => atomic_maybe_gzip(path, gzip, |w| {
            write_text::write_table(w, &file, delimiter, table)
        })?,
        #[cfg(feature = "parquet")]
        OutputFormat::Parquet => atomic(path, |w| write_parquet::write_table(w, &file, table))?,
        #[cfg(not(feature = "parquet"))]
        OutputFormat::Parquet => return Err(IoError::ParquetDisabled { file }),
        // A table is never told it may be .h5ad (from_path refuses it for tables).
        OutputFormat::H5ad => {
            return Err(IoError::Format {
                file,
                what: "a table",
                allowed: ".tsv, .txt, .csv (optionally followed by .gz) or .parquet",
            })
        }
    }
    Ok(format)
}

/// A dataset's sample metadata as a table: `sample_id`, then the metadata columns in
/// name order; missing values are empty cells.
pub fn metadata_table(dataset: &Dataset) -> Table {
    let meta = dataset.metadata();
    let keys: Vec<&str> = meta.keys().collect();
    let mut table = Table::new(std::iter::once("sample_id").chain(keys.iter().copied()));
    table.rows = dataset
        .sample_ids()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            std::iter::once(Cell::from(s.as_str()))
                .chain(keys.iter().map(|k| Cell::from(meta.get(i, k))))
                .collect()
        })
        .collect();
    table
}

/// Writes any serializable value (raw results, reports) as pretty-printed JSON,
/// gzipped when the name ends in `.gz`.
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), IoError> {
    let file = path.display().to_string();
    let gzip = file.to_ascii_lowercase().ends_with(".gz");
    atomic_maybe_gzip(path, gzip, |w| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(|source| {
            if source.is_io() {
                write_err(&file)(source.into())
            } else {
                IoError::Json {
                    file: file.clone(),
                    source,
                }
            }
        })?;
        w.write_all(b"\n").map_err(write_err(&file))
    })
}

/// One gene id per column and one sample id per row of `expression`, or an
/// error naming `path` and the fix.
pub(crate) fn check_expression_shape(
    path: &Path,
    expression: &Expression,
    gene_ids: &[String],
    sample_ids: &[String],
) -> Result<(), IoError> {
    let (n, g) = expression.values.dim();
    for (what, expected, found) in [
        ("gene ids", g, gene_ids.len()),
        ("sample ids", n, sample_ids.len()),
    ] {
        if expected != found {
            return Err(IoError::Shape {
                file: path.display().to_string(),
                what: what.into(),
                expected,
                found,
                fix: "give one gene id per matrix column and one sample id per row",
            });
        }
    }
    Ok(())
}
