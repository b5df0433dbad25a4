//! Reading a Matrix Market file in chunks of cells, for matrices larger than
//! memory: only the id files and one chunk are held at a time.

use crate::chunks::{CountsChunk, CountsChunks, CsrBuilder};
use crate::error::IoError;
use crate::mtx_read::{EntryReader, MtxLayout};
use crate::value::parse_count;
use std::path::Path;
use synthbio_core::MetadataTable;

/// Reads the cells of a Matrix Market file chunk by chunk, in file order.
///
/// The id files are read as [`crate::read_matrix_market`] reads them; each chunk
/// holds whole cells and about `max_entries` stored entries (more when one cell
/// alone has more). The entries of a cell must be together in the file, as Cell
/// Ranger (genes x cells, sorted by column) and `scipy.io.mmwrite` of a cells x
/// genes CSR matrix (sorted by row) write them; a file that is not is refused at
/// the first entry out of place.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let (mtx, genes, cells) = (dir.path().join("m.mtx"), dir.path().join("g.tsv"), dir.path().join("c.tsv"));
/// std::fs::write(&genes, "ENSG00000000003\nENSG00000000005\n")?;
/// std::fs::write(&cells, "AAAC-1\nAAAG-1\nAAAT-1\n")?;
/// std::fs::write(&mtx, "%%MatrixMarket matrix coordinate integer general\n2 3 3\n1 1 4\n2 1 1\n2 3 7\n")?;
/// use synthbio_io::{CountsChunks, MtxChunks};
/// let mut chunks = MtxChunks::open(&mtx, &genes, &cells, 2)?;
/// let first = chunks.next_chunk()?.unwrap();
/// assert_eq!((first.first, first.counts.rows()), (0, 1));
/// assert_eq!(first.counts.nnz(), 2);
/// let rest = chunks.next_chunk()?.unwrap();
/// assert_eq!((rest.first, rest.counts.rows()), (1, 2));
/// assert_eq!(rest.counts.get(1, 1), Some(&7));
/// assert!(chunks.next_chunk()?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct MtxChunks {
    entries: EntryReader,
    layout: MtxLayout,
    max_entries: usize,
    /// The first cell the next chunk holds.
    next_cell: usize,
    /// An entry read past the end of the last chunk: (gene, cell, count).
    pending: Option<(usize, usize, u32)>,
}

impl MtxChunks {
    /// Opens a Matrix Market file with its gene and cell id files; a chunk holds
    /// about `max_entries` stored entries (at least one cell).
    pub fn open(
        mtx: &Path,
        genes: &Path,
        cells: &Path,
        max_entries: usize,
    ) -> Result<Self, IoError> {
        let entries = EntryReader::open(mtx)?;
        let layout = MtxLayout::resolve(&entries, genes, cells)?;
        if layout.gene_ids.len() > u32::MAX as usize {
            return Err(entries.bad(format!(
                "{} genes are more than 4294967295; split the matrix",
                layout.gene_ids.len()
            )));
        }
        Ok(MtxChunks {
            entries,
            layout,
            max_entries: max_entries.max(1),
            next_cell: 0,
            pending: None,
        })
    }

    /// The stored entries the file declares.
    pub fn declared_entries(&self) -> usize {
        self.entries.banner.entries
    }

    /// The next entry as (gene, cell, count).
    fn read_entry(&mut self) -> Result<Option<(usize, usize, u32)>, IoError> {
        let Some((i, j)) = self.entries.next_entry()? else {
            return Ok(None);
        };
        let (gene, cell) = self.layout.gene_and_cell(i, j);
        let v = self.entries.value_bytes();
        let value = parse_count(v).map_err(|problem| {
            self.entries.bad(format!(
                "value {:?} for cell {}, gene {} {problem}",
                String::from_utf8_lossy(v),
                self.layout.cell_ids[cell],
                self.layout.gene_ids[gene]
            ))
        })?;
        Ok(Some((gene, cell, value)))
    }

    /// Closes the row of `cell` in `rows`.
    fn close_row(&self, rows: &mut CsrBuilder, cell: usize) -> Result<(), IoError> {
        rows.close_row().map_err(|gene| {
            self.entries.bad(format!(
                "repeated entries for cell {}, gene {} sum to more than 4294967295; the file may be damaged",
                self.layout.cell_ids[cell], self.layout.gene_ids[gene as usize]
            ))
        })
    }
}

impl CountsChunks for MtxChunks {
    fn gene_ids(&self) -> &[String] {
        &self.layout.gene_ids
    }

    fn cell_ids(&self) -> &[String] {
        &self.layout.cell_ids
    }

    fn metadata(&self) -> &MetadataTable {
        &self.layout.metadata
    }

    fn next_chunk(&mut self) -> Result<Option<CountsChunk>, IoError> {
        let n_cells = self.layout.cell_ids.len();
        if self.next_cell >= n_cells {
            return Ok(None);
        }
        let first = self.next_cell;
        let mut current = first;
        let mut rows = CsrBuilder::new();
        loop {
            let entry = match self.pending.take() {
                Some(entry) => Some(entry),
                None => self.read_entry()?,
            };
            let Some((gene, cell, value)) = entry else {
                self.close_row(&mut rows, current)?;
                rows.empty_rows_to(n_cells - first);
                self.next_cell = n_cells;
                break;
            };
            if cell < current {
                return Err(self.entries.bad(format!(
                    "an entry of cell {:?} comes after entries of cell {:?}: reading in chunks needs each cell's entries together, as Cell Ranger and scipy.io.mmwrite of a cells x genes CSR matrix write them; sort the entry lines by cell, or read the file whole (without --stream)",
                    self.layout.cell_ids[cell], self.layout.cell_ids[current]
                )));
            }
            if cell > current {
                self.close_row(&mut rows, current)?;
                if rows.entries() >= self.max_entries {
                    self.pending = Some((gene, cell, value));
                    self.next_cell = current + 1;
                    break;
                }
                // Cells without entries between the two are empty rows.
                rows.empty_rows_to(cell - first);
                current = cell;
            }
            // Gene indices are below the gene count, checked to fit u32 at opening.
            rows.push(gene as u32, value);
        }
        let n_genes = self.layout.gene_ids.len();
        rows.finish(first, n_genes, |p| self.entries.bad(p))
            .map(Some)
    }
}
