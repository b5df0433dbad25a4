//! Reading Matrix Market coordinate files (10x Genomics / scanpy exports) with their
//! gene and cell id files.
//!
//! The format is a header line, `%` comment lines, a size line and one `row column value`
//! line per stored entry; no crate reads it into a dense `u32` matrix while streaming
//! and checking every value as a count, so the few lines of parsing are written here.

use crate::delimited::{Delimited, SingleColumn};
use crate::detect::{Detected, Orientation, OrientationBasis, SourceFormat};
use crate::error::IoError;
use crate::source::Source;
use crate::value::parse_count;
use ndarray::Array2;
use std::collections::HashMap;
use std::io::BufRead;
use std::ops::Range;
use std::path::Path;
use synthbio_core::{Dataset, MetadataTable};

/// An id file as read: its lines, each split into fields.
struct IdFile {
    file: String,
    lines: Vec<Vec<String>>,
    /// The 1-based line number of each entry of `lines`.
    line_numbers: Vec<u64>,
}

impl IdFile {
    fn read(path: &Path) -> Result<IdFile, IoError> {
        let mut src = Delimited::open(
            path,
            None,
            SingleColumn::Allow,
            "one id per line in its first column",
        )?;
        let mut lines = vec![src.header.clone()];
        let mut line_numbers = vec![1 + src.comment_lines as u64];
        while let Some(line) = src.next_record()? {
            let fields = (0..src.record().len())
                .map(|i| src.text(i, line).map(str::to_string))
                .collect::<Result<Vec<_>, _>>()?;
            lines.push(fields);
            line_numbers.push(line);
        }
        Ok(IdFile {
            file: src.file,
            lines,
            line_numbers,
        })
    }

    /// Rejects an empty or repeated id.
    fn check_ids(&self, header: bool) -> Result<(), IoError> {
        let mut seen: HashMap<&str, u64> = HashMap::with_capacity(self.lines.len());
        let skip = usize::from(header);
        for (fields, &line) in self.lines.iter().zip(&self.line_numbers).skip(skip) {
            let id = fields[0].as_str();
            if id.is_empty() {
                return Err(IoError::EmptyId {
                    file: self.file.clone(),
                    place: format!("line {line}"),
                });
            }
            if let Some(first) = seen.insert(id, line) {
                return Err(IoError::DuplicateId {
                    file: self.file.clone(),
                    id: id.to_string(),
                    places: format!("lines {first} and {line}"),
                });
            }
        }
        Ok(())
    }

    /// Whether the file has a header line, given that it must describe `n` ids.
    fn header_for(&self, n: usize) -> Option<bool> {
        match self.lines.len() {
            l if l == n => Some(false),
            l if l == n + 1 => Some(true),
            _ => None,
        }
    }

    /// The ids (first fields), skipping the header line if there is one.
    fn ids(&self, header: bool) -> Vec<String> {
        self.lines
            .iter()
            .skip(usize::from(header))
            .map(|l| l[0].clone())
            .collect()
    }
}

/// The matrix's header: its size and whether values may be written as reals.
pub(crate) struct Banner {
    pub rows: usize,
    pub cols: usize,
    pub entries: usize,
}

