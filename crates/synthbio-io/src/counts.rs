//! Reading a counts table (TSV or CSV, gzipped or not, either orientation) into a
//! [`Dataset`], streaming it record by record.

use crate::delimited::{check_column_ids, Delimited, Delimiter, SingleColumn};
use crate::detect::{decide, Detected, Orientation, SourceFormat};
use crate::error::IoError;
use crate::value::parse_count;
use ndarray::Array2;
use std::collections::HashMap;
use std::path::Path;
use synthbio_core::{Dataset, Measured};

/// Options for [`read_counts`]; the default detects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CountsOptions {
    /// The orientation, if known (`None`: detect it).
    pub orientation: Option<Orientation>,
    /// The delimiter, if known (`None`: detect it from the header line).
    pub delimiter: Option<Delimiter>,
    /// Read empty cells (and `NA`) as 0, for tables where they mean zero; how many were
    /// read so is reported in [`Detected::empty_cells`]. By default they are
    /// *unmeasured*: 0 in the matrix and masked in [`Dataset::measured`].
    pub empty_as_zero: bool,
    /// For an AnnData `.h5ad` input: which matrix holds the counts, where the gene ids are.
    pub h5ad: crate::h5ad::H5adOptions,
}

impl CountsOptions {
    /// States the orientation instead of detecting it.
    pub fn with_orientation(mut self, orientation: Orientation) -> Self {
        self.orientation = Some(orientation);
        self
    }

    /// Reads empty cells as 0 and counts them, instead of marking them unmeasured.
    pub fn with_empty_as_zero(mut self) -> Self {
        self.empty_as_zero = true;
        self
    }

    /// For an AnnData `.h5ad` input: the counts matrix and gene id column.
    pub fn with_h5ad(mut self, h5ad: crate::h5ad::H5adOptions) -> Self {
        self.h5ad = h5ad;
        self
    }

    /// States the delimiter instead of detecting it.
    pub fn with_delimiter(mut self, delimiter: Delimiter) -> Self {
        self.delimiter = Some(delimiter);
        self
    }
}

const EXPECTED: &str =
    "a header row of ids, then one row per gene (or per sample) starting with its id";

/// featureCounts' annotation columns between `Geneid` and the samples.
const FEATURECOUNTS: [&str; 5] = ["Chr", "Start", "End", "Strand", "Length"];

