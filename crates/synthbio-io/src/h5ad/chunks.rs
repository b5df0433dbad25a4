//! An `.h5ad` counts matrix read in chunks of cells: rows of a dense `X` or of a
//! CSR matrix are read as HDF5 slices, so memory holds the ids, the row
//! pointers and one chunk.

use super::frame::read_frame;
use super::hdf::Ctx;
use super::matrix::{describe, Layout};
use super::read::{choose_matrix, gene_ids};
use super::{H5adError, H5adOptions};
use crate::chunks::{CountsChunk, CountsChunks, CsrBuilder};
use crate::error::IoError;
use crate::value::count_from_f64;
use crate::CountProblem;
use ndarray::Array2;
use std::path::Path;
use synthbio_core::MetadataTable;

/// Reads the counts matrix of an `.h5ad` file chunk by chunk, in the order of
/// its cells, choosing the matrix and the gene ids as [`super::read_h5ad`]
/// does. The matrix must be dense or CSR (cells as rows); a CSC matrix is
/// refused with the conversion to make.
pub struct H5adChunks {
    file: String,
    h5: hdf5::File,
    path: String,
    label: String,
    layout: Layout,
    gene_ids: Vec<String>,
    cell_ids: Vec<String>,
    metadata: MetadataTable,
    /// Row pointers of a CSR matrix (empty for a dense one).
    indptr: Vec<i64>,
    max_entries: usize,
    next_cell: usize,
}

