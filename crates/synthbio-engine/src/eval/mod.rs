//! Honest held-out evaluation: models are refitted without the held-out
//! units (donors, individuals; cells where the data has no donors), never
//! split by technical replicate, and compared with the baselines a reviewer
//! would use.

mod data;
mod figures;
mod generation;
mod metadata;
mod metrics;
mod reference;
mod report;

pub use report::{Caveat, EvalReport, EvalRow, Task};

use crate::io::RawSet;
use crate::model::Model;
use crate::train::{fit, read_modality, FitConfig};
use crate::EngineError;
use data::Data;
use figures::Figures;
use ndarray::Array2;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use synthbio_core::{Metadata, Modality};

/// Folds of the bulk evaluation (donors of each dataset spread round-robin).
const BULK_FOLDS: usize = 5;
/// Folds of the single-cell evaluation (cells alternate).
const SC_FOLDS: usize = 2;
/// Most held-out cells per fold whose metadata is predicted (evenly spaced).
const MAX_CLASSIFIED_CELLS: usize = 2000;

/// Evaluates both models on held-out data from `data_dir` (the processed
/// data that training reads, label corrections applied), refitting them once
/// per fold.
///
/// - metadata prediction: accuracy and log loss of every field with two or
///   more classes, against the majority class (and class frequencies) of the
///   training fold; each held-out unit counts once; fields with one value
///   per dataset are marked as dataset identity, labels derived from the
///   cells' own expression as circular; with several datasets, each
///   dataset's units are also scored apart;
/// - baseline generation: Pearson correlation and mean squared error between
///   the generated mean log expression of each held-out condition and its
///   observed mean, against the training mean of the same condition (of the
///   nearest one when no training sample has exactly that metadata);
/// - reference conditioning: Pearson correlation and mean squared error of
///   predicted and observed log fold changes of held-out donors (bulk) or of
///   a cell type whose treated cells were held out (single cell), against no
///   change and the reference plus the mean effect of the same perturbation
///   in the training donors (cell types).
pub fn evaluate(data_dir: &Path) -> Result<EvalReport, EngineError> {
    let mut rows = Vec::new();
    let mut splits = Vec::new();
    let mut corrections = Vec::new();
    for modality in [Modality::Bulk, Modality::SingleCell] {
        let raw = read_modality(data_dir, modality)?;
        corrections.extend(raw.corrections.iter().cloned());
        let config = FitConfig::for_modality(modality);
        let data = Data::new(&raw, config.scale)?;
        let mut figures = Figures::default();
        let (fold_of, how) = folds(&raw);
        splits.push((modality, how));
        let n_folds = fold_of.iter().max().map_or(0, |f| f + 1);
        // folds side by side; their figures are appended in fold order
        let per_fold = (0..n_folds)
            .into_par_iter()
            .map(|fold| {
                let (train, test) = split(raw.n_samples(), |i| fold_of[i] == fold);
                let model = Model::new(fit(&raw.select(&train), &config)?)?;
                let ctx = Fold {
                    data: &data,
                    model: &model,
                    train: &train,
                    test: &test,
                };
                let mut f = Figures::default();
                ctx.metadata(&mut f);
                ctx.generation(&mut f);
                if data.donors {
                    ctx.reference(&mut f);
                }
                Ok(f)
            })
            .collect::<Result<Vec<_>, EngineError>>()?;
        per_fold.into_iter().for_each(|f| figures.append(f));
        if !data.donors {
            // leave one cell type's treated cells out
            let mut types: Vec<&str> = (0..raw.n_samples())
                .filter_map(|i| data.value(i, "cell_type_ontology_id"))
                .collect();
            types.sort_unstable();
            types.dedup();
            // these refits are scored on reference conditioning alone
            let reference_only = FitConfig {
                expression_heads: false,
                ..config.clone()
            };
            let per_type = types
                .par_iter()
                .map(|&t| {
                    let of_type = |i: usize| data.value(i, "cell_type_ontology_id") == Some(t);
                    let (train, _) = split(raw.n_samples(), |i| {
                        of_type(i) && data.value(i, "perturbation_type") != Some("control")
                    });
                    let (_, test) = split(raw.n_samples(), of_type);
                    let model = Model::new(fit(&raw.select(&train), &reference_only)?)?;
                    let mut f = Figures::default();
                    Fold {
                        data: &data,
                        model: &model,
                        train: &train,
                        test: &test,
                    }
                    .reference(&mut f);
                    Ok(f)
                })
                .collect::<Result<Vec<_>, EngineError>>()?;
            per_type.into_iter().for_each(|f| figures.append(f));
            splits.push((
                modality,
                "reference conditioning: one cell type at a time, refitted without its treated cells".into(),
            ));
        }
        rows.extend(figures.rows(modality));
    }
    Ok(EvalReport {
        rows,
        splits,
        corrections,
    })
}

/// The samples outside and inside a held-out set.
fn split(n: usize, held_out: impl Fn(usize) -> bool) -> (Vec<usize>, Vec<usize>) {
    (0..n).partition(|&i| !held_out(i))
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
            format!("metadata and generation: {SC_FOLDS} folds of alternating cells (the data carries no donor ids, so held-out cells share donors with training cells)"),
        )
    }
}

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
        let mu = self.model.mu.as_slice().expect("contiguous");
        for (m, members) in by_mask {
            let measured = &self.data.raw.masks[m];
            let mut centred = Array2::zeros((members.len(), g));
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

    /// Metadata prediction on the test samples (evenly spaced cells, at most
    /// [`MAX_CLASSIFIED_CELLS`], where there are no donors).
    fn metadata(&self, figures: &mut Figures) {
        let test: Vec<usize> = if self.test.len() > MAX_CLASSIFIED_CELLS && !self.data.donors {
            let step = self.test.len().div_ceil(MAX_CLASSIFIED_CELLS);
            self.test.iter().copied().step_by(step).collect()
        } else {
            self.test.to_vec()
        };
        Fold {
            test: &test,
            ..*self
        }
        .classify(figures);
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
}