/// Reads a Matrix Market file of counts (`coordinate integer general`, or `real` holding
/// whole numbers) with a gene id file and a cell id file (10x `features.tsv` /
/// `barcodes.tsv`, or tables with a header such as `gene_id`/`cell_id`; gzipped or not).
///
/// The matrix is genes x cells as 10x writes it, or cells x genes (scanpy's `adata.X`);
/// which one is told from the lengths of the id files (genes x cells when both fit).
/// An id file has one line per id, plus an optional header line; ids are its first column.
/// When the cell file has a header, its other columns become sample metadata.
/// Repeated coordinates are summed, as scipy does.
pub fn read_matrix_market(
    mtx: &Path,
    genes: &Path,
    cells: &Path,
) -> Result<(Dataset, Detected), IoError> {
    let mut entries = EntryReader::open(mtx)?;
    let layout = MtxLayout::resolve(&entries, genes, cells)?;
    let (gene_ids, cell_ids) = (&layout.gene_ids, &layout.cell_ids);
    let (n_genes, n_cells) = (gene_ids.len(), cell_ids.len());
    if n_genes
        .checked_mul(n_cells)
        .is_none_or(|n| n > isize::MAX as usize / 4)
    {
        return Err(entries.bad(format!("{n_genes} genes x {n_cells} cells is too large to hold as a dense matrix; subset the cells first, or read it in chunks of cells (`synthbio normalize --stream`)")));
    }
    let mut counts = Array2::<u32>::zeros((n_cells, n_genes));
    while let Some((i, j)) = entries.next_entry()? {
        let (gene, cell) = layout.gene_and_cell(i, j);
        let v = entries.value_bytes();
        let value = parse_count(v).map_err(|problem| {
            entries.bad(format!(
                "value {:?} for cell {}, gene {} {problem}",
                String::from_utf8_lossy(v),
                cell_ids[cell],
                gene_ids[gene]
            ))
        })?;
        let slot = &mut counts[[cell, gene]];
        *slot = slot.checked_add(value).ok_or_else(|| {
            entries.bad(format!("repeated entries for cell {}, gene {} sum to more than 4294967295; the file may be damaged", cell_ids[cell], gene_ids[gene]))
        })?;
    }
    let detected = Detected {
        format: SourceFormat::MatrixMarket,
        gzip: entries.src.gzip,
        orientation: layout.orientation,
        basis: OrientationBasis::IdFileLengths,
        n_genes,
        n_samples: n_cells,
        comment_lines: 0,
        skipped_columns: Vec::new(),
        empty_cells: 0,
        source: None,
    };
    let context = entries.src.file.clone();
    let MtxLayout {
        gene_ids,
        cell_ids,
        metadata,
        ..
    } = layout;
    let dataset = Dataset::new(counts, gene_ids, cell_ids)
        .and_then(|d| d.with_metadata(metadata))
        .map_err(|source| IoError::Dataset { context, source })?;
    Ok((dataset, detected))
}

/// Which side of a Matrix Market file holds the genes, told from its id files,
/// with the ids and the cells' metadata.
pub(crate) struct MtxLayout {
    pub orientation: Orientation,
    pub gene_ids: Vec<String>,
    pub cell_ids: Vec<String>,
    /// The cell file's columns after the first when it has a header, else none.
    pub metadata: MetadataTable,
}

impl MtxLayout {
    /// Reads and checks the id files of the matrix `entries` reads.
    pub fn resolve(entries: &EntryReader, genes: &Path, cells: &Path) -> Result<Self, IoError> {
        let banner = &entries.banner;
        let gene_file = IdFile::read(genes)?;
        let cell_file = IdFile::read(cells)?;
        let fits = |g: usize, c: usize| Some((gene_file.header_for(g)?, cell_file.header_for(c)?));
        let (orientation, (gene_header, cell_header)) =
            if let Some(h) = fits(banner.rows, banner.cols) {
                (Orientation::GenesAsRows, h)
            } else if let Some(h) = fits(banner.cols, banner.rows) {
                (Orientation::SamplesAsRows, h)
            } else {
                return Err(IoError::IdFiles {
                    mtx: entries.src.file.clone(),
                    rows: banner.rows,
                    cols: banner.cols,
                    genes: gene_file.file,
                    gene_lines: gene_file.lines.len(),
                    cells: cell_file.file,
                    cell_lines: cell_file.lines.len(),
                });
            };
        gene_file.check_ids(gene_header)?;
        cell_file.check_ids(cell_header)?;
        let cell_ids = cell_file.ids(cell_header);
        let metadata = if cell_header {
            cell_metadata(&cell_file)
        } else {
            MetadataTable::new(cell_ids.len())
        };
        Ok(MtxLayout {
            orientation,
            gene_ids: gene_file.ids(gene_header),
            cell_ids,
            metadata,
        })
    }

    /// The (gene, cell) of the entry at (row, column).
    pub fn gene_and_cell(&self, row: usize, col: usize) -> (usize, usize) {
        match self.orientation {
            Orientation::GenesAsRows => (row, col),
            Orientation::SamplesAsRows => (col, row),
        }
    }
}

/// A Matrix Market file's size and its stored entries, 0-based, zeros left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MtxTriplets {
    /// Rows of the matrix.
    pub rows: usize,
    /// Columns of the matrix.
    pub cols: usize,
    /// `(row, column, count)` of every non-zero entry, in file order
    /// (repeated coordinates are kept as stored).
    pub entries: Vec<(u32, u32, u32)>,
}

