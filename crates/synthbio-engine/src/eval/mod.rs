//! Honest held-out evaluation: models are refitted without the held-out
//! units (donors, individuals; cells where the data has no donors), never
//! split by technical replicate, and compared with simple baselines.

mod metrics;
mod report;

pub use report::{EvalReport, EvalRow, Task};

use crate::io::RawSet;
use crate::model::Model;
use crate::predict::baseline::prior_components;
use crate::predict::reference_conditioning;
use crate::train::prep::library_sizes;
use crate::train::{fit, read_modality, FitConfig};
use crate::transform::log_expr;
use crate::EngineError;
use metrics::{mse, pearson, Mean};
use ndarray::{Array1, Array2};
use std::collections::BTreeMap;
use std::path::Path;
use synthbio_core::{Metadata, Modality, Query, SamplingStrategy};

/// Folds of the bulk evaluation (donors of each dataset spread round-robin).
const BULK_FOLDS: usize = 5;
/// Folds of the single-cell evaluation (cells alternate).
const SC_FOLDS: usize = 2;
/// Most reference cells per cell type in the single-cell conditioning check.
const MAX_REFERENCES: usize = 30;
/// Most held-out cells per fold whose metadata is predicted (evenly spaced).
const MAX_CLASSIFIED_CELLS: usize = 2000;
/// Library size the conditioning check asks for, large enough that rounding
/// to counts does not matter.
const CHECK_TOTAL: u64 = 1_000_000_000;

/// Evaluates both models on held-out data from `data_dir` (the processed
/// data that training reads), refitting them once per fold.
///
/// - metadata prediction: accuracy and log loss of every field with two or
///   more classes, against the majority class (and class frequencies) of the
///   training fold; each held-out unit counts once;
/// - baseline generation: Pearson correlation and mean squared error between
///   the generated mean log expression of each held-out condition and its
///   observed mean, against the training fold's global mean;
/// - reference conditioning: Pearson correlation and mean squared error of
///   predicted and observed log fold changes of held-out donors (cell types of
///   held-out cells), against no change and the mean effect of all training
///   perturbations.
pub fn evaluate(data_dir: &Path) -> Result<EvalReport, EngineError> {
    let mut rows = Vec::new();
    let mut splits = Vec::new();
    for modality in [Modality::Bulk, Modality::SingleCell] {
        let raw = read_modality(data_dir, modality)?;
        let (fold_of, how) = folds(&raw);
        splits.push((modality, how));
        let n_folds = fold_of.iter().max().map_or(0, |f| f + 1);
        let config = FitConfig::for_modality(modality);
        let data = Data::new(&raw, config.scale)?;
        let mut acc = Accumulators::default();
        for fold in 0..n_folds {
            let train: Vec<usize> = (0..raw.n_samples())
                .filter(|&i| fold_of[i] != fold)
                .collect();
            let test: Vec<usize> = (0..raw.n_samples())
                .filter(|&i| fold_of[i] == fold)
                .collect();
            let model = Model::new(fit(&raw.select(&train), &config)?)?;
            let ctx = Fold {
                data: &data,
                model: &model,
                train: &train,
                test: &test,
            };
            ctx.metadata(&mut acc);
            ctx.generation(&mut acc);
            ctx.reference(&mut acc)?;
        }
        rows.extend(acc.rows(modality, &raw));
    }
    Ok(EvalReport { rows, splits })
}

/// The fold of each sample and a description of the split.
fn folds(raw: &RawSet) -> (Vec<usize>, String) {
    if raw.donors.iter().all(Option::is_some) {
        // rank of each donor within its dataset, round-robin over the folds
        let mut donors: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (d, ds) in raw.donors.iter().zip(&raw.datasets) {
            let list = donors.entry(ds.as_str()).or_default();
            let d = d.as_deref().unwrap_or("");
            if !list.contains(&d) {
                list.push(d);
            }
        }
        donors.values_mut().for_each(|l| l.sort_unstable());
        let fold = raw
            .donors
            .iter()
            .zip(&raw.datasets)
            .map(|(d, ds)| {
                let list = &donors[ds.as_str()];
                list.iter()
                    .position(|x| Some(*x) == d.as_deref())
                    .unwrap_or(0)
                    % BULK_FOLDS
            })
            .collect();
        (
            fold,
            format!("{BULK_FOLDS} folds by donor (each dataset's donors spread round-robin; technical replicates stay with their donor)"),
        )
    } else {
        (
            (0..raw.n_samples()).map(|i| i % SC_FOLDS).collect(),
            format!("{SC_FOLDS} folds of alternating cells (the data carries no donor ids, so held-out cells share donors with training cells)"),
        )
    }
}

