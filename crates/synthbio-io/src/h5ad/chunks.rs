//! An `.h5ad` counts matrix read in chunks of cells: rows of a dense `X` or of a
//! CSR matrix are read as HDF5 slices, so memory holds the ids, the row
//! pointers and one chunk.

use super::matrix::{describe_labelled, Layout};
use super::read::CountsSource;
use super::H5adOptions;
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
    src: CountsSource,
    layout: Layout,
    /// Row pointers of a CSR matrix (empty for a dense one).
    indptr: Vec<i64>,
    max_entries: usize,
    next_cell: usize,
}

impl H5adChunks {
    /// Opens the file; a chunk holds about `max_entries` stored entries (at least one cell).
    pub fn open(path: &Path, options: &H5adOptions, max_entries: usize) -> Result<Self, IoError> {
        let src = CountsSource::open(path, options)?;
        let ctx = src.ctx();
        let matrix = &src.matrix_path;
        let (layout, n, g) = describe_labelled(ctx, &src.h5, matrix, &src.labels())?;
        if g > u32::MAX as usize {
            return Err(ctx
                .inconsistent(format!(
                    "{} has {g} genes, more than 4294967295",
                    src.matrix_label
                ))
                .into());
        }
        let indptr = match layout {
            Layout::Dense => Vec::new(),
            Layout::Sparse { by_row: false } => {
                return Err(ctx
                    .unsupported(
                        matrix,
                        "a CSC matrix (stored gene by gene)".into(),
                        "reading in chunks of cells needs cells as rows: convert it once (adata.X = adata.X.tocsr(), or the layer you read, then adata.write_h5ad), or read the file whole (without --stream)",
                    )
                    .into())
            }
            Layout::Sparse { by_row: true } => {
                let element = format!("{matrix}/indptr");
                let indptr: Vec<i64> = src
                    .h5
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
        Ok(H5adChunks {
            src,
            layout,
            indptr,
            max_entries: max_entries.max(1),
            next_cell: 0,
        })
    }

    /// A value that is not a count, named by its cell and gene.
    fn not_count(&self, value: f64, cell: usize, gene: usize, problem: CountProblem) -> IoError {
        self.src
            .labels()
            .not_count(self.src.ctx(), value, cell, gene, problem)
            .into()
    }

    /// Rows `first..end` of a dense matrix.
    fn dense_rows(&self, first: usize, end: usize) -> Result<CsrBuilder, IoError> {
        let ds = self
            .src
            .h5
            .dataset(&self.src.matrix_path)
            .map_err(self.src.ctx().err(&self.src.matrix_path))?;
        let block: Array2<f64> = ds
            .read_slice_2d((first..end, ..))
            .map_err(self.src.ctx().err(&self.src.matrix_path))?;
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
        let ctx = self.src.ctx();
        let group = self
            .src
            .h5
            .group(&self.src.matrix_path)
            .map_err(ctx.err(&self.src.matrix_path))?;
        // The pointers were checked to rise from 0 at opening.
        let (lo, hi) = (self.indptr[first] as usize, self.indptr[end] as usize);
        let element = |name: &str| format!("{}/{name}", self.src.matrix_path);
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
        let g = self.src.gene_ids.len();
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
                            self.src.cell_ids[cell]
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
        &self.src.gene_ids
    }

    fn cell_ids(&self) -> &[String] {
        &self.src.cell_ids
    }

    fn metadata(&self) -> &MetadataTable {
        &self.src.metadata
    }

    fn next_chunk(&mut self) -> Result<Option<CountsChunk>, IoError> {
        let n = self.src.cell_ids.len();
        let first = self.next_cell;
        if first >= n {
            return Ok(None);
        }
        let g = self.src.gene_ids.len();
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
        let ctx = self.src.ctx();
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
