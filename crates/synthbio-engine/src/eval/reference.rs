//! Reference conditioning: predicted against observed log fold changes of
//! held-out pairing groups (donors; cell types in the single-cell data),
//! next to no change and to the reference plus the mean observed effect of
//! the same perturbation in the training groups.

use super::figures::{Figures, Slot};
use super::metrics::{mse, pearson};
use super::report::Task;
use super::Fold;
use crate::predict::reference_conditioning;
use crate::transform::log_expr;
use std::collections::BTreeMap;
use synthbio_core::{LatentBlock, Metadata, Modality, Query, SamplingStrategy};

/// Most reference samples (cells) per group in the conditioning check.
const MAX_REFERENCES: usize = 30;
/// Library size the conditioning check asks for, large enough that rounding
/// to counts does not matter.
const CHECK_TOTAL: u64 = 1_000_000_000;

/// Treated samples per perturbation.
type PerturbedGroups = BTreeMap<Metadata, Vec<usize>>;

impl Fold<'_> {
    fn pert_of(&self, i: usize) -> Metadata {
        let keys: Vec<&str> = synthbio_core::vocab::keys_of(LatentBlock::Perturbation).collect();
        self.data.raw.metadata[i]
            .iter()
            .filter(|(k, _)| keys.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn is_control(&self, i: usize) -> bool {
        self.data.value(i, "perturbation_type") == Some("control")
    }

    fn is_treated(&self, i: usize) -> bool {
        self.data
            .value(i, "perturbation_type")
            .is_some_and(|t| t != "control")
    }

    /// The pairing group: the donor where there are donors, else the cell type.
    fn group_of(&self, i: usize) -> String {
        if self.data.donors {
            format!("unit {}", self.data.unit[i])
        } else {
            self.data
                .value(i, "cell_type_ontology_id")
                .unwrap_or("")
                .to_string()
        }
    }

    /// Controls and treated samples (per perturbation) of each group of `samples`.
    fn by_group(&self, samples: &[usize]) -> BTreeMap<String, (Vec<usize>, PerturbedGroups)> {
        let mut groups: BTreeMap<String, (Vec<usize>, PerturbedGroups)> = BTreeMap::new();
        for &i in samples {
            let e = groups.entry(self.group_of(i)).or_default();
            if self.is_control(i) {
                e.0.push(i);
            } else if self.is_treated(i) {
                e.1.entry(self.pert_of(i)).or_default().push(i);
            }
        }
        groups
    }

    pub(super) fn reference(&self, figures: &mut Figures) {
        let data = self.data;
        let threshold = match self.model.params.modality {
            Modality::Bulk => 1.0,
            Modality::SingleCell => 0.1,
        };
        let trained_groups = self.by_group(self.train);
        for (group, (controls, by_pert)) in self.by_group(self.test) {
            if controls.is_empty() {
                continue;
            }
            let refs: Vec<usize> = controls.iter().copied().take(MAX_REFERENCES).collect();
            for (pert, members) in &by_pert {
                // only perturbations the fold's model was trained on, exactly
                let codes = self.model.params.schema.encode(pert);
                if !self.trained(pert)
                    || crate::predict::prior::condition_of(self.model, &codes).is_none()
                {
                    continue;
                }
                let Some(predicted) = self.predicted_change(&refs, pert) else {
                    continue;
                };
                let Some(effect) = same_perturbation_effect(self, &trained_groups, &group, pert)
                else {
                    continue;
                };
                let t_mean = data.mean_log(members);
                let c_mean = data.mean_log(&controls);
                let (mut pred, mut obs, mut base) = (Vec::new(), Vec::new(), Vec::new());
                for j in 0..self.model.n_genes() {
                    let (Some(t), Some(c), Some(e)) = (t_mean[j], c_mean[j], effect[j]) else {
                        continue;
                    };
                    if (t + c) / 2.0 < threshold {
                        continue;
                    }
                    pred.push(predicted[j]);
                    obs.push(t - c);
                    base.push(e);
                }
                let zeros = vec![0.0; obs.len()];
                let (Some(r), Some(br)) = (pearson(&pred, &obs), pearson(&base, &obs)) else {
                    continue;
                };
                let label = pert
                    .get("perturbation_ontology_id")
                    .or_else(|| pert.get("perturbation_type"))
                    .cloned()
                    .unwrap_or_default();
                let target = format!("log fold change {label}");
                let slot = |metric| Slot {
                    task: Task::ReferenceConditioning,
                    target: &target,
                    metric,
                    caveat: None,
                };
                figures.add(
                    &slot("pearson r"),
                    &group,
                    1.0,
                    r,
                    &[("perturbation mean effect", br)],
                );
                figures.add(
                    &slot("mse"),
                    &group,
                    1.0,
                    mse(&pred, &obs),
                    &[
                        ("no change", mse(&zeros, &obs)),
                        ("perturbation mean effect", mse(&base, &obs)),
                    ],
                );
            }
        }
    }

    /// The model's mean predicted log change of the references under `pert`.
    fn predicted_change(&self, refs: &[usize], pert: &Metadata) -> Option<Vec<f64>> {
        let mut query = Query::reference_conditioning(SamplingStrategy::MeanEstimation)
            .with_deterministic_latents(true)
            .with_fixed_total_count(true)
            .with_total_count(CHECK_TOTAL)
            .with_seed(0);
        for &i in refs {
            query = query.with_reference(self.data.counts(i), pert.clone(), 1);
        }
        let out = reference_conditioning(self.model, &query).ok()?;
        let mut predicted = vec![0.0; self.model.n_genes()];
        let share = 1.0 / refs.len() as f64;
        for (k, &i) in refs.iter().enumerate() {
            let y_ref = self.data.log(i);
            let row = out.sample_counts(k);
            let row = row.as_slice()?;
            for ((p, &c), &yr) in predicted.iter_mut().zip(row).zip(&y_ref) {
                let y = log_expr(f64::from(c), CHECK_TOTAL as f64, self.data.scale);
                *p += (y - yr) * share;
            }
        }
        Some(predicted)
    }
}

/// The fair baseline's log change: the mean over the training groups other
/// than `group` of the same perturbation's treated minus control mean log
/// expression (`None` per gene no group measured; `None` when no other group
/// saw the perturbation).
fn same_perturbation_effect(
    fold: &Fold<'_>,
    trained: &BTreeMap<String, (Vec<usize>, PerturbedGroups)>,
    group: &str,
    pert: &Metadata,
) -> Option<Vec<Option<f64>>> {
    let g = fold.model.n_genes();
    let mut sum = vec![0.0; g];
    let mut n = vec![0.0; g];
    for (name, (controls, by_pert)) in trained {
        let Some(treated) = by_pert.get(pert) else {
            continue;
        };
        if name == group || controls.is_empty() {
            continue;
        }
        let t_mean = fold.data.mean_log(treated);
        let c_mean = fold.data.mean_log(controls);
        for j in 0..g {
            if let (Some(t), Some(c)) = (t_mean[j], c_mean[j]) {
                sum[j] += t - c;
                n[j] += 1.0;
            }
        }
    }
    n.iter().any(|&k| k > 0.0).then(|| {
        sum.iter()
            .zip(&n)
            .map(|(s, &k)| (k > 0.0).then(|| s / k))
            .collect()
    })
}