/// Log expression of every sample, and the units held out together.
struct Data<'a> {
    raw: &'a RawSet,
    scale: f64,
    lib: Vec<f64>,
    unit: Vec<usize>,
}

impl<'a> Data<'a> {
    fn new(raw: &'a RawSet, scale: f64) -> Result<Data<'a>, EngineError> {
        let lib = library_sizes(raw)?;
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
        })
    }

    /// Dense log expression of a sample (0 where unmeasured).
    fn log(&self, i: usize) -> Vec<f64> {
        let mut y = vec![0.0; self.raw.n_genes()];
        for (j, c) in self.raw.row(i) {
            y[j] = log_expr(f64::from(c), self.lib[i], self.scale);
        }
        y
    }

    /// Counts of a sample as the protocol sends them.
    fn counts(&self, i: usize) -> Vec<f64> {
        let mut c = vec![0.0; self.raw.n_genes()];
        for (j, v) in self.raw.row(i) {
            c[j] = f64::from(v);
        }
        c
    }

    /// Mean log expression per gene over samples (`None` where none measured it).
    fn mean_log(&self, samples: &[usize]) -> Vec<Option<f64>> {
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

    fn value(&self, i: usize, key: &str) -> Option<&str> {
        self.raw.metadata[i].get(key).map(String::as_str)
    }
}

/// Running figures over the folds.
#[derive(Default)]
struct Accumulators {
    /// key -> (model accuracy, baseline accuracy, model log loss, baseline log loss, units)
    fields: BTreeMap<String, (Mean, Mean, Mean, Mean, std::collections::BTreeSet<usize>)>,
    /// (model r, baseline r, model mse, baseline mse, items)
    generation: (Mean, Mean, Mean, Mean, usize),
    /// perturbation -> (model r, mean-effect r, model mse, no-change mse, mean-effect mse, items)
    reference: BTreeMap<String, (Mean, Mean, Mean, Mean, Mean, usize)>,
}

impl Accumulators {
    fn rows(self, modality: Modality, raw: &RawSet) -> Vec<EvalRow> {
        let mut out = Vec::new();
        let mut classes: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
        for m in &raw.metadata {
            for (k, v) in m {
                classes.entry(k).or_default().insert(v);
            }
        }
        for (key, (acc, base_acc, ll, base_ll, units)) in self.fields {
            if classes.get(key.as_str()).is_none_or(|c| c.len() < 2) {
                continue;
            }
            let (Some(a), Some(b), Some(l), Some(bl)) =
                (acc.get(), base_acc.get(), ll.get(), base_ll.get())
            else {
                continue;
            };
            out.push(EvalRow {
                modality,
                task: Task::MetadataPrediction,
                target: key.clone(),
                metric: "accuracy",
                higher_is_better: true,
                units: units.len(),
                model: a,
                baselines: vec![("majority".into(), b)],
            });
            out.push(EvalRow {
                modality,
                task: Task::MetadataPrediction,
                target: key,
                metric: "log loss",
                higher_is_better: false,
                units: units.len(),
                model: l,
                baselines: vec![("class frequencies".into(), bl)],
            });
        }
        let (r, br, e, be, n) = self.generation;
        if let (Some(r), Some(br), Some(e), Some(be)) = (r.get(), br.get(), e.get(), be.get()) {
            out.push(EvalRow {
                modality,
                task: Task::Generation,
                target: "held-out condition means".into(),
                metric: "pearson r",
                higher_is_better: true,
                units: n,
                model: r,
                baselines: vec![("global mean".into(), br)],
            });
            out.push(EvalRow {
                modality,
                task: Task::Generation,
                target: "held-out condition means".into(),
                metric: "mse",
                higher_is_better: false,
                units: n,
                model: e,
                baselines: vec![("global mean".into(), be)],
            });
        }
        for (pert, (r, mr, e, ze, me, n)) in self.reference {
            let (Some(r), Some(mr), Some(e), Some(ze), Some(me)) =
                (r.get(), mr.get(), e.get(), ze.get(), me.get())
            else {
                continue;
            };
            out.push(EvalRow {
                modality,
                task: Task::ReferenceConditioning,
                target: format!("log fold change {pert}"),
                metric: "pearson r",
                higher_is_better: true,
                units: n,
                model: r,
                baselines: vec![("mean effect".into(), mr)],
            });
            out.push(EvalRow {
                modality,
                task: Task::ReferenceConditioning,
                target: format!("log fold change {pert}"),
                metric: "mse",
                higher_is_better: false,
                units: n,
                model: e,
                baselines: vec![("no change".into(), ze), ("mean effect".into(), me)],
            });
        }
        out
    }
}

