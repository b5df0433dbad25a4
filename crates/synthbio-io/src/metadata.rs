//! Sample metadata tables: read one, and attach it to a dataset by sample id.

use crate::delimited::{check_column_ids, Delimited, SingleColumn};
use crate::error::IoError;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use synthbio_core::Dataset;

/// A sample metadata table as read: the first column holds sample ids, the other
/// columns text values (an empty cell is a missing value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleTable {
    file: String,
    id_column: String,
    columns: Vec<String>,
    sample_ids: Vec<String>,
    /// Row-major, `sample_ids.len()` x `columns.len()`.
    values: Vec<Option<String>>,
}

impl SampleTable {
    /// The file it was read from, for messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The name of the id column (the first header cell).
    pub fn id_column(&self) -> &str {
        &self.id_column
    }

    /// The metadata column names, in file order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The sample ids, in file order.
    pub fn sample_ids(&self) -> &[String] {
        &self.sample_ids
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.sample_ids.len()
    }

    /// The value at a row and column position (`None` for an empty cell).
    pub fn get(&self, row: usize, column: usize) -> Option<&str> {
        self.values
            .get(row * self.columns.len() + column)?
            .as_deref()
    }
}

const EXPECTED: &str =
    "a header row, then one row per sample with the sample id in the first column";

/// Reads a sample metadata table (TSV or CSV, gzipped or not; delimiter and gzip
/// detected as for counts). Empty cells are missing values; ids must be unique.
pub fn read_metadata(path: &Path) -> Result<SampleTable, IoError> {
    let mut src = Delimited::open(path, None, SingleColumn::Refuse, EXPECTED)?;
    let id_column = src.header[0].clone();
    let columns = src.header[1..].to_vec();
    check_column_ids(&src.file, &columns, 2)?;
    let mut sample_ids = Vec::new();
    let mut values = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    while let Some(line) = src.next_record()? {
        let fields = src.record().len();
        if fields != src.header.len() {
            return Err(IoError::FieldCount {
                file: src.file.clone(),
                line,
                found: fields,
                expected: src.header.len(),
            });
        }
        let id = src.row_id(line, &mut seen)?;
        for j in 1..fields {
            let v = src.text(j, line)?;
            values.push((!v.is_empty()).then(|| v.to_string()));
        }
        sample_ids.push(id);
    }
    if sample_ids.is_empty() {
        return Err(IoError::Empty {
            file: src.file,
            problem: "has a header but no data rows",
            expected: EXPECTED,
        });
    }
    Ok(SampleTable {
        file: src.file,
        id_column,
        columns,
        sample_ids,
        values,
    })
}

/// What [`attach_metadata`] did; its `Display` says it in one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttachReport {
    /// The metadata file.
    pub file: String,
    /// Columns attached (replacing any of the same name).
    pub columns: Vec<String>,
    /// Those of them that replaced a metadata column the dataset had (an `.h5ad`
    /// file's `obs` column, say).
    pub replaced: Vec<String>,
    /// Samples that received metadata (all of the dataset's).
    pub n_samples: usize,
    /// Rows of the table that match no sample of the dataset, ignored.
    pub ignored_rows: Vec<String>,
}

impl fmt::Display for AttachReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "attached {} metadata column(s) from {} to {} samples",
            self.columns.len(),
            self.file,
            self.n_samples
        )?;
        if !self.replaced.is_empty() {
            write!(
                f,
                "; its column(s) {} replace the input's own",
                self.replaced.join(", ")
            )?;
        }
        match self.ignored_rows.len() {
            0 => Ok(()),
            n => write!(
                f,
                "; ignored {n} row(s) that match no sample (first: {})",
                self.ignored_rows[0]
            ),
        }
    }
}

/// Attaches a metadata table to a dataset, matching rows by sample id (exact spelling).
/// Every sample of the dataset must have a row; rows that match no sample are ignored and
/// listed in the report. Columns replace any metadata column of the same name.
pub fn attach_metadata(
    dataset: &mut Dataset,
    table: &SampleTable,
) -> Result<AttachReport, IoError> {
    let index: HashMap<&str, usize> = table
        .sample_ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut rows = Vec::with_capacity(dataset.n_samples());
    let mut missing = Vec::new();
    for s in dataset.sample_ids() {
        match index.get(s.as_str()) {
            Some(&r) => rows.push(r),
            None => missing.push(s.clone()),
        }
    }
    let ignored_rows: Vec<String> = {
        let wanted: std::collections::HashSet<&str> =
            dataset.sample_ids().iter().map(String::as_str).collect();
        table
            .sample_ids
            .iter()
            .filter(|s| !wanted.contains(s.as_str()))
            .cloned()
            .collect()
    };
    if !missing.is_empty() {
        return Err(IoError::MissingSamples {
            file: table.file.clone(),
            missing,
            n_samples: dataset.n_samples(),
            n_extra: ignored_rows.len(),
        });
    }
    let replaced = table
        .columns
        .iter()
        .filter(|name| dataset.metadata().column(name).is_some())
        .cloned()
        .collect();
    for (j, name) in table.columns.iter().enumerate() {
        let column = rows
            .iter()
            .map(|&r| table.get(r, j).map(str::to_string))
            .collect();
        dataset
            .metadata_mut()
            .set_column(name.clone(), column)
            .map_err(|source| IoError::Dataset {
                context: table.file.clone(),
                source,
            })?;
    }
    Ok(AttachReport {
        file: table.file.clone(),
        replaced,
        columns: table.columns.clone(),
        n_samples: dataset.n_samples(),
        ignored_rows,
    })
}
