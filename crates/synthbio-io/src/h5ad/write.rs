//! Writing a [`Dataset`] (or normalized values) as an `.h5ad` file that
//! `anndata.read_h5ad` and scanpy open unchanged (anndata 0.8+ encoding attributes).

use super::frame::{write_frame, Column};
use super::hdf::{dict_group, set_encoding, to_vlen, Ctx};
use super::{H5adError, MEASURED_LAYER};
use crate::IoError;
use hdf5::types::VarLenUnicode;
use hdf5::Group;
use ndarray::{Array2, ArrayView2};
use std::path::{Path, PathBuf};
use synthbio_core::{Dataset, Expression, LatentBlock};

/// Writes a dataset as an `.h5ad` file, atomically (a temporary file in the same
/// folder, renamed over `path` when complete):
///
/// - `X`: the raw counts, cells x genes, int32 (int64 past 2^31), as a CSR sparse matrix
///   when fewer than half the entries are non-zero, else dense;
/// - `obs`: the sample ids as index; each metadata column as a categorical (missing
///   values are missing); each classifier field's probabilities as float columns
///   `{field}_prob_{class}` and its most probable class as `{field}_predicted`; the
///   query input of each sample as `synthbio_input` when there is more than one input;
/// - `obsm`: the latents as `X_synthbio_biological`, `X_synthbio_technical`,
///   `X_synthbio_perturbation` (scanpy's `X_` prefix marks embeddings);
/// - `var`: the gene ids as index; `uns["synthbio_model_version"]`: the model version;
/// - `layers["synthbio_measured"]`: when some sample did not measure some gene
///   ([`Dataset::measured`]), a boolean cells x genes mask (`true` = measured), which
///   [`read_h5ad`](crate::read_h5ad) restores; their counts in `X` are 0.
pub fn write_h5ad(path: &Path, dataset: &Dataset) -> Result<(), IoError> {
    write_anndata(path, dataset, None)
}

/// Writes a dataset with normalized values of it as an `.h5ad` file laid out as scanpy
/// users keep one after normalizing: `X` the normalized values (dense float64, the
/// scale as JSON in `uns["synthbio_scale"]`), the raw counts in `layers["counts"]`
/// (where [`read_h5ad`](crate::read_h5ad) finds them by default), and everything else
/// as [`write_h5ad`] writes it (`obs` metadata, `var`, latents, measured-gene mask).
/// `expression` must be the dataset's samples x genes, else nothing is written.
pub fn write_h5ad_normalized(
    path: &Path,
    dataset: &Dataset,
    expression: &Expression,
) -> Result<(), IoError> {
    crate::write::check_expression_shape(
        path,
        expression,
        dataset.gene_ids(),
        dataset.sample_ids(),
    )?;
    write_anndata(path, dataset, Some(expression))
}

/// [`write_h5ad`], with `X` the normalized values and the counts in `layers["counts"]`
/// when `normalized` is given.
fn write_anndata(
    path: &Path,
    dataset: &Dataset,
    normalized: Option<&Expression>,
) -> Result<(), IoError> {
    let columns = obs_columns(path, dataset)?;
    let scale = normalized.map(|e| scale_json(path, e)).transpose()?;
    atomic_h5(path, |ctx, root| {
        let layers = dict_group(ctx, root, "layers")?;
        match normalized {
            None => write_counts_matrix(ctx, root, "X", "X", dataset.counts())?,
            Some(expression) => {
                write_values_x(ctx, root, expression)?;
                write_counts_matrix(ctx, &layers, "counts", "layers/counts", dataset.counts())?;
            }
        }
        if let Some(measured) = dataset.measured().filter(|m| !m.is_complete()) {
            let mask =
                Array2::from_shape_fn(dataset.counts().dim(), |(i, j)| measured.is_measured(i, j));
            let element = format!("layers/{MEASURED_LAYER}");
            let ds = layers
                .new_dataset_builder()
                .with_data(mask.view())
                .create(MEASURED_LAYER)
                .map_err(ctx.err(&element))?;
            set_encoding(ctx, &ds, &element, "array", "0.2.0")?;
        }
        let obsm = dict_group(ctx, root, "obsm")?;
        if let Some(latents) = dataset.latents() {
            for block in LatentBlock::ALL {
                let name = format!("X_synthbio_{}", block.as_str());
                let element = format!("obsm/{name}");
                let ds = obsm
                    .new_dataset_builder()
                    .with_data(latents.block(block))
                    .create(name.as_str())
                    .map_err(ctx.err(&element))?;
                set_encoding(ctx, &ds, &element, "array", "0.2.0")?;
            }
        }
        write_frame(ctx, root, "obs", dataset.sample_ids(), &columns)?;
        write_frame(ctx, root, "var", dataset.gene_ids(), &[])?;
        let uns = dict_group(ctx, root, "uns")?;
        if let Some(version) = dataset.model_version() {
            write_scalar_string(ctx, &uns, "uns", "synthbio_model_version", version)?;
        }
        if let Some(scale) = &scale {
            write_scalar_string(ctx, &uns, "uns", "synthbio_scale", scale)?;
        }
        empty_dicts(ctx, root, &["obsp", "varm", "varp"])
    })
}