/// Treated samples per perturbation.
type PerturbedGroups = BTreeMap<Metadata, Vec<usize>>;

/// One fold: the refitted model and the samples on each side.
struct Fold<'a> {
    data: &'a Data<'a>,
    model: &'a Model,
    train: &'a [usize],
    test: &'a [usize],
}

impl Fold<'_> {
    /// Centred log expression of test samples, encoded per measured-gene mask.
    fn encode_test(&self) -> Array2<f64> {
        let d = self.model.latent_dim();
        let g = self.model.n_genes();
        let mut z = Array2::zeros((self.test.len(), d));
        let mut by_mask: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (t, &i) in self.test.iter().enumerate() {
            by_mask
                .entry(self.data.raw.sample_mask[i])
                .or_default()
                .push(t);
        }
        for (m, members) in by_mask {
            let measured = &self.data.raw.masks[m];
            let mut centred = Array2::zeros((members.len(), g));
            let mu = self.model.mu.as_slice().expect("contiguous");
            for (r, &t) in members.iter().enumerate() {
                let y = self.data.log(self.test[t]);
                let row = centred.row_mut(r).into_slice().expect("standard layout");
                for (((c, &y), &m), &on) in row.iter_mut().zip(&y).zip(mu).zip(measured) {
                    if on {
                        *c = y - m;
                    }
                }
            }
            let zm = self.model.encode_measured(centred.view(), measured);
            for (r, &t) in members.iter().enumerate() {
                z.row_mut(t).assign(&zm.row(r));
            }
        }
        z
    }

    fn metadata(&self, acc: &mut Accumulators) {
        let test: Vec<usize> = if self.test.len() > MAX_CLASSIFIED_CELLS
            && !self.data.raw.donors.iter().all(Option::is_some)
        {
            let step = self.test.len().div_ceil(MAX_CLASSIFIED_CELLS);
            self.test.iter().copied().step_by(step).collect()
        } else {
            self.test.to_vec()
        };
        let fold = Fold {
            test: &test,
            ..*self
        };
        fold.classify(acc);
    }

    fn classify(&self, acc: &mut Accumulators) {
        let z = self.encode_test();
        let schema = &self.model.params.schema;
        for c in &self.model.params.classifiers {
            let key = &schema.keys[c.key as usize];
            let classes: Vec<&str> = c
                .classes
                .iter()
                .map(|&l| key.levels[l as usize].as_str())
                .collect();
            // training frequencies of the classes
            let mut freq = vec![0.0; classes.len()];
            for &i in self.train {
                if let Some(k) = self
                    .data
                    .value(i, &key.key)
                    .and_then(|v| classes.iter().position(|c| *c == v))
                {
                    freq[k] += 1.0;
                }
            }
            let total: f64 = freq.iter().sum();
            let majority = freq
                .iter()
                .enumerate()
                .fold(0, |best, (k, &f)| if f > freq[best] { k } else { best });
            // evaluable test samples and their units
            let evaluable: Vec<(usize, usize)> = self
                .test
                .iter()
                .enumerate()
                .filter_map(|(t, &i)| {
                    let v = self.data.value(i, &key.key)?;
                    classes.iter().position(|c| *c == v).map(|k| (t, k))
                })
                .collect();
            let mut per_unit: BTreeMap<usize, f64> = BTreeMap::new();
            for &(t, _) in &evaluable {
                *per_unit.entry(self.data.unit[self.test[t]]).or_insert(0.0) += 1.0;
            }
            let entry = acc.fields.entry(key.key.clone()).or_default();
            let range = self.model.block_range(key.block);
            for (t, truth) in evaluable {
                let unit = self.data.unit[self.test[t]];
                let w = 1.0 / per_unit[&unit];
                let zb = z.row(t);
                let lp = crate::classify::log_probs(
                    c,
                    zb.slice_axis(ndarray::Axis(0), ndarray::Slice::from(range.clone())),
                );
                let predicted =
                    (0..lp.len()).fold(0, |best, k| if lp[k] > lp[best] { k } else { best });
                entry.0.add(f64::from(u8::from(predicted == truth)), w);
                entry.1.add(f64::from(u8::from(majority == truth)), w);
                // log loss capped at -ln(1e-12), as for the baseline
                entry.2.add((-lp[truth]).min(-(1e-12f64.ln())), w);
                let p = (freq[truth] / total).max(1e-12);
                entry.3.add(-p.ln(), w);
                entry.4.insert(unit);
            }
        }
    }

    /// The trained-values check of a metadata map.
    fn trained(&self, meta: &Metadata) -> bool {
        let schema = &self.model.params.schema;
        meta.iter().all(|(k, v)| {
            schema
                .key_index(k)
                .is_some_and(|ki| schema.level(ki, v).is_some())
        })
    }

    fn generation(&self, acc: &mut Accumulators) {
        // items: held-out samples grouped by (unit where donors exist, metadata)
        let donors = self.data.raw.donors.iter().all(Option::is_some);
        let mut items: BTreeMap<(usize, &Metadata), Vec<usize>> = BTreeMap::new();
        for &i in self.test {
            let unit = if donors { self.data.unit[i] } else { 0 };
            items
                .entry((unit, &self.data.raw.metadata[i]))
                .or_default()
                .push(i);
        }
        let global = self.data.mean_log(self.train);
        for ((_, meta), members) in items {
            if !self.trained(meta) {
                continue;
            }
            let Ok(components) = prior_components(self.model, meta, 0) else {
                continue;
            };
            let total: f64 = components.iter().map(|c| c.0).sum();
            let d = self.model.latent_dim();
            let z = components
                .iter()
                .fold(Array1::<f64>::zeros(d), |a, (w, m)| a + &(m * (*w / total)));
            let y = self.model.decode(z.insert_axis(ndarray::Axis(0)).view());
            let observed = self.data.mean_log(&members);
            let g = self.model.n_genes();
            // genes every member measured
            let mut masks: Vec<usize> = members
                .iter()
                .map(|&i| self.data.raw.sample_mask[i])
                .collect();
            masks.sort_unstable();
            masks.dedup();
            let common: Vec<bool> = (0..g)
                .map(|j| masks.iter().all(|&m| self.data.raw.masks[m][j]))
                .collect();
            let (mut gen, mut obs, mut base) = (Vec::new(), Vec::new(), Vec::new());
            for j in 0..g {
                if let (Some(o), Some(b)) = (observed[j], global[j]) {
                    if common[j] {
                        gen.push(y[[0, j]]);
                        obs.push(o);
                        base.push(b);
                    }
                }
            }
            let (Some(r), Some(br)) = (pearson(&gen, &obs), pearson(&base, &obs)) else {
                continue;
            };
            acc.generation.0.add(r, 1.0);
            acc.generation.1.add(br, 1.0);
            acc.generation.2.add(mse(&gen, &obs), 1.0);
            acc.generation.3.add(mse(&base, &obs), 1.0);
            acc.generation.4 += 1;
        }
    }

    fn reference(&self, acc: &mut Accumulators) -> Result<(), EngineError> {
        let pert_keys: Vec<&str> =
            synthbio_core::vocab::keys_of(synthbio_core::LatentBlock::Perturbation).collect();
        let pert_of = |i: usize| -> Metadata {
            self.data.raw.metadata[i]
                .iter()
                .filter(|(k, _)| pert_keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let is_control = |i: usize| self.data.value(i, "perturbation_type") == Some("control");
        let treated = |i: usize| {
            self.data
                .value(i, "perturbation_type")
                .is_some_and(|t| t != "control")
        };
        // pairing groups: donor where donors exist, else the cell type
        let donors = self.data.raw.donors.iter().all(Option::is_some);
        let group_of = |i: usize| -> String {
            if donors {
                format!("unit {}", self.data.unit[i])
            } else {
                self.data
                    .value(i, "cell_type_ontology_id")
                    .unwrap_or("")
                    .to_string()
            }
        };
        let mean_effect = self.mean_effect(&group_of, &is_control, &treated, &pert_of);
        let mut groups: BTreeMap<String, (Vec<usize>, PerturbedGroups)> = BTreeMap::new();
        for &i in self.test {
            let e = groups.entry(group_of(i)).or_default();
            if is_control(i) {
                e.0.push(i);
            } else if treated(i) {
                e.1.entry(pert_of(i)).or_default().push(i);
            }
        }
        let threshold = match self.model.params.modality {
            Modality::Bulk => 1.0,
            Modality::SingleCell => 0.1,
        };
        for (controls, by_pert) in groups.values() {
            if controls.is_empty() {
                continue;
            }
            let refs: Vec<usize> = controls.iter().copied().take(MAX_REFERENCES).collect();
            for (pert, members) in by_pert {
                // only perturbations the fold's model was trained on, exactly
                let codes = self.model.params.schema.encode(pert);
                if !self.trained(pert)
                    || crate::predict::prior::condition_of(self.model, &codes).is_none()
                {
                    continue;
                }
                let mut query = Query::reference_conditioning(SamplingStrategy::MeanEstimation)
                    .with_deterministic_latents(true)
                    .with_fixed_total_count(true)
                    .with_total_count(CHECK_TOTAL)
                    .with_seed(0);
                for &i in &refs {
                    query = query.with_reference(self.data.counts(i), pert.clone(), 1);
                }
                let Ok(out) = reference_conditioning(self.model, &query) else {
                    continue;
                };
                let g = self.model.n_genes();
                let mut predicted = vec![0.0; g];
                let share = 1.0 / refs.len() as f64;
                for (k, &i) in refs.iter().enumerate() {
                    let y_ref = self.data.log(i);
                    let row = out.sample_counts(k);
                    let row = row.as_slice().expect("standard layout");
                    for ((p, &c), &yr) in predicted.iter_mut().zip(row).zip(&y_ref) {
                        let y = log_expr(f64::from(c), CHECK_TOTAL as f64, self.data.scale);
                        *p += (y - yr) * share;
                    }
                }
                let t_mean = self.data.mean_log(members);
                let c_mean = self.data.mean_log(controls);
                let (mut pred, mut obs, mut mean_eff) = (Vec::new(), Vec::new(), Vec::new());
                for j in 0..g {
                    let (Some(t), Some(c)) = (t_mean[j], c_mean[j]) else {
                        continue;
                    };
                    if (t + c) / 2.0 < threshold {
                        continue;
                    }
                    pred.push(predicted[j]);
                    obs.push(t - c);
                    mean_eff.push(mean_effect[j]);
                }
                let zeros = vec![0.0; obs.len()];
                let (Some(r), Some(mr)) = (pearson(&pred, &obs), pearson(&mean_eff, &obs)) else {
                    continue;
                };
                let label = pert
                    .get("perturbation_ontology_id")
                    .or_else(|| pert.get("perturbation_type"))
                    .cloned()
                    .unwrap_or_default();
                let e = acc.reference.entry(label).or_default();
                e.0.add(r, 1.0);
                e.1.add(mr, 1.0);
                e.2.add(mse(&pred, &obs), 1.0);
                e.3.add(mse(&zeros, &obs), 1.0);
                e.4.add(mse(&mean_eff, &obs), 1.0);
                e.5 += 1;
            }
        }
        Ok(())
    }

    /// The mean effect of every training perturbation: the average over
    /// (perturbation, pairing group) of treated minus control mean log expression.
    fn mean_effect(
        &self,
        group_of: &dyn Fn(usize) -> String,
        is_control: &dyn Fn(usize) -> bool,
        treated: &dyn Fn(usize) -> bool,
        pert_of: &dyn Fn(usize) -> Metadata,
    ) -> Vec<f64> {
        let mut controls: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut treated_by: BTreeMap<(String, Metadata), Vec<usize>> = BTreeMap::new();
        for &i in self.train {
            if is_control(i) {
                controls.entry(group_of(i)).or_default().push(i);
            } else if treated(i) {
                treated_by
                    .entry((group_of(i), pert_of(i)))
                    .or_default()
                    .push(i);
            }
        }
        let g = self.model.n_genes();
        let mut sum = vec![0.0; g];
        let mut n = vec![0.0; g];
        for ((group, _), members) in &treated_by {
            let Some(c) = controls.get(group) else {
                continue;
            };
            let t_mean = self.data.mean_log(members);
            let c_mean = self.data.mean_log(c);
            for j in 0..g {
                if let (Some(t), Some(c)) = (t_mean[j], c_mean[j]) {
                    sum[j] += t - c;
                    n[j] += 1.0;
                }
            }
        }
        sum.iter()
            .zip(&n)
            .map(|(s, &k)| if k > 0.0 { s / k } else { 0.0 })
            .collect()
    }
}
