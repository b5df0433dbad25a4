//! How much of a reference's residual a perturbed sample of the same donor
//! shares, for reference conditioning.
//!
//! A sample's residual (its log expression beyond the latent fit) mixes what
//! its donor carries into any of its samples and measurement noise that a
//! second sample does not repeat. Keeping all of a reference's residual copies
//! its noise into the prediction; dropping all of it loses the donor. The best
//! linear prediction of a treated sample's residual from its paired control's
//! is `share × residual`, `share = cov / var` over pairs.
//!
//! The residuals must be those of donors the model has not seen: a training
//! donor's own specifics are partly absorbed by the latents, which makes its
//! residual look like noise (the in-sample share is too small and costs
//! held-out accuracy). So the paired donors are split into two folds, the
//! model is refitted without each fold, and the held-out donors' control and
//! treated samples are encoded by that model. Shares are pooled over genes of similar mean expression (noise
//! depends on depth, and donors are few) and clamped to [0, 1].
//!
//! Single-cell data carry no donors: cells are paired only by cell type within
//! one pool, so no share is estimated and references keep their whole residual.

use super::config::FitConfig;
use super::fit::fit;
use super::prep::{Arm, Prepared};
use crate::io::RawSet;
use crate::model::Model;
use crate::EngineError;
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Groups of genes by mean expression, each with its own share.
const BINS: usize = 20;
/// Folds of paired donors held out together (round-robin in donor order):
/// two refits whatever the number of donors.
const FOLDS: usize = 2;

/// The shared fraction of the residual per gene, or empty (keep all of it)
/// when the data have no donors or fewer than two donors with a control and
/// a treated sample of the same perturbation.
pub(crate) fn residual_share(
    raw: &RawSet,
    p: &Prepared<'_>,
    config: &FitConfig,
    mu: &Array1<f64>,
) -> Result<Vec<f32>, EngineError> {
    if !config.residual_share || raw.donors.iter().any(Option::is_none) {
        return Ok(Vec::new());
    }
    // per donor: control samples, and treated samples per condition
    type Arms = (Vec<usize>, BTreeMap<usize, Vec<usize>>);
    let mut donors: BTreeMap<usize, Arms> = BTreeMap::new();
    for i in 0..p.n() {
        let donor = donors.entry(p.pair_unit[i]).or_default();
        match p.arm[i] {
            Arm::Control => donor.0.push(i),
            Arm::Treated(v) => donor.1.entry(v).or_default().push(i),
            Arm::Other(_) => {}
        }
    }
    donors.retain(|_, (controls, treated)| !controls.is_empty() && !treated.is_empty());
    // the refits only encode: no share of their own, no dispersion, no heads
    let nested = FitConfig {
        residual_share: false,
        dispersion: false,
        expression_heads: false,
        ..config.clone()
    };
    let g = p.g();
    let mut num = vec![0.0; g];
    let mut den = vec![0.0; g];
    let units: Vec<usize> = donors.keys().copied().collect();
    let held_in =
        |fold: usize| -> Vec<usize> { units.iter().copied().skip(fold).step_by(FOLDS).collect() };
    // a held-out donor's treated samples are only usable when a donor left in
    // teaches the refitted model their perturbation
    let taught = |held: &[usize], v: usize| {
        donors
            .iter()
            .any(|(u, d)| !held.contains(u) && d.1.contains_key(&v))
    };
    // the refits, side by side; the sums below run in fold order
    let refits: Vec<Option<Model>> = (0..FOLDS)
        .into_par_iter()
        .map(|fold| {
            let held = held_in(fold);
            if !held
                .iter()
                .any(|u| donors[u].1.keys().any(|&v| taught(&held, v)))
            {
                return Ok(None);
            }
            let keep: Vec<usize> = (0..p.n())
                .filter(|&i| !held.contains(&p.pair_unit[i]))
                .collect();
            Model::new(fit(&raw.select(&keep), &nested)?).map(Some)
        })
        .collect::<Result<_, EngineError>>()?;
    for (fold, model) in refits.iter().enumerate() {
        let Some(model) = model else { continue };
        let held = held_in(fold);
        let residuals_of = |samples: &[usize]| {
            let counts: Vec<Vec<f64>> = samples.iter().map(|&i| raw.dense_counts(i)).collect();
            let refs: Vec<&[f64]> = counts.iter().map(Vec::as_slice).collect();
            model.encode_with_residuals(&refs).1
        };
        for unit in &held {
            let (controls, treated) = &donors[unit];
            let control_res = residuals_of(controls);
            for (_, members) in treated.iter().filter(|(&v, _)| taught(&held, v)) {
                let treated_res = residuals_of(members);
                accumulate(
                    p,
                    controls,
                    &control_res,
                    members,
                    &treated_res,
                    &mut num,
                    &mut den,
                );
            }
        }
    }
    if den.iter().all(|&d| d == 0.0) {
        return Ok(Vec::new());
    }
    Ok(pool_by_expression(&num, &den, mu))
}

