//! `data/bulk/`: counts (genes x samples, empty = not measured) and samples.

use super::corrections::apply_corrections;
use super::tables::{column, protocol_metadata, read_table, values};
use super::RawSet;
use crate::EngineError;
use std::collections::BTreeMap;
use std::path::Path;
use synthbio_core::Modality;
use synthbio_io::{read_counts, CountsOptions, Orientation};

/// Reads `bulk/samples.tsv` and `bulk/counts.tsv.gz` under `data_dir`, with
/// the label corrections of `bulk/label_corrections.tsv` applied.
pub(crate) fn read_bulk(data_dir: &Path) -> Result<RawSet, EngineError> {
    let samples_path = data_dir.join("bulk").join("samples.tsv");
    let counts_path = data_dir.join("bulk").join("counts.tsv.gz");
    let table = read_table(&samples_path, "sample_id")?;
    let donor_col = column(&table, &samples_path, "donor")?;
    let dataset_col = column(&table, &samples_path, "dataset")?;
    let (keys, mut metadata) = protocol_metadata(&table);
    let sample_ids: Vec<String> = table.sample_ids().to_vec();
    let corrections = apply_corrections(data_dir, &sample_ids, &mut metadata)?;
    let donors = values(&table, donor_col);
    if let Some(i) = donors.iter().position(Option::is_none) {
        return Err(EngineError::data(
            &samples_path,
            format!(
                "sample {} has no donor; every bulk sample needs its biological unit",
                sample_ids[i]
            ),
        ));
    }

    // Empty cells are genes a dataset did not measure: synthbio-io marks them.
    let options = CountsOptions::default().with_orientation(Orientation::GenesAsRows);
    let (table_counts, _) = read_counts(&counts_path, &options)?;
    let rows = sample_ids
        .iter()
        .map(|s| {
            table_counts.sample_position(s).map_err(|_| {
                EngineError::data(&counts_path, format!("has no column for sample {s}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let gene_ids = table_counts.gene_ids().to_vec();
    if gene_ids.is_empty() {
        return Err(EngineError::data(&counts_path, "has no genes"));
    }
    let n_genes = gene_ids.len();
    // per sample: (gene, count) pairs and measured flags
    let mut entries: Vec<Vec<(u32, u32)>> = Vec::with_capacity(rows.len());
    let mut measured: Vec<Vec<bool>> = Vec::with_capacity(rows.len());
    for &r in &rows {
        let counts = table_counts.sample_counts(r);
        entries.push(
            (0..n_genes)
                .filter(|&g| counts[g] > 0)
                .map(|g| (g as u32, counts[g]))
                .collect(),
        );
        measured.push(
            (0..n_genes)
                .map(|g| table_counts.is_measured(r, g))
                .collect(),
        );
    }

    let mut masks: Vec<Vec<bool>> = Vec::new();
    let mut mask_index: BTreeMap<Vec<bool>, usize> = BTreeMap::new();
    let mut sample_mask = Vec::with_capacity(rows.len());
    let mut indptr = vec![0usize];
    let mut genes = Vec::new();
    let mut counts = Vec::new();
    for (e, m) in entries.into_iter().zip(measured) {
        let next = mask_index.len();
        let id = *mask_index.entry(m.clone()).or_insert_with(|| {
            masks.push(m);
            next
        });
        sample_mask.push(id);
        for (g, c) in e {
            genes.push(g);
            counts.push(c);
        }
        indptr.push(genes.len());
    }
    let datasets = values(&table, dataset_col)
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    Ok(RawSet {
        modality: Modality::Bulk,
        datasets,
        gene_ids,
        sample_ids,
        donors,
        metadata,
        keys,
        indptr,
        genes,
        counts,
        masks,
        sample_mask,
        corrections,
    })
}
