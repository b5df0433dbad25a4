//! The bulk samples of `data/`, as the demo's studies read them.

use super::DemoError;
use std::path::Path;
use synthbio::core::{Dataset, Modality};
use synthbio::engine::Engine;
use synthbio::io::{
    align_genes, attach_metadata, read_counts, read_metadata, AlignOptions, CountsOptions,
};

/// The bulk samples of `data_dir` (`bulk/counts.tsv.gz` with the metadata of
/// `bulk/samples.tsv`), in the gene order of `engine`'s bulk models. Genes a
/// dataset did not measure (empty cells; GEUVADIS measured 9,976 of them) are
/// unmeasured in the dataset's mask, never zero.
pub fn read_bulk_samples(data_dir: &Path, engine: &Engine) -> Result<Dataset, DemoError> {
    let options = CountsOptions::default();
    let (counts, _) = read_counts(&data_dir.join("bulk/counts.tsv.gz"), &options)?;
    let (mut data, _) = align_genes(
        &counts,
        engine.gene_ids(Modality::Bulk),
        &AlignOptions::default(),
    )?;
    attach_metadata(
        &mut data,
        &read_metadata(&data_dir.join("bulk/samples.tsv"))?,
    )?;
    Ok(data)
}

/// Rows of `data` whose metadata `key` equals `value`.
pub(crate) fn rows_with(data: &Dataset, key: &str, value: &str) -> Vec<usize> {
    (0..data.n_samples())
        .filter(|&i| data.metadata().get(i, key) == Some(value))
        .collect()
}
