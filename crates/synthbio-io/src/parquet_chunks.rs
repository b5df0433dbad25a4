//! Long-format counts in Parquet read in chunks of samples: one row per stored
//! count with columns `sample_id`, `gene_id` and `count`, as
//! [`crate::write_counts`] writes them (every gene of each sample) or as
//! coordinate tables hold them (zeros left out). Each sample's rows must be
//! together; a first pass over the two id columns learns the samples and genes.

use crate::chunks::{CountsChunk, CountsChunks, CsrBuilder};
use crate::error::IoError;
use crate::value::count_from_f64;
use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;
use synthbio_core::MetadataTable;

/// The columns read, in this order.
const COLUMNS: [&str; 3] = ["sample_id", "gene_id", "count"];

/// A batch's rows: sample ids, gene ids, counts (empty when null).
type Rows = (Vec<String>, Vec<String>, Vec<Option<f64>>);

/// Reads a long-format Parquet counts table chunk by chunk (see the module docs).
pub struct ParquetChunks {
    file: String,
    gene_ids: Vec<String>,
    gene_index: HashMap<String, u32>,
    cell_ids: Vec<String>,
    metadata: MetadataTable,
    reader: ParquetRecordBatchReader,
    /// The batch being read, and the next row in it.
    batch: Option<Rows>,
    row: usize,
    max_entries: usize,
    next_cell: usize,
}

impl ParquetChunks {
    /// Opens the table; a chunk holds about `max_entries` stored entries (at least one sample).
    pub fn open(path: &Path, max_entries: usize) -> Result<Self, IoError> {
        let file = path.display().to_string();
        let mut sample_seen: HashSet<String> = HashSet::new();
        let (mut cell_ids, mut gene_ids) = (Vec::new(), Vec::new());
        let mut gene_index: HashMap<String, u32> = HashMap::new();
        let mut ids = reader(path, &file, 2)?;
        for batch in &mut ids {
            let batch = batch.map_err(|e| parquet_err(&file, e.to_string()))?;
            let (samples, genes) = (strings(&batch, 0, &file)?, strings(&batch, 1, &file)?);
            for (sample, gene) in samples.into_iter().zip(genes) {
                if cell_ids.last() != Some(&sample) {
                    if !sample_seen.insert(sample.clone()) {
                        return Err(ungrouped(&file, &sample, cell_ids.last()));
                    }
                    cell_ids.push(sample);
                }
                if !gene_index.contains_key(&gene) {
                    let next = u32::try_from(gene_ids.len())
                        .map_err(|_| parquet_err(&file, "more than 4294967295 genes".into()))?;
                    gene_index.insert(gene.clone(), next);
                    gene_ids.push(gene);
                }
            }
        }
        Ok(ParquetChunks {
            reader: reader(path, &file, 3)?,
            file,
            gene_ids,
            gene_index,
            metadata: MetadataTable::new(cell_ids.len()),
            cell_ids,
            batch: None,
            row: 0,
            max_entries: max_entries.max(1),
            next_cell: 0,
        })
    }

    /// The current batch, reading the next when the last is used up; `false` at the end.
    fn fill(&mut self) -> Result<bool, IoError> {
        while self
            .batch
            .as_ref()
            .is_none_or(|(s, _, _)| self.row >= s.len())
        {
            let Some(batch) = self.reader.next() else {
                return Ok(false);
            };
            let batch = batch.map_err(|e| parquet_err(&self.file, e.to_string()))?;
            let counts = cast(&column(&batch, 2, &self.file)?, &DataType::Float64)
                .map_err(|e| parquet_err(&self.file, e.to_string()))?;
            let counts = counts.as_primitive::<Float64Type>();
            self.batch = Some((
                strings(&batch, 0, &self.file)?,
                strings(&batch, 1, &self.file)?,
                counts.iter().collect(),
            ));
            self.row = 0;
        }
        Ok(true)
    }
}

