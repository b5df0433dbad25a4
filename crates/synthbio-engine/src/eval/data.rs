//! The evaluation's view of the data: log expression per sample, the units
//! held out together, measured genes.

use crate::io::RawSet;
use crate::train::prep::panel_corrected_library_sizes;
use crate::transform::log_expr;
use crate::EngineError;

/// Log expression of every sample, and the units held out together.
pub(super) struct Data<'a> {
    pub raw: &'a RawSet,
    pub scale: f64,
    pub lib: Vec<f64>,
    /// Index of each sample's unit (donor; the sample where there are none).
    pub unit: Vec<usize>,
    /// Whether every sample has a donor.
    pub donors: bool,
}

impl<'a> Data<'a> {
    pub fn new(raw: &'a RawSet, scale: f64) -> Result<Data<'a>, EngineError> {
        let lib = panel_corrected_library_sizes(raw)?;
        let names: Vec<String> = raw
            .donors
            .iter()
            .zip(&raw.sample_ids)
            .map(|(d, s)| d.clone().unwrap_or_else(|| s.clone()))
            .collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let unit = names
            .iter()
            .map(|n| sorted.binary_search(n).expect("listed"))
            .collect();
        Ok(Data {
            raw,
            scale,
            lib,
            unit,
            donors: raw.donors.iter().all(Option::is_some),
        })
    }

    /// Dense log expression of a sample (0 where unmeasured).
    pub fn log(&self, i: usize) -> Vec<f64> {
        let mut y = vec![0.0; self.raw.n_genes()];
        for (j, c) in self.raw.row(i) {
            y[j] = log_expr(f64::from(c), self.lib[i], self.scale);
        }
        y
    }

    /// The genes sample `i` measured.
    pub fn measured(&self, i: usize) -> &[bool] {
        &self.raw.masks[self.raw.sample_mask[i]]
    }

    /// Counts of a sample as the protocol sends them.
    pub fn counts(&self, i: usize) -> Vec<f64> {
        self.raw.dense_counts(i)
    }

    /// Mean log expression per gene over samples (`None` where none measured it).
    pub fn mean_log(&self, samples: &[usize]) -> Vec<Option<f64>> {
        let g = self.raw.n_genes();
        let mut sum = vec![0.0; g];
        let mut n = vec![0.0; g];
        let mut per_mask = vec![0.0; self.raw.masks.len()];
        for &i in samples {
            per_mask[self.raw.sample_mask[i]] += 1.0;
            for (j, c) in self.raw.row(i) {
                sum[j] += log_expr(f64::from(c), self.lib[i], self.scale);
            }
        }
        for (m, &k) in per_mask.iter().enumerate() {
            if k > 0.0 {
                for (dst, &on) in n.iter_mut().zip(&self.raw.masks[m]) {
                    if on {
                        *dst += k;
                    }
                }
            }
        }
        sum.iter()
            .zip(&n)
            .map(|(s, &k)| (k > 0.0).then(|| s / k))
            .collect()
    }

    /// A sample's value of a metadata key.
    pub fn value(&self, i: usize, key: &str) -> Option<&str> {
        self.raw.metadata[i].get(key).map(String::as_str)
    }

    /// Distinct values of a key over all samples.
    pub fn n_values(&self, key: &str) -> usize {
        let values: std::collections::BTreeSet<&str> = (0..self.raw.n_samples())
            .filter_map(|i| self.value(i, key))
            .collect();
        values.len()
    }

    /// A sample's dataset.
    pub fn dataset(&self, i: usize) -> &str {
        &self.raw.datasets[i]
    }

    /// Whether the data hold more than one dataset (figures are then also
    /// reported per dataset).
    pub fn several_datasets(&self) -> bool {
        self.raw.datasets.iter().any(|d| *d != self.raw.datasets[0])
    }

    /// Keys with at most one value in every dataset: predicting them only
    /// tells datasets apart.
    pub fn is_dataset_identity(&self, key: &str) -> bool {
        if !self.several_datasets() {
            return false;
        }
        let mut seen: std::collections::BTreeMap<&str, &str> = Default::default();
        (0..self.raw.n_samples()).all(|i| match self.value(i, key) {
            None => true,
            Some(v) => *seen.entry(self.dataset(i)).or_insert(v) == v,
        })
    }
}