impl H5adChunks {
    /// Opens the file; a chunk holds about `max_entries` stored entries (at least one cell).
    pub fn open(path: &Path, options: &H5adOptions, max_entries: usize) -> Result<Self, IoError> {
        let file = path.display().to_string();
        if let Err(source) = std::fs::metadata(path) {
            return Err(IoError::Open { file, source });
        }
        let ctx = Ctx {
            file: &file,
            action: "read",
        };
        let h5 = hdf5::File::open(path).map_err(ctx.err("the file as HDF5"))?;
        let (matrix, label, _) = choose_matrix(ctx, &h5, &options.matrix)?;
        let var_path = if matrix == "raw/X" { "raw/var" } else { "var" };
        let obs = read_frame(ctx, &h5, "obs")?;
        let var = read_frame(ctx, &h5, var_path)?;
        let (gene_ids, _) = gene_ids(ctx, &var, var_path, &options.gene_ids)?;
        let (layout, n, g) = describe(ctx, &h5, &matrix)?;
        if (n, g) != (obs.index.len(), gene_ids.len()) {
            return Err(ctx
                .inconsistent(format!(
                    "{matrix} is {n} x {g} but the file lists {} cells and {} genes for it",
                    obs.index.len(),
                    gene_ids.len()
                ))
                .into());
        }
        if g > u32::MAX as usize {
            return Err(ctx
                .inconsistent(format!("{label} has {g} genes, more than 4294967295"))
                .into());
        }
        let indptr = match layout {
            Layout::Dense => Vec::new(),
            Layout::Sparse { by_row: false } => {
                return Err(ctx
                    .unsupported(
                        &matrix,
                        "a CSC matrix (stored gene by gene)".into(),
                        "reading in chunks of cells needs cells as rows: convert it once (adata.X = adata.X.tocsr(), or the layer you read, then adata.write_h5ad), or read the file whole (without --stream)",
                    )
                    .into())
            }
            Layout::Sparse { by_row: true } => {
                let element = format!("{matrix}/indptr");
                let indptr: Vec<i64> = h5
                    .dataset(&element)
                    .and_then(|d| d.read_raw::<i64>())
                    .map_err(ctx.err(&element))?;
                let rising = indptr.first() == Some(&0) && indptr.windows(2).all(|w| w[0] <= w[1]);
                if indptr.len() != n + 1 || !rising {
                    return Err(ctx
                        .inconsistent(format!(
                            "{element} has {} entries, expected {} rising from 0",
                            indptr.len(),
                            n + 1
                        ))
                        .into());
                }
                indptr
            }
        };
        let mut metadata = MetadataTable::new(obs.index.len());
        for (name, values) in obs.columns {
            metadata
                .set_column(name, values)
                .map_err(|source| IoError::Dataset {
                    context: file.clone(),
                    source,
                })?;
        }
        Ok(H5adChunks {
            file,
            h5,
            path: matrix,
            label,
            layout,
            gene_ids,
            cell_ids: obs.index,
            metadata,
            indptr,
            max_entries: max_entries.max(1),
            next_cell: 0,
        })
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            file: &self.file,
            action: "read",
        }
    }

    /// A value that is not a count, named by its cell and gene.
    fn not_count(&self, value: f64, cell: usize, gene: usize, problem: CountProblem) -> IoError {
        H5adError::NotCounts {
            file: self.file.clone(),
            matrix: self.label.clone(),
            value,
            at: format!("cell {}, gene {}", self.cell_ids[cell], self.gene_ids[gene]),
            problem,
            fix: "name the matrix that holds the raw counts with --layer".into(),
        }
        .into()
    }

    /// Rows `first..end` of a dense matrix.
    fn dense_rows(&self, first: usize, end: usize) -> Result<CsrBuilder, IoError> {
        let ds = self
            .h5
            .dataset(&self.path)
            .map_err(self.ctx().err(&self.path))?;
        let block: Array2<f64> = ds
            .read_slice_2d((first..end, ..))
            .map_err(self.ctx().err(&self.path))?;
        let mut rows = CsrBuilder::new();
        for (i, row) in block.outer_iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                let c = count_from_f64(v).map_err(|p| self.not_count(v, first + i, j, p))?;
                // Gene indices fit u32: checked at opening.
                rows.push(j as u32, c);
            }
            rows.close_row().map_err(|gene| {
                self.not_count(v_max(), first + i, gene as usize, CountProblem::TooLarge)
            })?;
        }
        Ok(rows)
    }

    /// Rows `first..end` of a CSR matrix.
    fn sparse_rows(&self, first: usize, end: usize) -> Result<CsrBuilder, IoError> {
        let ctx = self.ctx();
        let group = self.h5.group(&self.path).map_err(ctx.err(&self.path))?;
        // The pointers were checked to rise from 0 at opening.
        let (lo, hi) = (self.indptr[first] as usize, self.indptr[end] as usize);
        let element = |name: &str| format!("{}/{name}", self.path);
        let indices = group
            .dataset("indices")
            .and_then(|d| d.read_slice_1d::<i64, _>(lo..hi))
            .map_err(ctx.err(&element("indices")))?
            .to_vec();
        let data = group
            .dataset("data")
            .and_then(|d| d.read_slice_1d::<f64, _>(lo..hi))
            .map_err(ctx.err(&element("data")))?
            .to_vec();
        let g = self.gene_ids.len();
        let mut rows = CsrBuilder::new();
        for cell in first..end {
            let span = (self.indptr[cell] as usize - lo)..(self.indptr[cell + 1] as usize - lo);
            for k in span {
                let gene = usize::try_from(indices[k])
                    .ok()
                    .filter(|&j| j < g)
                    .ok_or_else(|| {
                        IoError::from(ctx.inconsistent(format!(
                            "{} holds gene index {} for cell {}, outside 0..{g}",
                            element("indices"),
                            indices[k],
                            self.cell_ids[cell]
                        )))
                    })?;
                let v = data[k];
                let c = count_from_f64(v).map_err(|p| self.not_count(v, cell, gene, p))?;
                rows.push(gene as u32, c);
            }
            rows.close_row().map_err(|gene| {
                self.not_count(v_max(), cell, gene as usize, CountProblem::TooLarge)
            })?;
        }
        Ok(rows)
    }
}

/// The smallest sum of repeats that no longer fits a count, for messages.
fn v_max() -> f64 {
    f64::from(u32::MAX) + 1.0
}

impl CountsChunks for H5adChunks {
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
        let n = self.cell_ids.len();
        let first = self.next_cell;
        if first >= n {
            return Ok(None);
        }
        let g = self.gene_ids.len();
        let (end, rows) = match self.layout {
            Layout::Dense => {
                let end = (first + (self.max_entries / g.max(1)).max(1)).min(n);
                (end, self.dense_rows(first, end)?)
            }
            Layout::Sparse { .. } => {
                // Whole cells until the chunk holds at least `max_entries` entries.
                let start = self.indptr[first];
                let mut end = first + 1;
                while end < n && ((self.indptr[end] - start) as usize) < self.max_entries {
                    end += 1;
                }
                (end, self.sparse_rows(first, end)?)
            }
        };
        self.next_cell = end;
        let ctx = self.ctx();
        rows.finish(first, g, |p| ctx.inconsistent(p).into())
            .map(Some)
    }
}

/// Opens an `.h5ad` file's counts for reading in chunks of cells (see [`H5adChunks`]).
pub fn h5ad_chunks(
    path: &Path,
    options: &H5adOptions,
    max_entries: usize,
) -> Result<Box<dyn CountsChunks>, IoError> {
    Ok(Box::new(H5adChunks::open(path, options, max_entries)?))
}
