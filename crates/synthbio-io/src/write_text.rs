//! Writing matrices and tables as delimited text, with quoting where a field needs it
//! (the `csv` crate's).

use crate::delimited::Delimiter;
use crate::error::{write_err, IoError};
use ndarray::ArrayView2;
use std::fmt::{Display, Write as _};
use std::io::Write;
use synthbio_core::{Cell, Table};

fn writer(
    w: &mut (dyn Write + Send),
    delimiter: Delimiter,
) -> csv::Writer<&mut (dyn Write + Send)> {
    csv::WriterBuilder::new()
        .delimiter(delimiter.byte())
        .has_headers(false)
        .flexible(false)
        .from_writer(w)
}

fn csv_err(file: &str) -> impl Fn(csv::Error) -> IoError + '_ {
    move |e| write_err(file)(e.into())
}

/// Writes a samples x genes matrix with genes as rows: a header `gene_id` then the
/// sample ids, then one row per gene.
pub(crate) fn write_matrix<T: Display + Copy>(
    w: &mut (dyn Write + Send),
    file: &str,
    delimiter: Delimiter,
    values: ArrayView2<'_, T>,
    gene_ids: &[String],
    sample_ids: &[String],
) -> Result<(), IoError> {
    let err = csv_err(file);
    let mut out = writer(w, delimiter);
    out.write_field("gene_id").map_err(&err)?;
    for s in sample_ids {
        out.write_field(s).map_err(&err)?;
    }
    out.write_record(None::<&[u8]>).map_err(&err)?;
    let mut buf = String::new();
    for (g, gene) in gene_ids.iter().enumerate() {
        out.write_field(gene).map_err(&err)?;
        for v in values.column(g) {
            buf.clear();
            // Writing to a String cannot fail.
            let _ = write!(buf, "{v}");
            out.write_field(&buf).map_err(&err)?;
        }
        out.write_record(None::<&[u8]>).map_err(&err)?;
    }
    out.flush().map_err(write_err(file))
}

/// Writes a table: its header, then its rows (each must be as long as the header).
pub(crate) fn write_table(
    w: &mut (dyn Write + Send),
    file: &str,
    delimiter: Delimiter,
    table: &Table,
) -> Result<(), IoError> {
    let err = csv_err(file);
    let mut out = writer(w, delimiter);
    out.write_record(&table.columns).map_err(&err)?;
    for (i, row) in table.rows.iter().enumerate() {
        check_row(file, table, i)?;
        out.write_record(row.iter().map(Cell::to_text))
            .map_err(&err)?;
    }
    out.flush().map_err(write_err(file))
}

/// Checks that row `i` of a table is as long as its header.
pub(crate) fn check_row(file: &str, table: &Table, i: usize) -> Result<(), IoError> {
    let found = table.rows[i].len();
    if found == table.columns.len() {
        Ok(())
    } else {
        Err(IoError::Shape {
            file: file.to_string(),
            what: format!("table row {}", i + 1),
            expected: table.columns.len(),
            found,
            fix: "every row needs one cell per column (the table was built wrongly)",
        })
    }
}
