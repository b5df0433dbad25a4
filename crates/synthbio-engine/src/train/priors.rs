//! The priors p(z | metadata) of the three latent blocks.

use super::effects::Effect;
use super::prep::{Arm, Prepared};
use super::regress::{weighted_moments, weighted_ridge};
use crate::params::{LinearPrior, PertEntry, PertPrior};
use crate::schema::{one_hot, Codes};
use ndarray::{Array2, ArrayView2};
use std::collections::BTreeMap;

/// A Gaussian prior whose mean is linear in the block's one-hot metadata: the
/// weighted ridge regression of the latent means on the one-hot features; its
/// covariance is the residual covariance plus the mean posterior covariance
/// (the spread of the latents that their means do not show).
pub(crate) fn fit_linear_prior(
    features: Vec<(u16, u16)>,
    row_codes: &[Codes],
    z: ArrayView2<'_, f64>,
    row_w: &[f64],
    ridge: f64,
    post_cov: &Array2<f64>,
) -> LinearPrior {
    let x = Array2::from_shape_fn((row_codes.len(), features.len()), |(r, f)| {
        one_hot(&features[f..f + 1], &row_codes[r])[0]
    });
    let (intercept, coef, resid) = weighted_ridge(x.view(), z, row_w, ridge);
    let (_, cov) = weighted_moments(resid.view(), row_w);
    let cov = cov + post_cov;
    LinearPrior {
        features,
        intercept: intercept.to_vec(),
        coef: coef.iter().copied().collect(),
        cov: cov.iter().copied().collect(),
    }
}

/// The perturbation prior: per (condition, context) the mean perturbation
/// latent of its rows; for a treated condition with a learned effect, the mean
/// of the paired controls plus the effect's coordinates instead. Each
/// condition also gets a context-free entry (the weighted mean of its
/// context entries). The covariance is the residual covariance around the
/// entries plus the mean posterior covariance.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_pert_prior(
    p: &Prepared<'_>,
    rows: &[usize],
    row_w: &[f64],
    z: ArrayView2<'_, f64>,
    effects: &[Effect],
    coords: &[Vec<f64>],
    post_cov: &Array2<f64>,
) -> PertPrior {
    let d = z.ncols();
    let mean_of = |select: &dyn Fn(usize) -> bool| -> Option<(Vec<f64>, f64)> {
        let mut acc = vec![0.0; d];
        let mut tw = 0.0;
        for (r, &i) in rows.iter().enumerate() {
            if select(i) {
                tw += row_w[r];
                for t in 0..d {
                    acc[t] += row_w[r] * z[[r, t]];
                }
            }
        }
        (tw > 0.0).then(|| (acc.iter().map(|a| a / tw).collect(), tw))
    };
    // (condition, context) -> (mean, weight)
    let mut table: BTreeMap<(usize, Option<u16>), (Vec<f64>, f64)> = BTreeMap::new();
    for &i in rows {
        let key = (p.condition[i], p.context(i));
        if table.contains_key(&key) {
            continue;
        }
        if let Some(m) = mean_of(&|k| p.condition[k] == key.0 && p.context(k) == key.1) {
            table.insert(key, m);
        }
    }
    for (e, a) in effects.iter().zip(coords) {
        let controls = mean_of(&|k| {
            p.arm[k] == Arm::Control
                && p.context(k) == e.context
                && e.units.contains(&p.pair_unit[k])
        });
        if let Some((base, _)) = controls {
            let mean = base.iter().zip(a).map(|(b, a)| b + a).collect();
            let w = table
                .get(&(e.condition, e.context))
                .map_or(e.n_treated as f64, |x| x.1);
            table.insert((e.condition, e.context), (mean, w));
        }
    }
    // residual covariance around the entries
    let mut resid = Array2::<f64>::zeros((rows.len(), d));
    for (r, &i) in rows.iter().enumerate() {
        if let Some((m, _)) = table.get(&(p.condition[i], p.context(i))) {
            for t in 0..d {
                resid[[r, t]] = z[[r, t]] - m[t];
            }
        }
    }
    let (_, cov) = weighted_moments(resid.view(), row_w);
    let cov = cov + post_cov;
    let mut entries: Vec<PertEntry> = Vec::new();
    if p.context_key.is_some() {
        // each condition's context-free entry pools all its entries (cells of an
        // unknown context included), weighted by their samples
        let mut pooled: BTreeMap<usize, (Vec<f64>, f64)> = BTreeMap::new();
        for (&(c, _), (m, w)) in &table {
            let e = pooled.entry(c).or_insert_with(|| (vec![0.0; d], 0.0));
            for (acc, x) in e.0.iter_mut().zip(m) {
                *acc += w * x;
            }
            e.1 += w;
        }
        for (c, (m, w)) in pooled {
            table.insert((c, None), (m.iter().map(|x| x / w).collect(), w));
        }
    }
    for ((c, ctx), (mean, w)) in table {
        entries.push(PertEntry {
            condition: c as u16,
            context: ctx,
            mean,
            weight: w.round() as u32,
        });
    }
    PertPrior {
        keys: p.pert_keys.iter().map(|&k| k as u16).collect(),
        conditions: p.conditions.clone(),
        context_key: p.context_key.map(|k| k as u16),
        entries,
        cov: cov.iter().copied().collect(),
    }
}
