//! Latent means and draws from the priors, for the metadata a query gives.
//!
//! Metadata a query leaves out is filled in from the training combinations
//! that agree with the most given values (weighted by how many samples had
//! them): deterministic latents average over them, sampled latents draw one.
//! Given values always win; biological and technical means are additive in
//! the one-hot metadata, so values never seen together still combine. A
//! perturbation condition, though, must be one the model was trained on.

use crate::model::Model;
use crate::params::LinearPrior;
use crate::schema::Codes;
use ndarray::Array1;
use synthbio_core::LatentBlock;

/// A training combination completing the given metadata, and its weight.
#[derive(Debug, Clone)]
pub(crate) struct Completion {
    /// Codes: the given values, the combination's values elsewhere.
    pub codes: Codes,
    /// Training samples with the combination.
    pub weight: f64,
}

/// The completions of `given` (codes over the schema, `None` = not given)
/// among the training combinations matching the most given values; only the
/// keys in `keys` are counted and filled (all keys when `None`).
pub(crate) fn completions(model: &Model, given: &Codes, keys: Option<&[usize]>) -> Vec<Completion> {
    let combos = &model.params.combos;
    let counted = |k: usize| keys.is_none_or(|ks| ks.contains(&k));
    let score = |codes: &Codes| -> usize {
        (0..given.len())
            .filter(|&k| counted(k) && given[k].is_some() && codes[k] == given[k])
            .count()
    };
    let best = combos.iter().map(|c| score(&c.codes)).max().unwrap_or(0);
    combos
        .iter()
        .filter(|c| score(&c.codes) == best)
        .map(|c| Completion {
            codes: (0..given.len())
                .map(|k| {
                    if given[k].is_some() || !counted(k) {
                        given[k]
                    } else {
                        c.codes[k]
                    }
                })
                .collect(),
            weight: f64::from(c.weight),
        })
        .collect()
}

/// The mean of a linear prior at coded metadata.
pub(crate) fn linear_mean(prior: &LinearPrior, codes: &Codes) -> Array1<f64> {
    let d = prior.intercept.len();
    let mut m = Array1::from(prior.intercept.clone());
    for (f, &(k, l)) in prior.features.iter().enumerate() {
        if codes[k as usize] == Some(l) {
            for t in 0..d {
                m[t] += prior.coef[f * d + t];
            }
        }
    }
    m
}

/// The perturbation condition of coded metadata, or `None` if the model has
/// no such condition.
pub(crate) fn condition_of(model: &Model, codes: &Codes) -> Option<usize> {
    let pp = &model.params.pert_prior;
    let key: Codes = pp.keys.iter().map(|&k| codes[k as usize]).collect();
    pp.conditions.binary_search(&key).ok()
}

/// The perturbation mean of a condition in a context, falling back to the
/// condition's context-free entry.
pub(crate) fn pert_mean(
    model: &Model,
    condition: usize,
    context: Option<u16>,
) -> Option<Array1<f64>> {
    let entries = &model.params.pert_prior.entries;
    let find = |ctx: Option<u16>| {
        entries
            .iter()
            .find(|e| usize::from(e.condition) == condition && e.context == ctx)
            .map(|e| Array1::from(e.mean.clone()))
    };
    context.and_then(|c| find(Some(c))).or_else(|| find(None))
}

/// The joint prior mean (biological, technical, perturbation) of a completion.
pub(crate) fn joint_mean(model: &Model, codes: &Codes) -> Option<Array1<f64>> {
    let bio = linear_mean(model.linear_prior(LatentBlock::Biological), codes);
    let tech = linear_mean(model.linear_prior(LatentBlock::Technical), codes);
    let pert = if model.dims[2] == 0 {
        Array1::zeros(0)
    } else {
        let c = condition_of(model, codes)?;
        let ctx = model
            .params
            .pert_prior
            .context_key
            .and_then(|k| codes[k as usize]);
        pert_mean(model, c, ctx)?
    };
    Some(ndarray::concatenate![ndarray::Axis(0), bio, tech, pert])
}
