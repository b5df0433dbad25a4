//! Reading the processed training data of `data/` (ARCHITECTURE.md,
//! "Processed data layout") into one in-memory shape for both modalities.

mod bulk;
mod corrections;
mod sc;
mod tables;

pub(crate) use bulk::read_bulk;
pub use corrections::Correction;
pub(crate) use sc::read_sc;

use std::collections::BTreeMap;
use synthbio_core::Modality;

/// Counts of every sample, sparse by sample (compressed rows), with which genes
/// each sample measured (bulk sets do not all measure every gene).
#[derive(Debug, Clone)]
pub(crate) struct RawSet {
    /// Bulk or single cell.
    pub modality: Modality,
    /// Gene ids in model order.
    pub gene_ids: Vec<String>,
    /// Sample (or cell) ids.
    pub sample_ids: Vec<String>,
    /// The biological unit each sample belongs to (held out together); `None`
    /// where the data has no such unit (cells of the single-cell set).
    pub donors: Vec<Option<String>>,
    /// The source dataset of each sample (`kang` for the single-cell set).
    pub datasets: Vec<String>,
    /// Protocol metadata of each sample (known values only).
    pub metadata: Vec<BTreeMap<String, String>>,
    /// Protocol metadata keys in table order.
    pub keys: Vec<String>,
    /// Row starts into `genes` / `counts` (`n_samples + 1` entries).
    pub indptr: Vec<usize>,
    /// Gene index of each non-zero count.
    pub genes: Vec<u32>,
    /// The non-zero counts.
    pub counts: Vec<u32>,
    /// Distinct measured-gene masks.
    pub masks: Vec<Vec<bool>>,
    /// The mask of each sample.
    pub sample_mask: Vec<usize>,
    /// Source labels corrected on reading (see `corrections`).
    pub corrections: Vec<Correction>,
}

impl RawSet {
    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.sample_ids.len()
    }

    /// Number of genes.
    pub fn n_genes(&self) -> usize {
        self.gene_ids.len()
    }

    /// The non-zero (gene, count) pairs of a sample.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, u32)> + '_ {
        let r = self.indptr[i]..self.indptr[i + 1];
        self.genes[r.clone()]
            .iter()
            .zip(&self.counts[r])
            .map(|(&g, &c)| (g as usize, c))
    }

    /// A sample's counts over every gene, zeros included.
    pub fn dense_counts(&self, i: usize) -> Vec<f64> {
        let mut c = vec![0.0; self.n_genes()];
        for (j, v) in self.row(i) {
            c[j] = f64::from(v);
        }
        c
    }

    /// Sum of a sample's counts over the genes it measured.
    pub fn measured_total(&self, i: usize) -> u64 {
        self.row(i).map(|(_, c)| u64::from(c)).sum()
    }

    /// The samples at `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> RawSet {
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        indptr.push(0);
        let mut genes = Vec::new();
        let mut counts = Vec::new();
        for &i in rows {
            let r = self.indptr[i]..self.indptr[i + 1];
            genes.extend_from_slice(&self.genes[r.clone()]);
            counts.extend_from_slice(&self.counts[r]);
            indptr.push(genes.len());
        }
        RawSet {
            modality: self.modality,
            gene_ids: self.gene_ids.clone(),
            sample_ids: rows.iter().map(|&i| self.sample_ids[i].clone()).collect(),
            donors: rows.iter().map(|&i| self.donors[i].clone()).collect(),
            datasets: rows.iter().map(|&i| self.datasets[i].clone()).collect(),
            metadata: rows.iter().map(|&i| self.metadata[i].clone()).collect(),
            keys: self.keys.clone(),
            indptr,
            genes,
            counts,
            masks: self.masks.clone(),
            sample_mask: rows.iter().map(|&i| self.sample_mask[i]).collect(),
            corrections: self.corrections.clone(),
        }
    }
}
