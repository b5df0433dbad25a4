//! Writing a dataset as Matrix Market with its id files, as 10x Genomics lays them out.

use crate::atomic::atomic_maybe_gzip;
use crate::error::{write_err, IoError};
use crate::format::OutputFormat;
use crate::write::{metadata_table, write_table};
use std::path::Path;
use synthbio_core::{Dataset, Table};

/// Writes a dataset as a Matrix Market `coordinate integer general` file, genes x cells
/// (1-based, zeros not stored, cell after cell), gzipped when `mtx` ends in `.gz`; the
/// gene ids to `genes` (header `gene_id`) and the sample ids with their metadata to
/// `cells` (header `cell_id`, then the metadata columns), as `.tsv` or `.csv` by
/// extension. [`read_matrix_market`](crate::read_matrix_market) reads them back.
pub fn write_matrix_market(
    dataset: &Dataset,
    mtx: &Path,
    genes: &Path,
    cells: &Path,
) -> Result<(), IoError> {
    for path in [genes, cells] {
        if !matches!(
            OutputFormat::from_path(path, "an id file")?,
            OutputFormat::Text { .. }
        ) {
            return Err(IoError::Format {
                file: path.display().to_string(),
                what: "an id file",
                allowed: ".tsv, .txt or .csv (optionally followed by .gz)",
            });
        }
    }
    let file = mtx.display().to_string();
    let gzip = file.to_ascii_lowercase().ends_with(".gz");
    let counts = dataset.counts();
    let entries = counts.iter().filter(|&&v| v != 0).count();
    atomic_maybe_gzip(mtx, gzip, |w| {
        let err = write_err(&file);
        let mut body = || -> std::io::Result<()> {
            writeln!(w, "%%MatrixMarket matrix coordinate integer general")?;
            writeln!(w, "% written by synthbio-io: genes x cells")?;
            writeln!(w, "{} {} {entries}", dataset.n_genes(), dataset.n_samples())?;
            for (cell, row) in counts.rows().into_iter().enumerate() {
                for (gene, &v) in row.iter().enumerate() {
                    if v != 0 {
                        writeln!(w, "{} {} {v}", gene + 1, cell + 1)?;
                    }
                }
            }
            Ok(())
        };
        body().map_err(err)
    })?;
    let mut gene_table = Table::new(["gene_id"]);
    gene_table.rows = dataset
        .gene_ids()
        .iter()
        .map(|g| vec![g.as_str().into()])
        .collect();
    write_table(genes, &gene_table)?;
    let mut cell_table = metadata_table(dataset);
    cell_table.columns[0] = "cell_id".into();
    write_table(cells, &cell_table)?;
    Ok(())
}
