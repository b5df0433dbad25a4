//! Reference conditioning: a reference sample plus a perturbation in, the
//! perturbed sample out.

use super::baseline::untrained_condition;
use super::prior::{completions, condition_of};
use super::transfer::pert_shift;
use super::{decode_counts, draw_gaussian, invalid, result, split_latents, Counting, Streams};
use crate::model::Model;
use ndarray::{Array1, Array2, Axis, Slice};
use rand::RngExt;
use synthbio_core::{
    Dataset, LatentBlock, MetadataTable, PredictError, Query, SamplingStrategy,
    DEFAULT_CONDITIONING,
};

/// Encodes each reference, keeps the latent blocks named in `conditioning`
/// (default biological and technical; the others come from the marginal
/// prior), moves the perturbation latent from the reference's own condition
/// to the requested one (see `transfer`), and decodes. While the biological
/// block is kept, so is the share of the reference's residual (what its
/// latents do not explain) that another sample of its donor repeats, as
/// training measured on held-out donors (see `train::shared_residual`): the
/// reference's measurement noise is not copied into the prediction, and an
/// unchanged perturbation gives back the reference up to that noise. Library
/// size: the reference's total, or `total_count` with `fixed_total_count`.
pub(crate) fn reference_conditioning(
    model: &Model,
    query: &Query,
) -> Result<Dataset, PredictError> {
    let conditioning = query
        .conditioning
        .clone()
        .unwrap_or_else(|| DEFAULT_CONDITIONING.to_vec());
    if conditioning.contains(&LatentBlock::Perturbation) {
        return Err(invalid(
            "conditioning".into(),
            "the perturbation latent comes from each input's metadata; condition on \"biological\" and/or \"technical\" only".into(),
        ));
    }
    let keep_bio = conditioning.contains(&LatentBlock::Biological);
    let keep_tech = conditioning.contains(&LatentBlock::Technical);
    let strategy = query
        .sampling_strategy
        .unwrap_or(SamplingStrategy::MeanEstimation);
    let deterministic = query.deterministic_latents.unwrap_or(false);
    let fixed = query.fixed_total_count.unwrap_or(false);
    let default_total = query
        .total_count
        .unwrap_or_else(|| model.params.modality.default_total_count());
    let streams = Streams::new(query.seed);

    let refs: Vec<&[f64]> = query
        .inputs
        .iter()
        .map(|i| i.counts.as_deref().unwrap_or(&[]))
        .collect();
    let (z_ref, mut residuals) = model.encode_with_residuals(&refs);
    let n: usize = query
        .inputs
        .iter()
        .map(|i| i.num_samples.unwrap_or(1) as usize)
        .sum();
    let d = model.latent_dim();
    let mut z = Array2::<f64>::zeros((n, d));
    let mut residual_of = Vec::with_capacity(n);
    let mut totals = Vec::with_capacity(n);
    let mut input_index = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n);
    let pert_keys: Vec<usize> = model
        .params
        .pert_prior
        .keys
        .iter()
        .map(|&k| k as usize)
        .collect();
    let (rb, rt, rp) = (
        model.block_range(LatentBlock::Biological),
        model.block_range(LatentBlock::Technical),
        model.block_range(LatentBlock::Perturbation),
    );
    let mut s = 0;
    for (i, input) in query.inputs.iter().enumerate() {
        let meta = input.metadata.clone().unwrap_or_default();
        let given = model.params.schema.encode(&meta);
        // perturbation means of the completions, in the reference's context
        let mut components: Vec<(f64, Array1<f64>)> = Vec::new();
        if !rp.is_empty() {
            for c in completions(model, &given, Some(&pert_keys)) {
                let cond =
                    condition_of(model, &c.codes).ok_or_else(|| untrained_condition(model, i))?;
                let shift = pert_shift(model, cond, z_ref.row(i))
                    .ok_or_else(|| untrained_condition(model, i))?;
                let own = z_ref
                    .row(i)
                    .slice_axis(Axis(0), Slice::from(rp.clone()))
                    .to_owned();
                components.push((c.weight, own + shift));
            }
        }
        let total_w: f64 = components.iter().map(|c| c.0).sum();
        let pert_mean = components
            .iter()
            .fold(Array1::<f64>::zeros(rp.len()), |acc, (w, m)| {
                acc + &(m * (*w / total_w))
            });
        let total = if fixed {
            default_total
        } else {
            refs[i].iter().sum::<f64>() as u64
        };
        for _ in 0..input.num_samples.unwrap_or(1) {
            let mut zs = Array1::<f64>::zeros(d);
            if deterministic {
                let src = |r: &std::ops::Range<usize>, keep: bool| {
                    if keep {
                        z_ref
                            .row(i)
                            .slice_axis(Axis(0), Slice::from(r.clone()))
                            .to_owned()
                    } else {
                        model
                            .marginal_mean
                            .slice_axis(Axis(0), Slice::from(r.clone()))
                            .to_owned()
                    }
                };
                zs.slice_axis_mut(Axis(0), Slice::from(rb.clone()))
                    .assign(&src(&rb, keep_bio));
                zs.slice_axis_mut(Axis(0), Slice::from(rt.clone()))
                    .assign(&src(&rt, keep_tech));
                zs.slice_axis_mut(Axis(0), Slice::from(rp.clone()))
                    .assign(&pert_mean);
            } else {
                let mut rng = streams.latent(s);
                let posterior = draw_gaussian(z_ref.row(i), model.post_chol.view(), &mut rng);
                let marginal = draw_gaussian(
                    model.marginal_mean.view(),
                    model.marginal_chol.view(),
                    &mut rng,
                );
                let pick = |r: &std::ops::Range<usize>, keep: bool| {
                    if keep {
                        posterior
                            .slice_axis(Axis(0), Slice::from(r.clone()))
                            .to_owned()
                    } else {
                        marginal
                            .slice_axis(Axis(0), Slice::from(r.clone()))
                            .to_owned()
                    }
                };
                zs.slice_axis_mut(Axis(0), Slice::from(rb.clone()))
                    .assign(&pick(&rb, keep_bio));
                zs.slice_axis_mut(Axis(0), Slice::from(rt.clone()))
                    .assign(&pick(&rt, keep_tech));
                if !rp.is_empty() {
                    let u: f64 = rng.random::<f64>() * total_w;
                    let mut acc = 0.0;
                    let mean = &components
                        .iter()
                        .find(|(w, _)| {
                            acc += w;
                            u < acc
                        })
                        .unwrap_or(&components[components.len() - 1])
                        .1;
                    let draw = draw_gaussian(mean.view(), model.prior_chol[2].view(), &mut rng);
                    zs.slice_axis_mut(Axis(0), Slice::from(rp.clone()))
                        .assign(&draw);
                }
            }
            z.row_mut(s).assign(&zs);
            residual_of.push(keep_bio.then_some(i));
            totals.push(total);
            input_index.push(i);
            rows.push(meta.clone());
            s += 1;
        }
    }
    // the share of each reference's residual a perturbed sample of its donor keeps
    if !model.params.residual_share.is_empty() {
        for mut row in residuals.rows_mut() {
            for (r, &s) in row.iter_mut().zip(&model.params.residual_share) {
                *r *= f64::from(s);
            }
        }
    }
    let offsets: Vec<Option<&[f64]>> = residual_of
        .iter()
        .map(|r| r.map(|i| residuals.row(i).to_slice().expect("standard layout")))
        .collect();
    let counting = match strategy {
        SamplingStrategy::MeanEstimation => Counting::Expected,
        SamplingStrategy::SampleGeneration => Counting::Sampled(streams),
    };
    let counts = decode_counts(model, z.view(), &offsets, &totals, counting);
    result(
        model,
        counts,
        MetadataTable::from_rows(rows.iter()),
        split_latents(model, &z),
        input_index,
    )
}