/// Writes normalized values (samples x genes) as an `.h5ad` file: `X` dense float64,
/// the ids as `obs` / `var` index, the scale as JSON in `uns["synthbio_scale"]`.
pub fn write_h5ad_expression(
    path: &Path,
    expression: &Expression,
    gene_ids: &[String],
    sample_ids: &[String],
) -> Result<(), IoError> {
    crate::write::check_expression_shape(path, expression, gene_ids, sample_ids)?;
    let scale = scale_json(path, expression)?;
    atomic_h5(path, |ctx, root| {
        write_values_x(ctx, root, expression)?;
        write_frame(ctx, root, "obs", sample_ids, &[])?;
        write_frame(ctx, root, "var", gene_ids, &[])?;
        let uns = dict_group(ctx, root, "uns")?;
        write_scalar_string(ctx, &uns, "uns", "synthbio_scale", &scale)?;
        empty_dicts(ctx, root, &["layers", "obsm", "obsp", "varm", "varp"])
    })
}

/// The scale of normalized values as JSON, for `uns["synthbio_scale"]`.
fn scale_json(path: &Path, expression: &Expression) -> Result<String, IoError> {
    serde_json::to_string(&expression.scale).map_err(|source| IoError::Json {
        file: path.display().to_string(),
        source,
    })
}

/// Writes normalized values as a dense float64 `X`.
fn write_values_x(ctx: Ctx<'_>, root: &Group, expression: &Expression) -> Result<(), H5adError> {
    let ds = root
        .new_dataset_builder()
        .with_data(expression.values.view())
        .create("X")
        .map_err(ctx.err("X"))?;
    set_encoding(ctx, &ds, "X", "array", "0.2.0")
}

