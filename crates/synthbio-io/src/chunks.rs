//! Counts read in chunks of cells, for matrices larger than memory: what every
//! chunked reader hands out, and the builder of its sparse rows.

use crate::error::IoError;
use synthbio_core::{MetadataTable, SparseCounts};

/// A chunk of consecutive cells.
#[derive(Debug, Clone, PartialEq)]
pub struct CountsChunk {
    /// Index of the chunk's first cell among the file's cells.
    pub first: usize,
    /// The counts of cells `first..first + counts.rows()`, each row's genes
    /// sorted, repeated coordinates summed (as scipy does).
    pub counts: SparseCounts,
}

/// A counts file read chunk by chunk, in its order of cells: the ids are known
/// from the start, the counts arrive one chunk at a time.
pub trait CountsChunks {
    /// The gene ids, in the matrix's order (the chunks' columns).
    fn gene_ids(&self) -> &[String];
    /// Every cell's id, in the matrix's order.
    fn cell_ids(&self) -> &[String];
    /// The cells' metadata the file carries.
    fn metadata(&self) -> &MetadataTable;
    /// The next chunk of cells, or `None` after the last cell.
    fn next_chunk(&mut self) -> Result<Option<CountsChunk>, IoError>;
}

/// Builds a chunk's CSR arrays row by row: genes sorted and repeats summed
/// when a row closes.
pub(crate) struct CsrBuilder {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<u32>,
    row: Vec<(u32, u32)>,
}

impl CsrBuilder {
    pub fn new() -> Self {
        CsrBuilder {
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
            row: Vec::new(),
        }
    }

    /// Adds a count to the open row (zeros are left out).
    pub fn push(&mut self, gene: u32, count: u32) {
        if count > 0 {
            self.row.push((gene, count));
        }
    }

    /// Closes the open row. A sum of repeats past `u32::MAX` is `Err(gene)`.
    pub fn close_row(&mut self) -> Result<(), u32> {
        if !self.row.is_sorted_by_key(|&(g, _)| g) {
            self.row.sort_by_key(|&(g, _)| g);
        }
        let start = self.indices.len();
        for &(gene, count) in &self.row {
            match self.data.last_mut() {
                Some(last) if self.indices.len() > start && self.indices.last() == Some(&gene) => {
                    *last = last.checked_add(count).ok_or(gene)?;
                }
                _ => {
                    self.indices.push(gene);
                    self.data.push(count);
                }
            }
        }
        self.row.clear();
        self.indptr.push(self.indices.len());
        Ok(())
    }

    /// Adds empty rows until there are `rows` closed rows.
    pub fn empty_rows_to(&mut self, rows: usize) {
        self.indptr.resize(rows + 1, self.indices.len());
    }

    /// Closed rows so far.
    pub fn rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Stored entries of the closed rows.
    pub fn entries(&self) -> usize {
        self.indices.len()
    }

    /// The closed rows as a chunk of `n_genes` columns; `bad` words a failure.
    pub fn finish(
        self,
        first: usize,
        n_genes: usize,
        bad: impl FnOnce(String) -> IoError,
    ) -> Result<CountsChunk, IoError> {
        let rows = self.rows();
        let counts =
            SparseCounts::try_new((rows, n_genes), self.indptr, self.indices, self.data)
                .map_err(|(_, _, _, e)| bad(format!("could not assemble a chunk of cells: {e}")))?;
        Ok(CountsChunk { first, counts })
    }
}
