//! Which genes each sample measured.

use super::{check_len, DatasetError};
use serde::{Deserialize, Serialize};

/// Which genes each sample measured: genes absent from a table, or empty cells, are
/// *unmeasured*, never zero. Stored as the distinct masks (`true` = measured) and one
/// mask index per sample, so a table whose samples share one gene panel holds one mask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measured {
    n_genes: usize,
    masks: Vec<Vec<bool>>,
    of_sample: Vec<u32>,
}

impl Measured {
    /// The masks of each sample (`true` = measured), each `n_genes` long.
    pub fn from_rows(
        n_genes: usize,
        rows: impl IntoIterator<Item = Vec<bool>>,
    ) -> Result<Self, DatasetError> {
        let mut index: std::collections::HashMap<Vec<bool>, u32> = Default::default();
        let mut masks = Vec::new();
        let mut of_sample = Vec::new();
        for row in rows {
            check_len("measured-gene mask", n_genes, row.len())?;
            let next = masks.len() as u32;
            let k = *index.entry(row).or_insert_with_key(|row| {
                masks.push(row.clone());
                next
            });
            of_sample.push(k);
        }
        Ok(Measured {
            n_genes,
            masks,
            of_sample,
        })
    }

    /// The same mask for `n_samples` samples.
    pub fn same_for_all(n_samples: usize, mask: Vec<bool>) -> Self {
        Measured {
            n_genes: mask.len(),
            masks: vec![mask],
            of_sample: vec![0; n_samples],
        }
    }

    /// Every gene measured by every sample.
    pub fn all(n_samples: usize, n_genes: usize) -> Self {
        Measured::same_for_all(n_samples, vec![true; n_genes])
    }

    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.of_sample.len()
    }

    /// Number of genes.
    pub fn n_genes(&self) -> usize {
        self.n_genes
    }

    /// The mask of one sample (`true` = measured).
    pub fn sample(&self, sample: usize) -> &[bool] {
        &self.masks[self.of_sample[sample] as usize]
    }

    /// Whether `sample` measured `gene`.
    pub fn is_measured(&self, sample: usize, gene: usize) -> bool {
        self.sample(sample)[gene]
    }

    /// The distinct masks.
    pub fn masks(&self) -> &[Vec<bool>] {
        &self.masks
    }

    /// Which of [`Measured::masks`] each sample has.
    pub fn mask_index(&self) -> &[u32] {
        &self.of_sample
    }

    /// Whether every sample measured every gene.
    pub fn is_complete(&self) -> bool {
        self.masks
            .iter()
            .enumerate()
            .all(|(k, m)| m.iter().all(|&b| b) || !self.of_sample.contains(&(k as u32)))
    }

    /// Per gene: whether every sample measured it.
    pub fn measured_by_all(&self) -> Vec<bool> {
        let used = self.used_masks();
        (0..self.n_genes)
            .map(|j| used.iter().all(|m| m[j]))
            .collect()
    }

    /// Per gene: whether at least one sample measured it.
    pub fn measured_by_any(&self) -> Vec<bool> {
        let used = self.used_masks();
        (0..self.n_genes)
            .map(|j| used.iter().any(|m| m[j]))
            .collect()
    }

    /// Number of (sample, gene) cells not measured.
    pub fn n_unmeasured_cells(&self) -> u64 {
        let per_mask: Vec<u64> = self
            .masks
            .iter()
            .map(|m| m.iter().filter(|&&b| !b).count() as u64)
            .collect();
        self.of_sample.iter().map(|&k| per_mask[k as usize]).sum()
    }

    fn used_masks(&self) -> Vec<&[bool]> {
        let mut used = vec![false; self.masks.len()];
        for &k in &self.of_sample {
            used[k as usize] = true;
        }
        self.masks
            .iter()
            .zip(used)
            .filter(|(_, u)| *u)
            .map(|(m, _)| m.as_slice())
            .collect()
    }

    /// The samples at the given positions.
    pub fn select_samples(&self, rows: &[usize]) -> Self {
        Measured {
            n_genes: self.n_genes,
            masks: self.masks.clone(),
            of_sample: rows.iter().map(|&r| self.of_sample[r]).collect(),
        }
    }

    /// The genes at the given positions; `None` marks a new, unmeasured gene.
    pub fn select_genes(&self, cols: &[Option<usize>]) -> Self {
        Measured {
            n_genes: cols.len(),
            masks: self
                .masks
                .iter()
                .map(|m| cols.iter().map(|c| c.is_some_and(|j| m[j])).collect())
                .collect(),
            of_sample: self.of_sample.clone(),
        }
    }
}
