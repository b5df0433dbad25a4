//! Reading an `.h5ad` file into a [`Dataset`]: the raw counts from `X`,
//! `layers[...]` or `raw.X`, `obs` as sample metadata, gene ids from `var`.

use super::frame::{read_frame, Frame};
use super::hdf::{kind, Ctx, Kind};
use super::matrix::{read_counts, Labels};
use super::{CountsMatrix, GeneIdColumn, H5adError, H5adOptions, MEASURED_LAYER};
use crate::detect::{is_ensembl_gene_id, Detected, Orientation, OrientationBasis, SourceFormat};
use crate::IoError;
use hdf5::Group;
use std::path::Path;
use synthbio_core::{Dataset, Measured, MetadataTable};

/// `var` columns that usually hold Ensembl ids when the index holds symbols (scanpy's
/// `read_10x_h5` writes `gene_ids`).
const ID_COLUMNS: [&str; 6] = [
    "gene_ids",
    "gene_id",
    "ensembl_id",
    "ensembl_ids",
    "ensembl_gene_id",
    "gene_ensembl",
];

/// Reads an AnnData `.h5ad` file (anndata >= 0.8 layout) into a [`Dataset`]:
///
/// - the counts come from the matrix `options.matrix` names; by default from
///   `layers["counts"]` if present, else `raw.X` (with `raw/var`'s genes), else `X` if
///   every value is a count. Dense arrays of any numeric type and CSR / CSC sparse
///   matrices are read; every value must be a non-negative whole number, else the error
///   names the matrix, the cell, the gene and the fix;
/// - `obs` becomes the sample metadata (text, numbers, booleans, categoricals; missing
///   values stay missing), its index the sample ids;
/// - the gene ids come from the `var` index, or a `var` column (named, or detected
///   when the index is not Ensembl ids and a column such as `gene_ids` is).
///
/// What was chosen is stated in [`Detected::source`].
pub fn read_h5ad(path: &Path, options: &H5adOptions) -> Result<(Dataset, Detected), IoError> {
    let src = CountsSource::open(path, options)?;
    let counts = read_counts(src.ctx(), &src.h5, &src.matrix_path, &src.labels())?;
    let mask = read_measured(src.ctx(), &src.h5)?;
    let CountsSource {
        file,
        matrix_path,
        matrix_label,
        detected_matrix,
        var_path,
        cell_ids,
        metadata,
        gene_ids,
        gene_source,
        ..
    } = src;
    let (n_samples, n_genes) = counts.dim();
    let mut dataset = Dataset::new(counts, gene_ids, cell_ids)
        .and_then(|d| d.with_metadata(metadata))
        .map_err(|source| IoError::Dataset {
            context: format!("{file} ({matrix_label}, {var_path})"),
            source,
        })?;
    let mut how = if detected_matrix { " (detected)" } else { "" }.to_string();
    match mask {
        Some(rows) if matrix_path != "raw/X" => {
            let measured =
                Measured::from_rows(n_genes, rows).and_then(|m| dataset.clone().with_measured(m));
            dataset = measured.map_err(|source| IoError::Dataset {
                context: format!("{file} (layers[{MEASURED_LAYER:?}])"),
                source,
            })?;
            how.push_str(&format!(
                ", unmeasured cells from layers[{MEASURED_LAYER:?}]"
            ));
        }
        Some(_) => how.push_str(&format!(
            ", layers[{MEASURED_LAYER:?}] not applied (it covers var, the counts raw.var)"
        )),
        None => {}
    }
    let detected = Detected {
        format: SourceFormat::AnnData,
        gzip: false,
        orientation: Orientation::SamplesAsRows,
        basis: OrientationBasis::FileFormat,
        n_genes,
        n_samples,
        comment_lines: 0,
        skipped_columns: Vec::new(),
        empty_cells: 0,
        source: Some(format!(
            "counts from {matrix_label}{how}, gene ids from {gene_source}"
        )),
    };
    Ok((dataset, detected))
}

