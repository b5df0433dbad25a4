//! Reader of the self-hosted Arrow IPC stream (docs/protocol.md section 2, self-hosted mode).
//!
//! The stream is read message by message into one reused buffer ([`Messages`]);
//! each batch's counts are copied into the builder's flat buffer and the batch
//! is dropped, so the whole stream is never held in memory: the peak is the
//! dataset plus one message.

use super::builder::{count_from_f64, count_from_i64, count_from_u64, CountsSource, ResultBuilder};
use super::ipc::Messages;
use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StructArray};
use arrow::datatypes::{
    DataType, Field, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, Schema,
    UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow::util::display::array_value_to_string;
use serde_json::{Map, Value};
use std::io::Read;
use std::sync::Arc;
use synthbio_core::{Dataset, LatentBlock};

use crate::error::ClientError;
use crate::prediction::Prediction;

/// Reads an Arrow IPC stream (a self-hosted predict answer) into a [`Dataset`].
///
/// Schema metadata gives `gene_order` (a JSON array as a string) and
/// `model_version`; rows are samples. Counts come from `counts` or, for metadata
/// prediction, `decoder_sample.counts`; a counts column that is not rectangular
/// is an error. Latents come from `biological_latent`, `technical_latent`,
/// `perturbation_latent` or a `latents` struct; `metadata` and
/// `classifier_probs` are structs. `input_sizes` sets each sample's input index.
///
/// Only the typed part is returned; use [`decode_arrow_result`] to keep every
/// other column and schema entry, and the decoder's warnings.
pub fn decode_arrow<R: Read>(
    reader: R,
    input_sizes: Option<&[u64]>,
) -> Result<Dataset, ClientError> {
    decode_arrow_result(reader, input_sizes, None).map(|p| p.dataset)
}

/// Reads an Arrow IPC stream into a [`Prediction`]: the dataset as in
/// [`decode_arrow`] plus every other column (per sample, as JSON values) and
/// schema metadata entry (`request_type`, ...) as sent. Lists may be typed as
/// any list type pyarrow gives (`list`, `large_list`, `fixed_size_list`)
/// over any numeric type or `null` (an empty list); GEM-2's
/// `predicted_metadata` and `classifier_probabilities` columns are read like
/// `metadata` and `classifier_probs`. Counts without a `gene_order` are
/// named from `known_genes` or by position, as in [`crate::decode_json_result`].
/// A `decoder_sample`'s fields other than `counts` are kept per sample under
/// `decoder_sample` (the whole struct when a `counts` column is the expression).
pub fn decode_arrow_result<R: Read>(
    reader: R,
    input_sizes: Option<&[u64]>,
    known_genes: Option<&[String]>,
) -> Result<Prediction, ClientError> {
    let bad = |m: String| ClientError::decode("the Arrow stream", m);
    let mut messages = Messages::new(reader);
    let mut b = ResultBuilder::default();
    let schema = messages.schema().map_err(bad)?;
    let meta = schema.metadata();
    if let Some(g) = meta.get("gene_order") {
        let genes: Vec<String> = serde_json::from_str(g).map_err(|e| {
            bad(format!(
                "schema metadata gene_order is not a JSON list of strings: {e}"
            ))
        })?;
        b.set_gene_order(genes).map_err(bad)?;
    }
    b.model_version = meta.get("model_version").cloned();
    for (k, v) in meta {
        if k != "gene_order" && k != "model_version" {
            b.extra.insert(k.clone(), Value::String(v.clone()));
        }
    }
    // Each batch is dropped before the next is read, so its buffer is reused.
    while let Some(batch) = messages.next_batch().map_err(bad)? {
        add_batch(&mut b, &batch).map_err(bad)?;
    }
    b.finish(input_sizes, known_genes)
}

/// The columns read into the dataset; any other is kept raw.
const KNOWN: [&str; 9] = [
    "counts",
    "decoder_sample",
    "metadata",
    "predicted_metadata",
    "latents",
    "biological_latent",
    "technical_latent",
    "perturbation_latent",
    "classifier_probs",
];

fn add_batch(b: &mut ResultBuilder, batch: &RecordBatch) -> Result<(), String> {
    let n = batch.num_rows();
    let mut raw: Vec<(String, ArrayRef)> = batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .filter(|(f, _)| !KNOWN.contains(&f.name().as_str()))
        .filter(|(f, _)| f.name() != "classifier_probabilities")
        .map(|(f, c)| (f.name().clone(), c.clone()))
        .collect();
    let decoder = batch.column_by_name("decoder_sample");
    let counts = match (batch.column_by_name("counts"), decoder) {
        (Some(c), ds) => {
            if let Some(ds) = ds {
                // `counts` is the expression; the decoder sample is kept whole.
                raw.push(("decoder_sample".into(), ds.clone()));
            }
            Some(("counts", c.clone()))
        }
        (None, Some(ds)) => decoder_counts(ds, &mut raw)?.map(|c| ("decoder_sample.counts", c)),
        (None, None) => None,
    };
    if n == 0 {
        return Ok(());
    }
    let first = b.begin_output();
    for r in 0..n {
        if r > 0 {
            b.begin_output();
        }
        if let Some((name, col)) = &counts {
            let vals =
                list_row(col, r)?.ok_or_else(|| format!("{name} of row {} is null", first + r))?;
            b.begin_counts(if *name == "counts" {
                CountsSource::Counts
            } else {
                CountsSource::DecoderSample
            });
            push_counts(&vals, b, name, first + r)?;
            b.end_dense()?;
        }
    }
    if let Some(col) = batch.column_by_name("metadata") {
        let s = col
            .as_struct_opt()
            .ok_or("column metadata is not a struct")?;
        for (field, child) in s.fields().iter().zip(s.columns()) {
            for r in 0..n {
                if s.is_valid(r) && child.is_valid(r) {
                    let v = array_value_to_string(child.as_ref(), r).map_err(|e| e.to_string())?;
                    b.metadata_value(first + r, field.name(), v);
                }
            }
        }
    }
    if let Some(col) = batch.column_by_name("predicted_metadata") {
        let s = col
            .as_struct_opt()
            .ok_or("column predicted_metadata is not a struct")?;
        for r in 0..n {
            if !s.is_valid(r) {
                continue;
            }
            let mut m = std::collections::BTreeMap::new();
            for (field, child) in s.fields().iter().zip(s.columns()) {
                if child.is_valid(r) {
                    let v = array_value_to_string(child.as_ref(), r).map_err(|e| e.to_string())?;
                    m.insert(field.name().clone(), v);
                }
            }
            b.set_predicted(first + r, m);
        }
    }
    let mut latents: Vec<(LatentBlock, ArrayRef)> = Vec::new();
    for block in LatentBlock::ALL {
        if let Some(c) = batch.column_by_name(&format!("{}_latent", block.as_str())) {
            latents.push((block, c.clone()));
        }
    }
    if let Some(l) = batch.column_by_name("latents") {
        let s = l.as_struct_opt().ok_or("column latents is not a struct")?;
        for (field, child) in s.fields().iter().zip(s.columns()) {
            match LatentBlock::ALL
                .into_iter()
                .find(|b| b.as_str() == field.name())
            {
                // A null latents row is an absent row (kept as NaN).
                Some(block) => latents.push((block, with_parent_nulls(child, s))),
                None => raw.push((format!("latents.{}", field.name()), child.clone())),
            }
        }
    }
    if !latents.is_empty() {
        for (block, col) in &latents {
            for r in 0..n {
                // A null row: the output has no such latents (kept as NaN).
                let Some(vals) = list_row(col, r)? else {
                    continue;
                };
                let buf = b.latent_buffer(*block, first + r)?;
                let start = buf.len();
                push_floats(&vals, buf)?;
                b.end_latent_row(*block, first + r, start)?;
            }
        }
    }
    if let Some(col) = batch.column_by_name("classifier_probs") {
        add_probs(b, col, first, n)?;
    }
    if let Some(col) = batch.column_by_name("classifier_probabilities") {
        // GEM-2's name; a shape other than struct of structs is kept raw.
        if add_probs(b, col, first, n).is_err() {
            raw.push(("classifier_probabilities".into(), col.clone()));
        }
    }
    keep_raw(b, &raw, first)
}

/// Whether a struct row is null, pushed down to one child (pyarrow leaves the
/// child's own validity set under a null struct row).
fn with_parent_nulls(child: &ArrayRef, parent: &StructArray) -> ArrayRef {
    if parent.null_count() == 0 {
        return child.clone();
    }
    let nulls = arrow::buffer::NullBuffer::union(parent.nulls(), child.nulls());
    let data = child.to_data().into_builder().nulls(nulls);
    match data.build() {
        Ok(d) => arrow::array::make_array(d),
        Err(_) => child.clone(),
    }
}

/// Keeps the columns the dataset has no place for, per row, as the JSON
/// values Arrow's own JSON writer gives them.
fn keep_raw(b: &mut ResultBuilder, raw: &[(String, ArrayRef)], first: usize) -> Result<(), String> {
    if raw.is_empty() {
        return Ok(());
    }
    let fields: Vec<Field> = raw
        .iter()
        .map(|(name, c)| Field::new(name, c.data_type().clone(), true))
        .collect();
    let columns: Vec<ArrayRef> = raw.iter().map(|(_, c)| c.clone()).collect();
    let batch =
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(|e| e.to_string())?;
    let mut w = arrow::json::ArrayWriter::new(Vec::new());
    w.write(&batch).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    let rows: Vec<Map<String, Value>> =
        serde_json::from_slice(&w.into_inner()).map_err(|e| e.to_string())?;
    for (r, row) in rows.into_iter().enumerate() {
        for (k, v) in row {
            b.output_field(first + r, &k, v);
        }
    }
    Ok(())
}

fn add_probs(b: &mut ResultBuilder, col: &ArrayRef, first: usize, n: usize) -> Result<(), String> {
    let s = col.as_struct_opt().ok_or(
        "column classifier_probs is not a struct of field -> struct of class -> probability",
    )?;
    for (field, child) in s.fields().iter().zip(s.columns()) {
        let classes: &StructArray = child.as_struct_opt().ok_or_else(|| {
            format!(
                "classifier_probs.{} is not a struct of class -> probability",
                field.name()
            )
        })?;
        for (class, pcol) in classes.fields().iter().zip(classes.columns()) {
            let mut probs = Vec::with_capacity(n);
            push_floats(pcol, &mut probs)?;
            for (r, p) in probs.into_iter().enumerate() {
                if classes.is_valid(r) && pcol.is_valid(r) {
                    b.prob(first + r, field.name(), class.name(), p);
                }
            }
        }
    }
    Ok(())
}

/// Metadata prediction's `decoder_sample`: its `counts` child (null where the
/// row is null); every other child goes to `raw` as a `decoder_sample` struct,
/// and a column that is not a struct with `counts` goes there whole.
fn decoder_counts(
    col: &ArrayRef,
    raw: &mut Vec<(String, ArrayRef)>,
) -> Result<Option<ArrayRef>, String> {
    let Some((s, counts)) = col
        .as_struct_opt()
        .and_then(|s| Some((s, s.column_by_name("counts")?)))
    else {
        raw.push(("decoder_sample".into(), col.clone()));
        return Ok(None);
    };
    let (fields, columns): (Vec<_>, Vec<_>) = s
        .fields()
        .iter()
        .zip(s.columns())
        .filter(|(f, _)| f.name() != "counts")
        .map(|(f, c)| (f.clone(), c.clone()))
        .unzip();
    if !fields.is_empty() {
        let rest = StructArray::try_new(fields.into(), columns, s.nulls().cloned())
            .map_err(|e| format!("decoder_sample: {e}"))?;
        raw.push(("decoder_sample".into(), Arc::new(rest)));
    }
    Ok(Some(with_parent_nulls(counts, s)))
}

/// The values of row `r` of a list column (`None` when the row is null).
fn list_row(col: &ArrayRef, r: usize) -> Result<Option<ArrayRef>, String> {
    if col.is_null(r) {
        return Ok(None);
    }
    if let Some(l) = col.as_list_opt::<i32>() {
        return Ok(Some(l.value(r)));
    }
    if let Some(l) = col.as_list_opt::<i64>() {
        return Ok(Some(l.value(r)));
    }
    if let Some(l) = col.as_list_view_opt::<i32>() {
        return Ok(Some(l.value(r)));
    }
    if let Some(l) = col.as_list_view_opt::<i64>() {
        return Ok(Some(l.value(r)));
    }
    if let Some(l) = col.as_fixed_size_list_opt() {
        return Ok(Some(l.value(r)));
    }
    Err(format!("expected a list column, found {}", col.data_type()))
}

/// Appends `values` as counts when every one is valid (checked in one pass
/// without a branch per value, then converted in a second), else the first
/// invalid value's error.
fn extend_checked<T: Copy>(
    b: &mut ResultBuilder,
    values: &[T],
    valid: impl Fn(T) -> bool,
    cast: impl Fn(T) -> u32,
    error: impl Fn(T) -> String,
) -> Result<(), String> {
    if values.iter().fold(true, |ok, &v| ok & valid(v)) {
        b.extend_counts(values.iter().map(|&v| cast(v)));
        return Ok(());
    }
    let bad = values.iter().copied().find(|&v| !valid(v));
    Err(bad.map(error).unwrap_or_default())
}

/// Converts one row of counts (any integer or float type, no nulls) into the builder.
fn push_counts(
    vals: &ArrayRef,
    b: &mut ResultBuilder,
    name: &str,
    row: usize,
) -> Result<(), String> {
    if vals.is_empty() {
        // An empty list, whatever its value type (pyarrow types it `null`).
        return Ok(());
    }
    if vals.null_count() > 0 || vals.data_type() == &DataType::Null {
        return Err(format!("{name} of row {row} has null values"));
    }
    let at = |m: String| format!("{name} of row {row}: {m}");
    let max = u64::from(u32::MAX);
    macro_rules! signed {
        ($ty:ty) => {
            extend_checked(
                b,
                vals.as_primitive::<$ty>().values(),
                |v| v >= 0 && (v as u64) <= max,
                |v| v as u32,
                |v| at(count_from_i64(v as i64).unwrap_err()),
            )
        };
    }
    macro_rules! unsigned {
        ($ty:ty) => {
            extend_checked(
                b,
                vals.as_primitive::<$ty>().values(),
                |v| (v as u64) <= max,
                |v| v as u32,
                |v| at(count_from_u64(v as u64).unwrap_err()),
            )
        };
    }
    match vals.data_type() {
        DataType::Int8 => signed!(Int8Type),
        DataType::Int16 => signed!(Int16Type),
        DataType::Int32 => signed!(Int32Type),
        DataType::Int64 => signed!(Int64Type),
        DataType::UInt8 => unsigned!(UInt8Type),
        DataType::UInt16 => unsigned!(UInt16Type),
        DataType::UInt32 => unsigned!(UInt32Type),
        DataType::UInt64 => unsigned!(UInt64Type),
        DataType::Float32 => floats(vals.as_primitive::<Float32Type>().values(), b, &at),
        DataType::Float64 => floats(vals.as_primitive::<Float64Type>().values(), b, &at),
        other => Err(format!("{name} holds {other}, expected integers")),
    }
}

/// Float counts: rounded to whole numbers, one by one.
fn floats<T: Copy + Into<f64>>(
    values: &[T],
    b: &mut ResultBuilder,
    at: &dyn Fn(String) -> String,
) -> Result<(), String> {
    for &v in values {
        b.push_count(count_from_f64(v.into()).map_err(at)?);
    }
    Ok(())
}

/// Appends a float or integer array (nulls as NaN) to `out`; an array of
/// type `null` (what pyarrow types an empty list's values as) is all NaN.
fn push_floats(vals: &ArrayRef, out: &mut Vec<f64>) -> Result<(), String> {
    macro_rules! each {
        ($ty:ty) => {{
            let a = vals.as_primitive::<$ty>();
            out.extend(a.iter().map(|v| v.map_or(f64::NAN, |x| x as f64)));
        }};
    }
    match vals.data_type() {
        DataType::Null => out.extend(std::iter::repeat_n(f64::NAN, vals.len())),
        DataType::Float64 => each!(Float64Type),
        DataType::Float32 => each!(Float32Type),
        DataType::Float16 => {
            let a = vals.as_primitive::<arrow::datatypes::Float16Type>();
            out.extend(a.iter().map(|v| v.map_or(f64::NAN, |x| x.to_f64())));
        }
        DataType::Int64 => each!(Int64Type),
        DataType::Int32 => each!(Int32Type),
        DataType::Int16 => each!(Int16Type),
        DataType::Int8 => each!(Int8Type),
        DataType::UInt64 => each!(UInt64Type),
        DataType::UInt32 => each!(UInt32Type),
        DataType::UInt16 => each!(UInt16Type),
        DataType::UInt8 => each!(UInt8Type),
        other => return Err(format!("expected numbers, found {other}")),
    }
    Ok(())
}