/// Reads a Matrix Market file of counts as its entries, without building a
/// dense matrix (for matrices too large to hold dense, such as a
/// single-cell training set); every value is checked as a count.
pub fn read_mtx_triplets(mtx: &Path) -> Result<MtxTriplets, IoError> {
    let mut reader = EntryReader::open(mtx)?;
    let (rows, cols) = (reader.banner.rows, reader.banner.cols);
    if rows.max(cols) > u32::MAX as usize {
        return Err(reader.bad(format!(
            "{rows} x {cols} is larger than 4294967295 rows or columns; split the matrix"
        )));
    }
    // The declared count is checked against the file at the end; a hostile one
    // cannot make the reservation large.
    let mut entries = Vec::with_capacity(reader.banner.entries.min(1 << 24));
    while let Some((i, j)) = reader.next_entry()? {
        let v = reader.value_bytes();
        let value = parse_count(v).map_err(|problem| {
            reader.bad(format!(
                "value {:?} at row {}, column {} {problem}",
                String::from_utf8_lossy(v),
                i + 1,
                j + 1
            ))
        })?;
        if value > 0 {
            // Both indices are below the banner's sizes, checked above to fit u32.
            entries.push((i as u32, j as u32, value));
        }
    }
    Ok(MtxTriplets {
        rows,
        cols,
        entries,
    })
}

/// Reads a Matrix Market file entry by entry: the banner first, then each
/// `row column value` line with 0-based indices checked against the banner; at
/// the end, that the file holds as many entries as its size line declares.
///
/// Lines are read as bytes and the indices parsed digit by digit: a file of a
/// million cells has hundreds of millions of lines, and UTF-8 checks and
/// `str::parse` took a third of the time of reading it.
pub(crate) struct EntryReader {
    pub src: Source,
    pub banner: Banner,
    line: Vec<u8>,
    line_no: u64,
    seen: usize,
    /// Where the current entry's value lies in `line`.
    value: Range<usize>,
}

impl EntryReader {
    /// Opens the file and reads its banner and size line.
    pub fn open(mtx: &Path) -> Result<Self, IoError> {
        let mut src = Source::open(mtx)?;
        let mut line_no = 0;
        let banner = read_banner(&mut src, &mut String::new(), &mut line_no)?;
        Ok(EntryReader {
            src,
            banner,
            line: Vec::new(),
            line_no,
            seen: 0,
            value: 0..0,
        })
    }

    /// An error at the current line.
    pub fn bad(&self, problem: String) -> IoError {
        IoError::MatrixMarket {
            file: self.src.file.clone(),
            line: self.line_no,
            problem,
        }
    }

    /// The value of the entry [`EntryReader::next_entry`] returned last.
    pub fn value_bytes(&self) -> &[u8] {
        &self.line[self.value.clone()]
    }

    /// The next entry's 0-based (row, column), or `None` at the end of a
    /// complete file.
    pub fn next_entry(&mut self) -> Result<Option<(usize, usize)>, IoError> {
        loop {
            self.line.clear();
            self.line_no += 1;
            let read = self.src.reader.read_until(b'\n', &mut self.line);
            if read.map_err(|e| self.src.read_err(e))? == 0 {
                if self.seen != self.banner.entries {
                    return Err(self.bad(format!(
                        "the size line declares {} entries but the file holds {}; the file is truncated or damaged",
                        self.banner.entries, self.seen
                    )));
                }
                return Ok(None);
            }
            let mut fields: [Range<usize>; 3] = [0..0, 0..0, 0..0];
            let n = split_fields(&self.line, &mut fields);
            if n == 0 || self.line[fields[0].start] == b'%' {
                continue;
            }
            if n != 3 {
                let text = String::from_utf8_lossy(&self.line);
                return Err(self.bad(format!(
                    "expected `row column value`, found {:?}; the file may be damaged",
                    text.trim()
                )));
            }
            let [i, j, v] = fields;
            let (rows, cols) = (self.banner.rows, self.banner.cols);
            let Some(row) = index(&self.line[i.clone()], rows) else {
                return Err(self.bad(format!(
                    "row {:?} is not between 1 and {rows}; the file may be damaged",
                    String::from_utf8_lossy(&self.line[i])
                )));
            };
            let Some(col) = index(&self.line[j.clone()], cols) else {
                return Err(self.bad(format!(
                    "column {:?} is not between 1 and {cols}; the file may be damaged",
                    String::from_utf8_lossy(&self.line[j])
                )));
            };
            self.value = v;
            self.seen += 1;
            return Ok(Some((row, col)));
        }
    }
}