/// A reader of the first `n` of [`COLUMNS`], refusing a table without them.
fn reader(path: &Path, file: &str, n: usize) -> Result<ParquetRecordBatchReader, IoError> {
    let handle = File::open(path).map_err(|source| IoError::Open {
        file: file.to_string(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(handle)
        .map_err(|e| parquet_err(file, e.to_string()))?;
    let fields = builder.schema().fields();
    let roots = COLUMNS[..n]
        .iter()
        .map(|name| fields.iter().position(|f| f.name() == name))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| {
            let found: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
            parquet_err(
                file,
                format!(
                    "a long-format counts table needs the columns sample_id, gene_id and count, and this one has {}; write it with those names (one row per sample and gene)",
                    found.join(", ")
                ),
            )
        })?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    builder
        .with_projection(mask)
        .build()
        .map_err(|e| parquet_err(file, e.to_string()))
}

/// Column `COLUMNS[i]` of a batch (projected, so present).
fn column(batch: &RecordBatch, i: usize, file: &str) -> Result<ArrayRef, IoError> {
    batch
        .column_by_name(COLUMNS[i])
        .cloned()
        .ok_or_else(|| parquet_err(file, format!("no column {}", COLUMNS[i])))
}

/// Column `COLUMNS[i]` of a batch as text (plain or dictionary-encoded strings), refusing nulls.
fn strings(batch: &RecordBatch, i: usize, file: &str) -> Result<Vec<String>, IoError> {
    let column = cast(&column(batch, i, file)?, &DataType::Utf8)
        .map_err(|e| parquet_err(file, e.to_string()))?;
    let column = column.as_string::<i32>();
    if column.null_count() > 0 {
        return Err(parquet_err(
            file,
            format!(
                "column {} has empty ids; every row needs a sample and a gene id",
                COLUMNS[i]
            ),
        ));
    }
    Ok(column
        .iter()
        .map(|s| s.unwrap_or_default().to_string())
        .collect())
}

fn parquet_err(file: &str, problem: String) -> IoError {
    IoError::ParquetRead {
        file: file.to_string(),
        problem,
    }
}

fn ungrouped(file: &str, sample: &str, last: Option<&String>) -> IoError {
    parquet_err(
        file,
        format!(
            "rows of sample {sample:?} come again after rows of sample {:?}: reading in chunks needs each sample's rows together (as synthbio writes them); sort the table by sample_id, or read it without --stream",
            last.map_or("", String::as_str)
        ),
    )
}

impl CountsChunks for ParquetChunks {
    fn gene_ids(&self) -> &[String] {
        &self.gene_ids
    }

    fn cell_ids(&self) -> &[String] {
        &self.cell_ids
    }

    fn metadata(&self) -> &MetadataTable {
        &self.metadata
    }

    fn next_chunk(&mut self) -> Result<Option<CountsChunk>, IoError> {
        let first = self.next_cell;
        if first >= self.cell_ids.len() {
            return Ok(None);
        }
        let mut rows = CsrBuilder::new();
        // The sample whose row is open; the first pass saw the samples in this order.
        let mut current = first;
        loop {
            if !self.fill()? {
                self.close_row(&mut rows, current)?;
                current += 1;
                if let Some(missing) = self.cell_ids.get(current) {
                    return Err(
                        self.changed(&format!("the end of the table (before sample {missing})"))
                    );
                }
                break;
            }
            let Some((samples, genes, counts)) = &self.batch else {
                break;
            };
            let (sample, gene, count) = (&samples[self.row], &genes[self.row], counts[self.row]);
            if *sample != self.cell_ids[current] {
                self.close_row(&mut rows, current)?;
                current += 1;
                if self.cell_ids.get(current) != Some(sample) {
                    return Err(self.changed(&format!("sample {sample}")));
                }
                if rows.entries() >= self.max_entries {
                    break;
                }
                continue;
            }
            let value = count.ok_or_else(|| {
                parquet_err(
                    &self.file,
                    format!("the count of sample {sample}, gene {gene} is empty: missing is not zero; fill it in, or leave the row out if the gene was measured as 0"),
                )
            })?;
            let c = count_from_f64(value).map_err(|problem| {
                parquet_err(
                    &self.file,
                    format!("the count of sample {sample}, gene {gene}, {value}, {problem}"),
                )
            })?;
            let Some(&g) = self.gene_index.get(gene) else {
                return Err(self.changed(&format!("gene {gene}")));
            };
            rows.push(g, c);
            self.row += 1;
        }
        self.next_cell = current;
        let file = self.file.clone();
        rows.finish(first, self.gene_ids.len(), |p| parquet_err(&file, p))
            .map(Some)
    }
}

impl ParquetChunks {
    /// A row the first pass did not see where it is now: the file changed.
    fn changed(&self, what: &str) -> IoError {
        parquet_err(
            &self.file,
            format!("{what} is not where the first pass over the ids found it: the file changed while being read; read it again"),
        )
    }

    /// Closes the row of sample `cell`.
    fn close_row(&self, rows: &mut CsrBuilder, cell: usize) -> Result<(), IoError> {
        rows.close_row().map_err(|g| {
            parquet_err(
                &self.file,
                format!(
                    "the rows of sample {}, gene {} sum to more than 4294967295; the table may be damaged",
                    self.cell_ids[cell], self.gene_ids[g as usize]
                ),
            )
        })
    }
}
