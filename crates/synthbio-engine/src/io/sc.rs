//! `data/sc/`: a Matrix Market count matrix (genes x cells), genes and cells.

use super::tables::{column, protocol_metadata, read_table, values};
use super::RawSet;
use crate::EngineError;
use std::path::Path;
use synthbio_core::Modality;
use synthbio_io::{read_mtx_triplets, MtxTriplets};

/// Reads `sc/genes.tsv`, `sc/cells.tsv` and `sc/matrix.mtx.gz` under `data_dir`.
pub(crate) fn read_sc(data_dir: &Path) -> Result<RawSet, EngineError> {
    let dir = data_dir.join("sc");
    let genes_path = dir.join("genes.tsv");
    let cells_path = dir.join("cells.tsv");
    let mtx_path = dir.join("matrix.mtx.gz");
    let gene_ids: Vec<String> = read_table(&genes_path, "gene_id")?.sample_ids().to_vec();
    let cells = read_table(&cells_path, "cell_id")?;
    let (keys, metadata) = protocol_metadata(&cells);
    let sample_ids: Vec<String> = cells.sample_ids().to_vec();
    // The single-cell set may carry no donor column: cells then have no unit.
    let donors = match column(&cells, &cells_path, "donor") {
        Ok(j) => values(&cells, j),
        Err(_) => vec![None; sample_ids.len()],
    };
    let MtxTriplets {
        rows: n_genes,
        cols: n_cells,
        entries: triplets,
    } = read_mtx_triplets(&mtx_path)?;
    if n_genes != gene_ids.len() || n_cells != sample_ids.len() {
        return Err(EngineError::data(
            &mtx_path,
            format!(
                "is {n_genes} x {n_cells} but genes.tsv lists {} genes and cells.tsv {} cells",
                gene_ids.len(),
                sample_ids.len()
            ),
        ));
    }
    // compressed rows by cell, genes sorted within a cell
    let mut per_cell = vec![0usize; n_cells + 1];
    for &(_, c, _) in &triplets {
        per_cell[c as usize + 1] += 1;
    }
    for i in 0..n_cells {
        per_cell[i + 1] += per_cell[i];
    }
    let mut fill = per_cell.clone();
    let mut genes_out = vec![0u32; triplets.len()];
    let mut counts_out = vec![0u32; triplets.len()];
    for &(g, c, v) in &triplets {
        let at = fill[c as usize];
        genes_out[at] = g;
        counts_out[at] = v;
        fill[c as usize] += 1;
    }
    for i in 0..n_cells {
        let r = per_cell[i]..per_cell[i + 1];
        let mut pairs: Vec<(u32, u32)> = genes_out[r.clone()]
            .iter()
            .copied()
            .zip(counts_out[r.clone()].iter().copied())
            .collect();
        pairs.sort_unstable();
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(EngineError::data(
                &mtx_path,
                format!("cell {} has a gene listed twice", sample_ids[i]),
            ));
        }
        for (k, (g, v)) in pairs.into_iter().enumerate() {
            genes_out[r.start + k] = g;
            counts_out[r.start + k] = v;
        }
    }
    Ok(RawSet {
        modality: Modality::SingleCell,
        datasets: vec!["kang".to_string(); sample_ids.len()],
        masks: vec![vec![true; gene_ids.len()]],
        sample_mask: vec![0; sample_ids.len()],
        corrections: Vec::new(),
        gene_ids,
        sample_ids,
        donors,
        metadata,
        keys,
        indptr: per_cell,
        genes: genes_out,
        counts: counts_out,
    })
}
