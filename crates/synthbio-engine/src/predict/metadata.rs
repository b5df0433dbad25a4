//! Metadata prediction: counts in; classifier probabilities, predicted labels,
//! latents and a decoder sample out.

use super::{decode_counts, result, split_latents, Counting, Streams};
use crate::classify::log_probs;
use crate::model::Model;
use ndarray::Array2;
use synthbio_core::{ClassProbabilities, Dataset, MetadataTable, Modality, PredictError, Query};

/// Encodes each input's counts to its posterior latent means, classifies every
/// metadata field the model knows, and decodes the latents at the input's
/// library size (bulk: a negative binomial draw; single cell: expected counts,
/// as single-cell models have no noise model).
pub(crate) fn predict_metadata(model: &Model, query: &Query) -> Result<Dataset, PredictError> {
    let counts: Vec<&[f64]> = query
        .inputs
        .iter()
        .map(|i| i.counts.as_deref().unwrap_or(&[]))
        .collect();
    let n = counts.len();
    let centred = model.centred_log(&counts);
    let z = model.encode_samples(&counts, centred.view());
    let schema = &model.params.schema;
    let mut metadata = MetadataTable::new(n);
    let mut probs = Vec::new();
    for c in &model.params.classifiers {
        let key = &schema.keys[c.key as usize];
        let mut p = Array2::<f64>::zeros((n, c.classes.len()));
        let range = model.block_range(key.block);
        for s in 0..n {
            let zb = z.row(s);
            let lp = log_probs(
                c,
                zb.slice_axis(ndarray::Axis(0), ndarray::Slice::from(range.clone())),
            );
            for (j, l) in lp.iter().enumerate() {
                p[[s, j]] = l.exp();
            }
        }
        let cp = ClassProbabilities {
            classes: c
                .classes
                .iter()
                .map(|&l| key.levels[l as usize].clone())
                .collect(),
            probs: p,
        };
        let labels = (0..n)
            .map(|s| cp.argmax(s).map(|(label, _)| label.to_string()))
            .collect();
        metadata
            .set_column(key.key.clone(), labels)
            .map_err(|e| PredictError::Failed(e.to_string()))?;
        probs.push((key.key.clone(), cp));
    }
    let totals: Vec<u64> = counts
        .iter()
        .map(|c| c.iter().sum::<f64>() as u64)
        .collect();
    let counting = match model.params.modality {
        Modality::Bulk => Counting::Sampled(Streams::new(query.seed)),
        Modality::SingleCell => Counting::Expected,
    };
    let out = decode_counts(model, z.view(), &[], &totals, counting);
    let mut data = result(
        model,
        out,
        metadata,
        split_latents(model, &z),
        (0..n).collect(),
    )?;
    for (key, cp) in probs {
        data = data
            .with_classifier_probs(key, cp)
            .map_err(|e| PredictError::Failed(e.to_string()))?;
    }
    Ok(data)
}