/// An `.h5ad` file opened for its counts: the matrix `options` chooses, the
/// cells' ids and metadata (`obs`) and the genes' ids (`var` or `raw/var`),
/// shared by [`read_h5ad`] and [`super::H5adChunks`].
pub(crate) struct CountsSource {
    pub file: String,
    pub h5: hdf5::File,
    pub matrix_path: String,
    pub matrix_label: String,
    /// Whether the matrix was detected rather than named.
    pub detected_matrix: bool,
    pub var_path: &'static str,
    pub cell_ids: Vec<String>,
    pub metadata: MetadataTable,
    pub gene_ids: Vec<String>,
    /// Where the gene ids came from, for [`Detected::source`].
    pub gene_source: String,
    /// What to do when a value is not a count.
    pub fix: String,
}

impl CountsSource {
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            file: &self.file,
            action: "read",
        }
    }

    /// The matrix and ids, for errors about values.
    pub fn labels(&self) -> Labels<'_> {
        Labels {
            matrix: &self.matrix_label,
            cells: &self.cell_ids,
            genes: &self.gene_ids,
            fix: &self.fix,
        }
    }

    /// Opens the file and reads the ids and metadata of its counts matrix.
    pub fn open(path: &Path, options: &H5adOptions) -> Result<Self, IoError> {
        let file = path.display().to_string();
        if let Err(source) = std::fs::metadata(path) {
            return Err(IoError::Open { file, source });
        }
        let ctx = Ctx {
            file: &file,
            action: "read",
        };
        let h5 = hdf5::File::open(path).map_err(ctx.err("the file as HDF5"))?;
        let (matrix_path, matrix_label, detected_matrix) =
            choose_matrix(ctx, &h5, &options.matrix)?;
        let var_path = if matrix_path == "raw/X" {
            "raw/var"
        } else {
            "var"
        };
        let obs = read_frame(ctx, &h5, "obs")?;
        let var = read_frame(ctx, &h5, var_path)?;
        let (gene_ids, gene_source) = gene_ids(ctx, &var, var_path, &options.gene_ids)?;
        let fix = counts_fix(&h5, &options.matrix, &matrix_path);
        let mut metadata = MetadataTable::new(obs.index.len());
        for (name, values) in obs.columns {
            metadata
                .set_column(name, values)
                .map_err(|source| IoError::Dataset {
                    context: file.clone(),
                    source,
                })?;
        }
        Ok(CountsSource {
            h5,
            matrix_path,
            matrix_label,
            detected_matrix,
            var_path,
            cell_ids: obs.index,
            metadata,
            gene_ids,
            gene_source,
            fix,
            file,
        })
    }
}

/// The measured-gene mask synthbio writes (`layers["synthbio_measured"]`), as rows, if
/// the file has one (dense). Its shape is checked against the counts by
/// `Measured::from_rows` and `Dataset::with_measured`.
fn read_measured(ctx: Ctx<'_>, root: &Group) -> Result<Option<Vec<Vec<bool>>>, H5adError> {
    let path = format!("layers/{MEASURED_LAYER}");
    if kind(root, &path) != Kind::Dataset {
        return Ok(None);
    }
    let ds = root.dataset(&path).map_err(ctx.err(&path))?;
    let mask: ndarray::Array2<bool> = match ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(ctx.err(&path))?
    {
        hdf5::types::TypeDescriptor::Boolean => ds.read_2d::<bool>(),
        _ => ds.read_2d::<i64>().map(|a| a.mapv(|v| v != 0)),
    }
    .map_err(ctx.err(&path))?;
    Ok(Some(mask.rows().into_iter().map(|r| r.to_vec()).collect()))
}

/// The matrices of the file, for messages: `X`, `raw.X`, `layers["..."]`.
fn available(root: &Group) -> String {
    let mut found = Vec::new();
    if kind(root, "X") != Kind::Absent {
        found.push("X".to_string());
    }
    if kind(root, "raw/X") != Kind::Absent {
        found.push("raw.X".to_string());
    }
    if kind(root, "layers") == Kind::Group {
        if let Ok(names) = root.group("layers").and_then(|g| g.member_names()) {
            found.extend(names.iter().map(|n| format!("layers[{n:?}]")));
        }
    }
    if found.is_empty() {
        "none".into()
    } else {
        found.join(", ")
    }
}

