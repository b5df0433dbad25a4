//! The self-hosted answer: an Apache Arrow IPC *stream* (not file), one row per
//! generated sample, written batch by batch as the batches are built.
//!
//! Schema metadata (all strings):
//! - `request_type`: `baseline`, `reference_conditioned` or `predict_metadata`
//!   ([`synthbio_core::Family::request_type`] of the model);
//! - `model_version`: the dataset's version, else the model's;
//! - `gene_order`: the gene ids as a JSON array, e.g. `["ENSG...","ENSG..."]`.
//!
//! Columns of expression results (`baseline`, `reference_conditioned`):
//! - `counts`: `List<Int64>` (items non-null), one value per gene in `gene_order`;
//! - `metadata`: `Struct` with one nullable `Utf8` child per metadata key (sorted
//!   by key; a sample without that key is null);
//! - `biological_latent`, `technical_latent`, `perturbation_latent`:
//!   `List<Float64>` (items non-null); present only when the model returned latents.
//!
//! Columns of metadata prediction results (`predict_metadata`):
//! - `metadata`: `Struct` of nullable `Utf8`, the predicted label per field;
//! - `classifier_probs`: `Struct` with one child per field (sorted), each a
//!   `Struct` with one non-null `Float64` child per class (in the model's class
//!   order): the probability of that class;
//! - `latents`: `Struct{biological, technical, perturbation}`, each
//!   `List<Float64>`; present only when the model returned latents;
//! - `decoder_sample`: `Struct{counts: List<Int64>}`, the decoded expression.
//!
//! List items are named `item`. Top-level columns are non-null. Batches hold at
//! most [`MAX_BATCH_ROWS`] rows, fewer for wide results so one batch of counts
//! stays near [`TARGET_BATCH_BYTES`].

use crate::jobs::Ready;
use arrow::array::{
    ArrayRef, Float64Array, Int64Array, ListArray, RecordBatch, StringArray, StructArray,
};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::ipc::writer::StreamWriter;
use ndarray::Axis;
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::sync::Arc;
use synthbio_core::{ClassProbabilities, Dataset, Family, LatentBlock, Latents};

/// The media type of an Arrow IPC stream, asked for with `Accept`.
pub const ARROW_STREAM_MEDIA_TYPE: &str = "application/vnd.apache.arrow.stream";

/// Most rows in one record batch.
pub const MAX_BATCH_ROWS: usize = 256;

/// Rough size of the counts of one batch (8 bytes per count) that wide results are cut to.
pub const TARGET_BATCH_BYTES: usize = 16 * 1024 * 1024;

/// Writes the whole stream: schema, batches, end marker.
pub(crate) fn write_arrow<W: Write>(w: W, ready: &Ready) -> Result<(), ArrowError> {
    let ds = &*ready.dataset;
    let schema = schema(ds, ready)?;
    let mut writer = StreamWriter::try_new(w, &schema)?;
    let rows = batch_rows(ds.n_genes());
    let n = ds.n_samples();
    let mut start = 0;
    while start < n {
        let end = (start + rows).min(n);
        let batch = batch(&schema, ds, ready.family, start..end)?;
        writer.write(&batch)?;
        writer.flush()?;
        start = end;
    }
    writer.finish()
}

/// Rows per batch for results of `n_genes` genes.
fn batch_rows(n_genes: usize) -> usize {
    (TARGET_BATCH_BYTES / (8 * n_genes.max(1))).clamp(1, MAX_BATCH_ROWS)
}

fn item(dt: DataType) -> Arc<Field> {
    Arc::new(Field::new("item", dt, false))
}

fn counts_type() -> DataType {
    DataType::List(item(DataType::Int64))
}

fn floats_type() -> DataType {
    DataType::List(item(DataType::Float64))
}

fn metadata_fields(ds: &Dataset) -> Fields {
    ds.metadata()
        .keys()
        .map(|k| Field::new(k, DataType::Utf8, true))
        .collect()
}

fn latents_fields() -> Fields {
    LatentBlock::ALL
        .iter()
        .map(|b| Field::new(b.as_str(), floats_type(), false))
        .collect()
}

fn class_fields(p: &ClassProbabilities) -> Fields {
    p.classes
        .iter()
        .map(|c| Field::new(c, DataType::Float64, false))
        .collect()
}

fn probs_fields(ds: &Dataset) -> Fields {
    ds.classifier_probs()
        .iter()
        .map(|(field, p)| Field::new(field, DataType::Struct(class_fields(p)), false))
        .collect()
}

