//! Baseline: metadata in, expression out.

use super::prior::{completions, joint_mean};
use super::{decode_counts, draw_gaussian, invalid, result, split_latents, Counting, Streams};
use crate::model::Model;
use ndarray::{Array1, Array2, Axis, Slice};
use rand::RngExt;
use synthbio_core::{Dataset, LatentBlock, MetadataTable, PredictError, Query, SamplingStrategy};

/// Draws (or averages) latents from p(z | metadata) for every requested
/// sample, decodes them in one matrix product, and turns them into counts at
/// `total_count`.
pub(crate) fn baseline(model: &Model, query: &Query) -> Result<Dataset, PredictError> {
    let strategy = query
        .sampling_strategy
        .unwrap_or(SamplingStrategy::MeanEstimation);
    let total = query
        .total_count
        .unwrap_or_else(|| model.params.modality.default_total_count());
    let deterministic = query.deterministic_latents.unwrap_or(false);
    let streams = Streams::new(query.seed);
    let n: usize = query
        .inputs
        .iter()
        .map(|i| i.num_samples.unwrap_or(1) as usize)
        .sum();
    let d = model.latent_dim();
    let mut z = Array2::<f64>::zeros((n, d));
    let mut input_index = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n);
    let mut s = 0;
    for (i, input) in query.inputs.iter().enumerate() {
        let meta = input.metadata.clone().unwrap_or_default();
        let components = prior_components(model, &meta, i)?;
        let total_w: f64 = components.iter().map(|c| c.0).sum();
        let mixture_mean = components
            .iter()
            .fold(Array1::<f64>::zeros(d), |acc, (w, m)| {
                acc + &(m * (*w / total_w))
            });
        for _ in 0..input.num_samples.unwrap_or(1) {
            let zs = if deterministic {
                mixture_mean.clone()
            } else {
                let mut rng = streams.latent(s);
                let u: f64 = rng.random::<f64>() * total_w;
                let mut acc = 0.0;
                let mean = components
                    .iter()
                    .find(|(w, _)| {
                        acc += w;
                        u < acc
                    })
                    .unwrap_or(&components[components.len() - 1])
                    .1
                    .clone();
                draw_blocks(model, &mean, &mut rng)
            };
            z.row_mut(s).assign(&zs);
            input_index.push(i);
            rows.push(meta.clone());
            s += 1;
        }
    }
    let counting = match strategy {
        SamplingStrategy::MeanEstimation => Counting::Expected,
        SamplingStrategy::SampleGeneration => Counting::Sampled(streams),
    };
    let counts = decode_counts(model, z.view(), &[], &vec![total; n], counting);
    result(
        model,
        counts,
        MetadataTable::from_rows(rows.iter()),
        split_latents(model, &z),
        input_index,
    )
}

/// The mixture components (weight, joint prior mean) for an input's metadata.
pub(crate) fn prior_components(
    model: &Model,
    meta: &synthbio_core::Metadata,
    input: usize,
) -> Result<Vec<(f64, Array1<f64>)>, PredictError> {
    let given = model.params.schema.encode(meta);
    let completions = completions(model, &given, None);
    let mut out = Vec::with_capacity(completions.len());
    for c in completions {
        match joint_mean(model, &c.codes) {
            Some(m) => out.push((c.weight, m)),
            None => return Err(untrained_condition(model, input)),
        }
    }
    if out.is_empty() {
        return Err(untrained_condition(model, input));
    }
    Ok(out)
}

/// Draws each block around its mean with its prior covariance.
fn draw_blocks(
    model: &Model,
    mean: &Array1<f64>,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> Array1<f64> {
    let mut z = Array1::zeros(mean.len());
    for (b, block) in LatentBlock::ALL.iter().enumerate() {
        let r = model.block_range(*block);
        let draw = draw_gaussian(
            mean.slice_axis(Axis(0), Slice::from(r.clone())),
            model.prior_chol[b].view(),
            rng,
        );
        z.slice_axis_mut(Axis(0), Slice::from(r)).assign(&draw);
    }
    z
}

/// The error for perturbation values that do not form a trained condition.
pub(crate) fn untrained_condition(model: &Model, input: usize) -> PredictError {
    let pp = &model.params.pert_prior;
    let schema = &model.params.schema;
    let listed: Vec<String> = pp
        .conditions
        .iter()
        .map(|codes| {
            let parts: Vec<String> = pp
                .keys
                .iter()
                .zip(codes)
                .filter_map(|(&k, c)| {
                    let key = &schema.keys[k as usize];
                    c.map(|l| format!("{}: {:?}", key.key, key.levels[l as usize]))
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        })
        .collect();
    invalid(
        format!("inputs[{input}].metadata"),
        format!(
            "these perturbation values do not form a perturbation this model was trained on; use the values of one of: {}",
            listed.join("; ")
        ),
    )
}
