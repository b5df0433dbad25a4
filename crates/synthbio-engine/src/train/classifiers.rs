//! Training the metadata classifiers (see `classify`), with a temperature
//! fitted on held-out groups (donors; cells where the data has no donors),
//! and the expression head of each key kept where it beats the latent
//! mixture on those held-out groups (see `expression_head`).

use super::expression::Labelled;
use super::prep::Prepared;
use crate::classify::{fit, fit_temperature, held_out_logits, log_loss, BlockRows};
use crate::params::Classifier;
use crate::schema::Codes;
use ndarray::{Array2, ArrayView2, Axis, Slice};
use std::collections::BTreeMap;
use synthbio_core::LatentBlock;

/// Folds of the temperature cross-validation.
const FOLDS: usize = 5;

/// One classifier per schema key with two or more known values among the
/// rows and a non-empty latent block. `z` holds all blocks; `post_cov` is the mean
/// posterior covariance of all blocks.
pub(crate) fn fit_classifiers(
    p: &Prepared<'_>,
    rows: &[usize],
    row_w: &[f64],
    z: ArrayView2<'_, f64>,
    dims: [usize; 3],
    post_cov: &Array2<f64>,
    heads: bool,
) -> Vec<Classifier> {
    let mut out = Vec::new();
    for (b, block) in LatentBlock::ALL.iter().enumerate() {
        if dims[b] == 0 {
            continue;
        }
        let start: usize = dims[..b].iter().sum();
        let range = start..start + dims[b];
        let zb = z.slice_axis(Axis(1), Slice::from(range.clone()));
        let pc = post_cov
            .slice_axis(Axis(0), Slice::from(range.clone()))
            .slice_axis(Axis(1), Slice::from(range))
            .to_owned();
        let keys = p.schema.keys_of(*block);
        // the block's conditions over all samples, and the rows' conditions
        let tuple = |i: usize| -> Codes { keys.iter().map(|&k| p.codes[i][k]).collect() };
        let mut samples: BTreeMap<Codes, f64> = BTreeMap::new();
        for i in 0..p.n() {
            *samples.entry(tuple(i)).or_insert(0.0) += 1.0;
        }
        let conditions: Vec<Codes> = samples.keys().cloned().collect();
        let condition_samples: Vec<f64> = samples.values().copied().collect();
        let row_condition: Vec<usize> = rows
            .iter()
            .map(|&i| conditions.binary_search(&tuple(i)).expect("listed"))
            .collect();
        for (pos, &k) in keys.iter().enumerate() {
            let mut classes: Vec<u16> = rows.iter().filter_map(|&i| p.codes[i][k]).collect();
            classes.sort_unstable();
            classes.dedup();
            // one known class is no evidence: its classifier would state that
            // class with certainty for every sample (breast carcinoma for any
            // breast tissue, as the data's normal tissue has no disease value)
            if classes.len() < 2 {
                continue;
            }
            let condition_class: Vec<Option<usize>> = conditions
                .iter()
                .map(|c| c[pos].and_then(|l| classes.binary_search(&l).ok()))
                .collect();
            let br = BlockRows {
                z: zb.view(),
                condition: &row_condition,
                weight: row_w,
                condition_class: &condition_class,
                condition_samples: &condition_samples,
                post_cov: &pc,
            };
            let mut c = fit(k as u16, &classes, &br, &|_| true);
            let labelled = heads.then(|| Labelled::new(p, k, &classes));
            let held = cross_validate(p, rows, &br, k, &classes, labelled.as_ref());
            let mixture = held.mixture();
            c.temperature = fit_temperature(&mixture);
            let mixture_loss = log_loss(&mixture, c.temperature);
            if let Some(labelled) = labelled.filter(|_| held.head_is_better(mixture_loss)) {
                c.expression = labelled.fit(p, classes.len(), &|_| true).map(|mut h| {
                    h.temperature = fit_temperature(&held.head());
                    h
                });
            }
            out.push(c);
        }
    }
    out.sort_by_key(|c| c.key);
    out
}

/// One held-out model row: the mixture's logits, the head's (`None` where no
/// head was fitted or the row did not measure its genes), the true class and
/// the row's weight.
struct HeldOut {
    mixture: Vec<f64>,
    head: Option<Vec<f64>>,
    truth: usize,
    weight: f64,
}

/// The held-out predictions of both classifiers.
struct CrossValidation(Vec<HeldOut>);

impl CrossValidation {
    /// The mixture's held-out logits, truths and weights.
    fn mixture(&self) -> Vec<(Vec<f64>, usize, f64)> {
        self.0
            .iter()
            .map(|h| (h.mixture.clone(), h.truth, h.weight))
            .collect()
    }

    /// The head's held-out logits, where it gave them.
    fn head(&self) -> Vec<(Vec<f64>, usize, f64)> {
        self.0
            .iter()
            .filter_map(|h| Some((h.head.clone()?, h.truth, h.weight)))
            .collect()
    }

    /// Whether the classifier that uses the head where it can (the mixture
    /// elsewhere, as at prediction) has a lower held-out log loss, at its
    /// fitted temperature, than the mixture alone (`mixture_loss`, at the
    /// mixture's). Log loss rather than accuracy: a proper score, and steadier
    /// on the few weighted rows of a balanced subsample.
    fn head_is_better(&self, mixture_loss: f64) -> bool {
        let with_head: Vec<(Vec<f64>, usize, f64)> = self
            .0
            .iter()
            .map(|h| {
                (
                    h.head.as_ref().unwrap_or(&h.mixture).clone(),
                    h.truth,
                    h.weight,
                )
            })
            .collect();
        self.0.iter().any(|h| h.head.is_some())
            && log_loss(&with_head, fit_temperature(&with_head)) < mixture_loss
    }
}

/// Both classifiers refitted without each fold of donors (cells where the
/// data has no donors) and applied to that fold's model rows.
fn cross_validate(
    p: &Prepared<'_>,
    rows: &[usize],
    br: &BlockRows<'_>,
    key: usize,
    classes: &[u16],
    labelled: Option<&Labelled>,
) -> CrossValidation {
    let fold = |i: usize| p.cv_group[i] % FOLDS;
    let mut held = Vec::new();
    for f in 0..FOLDS {
        let train = |r: usize| fold(rows[r]) != f;
        let mut seen = vec![false; classes.len()];
        for r in (0..rows.len()).filter(|&r| train(r)) {
            if let Some(c) = br.condition_class[br.condition[r]] {
                seen[c] = true;
            }
        }
        if seen.iter().filter(|&&s| s).count() < 2 {
            continue;
        }
        let c = fit(key as u16, classes, br, &train);
        let head = labelled.and_then(|l| l.fit(p, classes.len(), &|i| fold(i) != f));
        for r in (0..rows.len()).filter(|&r| !train(r)) {
            let Some(truth) = br.condition_class[br.condition[r]] else {
                continue;
            };
            if !seen[truth] {
                continue;
            }
            let i = rows[r];
            held.push(HeldOut {
                mixture: held_out_logits(&c, br.z.row(r)),
                head: head.as_ref().and_then(|h| h.logits(&|j| p.level(i, j))),
                truth,
                weight: br.weight[r],
            });
        }
    }
    CrossValidation(held)
}