/// Reads a counts table: the first column holds ids, the header row the other ids, and
/// every other cell a raw integer count (whole floats such as `10.0` are accepted).
///
/// - the delimiter (tab, comma or semicolon) is told from the header line, gzip from the
///   file's first bytes, not its name;
/// - the orientation is told from where the Ensembl gene ids are (first column or header),
///   else from the first header cell (`gene_id`, `sample`...), unless stated in `options`;
/// - a header one field shorter than the rows (R's `write.table`) names the value columns;
/// - comment lines starting with `#` before the header, and featureCounts' annotation
///   columns, are skipped and reported in [`Detected`].
///
/// A folder is read as a 10x Genomics matrix folder ([`read_10x_dir`](crate::read_10x_dir)),
/// an `.h5ad` (or other HDF5) file as AnnData ([`read_h5ad`](crate::read_h5ad), with
/// `options.h5ad`).
pub fn read_counts(path: &Path, options: &CountsOptions) -> Result<(Dataset, Detected), IoError> {
    if let Some(read) = crate::input::read_other_format(path, options) {
        return read;
    }
    let mut src = Delimited::open(path, options.delimiter, SingleColumn::Refuse, EXPECTED)?;
    let skipped = featurecounts_columns(&src.header);
    let mut header_fields = src.header.len();
    let mut first_cell = src.header[0].clone();
    let mut column_ids: Vec<String> = src.header[1 + skipped..].to_vec();
    let mut row_ids: Vec<String> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut empty_cells: u64 = 0;
    // (row, column) of the file's cells that hold no value: unmeasured.
    let mut unmeasured: Vec<(usize, usize)> = Vec::new();
    let mut values: Vec<u32> = Vec::new();
    while let Some(line) = src.next_record()? {
        let fields = src.record().len();
        if row_ids.is_empty() {
            // 1-based header column of the first value column.
            let mut first_column = 2 + skipped;
            if fields == header_fields + 1 && skipped == 0 {
                // R's write.table: the header has no cell above the row names.
                column_ids = src.header.clone();
                first_cell = String::new();
                header_fields += 1;
                first_column = 1;
            }
            check_column_ids(&src.file, &column_ids, first_column)?;
            values.reserve(column_ids.len() * 1024);
        }
        if fields != header_fields {
            return Err(IoError::FieldCount {
                file: src.file.clone(),
                line,
                found: fields,
                expected: header_fields,
            });
        }
        let id = src.row_id(line, &mut seen)?;
        for (j, field) in src.record().iter().skip(1 + skipped).enumerate() {
            if field.is_empty() || field == b"NA" {
                if options.empty_as_zero {
                    empty_cells += 1;
                } else {
                    unmeasured.push((row_ids.len(), j));
                }
                values.push(0);
                continue;
            }
            match parse_count(field) {
                Ok(v) => values.push(v),
                Err(problem) => {
                    let at = locate(options, &first_cell, &row_ids, &column_ids, &id, j);
                    return Err(IoError::BadCount {
                        file: src.file.clone(),
                        line,
                        at,
                        value: String::from_utf8_lossy(field).into_owned(),
                        problem,
                    });
                }
            }
        }
        row_ids.push(id);
    }
    if row_ids.is_empty() {
        return Err(IoError::Empty {
            file: src.file,
            problem: "has a header but no data rows",
            expected: EXPECTED,
        });
    }
    let (orientation, basis) = decide(options.orientation, &first_cell, &row_ids, &column_ids)
        .ok_or_else(|| IoError::Orientation {
            file: src.file.clone(),
            first_cell: first_cell.clone(),
        })?;
    let file_shape = (row_ids.len(), column_ids.len());
    let matrix = Array2::from_shape_vec(file_shape, values)
        .expect("every row was checked to have one value per column");
    let (counts, gene_ids, sample_ids) = match orientation {
        Orientation::SamplesAsRows => (matrix, column_ids, row_ids),
        Orientation::GenesAsRows => (
            matrix.reversed_axes().as_standard_layout().into_owned(),
            row_ids,
            column_ids,
        ),
    };
    let detected = Detected {
        format: SourceFormat::Delimited(src.delimiter),
        gzip: src.gzip,
        orientation,
        basis,
        n_genes: gene_ids.len(),
        n_samples: sample_ids.len(),
        comment_lines: src.comment_lines,
        skipped_columns: src.header[1..1 + skipped].to_vec(),
        empty_cells,
        source: None,
    };
    let dataset_err = |source| IoError::Dataset {
        context: src.file.clone(),
        source,
    };
    let (n_samples, n_genes) = (sample_ids.len(), gene_ids.len());
    let mut dataset = Dataset::new(counts, gene_ids, sample_ids).map_err(dataset_err)?;
    if !unmeasured.is_empty() {
        let mut rows = vec![vec![true; n_genes]; n_samples];
        for (r, c) in unmeasured {
            let (sample, gene) = match orientation {
                Orientation::GenesAsRows => (c, r),
                Orientation::SamplesAsRows => (r, c),
            };
            rows[sample][gene] = false;
        }
        let measured = Measured::from_rows(n_genes, rows).map_err(dataset_err)?;
        dataset = dataset.with_measured(measured).map_err(dataset_err)?;
    }
    Ok((dataset, detected))
}

/// How many featureCounts annotation columns follow the id column (0 or 5).
fn featurecounts_columns(header: &[String]) -> usize {
    let matches = header.len() > FEATURECOUNTS.len() + 1
        && header[1..=FEATURECOUNTS.len()]
            .iter()
            .zip(FEATURECOUNTS)
            .all(|(h, f)| h.eq_ignore_ascii_case(f));
    if matches {
        FEATURECOUNTS.len()
    } else {
        0
    }
}

/// Names the sample and gene of a bad value, using the orientation as far as the rows
/// read so far tell it.
fn locate(
    options: &CountsOptions,
    first_cell: &str,
    row_ids: &[String],
    column_ids: &[String],
    row: &str,
    column: usize,
) -> String {
    let col = &column_ids[column];
    let mut rows_so_far: Vec<&str> = row_ids.iter().map(String::as_str).collect();
    rows_so_far.push(row);
    let cols: Vec<&str> = column_ids.iter().map(String::as_str).collect();
    match decide(options.orientation, first_cell, &rows_so_far, &cols) {
        Some((Orientation::GenesAsRows, _)) => format!("sample {col}, gene {row}"),
        Some((Orientation::SamplesAsRows, _)) => format!("sample {row}, gene {col}"),
        None => format!("column {col}, row {row}"),
    }
}