/// Splits a line at ASCII whitespace: the first three fields go to `fields`;
/// returns how many fields the line has.
fn split_fields(line: &[u8], fields: &mut [Range<usize>; 3]) -> usize {
    let (mut n, mut i) = (0, 0);
    while i < line.len() {
        while i < line.len() && line[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == line.len() {
            break;
        }
        let start = i;
        while i < line.len() && !line[i].is_ascii_whitespace() {
            i += 1;
        }
        if let Some(field) = fields.get_mut(n) {
            *field = start..i;
        }
        n += 1;
    }
    n
}

/// A 1-based index in `1..=n` written in decimal digits, as a 0-based one.
fn index(digits: &[u8], n: usize) -> Option<usize> {
    // 19 digits always fit u64: no overflow checks needed.
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut k: u64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        k = k * 10 + u64::from(d);
    }
    usize::try_from(k)
        .ok()
        .filter(|&k| (1..=n).contains(&k))
        .map(|k| k - 1)
}

/// Reads the `%%MatrixMarket` line, comments and the size line.
fn read_banner(src: &mut Source, line: &mut String, line_no: &mut u64) -> Result<Banner, IoError> {
    let mut next = |src: &mut Source, line: &mut String| -> Result<bool, IoError> {
        line.clear();
        *line_no += 1;
        Ok(src.reader.read_line(line).map_err(|e| src.read_err(e))? > 0)
    };
    let bad = |src: &Source, line_no: u64, problem: String| IoError::MatrixMarket {
        file: src.file.clone(),
        line: line_no,
        problem,
    };
    if !next(src, line)? {
        return Err(IoError::Empty {
            file: src.file.clone(),
            problem: "is empty",
            expected: "a Matrix Market file starting with %%MatrixMarket",
        });
    }
    let words: Vec<String> = line
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["%%matrixmarket", "matrix", "coordinate", "integer" | "real", "general"] => {}
        ["%%matrixmarket", "matrix", "array", ..] => {
            return Err(bad(src, 1, "the matrix is stored dense (array); only the sparse coordinate format is read: write it with scipy.io.mmwrite from a sparse matrix".into()))
        }
        ["%%matrixmarket", "matrix", "coordinate", field @ ("pattern" | "complex"), ..] => {
            return Err(bad(src, 1, format!("the matrix holds {field} values; counts must be stored as integer values")))
        }
        ["%%matrixmarket", "matrix", "coordinate", _, symmetry] => {
            return Err(bad(src, 1, format!("the matrix is {symmetry}; only general matrices are read (as 10x and scanpy write them)")))
        }
        _ => {
            return Err(bad(src, 1, format!("expected a Matrix Market header such as `%%MatrixMarket matrix coordinate integer general`, found {:?}; give the .mtx file as the matrix", line.trim())))
        }
    }
    loop {
        if !next(src, line)? {
            return Err(bad(
                src,
                *line_no,
                "the file ends before its size line; the file is truncated".into(),
            ));
        }
        let text = line.trim();
        if text.is_empty() || text.starts_with('%') {
            continue;
        }
        let sizes: Vec<Option<usize>> = text
            .split_ascii_whitespace()
            .map(|t| t.parse().ok())
            .collect();
        return match sizes.as_slice() {
            [Some(rows), Some(cols), Some(entries)] => Ok(Banner {
                rows: *rows,
                cols: *cols,
                entries: *entries,
            }),
            _ => Err(bad(src, *line_no, format!("expected the size line `rows columns entries`, found {text:?}; the file may be damaged"))),
        };
    }
}

/// The cell file's columns after the first, as metadata (empty cells missing).
fn cell_metadata(cells: &IdFile) -> MetadataTable {
    let header = &cells.lines[0];
    let rows = &cells.lines[1..];
    let mut table = MetadataTable::new(rows.len());
    for (j, name) in header.iter().enumerate().skip(1) {
        let column = rows
            .iter()
            .map(|r| r.get(j).filter(|v| !v.is_empty()).cloned())
            .collect();
        // The column has one entry per row by construction.
        let _ = table.set_column(name.clone(), column);
    }
    table
}
