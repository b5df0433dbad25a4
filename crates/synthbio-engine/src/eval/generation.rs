//! Baseline generation: the generated mean log expression of each held-out
//! condition (per donor where there are donors) against its observed mean,
//! next to the training mean of the same condition.

use super::figures::{Figures, Slot};
use super::metrics::{mse, pearson};
use super::report::Task;
use super::Fold;
use crate::predict::baseline::prior_components;
use ndarray::Array1;
use std::collections::BTreeMap;
use synthbio_core::Metadata;

const TARGET: &str = "held-out condition means";

impl Fold<'_> {
    pub(super) fn generation(&self, figures: &mut Figures) {
        let data = self.data;
        let mut items: BTreeMap<(usize, &Metadata), Vec<usize>> = BTreeMap::new();
        for &i in self.test {
            let unit = if data.donors { data.unit[i] } else { 0 };
            items
                .entry((unit, &data.raw.metadata[i]))
                .or_default()
                .push(i);
        }
        for ((unit, meta), members) in items {
            if !self.trained(meta) {
                continue;
            }
            let Ok(components) = prior_components(self.model, meta, 0) else {
                continue;
            };
            let total: f64 = components.iter().map(|c| c.0).sum();
            let z = components.iter().fold(
                Array1::<f64>::zeros(self.model.latent_dim()),
                |a, (w, m)| a + &(m * (*w / total)),
            );
            let y = self.model.decode(z.insert_axis(ndarray::Axis(0)).view());
            let observed = data.mean_log(&members);
            let condition = data.mean_log(&self.nearest_condition(meta));
            let g = self.model.n_genes();
            // genes every member measured
            let mut masks: Vec<usize> = members.iter().map(|&i| data.raw.sample_mask[i]).collect();
            masks.sort_unstable();
            masks.dedup();
            let common: Vec<bool> = (0..g)
                .map(|j| masks.iter().all(|&m| data.raw.masks[m][j]))
                .collect();
            let (mut gen, mut obs, mut base) = (Vec::new(), Vec::new(), Vec::new());
            for j in (0..g).filter(|&j| common[j]) {
                if let (Some(o), Some(b)) = (observed[j], condition[j]) {
                    gen.push(y[[0, j]]);
                    obs.push(o);
                    base.push(b);
                }
            }
            let (Some(r), Some(br)) = (pearson(&gen, &obs), pearson(&base, &obs)) else {
                continue;
            };
            let item = format!("{unit} {meta:?}");
            let dataset = format!("{TARGET} ({})", data.dataset(members[0]));
            let mut targets = vec![TARGET];
            if data.several_datasets() {
                targets.push(&dataset);
            }
            for target in targets {
                let slot = |metric| Slot {
                    task: Task::Generation,
                    target,
                    metric,
                    caveat: None,
                };
                figures.add(&slot("pearson r"), &item, 1.0, r, &[("condition mean", br)]);
                figures.add(
                    &slot("mse"),
                    &item,
                    1.0,
                    mse(&gen, &obs),
                    &[("condition mean", mse(&base, &obs))],
                );
            }
        }
    }

    /// The training samples of the condition nearest `meta`: those with the
    /// same metadata, else those sharing the most of its (key, value) pairs.
    fn nearest_condition(&self, meta: &Metadata) -> Vec<usize> {
        let shared = |i: usize| {
            meta.iter()
                .filter(|(k, v)| self.data.value(i, k) == Some(v.as_str()))
                .count()
        };
        let exact: Vec<usize> = self
            .train
            .iter()
            .copied()
            .filter(|&i| self.data.raw.metadata[i] == *meta)
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        let best = self.train.iter().map(|&i| shared(i)).max().unwrap_or(0);
        self.train
            .iter()
            .copied()
            .filter(|&i| shared(i) == best)
            .collect()
    }
}