/// The HDF5 path and label of the counts matrix, and whether it was detected.
fn choose_matrix(
    ctx: Ctx<'_>,
    root: &Group,
    asked: &CountsMatrix,
) -> Result<(String, String, bool), H5adError> {
    let present = |p: &str| kind(root, p) != Kind::Absent;
    let (path, label) = match asked {
        CountsMatrix::Auto => {
            return Ok(if present("layers/counts") {
                ("layers/counts".into(), "layers[\"counts\"]".into(), true)
            } else if present("raw/X") {
                ("raw/X".into(), "raw.X".into(), true)
            } else if present("X") {
                ("X".into(), "X".into(), true)
            } else {
                return Err(H5adError::UnknownMatrix {
                    file: ctx.file.to_string(),
                    asked: "X, raw.X or layers[\"counts\"]".into(),
                    available: available(root),
                });
            })
        }
        CountsMatrix::X => ("X".to_string(), "X".to_string()),
        CountsMatrix::RawX => ("raw/X".to_string(), "raw.X".to_string()),
        CountsMatrix::Layer(name) => (format!("layers/{name}"), format!("layers[{name:?}]")),
    };
    if !present(&path) {
        return Err(H5adError::UnknownMatrix {
            file: ctx.file.to_string(),
            asked: label,
            available: available(root),
        });
    }
    Ok((path, label, false))
}

/// What to say when the chosen matrix holds a value that is not a count.
fn counts_fix(root: &Group, asked: &CountsMatrix, path: &str) -> String {
    let others = available(root);
    match (asked, path) {
        (CountsMatrix::Auto, "X") => format!(
            "X looks normalized and the file has no layers[\"counts\"] or raw.X to take raw counts from; \
             save the raw counts with the file (adata.layers[\"counts\"] = adata.X.copy() before normalizing), \
             or name the matrix that holds them with --layer (this file has: {others})"
        ),
        _ => format!(
            "name the matrix that holds the raw counts with --layer (this file has: {others})"
        ),
    }
}

/// The gene ids and where they came from.
fn gene_ids(
    ctx: Ctx<'_>,
    var: &Frame,
    var_path: &str,
    asked: &GeneIdColumn,
) -> Result<(Vec<String>, String), H5adError> {
    let mostly_ensembl = |ids: &[Option<String>]| {
        !ids.is_empty()
            && 2 * ids
                .iter()
                .filter(|s| s.as_deref().is_some_and(is_ensembl_gene_id))
                .count()
                >= ids.len()
    };
    let column = match asked {
        GeneIdColumn::Index => None,
        GeneIdColumn::Column(name) => Some(name.as_str()),
        GeneIdColumn::Auto => {
            let index: Vec<Option<String>> = var.index.iter().cloned().map(Some).collect();
            if mostly_ensembl(&index) {
                None
            } else {
                var.columns
                    .iter()
                    .filter(|(_, v)| mostly_ensembl(v))
                    .min_by_key(|(n, _)| {
                        ID_COLUMNS
                            .iter()
                            .position(|c| c.eq_ignore_ascii_case(n))
                            .unwrap_or(ID_COLUMNS.len())
                    })
                    .map(|(n, _)| n.as_str())
            }
        }
    };
    let Some(name) = column else {
        if is_row_numbers(&var.index) {
            return Err(H5adError::NoGeneIds {
                file: ctx.file.to_string(),
                frame: var_path.to_string(),
                examples: var
                    .index
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                available: var.names(),
            });
        }
        return Ok((var.index.clone(), format!("the {var_path} index")));
    };
    let values = var
        .columns
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .ok_or_else(|| H5adError::NoGeneIdColumn {
            file: ctx.file.to_string(),
            frame: var_path.to_string(),
            column: name.to_string(),
            available: var.names(),
        })?;
    let mut ids = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(id) => ids.push(id.clone()),
            None => {
                return Err(H5adError::Ids {
                    file: ctx.file.to_string(),
                    problem: format!(
                        "{var_path} column {name:?} has no gene id for gene {} ({}); fill it in, or take the gene ids from the index",
                        i + 1,
                        var.index[i]
                    ),
                })
            }
        }
    }
    let how = if matches!(asked, GeneIdColumn::Auto) {
        " (detected: the index holds no Ensembl ids)"
    } else {
        ""
    };
    Ok((ids, format!("{var_path} column {name:?}{how}")))
}

/// Whether an index is `0, 1, 2, ...`: what anndata stores when no names were given.
fn is_row_numbers(index: &[String]) -> bool {
    !index.is_empty() && index.iter().enumerate().all(|(i, s)| *s == i.to_string())
}
