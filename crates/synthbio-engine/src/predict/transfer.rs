//! Moving a reference's perturbation latent from its own condition to a
//! requested one.
//!
//! The reference keeps its own deviation from its condition's mean; only the
//! difference between the two conditions' means is added, so an unchanged
//! condition leaves the latent as it is. Where effects are per context (cell
//! type), that difference is averaged over the contexts in which the
//! requested condition was trained, weighted by the context classifier's
//! probability that the reference belongs to each: a cell type never seen
//! treated borrows the effects of the cell types it most resembles (issue 14:
//! on Kang IFN-beta, leaving one cell type out, this beats the plain mean
//! effect of the other cell types).

use super::prior::pert_mean;
use crate::classify::log_probs;
use crate::linalg::small::solve_lower;
use crate::model::Model;
use ndarray::{Array1, ArrayView1, Axis, Slice};
use synthbio_core::LatentBlock;

/// The shift of the perturbation latent that takes a sample with latent `z`
/// from its own condition (as the perturbation prior classifies it) to
/// condition `target`; `None` if the model has no mean for `target`.
pub(crate) fn pert_shift(
    model: &Model,
    target: usize,
    z: ArrayView1<'_, f64>,
) -> Option<Array1<f64>> {
    let probs = context_probs(model, z);
    let weights = context_weights(probs.as_deref(), |ctx| has_entry(model, target, ctx));
    let to = mean_over(model, target, &weights)?;
    let mut shift = Array1::<f64>::zeros(model.dims[2]);
    for (own, p) in own_conditions(model, z, probs.as_deref()) {
        let Some(from) = mean_over(model, own, &weights) else {
            continue;
        };
        shift.scaled_add(p, &(&to - &from));
    }
    Some(shift)
}

/// A condition's perturbation mean averaged over weighted contexts.
fn mean_over(
    model: &Model,
    condition: usize,
    weights: &[(Option<u16>, f64)],
) -> Option<Array1<f64>> {
    let mut acc = Array1::<f64>::zeros(model.dims[2]);
    for &(ctx, w) in weights {
        acc.scaled_add(w, &pert_mean(model, condition, ctx)?);
    }
    Some(acc)
}

/// The context classifier's probability of each context (level of the
/// context key) for `z`; `None` without a context key or classifier.
fn context_probs(model: &Model, z: ArrayView1<'_, f64>) -> Option<Vec<(u16, f64)>> {
    let pp = &model.params.pert_prior;
    let classifier = pp
        .context_key
        .and_then(|k| model.params.classifiers.iter().find(|c| c.key == k))?;
    let key = &model.params.schema.keys[classifier.key as usize];
    let lp = log_probs(
        classifier,
        z.slice_axis(Axis(0), Slice::from(model.block_range(key.block))),
    );
    Some(
        classifier
            .classes
            .iter()
            .zip(lp.iter())
            .map(|(&level, &l)| (level, l.exp()))
            .collect(),
    )
}

/// Contexts (`None` = the context-free entry) with weights summing to one:
/// the probabilities of the contexts `admit` accepts, renormalized. Without
/// probabilities, or when no admitted context has any, the context-free entry
/// alone.
fn context_weights(
    probs: Option<&[(u16, f64)]>,
    admit: impl Fn(Option<u16>) -> bool,
) -> Vec<(Option<u16>, f64)> {
    let Some(probs) = probs else {
        return vec![(None, 1.0)];
    };
    let admitted: Vec<(Option<u16>, f64)> = probs
        .iter()
        .filter(|(level, _)| admit(Some(*level)))
        .map(|&(level, p)| (Some(level), p))
        .collect();
    let total: f64 = admitted.iter().map(|w| w.1).sum();
    if total > 0.0 {
        admitted.into_iter().map(|(c, w)| (c, w / total)).collect()
    } else {
        vec![(None, 1.0)]
    }
}

/// Whether the perturbation prior has an entry of `condition` in `ctx`.
fn has_entry(model: &Model, condition: usize, ctx: Option<u16>) -> bool {
    model
        .params
        .pert_prior
        .entries
        .iter()
        .any(|e| usize::from(e.condition) == condition && e.context == ctx)
}

/// The conditions a sample with latent `z` may be in and their posterior
/// probabilities: Gaussian around each condition's mean in the sample's
/// context (context means weighted by the context classifier), with the
/// perturbation prior's covariance, times the condition's training samples.
/// `probs` are the context probabilities of `z` ([`context_probs`]).
fn own_conditions(
    model: &Model,
    z: ArrayView1<'_, f64>,
    probs: Option<&[(u16, f64)]>,
) -> Vec<(usize, f64)> {
    let pp = &model.params.pert_prior;
    let z_p = z.slice_axis(
        Axis(0),
        Slice::from(model.block_range(LatentBlock::Perturbation)),
    );
    let weights = context_weights(probs, |_| true);
    let scored: Vec<(usize, f64)> = (0..pp.conditions.len())
        .filter_map(|c| {
            // the pooled entry holds all of a condition's samples
            let n = pp
                .entries
                .iter()
                .filter(|e| usize::from(e.condition) == c)
                .map(|e| e.weight)
                .max()?;
            let m = mean_over(model, c, &weights)?;
            let u = solve_lower(model.prior_chol[2].view(), (&z_p - &m).view());
            Some((c, f64::from(n).ln() - 0.5 * u.dot(&u)))
        })
        .collect();
    let top = scored.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = scored.iter().map(|s| (s.1 - top).exp()).sum();
    scored
        .into_iter()
        .map(|(c, l)| (c, (l - top).exp() / total))
        .collect()
}