fn schema(ds: &Dataset, ready: &Ready) -> Result<SchemaRef, ArrowError> {
    let mut fields = Vec::new();
    match ready.family {
        Family::Baseline | Family::ReferenceConditioning => {
            fields.push(Field::new("counts", counts_type(), false));
            fields.push(Field::new(
                "metadata",
                DataType::Struct(metadata_fields(ds)),
                false,
            ));
            if ds.latents().is_some() {
                for b in LatentBlock::ALL {
                    fields.push(Field::new(
                        format!("{}_latent", b.as_str()),
                        floats_type(),
                        false,
                    ));
                }
            }
        }
        Family::MetadataPrediction => {
            fields.push(Field::new(
                "metadata",
                DataType::Struct(metadata_fields(ds)),
                false,
            ));
            fields.push(Field::new(
                "classifier_probs",
                DataType::Struct(probs_fields(ds)),
                false,
            ));
            if ds.latents().is_some() {
                fields.push(Field::new(
                    "latents",
                    DataType::Struct(latents_fields()),
                    false,
                ));
            }
            let decoder = Fields::from(vec![Field::new("counts", counts_type(), false)]);
            fields.push(Field::new(
                "decoder_sample",
                DataType::Struct(decoder),
                false,
            ));
        }
    }
    let gene_order =
        serde_json::to_string(ds.gene_ids()).map_err(|e| ArrowError::ExternalError(Box::new(e)))?;
    let version = ds
        .model_version()
        .unwrap_or(&ready.model_version)
        .to_string();
    let metadata = HashMap::from([
        (
            "request_type".to_string(),
            ready.family.request_type().to_string(),
        ),
        ("model_version".to_string(), version),
        ("gene_order".to_string(), gene_order),
    ]);
    Ok(Arc::new(Schema::new_with_metadata(fields, metadata)))
}

fn batch(
    schema: &SchemaRef,
    ds: &Dataset,
    family: Family,
    rows: Range<usize>,
) -> Result<RecordBatch, ArrowError> {
    let mut columns: Vec<ArrayRef> = Vec::new();
    match family {
        Family::Baseline | Family::ReferenceConditioning => {
            columns.push(Arc::new(counts(ds, rows.clone())));
            columns.push(Arc::new(metadata(ds, rows.clone())?));
            if let Some(l) = ds.latents() {
                for b in LatentBlock::ALL {
                    columns.push(Arc::new(latent(l, b, rows.clone())));
                }
            }
        }
        Family::MetadataPrediction => {
            columns.push(Arc::new(metadata(ds, rows.clone())?));
            columns.push(Arc::new(probs(ds, rows.clone())?));
            if let Some(l) = ds.latents() {
                let blocks: Vec<ArrayRef> = LatentBlock::ALL
                    .iter()
                    .map(|&b| Arc::new(latent(l, b, rows.clone())) as ArrayRef)
                    .collect();
                columns.push(Arc::new(StructArray::try_new(
                    latents_fields(),
                    blocks,
                    None,
                )?));
            }
            let decoder = Fields::from(vec![Field::new("counts", counts_type(), false)]);
            let counts: ArrayRef = Arc::new(counts(ds, rows));
            columns.push(Arc::new(StructArray::try_new(decoder, vec![counts], None)?));
        }
    }
    RecordBatch::try_new(Arc::clone(schema), columns)
}

fn counts(ds: &Dataset, rows: Range<usize>) -> ListArray {
    let n = rows.len();
    let values = Int64Array::from_iter_values(
        rows.flat_map(|r| ds.sample_counts(r).into_iter().map(|&c| i64::from(c))),
    );
    ListArray::new(
        item(DataType::Int64),
        OffsetBuffer::from_lengths(std::iter::repeat_n(ds.n_genes(), n)),
        Arc::new(values),
        None,
    )
}

fn latent(l: &Latents, block: LatentBlock, rows: Range<usize>) -> ListArray {
    let m = l.block(block);
    let (n, d) = (rows.len(), m.ncols());
    let values = Float64Array::from_iter_values(
        rows.flat_map(|r| m.index_axis_move(Axis(0), r).into_iter().copied()),
    );
    ListArray::new(
        item(DataType::Float64),
        OffsetBuffer::from_lengths(std::iter::repeat_n(d, n)),
        Arc::new(values),
        None,
    )
}

fn metadata(ds: &Dataset, rows: Range<usize>) -> Result<StructArray, ArrowError> {
    let table = ds.metadata();
    let fields = metadata_fields(ds);
    if fields.is_empty() {
        return Ok(StructArray::new_empty_fields(rows.len(), None));
    }
    let columns: Vec<ArrayRef> = table
        .keys()
        .map(|k| {
            let col = table.column(k).unwrap_or_default();
            let values: StringArray = col[rows.clone()].iter().map(Option::as_deref).collect();
            Arc::new(values) as ArrayRef
        })
        .collect();
    StructArray::try_new(fields, columns, None)
}

fn probs(ds: &Dataset, rows: Range<usize>) -> Result<StructArray, ArrowError> {
    let fields = probs_fields(ds);
    if fields.is_empty() {
        return Ok(StructArray::new_empty_fields(rows.len(), None));
    }
    let columns = ds
        .classifier_probs()
        .values()
        .map(|p| {
            let classes = class_fields(p);
            if classes.is_empty() {
                return Ok(Arc::new(StructArray::new_empty_fields(rows.len(), None)) as ArrayRef);
            }
            let per_class: Vec<ArrayRef> = (0..p.classes.len())
                .map(|j| {
                    let col = p.probs.column(j);
                    Arc::new(Float64Array::from_iter_values(rows.clone().map(|r| col[r])))
                        as ArrayRef
                })
                .collect();
            Ok(Arc::new(StructArray::try_new(classes, per_class, None)?) as ArrayRef)
        })
        .collect::<Result<Vec<_>, ArrowError>>()?;
    StructArray::try_new(fields, columns, None)
}
