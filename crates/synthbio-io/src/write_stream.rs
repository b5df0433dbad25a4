//! Parquet written chunk of samples by chunk, for results larger than memory:
//! each chunk becomes row groups as it comes, so memory holds one chunk.

use crate::error::IoError;
use crate::write_parquet::{parquet_err, properties};
use arrow::array::{ArrayRef, DictionaryArray, Float64Array, Int32Array, StringArray};
use arrow::datatypes::{DataType, Field, Int32Type, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use ndarray::ArrayView2;
use parquet::arrow::ArrowWriter;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use synthbio_core::SparseValues;

/// Writes sparse values (samples x genes) in long format, one row per stored
/// value with columns `sample_id`, `gene_id` and `value`, the ids
/// dictionary-encoded: the layout of [`crate::write_normalized`]'s Parquet
/// without the zeros, as CELLxGENE Census stores its sparse matrices. A
/// (sample, gene) pair without a row is 0; `metadata` (stored in the Arrow
/// schema) should say so, with the transform.
pub struct SparseParquetWriter<'w> {
    writer: ArrowWriter<&'w mut (dyn Write + Send)>,
    schema: SchemaRef,
    genes: ArrayRef,
    file: String,
}

/// A failure of this writer's own checks, as a Parquet error of `file`.
fn general(file: &str, problem: String) -> IoError {
    parquet_err(file)(parquet::errors::ParquetError::General(problem))
}

/// The Arrow type of an id column: strings, dictionary-encoded.
fn id_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

impl<'w> SparseParquetWriter<'w> {
    /// Starts the file on `w` (`file` names it in messages).
    pub fn new(
        w: &'w mut (dyn Write + Send),
        file: &str,
        gene_ids: &[String],
        metadata: HashMap<String, String>,
    ) -> Result<Self, IoError> {
        if gene_ids.len() > i32::MAX as usize {
            return Err(general(
                file,
                format!("{} genes are more than an Arrow dictionary indexes (2147483647); split the genes", gene_ids.len()),
            ));
        }
        let schema = Arc::new(
            Schema::new(vec![
                Field::new("sample_id", id_type(), false),
                Field::new("gene_id", id_type(), false),
                Field::new("value", DataType::Float64, false),
            ])
            .with_metadata(metadata),
        );
        let writer = ArrowWriter::try_new(w, schema.clone(), Some(properties()))
            .map_err(parquet_err(file))?;
        Ok(SparseParquetWriter {
            writer,
            schema,
            genes: Arc::new(StringArray::from_iter_values(gene_ids)),
            file: file.into(),
        })
    }

    /// Appends a chunk: `values` has one row per id of `sample_ids`.
    pub fn write_chunk(
        &mut self,
        sample_ids: &[String],
        values: &SparseValues,
    ) -> Result<(), IoError> {
        let err = parquet_err(&self.file);
        if values.rows() != sample_ids.len()
            || values.cols() != self.genes.len()
            || values.rows() > i32::MAX as usize
        {
            return Err(general(
                &self.file,
                format!(
                    "a chunk of {} x {} values does not match its {} sample ids and {} genes, or has more than 2147483647 samples",
                    values.rows(),
                    values.cols(),
                    sample_ids.len(),
                    self.genes.len()
                ),
            ));
        }
        let indptr = values.indptr();
        // Both casts are exact: rows and genes are checked to fit i32 above and at creation.
        let samples = Int32Array::from_iter_values((0..values.rows()).flat_map(|i| {
            let span = indptr.outer_inds_sz(i);
            std::iter::repeat_n(i as i32, span.len())
        }));
        let genes = Int32Array::from_iter_values(values.indices().iter().map(|&g| g as i32));
        let sample_values: ArrayRef = Arc::new(StringArray::from_iter_values(sample_ids));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(
                DictionaryArray::<Int32Type>::try_new(samples, sample_values)
                    .map_err(|e| err(e.into()))?,
            ),
            Arc::new(
                DictionaryArray::<Int32Type>::try_new(genes, self.genes.clone())
                    .map_err(|e| err(e.into()))?,
            ),
            Arc::new(Float64Array::from_iter_values(
                values.data().iter().copied(),
            )),
        ];
        let batch =
            RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| err(e.into()))?;
        self.writer.write(&batch).map_err(&err)?;
        // Close the row group now, so the encoder holds no more than one chunk.
        self.writer.flush().map_err(&err)
    }

    /// Writes the footer.
    pub fn finish(self) -> Result<(), IoError> {
        let err = parquet_err(&self.file);
        self.writer.close().map_err(err)?;
        Ok(())
    }
}

/// Writes dense rows (samples x named columns, such as PCA scores) chunk by
/// chunk: a `sample_id` column, then one Float64 column per name.
pub struct RowsParquetWriter<'w> {
    writer: ArrowWriter<&'w mut (dyn Write + Send)>,
    schema: SchemaRef,
    file: String,
}

impl<'w> RowsParquetWriter<'w> {
    /// Starts the file on `w` with the value columns `columns`.
    pub fn new(
        w: &'w mut (dyn Write + Send),
        file: &str,
        columns: &[String],
        metadata: HashMap<String, String>,
    ) -> Result<Self, IoError> {
        let fields = std::iter::once(Field::new("sample_id", DataType::Utf8, false))
            .chain(
                columns
                    .iter()
                    .map(|c| Field::new(c, DataType::Float64, false)),
            )
            .collect::<Vec<_>>();
        let schema = Arc::new(Schema::new(fields).with_metadata(metadata));
        let writer = ArrowWriter::try_new(w, schema.clone(), Some(properties()))
            .map_err(parquet_err(file))?;
        Ok(RowsParquetWriter {
            writer,
            schema,
            file: file.into(),
        })
    }

    /// Appends rows: `values` has one row per id of `sample_ids` and one column per name.
    pub fn write_rows(
        &mut self,
        sample_ids: &[String],
        values: ArrayView2<'_, f64>,
    ) -> Result<(), IoError> {
        let err = parquet_err(&self.file);
        if values.nrows() != sample_ids.len() || values.ncols() + 1 != self.schema.fields().len() {
            return Err(general(
                &self.file,
                format!(
                    "{} x {} values do not match {} sample ids and {} columns",
                    values.nrows(),
                    values.ncols(),
                    sample_ids.len(),
                    self.schema.fields().len() - 1
                ),
            ));
        }
        let columns =
            std::iter::once(Arc::new(StringArray::from_iter_values(sample_ids)) as ArrayRef)
                .chain(values.columns().into_iter().map(|c| {
                    Arc::new(Float64Array::from_iter_values(c.iter().copied())) as ArrayRef
                }))
                .collect();
        let batch =
            RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| err(e.into()))?;
        self.writer.write(&batch).map_err(&err)
    }

    /// Writes the footer.
    pub fn finish(self) -> Result<(), IoError> {
        let err = parquet_err(&self.file);
        self.writer.close().map_err(err)?;
        Ok(())
    }
}