/// The `obs` columns of a dataset: metadata, classifier probabilities, input index.
fn obs_columns<'a>(
    path: &Path,
    dataset: &'a Dataset,
) -> Result<Vec<(String, Column<'a>)>, IoError> {
    let meta = dataset.metadata();
    let mut columns: Vec<(String, Column<'a>)> = Vec::new();
    for key in meta.keys() {
        let values = meta
            .column(key)
            .map(|c| c.iter().map(Option::as_deref).collect())
            .unwrap_or_default();
        columns.push((key.to_string(), Column::Text(values)));
    }
    for (field, probs) in dataset.classifier_probs() {
        for (j, class) in probs.classes.iter().enumerate() {
            columns.push((
                format!("{field}_prob_{class}"),
                Column::Number(probs.probs.column(j).to_vec()),
            ));
        }
        let predicted = (0..dataset.n_samples())
            .map(|i| probs.argmax(i).map(|(c, _)| c))
            .collect();
        columns.push((format!("{field}_predicted"), Column::Text(predicted)));
    }
    if dataset.input_index().iter().any(|&i| i != 0) {
        let inputs = dataset.input_index().iter().map(|&i| i as f64).collect();
        columns.push(("synthbio_input".into(), Column::Number(inputs)));
    }
    let mut seen = std::collections::HashSet::new();
    for (name, _) in &columns {
        if !seen.insert(name.as_str()) {
            return Err(H5adError::Ids {
                file: path.display().to_string(),
                problem: format!(
                    "obs column {name:?} would hold both a metadata column and a model output \
                     (classifier probabilities, predicted class or input index); rename the metadata column"
                ),
            }
            .into());
        }
    }
    Ok(columns)
}

/// Writes counts as the matrix `name` of `parent` (`element`: its path, for errors):
/// CSR when sparse enough, else dense; int32 unless a count needs int64.
fn write_counts_matrix(
    ctx: Ctx<'_>,
    parent: &Group,
    name: &str,
    element: &str,
    counts: ArrayView2<'_, u32>,
) -> Result<(), H5adError> {
    let (n, g) = counts.dim();
    let nnz = counts.iter().filter(|&&v| v != 0).count();
    let wide = counts.iter().any(|&v| v > i32::MAX as u32);
    if 2 * nnz >= n * g {
        let ds = if wide {
            parent
                .new_dataset_builder()
                .with_data(counts.mapv(i64::from).view())
                .create(name)
        } else {
            // Checked above: every count fits in i32.
            parent
                .new_dataset_builder()
                .with_data(counts.mapv(|v| v as i32).view())
                .create(name)
        }
        .map_err(ctx.err(element))?;
        return set_encoding(ctx, &ds, element, "array", "0.2.0");
    }
    let mut data_wide: Vec<i64> = Vec::new();
    let mut data: Vec<i32> = Vec::new();
    let mut indices: Vec<i64> = Vec::with_capacity(nnz);
    let mut indptr: Vec<i64> = Vec::with_capacity(n + 1);
    indptr.push(0);
    for row in counts.rows() {
        for (j, &v) in row.iter().enumerate() {
            if v != 0 {
                if wide {
                    data_wide.push(i64::from(v));
                } else {
                    data.push(v as i32);
                }
                indices.push(j as i64);
            }
        }
        indptr.push(indices.len() as i64);
    }
    let x = parent.create_group(name).map_err(ctx.err(element))?;
    set_encoding(ctx, &x, element, "csr_matrix", "0.1.0")?;
    x.new_attr_builder()
        .with_data(&[n as i64, g as i64])
        .create("shape")
        .map_err(ctx.err(&format!("attribute \"shape\" of {element}")))?;
    if wide {
        x.new_dataset_builder().with_data(&data_wide).create("data")
    } else {
        x.new_dataset_builder().with_data(&data).create("data")
    }
    .map_err(ctx.err(&format!("{element}/data")))?;
    // int32 indices as scipy makes them, unless the sizes need int64.
    let small = i32::try_from(nnz).is_ok() && i32::try_from(g).is_ok();
    if small {
        let to32 = |v: &[i64]| v.iter().map(|&i| i as i32).collect::<Vec<i32>>();
        x.new_dataset_builder()
            .with_data(&to32(&indices))
            .create("indices")
            .map_err(ctx.err(&format!("{element}/indices")))?;
        x.new_dataset_builder()
            .with_data(&to32(&indptr))
            .create("indptr")
            .map_err(ctx.err(&format!("{element}/indptr")))?;
    } else {
        x.new_dataset_builder()
            .with_data(&indices)
            .create("indices")
            .map_err(ctx.err(&format!("{element}/indices")))?;
        x.new_dataset_builder()
            .with_data(&indptr)
            .create("indptr")
            .map_err(ctx.err(&format!("{element}/indptr")))?;
    }
    Ok(())
}

/// Writes a scalar string with anndata's `string` encoding.
fn write_scalar_string(
    ctx: Ctx<'_>,
    group: &Group,
    parent: &str,
    name: &str,
    value: &str,
) -> Result<(), H5adError> {
    let element = format!("{parent}/{name}");
    let v: VarLenUnicode = to_vlen(ctx, &element, value)?;
    let ds = group
        .new_dataset::<VarLenUnicode>()
        .shape(())
        .create(name)
        .map_err(ctx.err(&element))?;
    ds.write_scalar(&v).map_err(ctx.err(&element))?;
    set_encoding(ctx, &ds, &element, "string", "0.2.0")
}

/// The empty `dict` groups anndata writes for the slots left unused.
fn empty_dicts(ctx: Ctx<'_>, root: &Group, names: &[&str]) -> Result<(), H5adError> {
    for name in names {
        dict_group(ctx, root, name)?;
    }
    Ok(())
}

/// Writes an HDF5 file atomically: `fill` writes into a temporary file beside `path`
/// (root attributes already set), which replaces `path` by a rename once closed. HDF5
/// writes through its own file handle, so the crate's stream-based atomic writer does not fit.
fn atomic_h5<F>(path: &Path, fill: F) -> Result<(), IoError>
where
    F: FnOnce(Ctx<'_>, &Group) -> Result<(), H5adError>,
{
    let file = path.display().to_string();
    let ctx = Ctx {
        file: &file,
        action: "write",
    };
    let tmp = temporary_path(path);
    let result = (|| -> Result<(), H5adError> {
        let h5 = hdf5::File::create(&tmp).map_err(ctx.err("the file"))?;
        set_encoding(ctx, &h5, "the file", "anndata", "0.1.0")?;
        fill(ctx, &h5)?;
        h5.close().map_err(ctx.err("the file"))
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        IoError::Write { file, source }
    })
}

/// A hidden temporary name beside `path`, unique to this process.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out.h5ad".into());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}
