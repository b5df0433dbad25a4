//! Training the metadata classifiers (see `classify`), with a temperature
//! fitted on held-out groups (donors; cells where the data has no donors).

use super::prep::Prepared;
use crate::classify::{fit, fit_temperature, held_out_logits, BlockRows};
use crate::params::Classifier;
use crate::schema::Codes;
use ndarray::{Array2, ArrayView2, Axis, Slice};
use std::collections::BTreeMap;
use synthbio_core::LatentBlock;

/// Folds of the temperature cross-validation.
const FOLDS: usize = 5;

/// One classifier per schema key with a known value among the rows and a
/// non-empty latent block. `z` holds all blocks; `post_cov` is the mean
/// posterior covariance of all blocks.
pub(crate) fn fit_classifiers(
    p: &Prepared<'_>,
    rows: &[usize],
    row_w: &[f64],
    z: ArrayView2<'_, f64>,
    dims: [usize; 3],
    post_cov: &Array2<f64>,
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
            if classes.is_empty() {
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
            if classes.len() > 1 {
                c.temperature =
                    cross_validated_temperature(p, rows, &br, k, &classes, &condition_class);
            }
            out.push(c);
        }
    }
    out.sort_by_key(|c| c.key);
    out
}

fn cross_validated_temperature(
    p: &Prepared<'_>,
    rows: &[usize],
    br: &BlockRows<'_>,
    key: usize,
    classes: &[u16],
    condition_class: &[Option<usize>],
) -> f64 {
    let fold: Vec<usize> = rows.iter().map(|&i| p.cv_group[i] % FOLDS).collect();
    let mut held = Vec::new();
    for f in 0..FOLDS {
        let train = |r: usize| fold[r] != f;
        let mut seen = vec![false; classes.len()];
        for r in (0..rows.len()).filter(|&r| train(r)) {
            if let Some(c) = condition_class[br.condition[r]] {
                seen[c] = true;
            }
        }
        if seen.iter().filter(|&&s| s).count() < 2 {
            continue;
        }
        let c = fit(key as u16, classes, br, &train);
        for r in (0..rows.len()).filter(|&r| !train(r)) {
            let Some(truth) = condition_class[br.condition[r]] else {
                continue;
            };
            if !seen[truth] {
                continue;
            }
            held.push((held_out_logits(&c, br.z.row(r)), truth, br.weight[r]));
        }
    }
    fit_temperature(&held)
}