/// Adds one held-out donor's control residuals times its treated arm's mean
/// residual (per gene, over the samples measuring it) to `num`, and the
/// controls' squared residuals to `den`.
fn accumulate(
    p: &Prepared<'_>,
    controls: &[usize],
    control_res: &Array2<f64>,
    treated: &[usize],
    treated_res: &Array2<f64>,
    num: &mut [f64],
    den: &mut [f64],
) {
    let g = num.len();
    let mut mean = vec![0.0; g];
    let mut n = vec![0.0; g];
    for (k, &i) in treated.iter().enumerate() {
        for (j, &on) in p.measured(i).iter().enumerate() {
            if on {
                mean[j] += treated_res[[k, j]];
                n[j] += 1.0;
            }
        }
    }
    for (k, &i) in controls.iter().enumerate() {
        for (j, &on) in p.measured(i).iter().enumerate() {
            if on && n[j] > 0.0 {
                let r = control_res[[k, j]];
                num[j] += r * mean[j] / n[j];
                den[j] += r * r;
            }
        }
    }
}

/// `num / den` pooled over [`BINS`] groups of genes of similar mean `mu`
/// (equal numbers of genes per group), clamped to [0, 1]; a group without
/// pairs keeps the whole residual (1).
fn pool_by_expression(num: &[f64], den: &[f64], mu: &Array1<f64>) -> Vec<f32> {
    let g = mu.len();
    let mut order: Vec<usize> = (0..g).collect();
    order.sort_by(|&a, &b| mu[a].total_cmp(&mu[b]).then(a.cmp(&b)));
    let mut share = vec![1.0f32; g];
    for bin in order.chunks(g.div_ceil(BINS).max(1)) {
        let (n, d) = bin
            .iter()
            .fold((0.0, 0.0), |(n, d), &j| (n + num[j], d + den[j]));
        if d > 0.0 {
            let s = (n / d).clamp(0.0, 1.0) as f32;
            bin.iter().for_each(|&j| share[j] = s);
        }
    }
    share
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_pool_genes_of_similar_expression_clamp_and_default_to_one() {
        // 40 genes in 20 bins of two, by mean expression (given in reverse)
        let mu = Array1::from_iter((0..40).rev().map(f64::from));
        let (mut num, mut den) = (vec![0.0; 40], vec![0.0; 40]);
        // the two least expressed genes (indices 39, 38): 1 + 2 over 4 + 4
        (num[39], den[39], num[38], den[38]) = (1.0, 4.0, 2.0, 4.0);
        // the two most expressed: a negative covariance clamps to 0
        (num[0], den[0]) = (-1.0, 2.0);
        // next bin up from the bottom: more covariance than variance clamps to 1
        (num[37], den[37]) = (5.0, 1.0);
        let share = pool_by_expression(&num, &den, &mu);
        assert_eq!(share.len(), 40);
        approx::assert_relative_eq!(share[39], 0.375);
        approx::assert_relative_eq!(share[38], 0.375);
        assert_eq!((share[0], share[1]), (0.0, 0.0));
        assert_eq!((share[37], share[36]), (1.0, 1.0));
        // no pairs in a bin: the whole residual is kept
        assert_eq!(share[20], 1.0);
    }
}
