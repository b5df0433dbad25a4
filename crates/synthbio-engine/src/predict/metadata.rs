//! Metadata prediction: counts in; classifier probabilities, predicted labels,
//! latents and a decoder sample out.

use super::{decode_counts, result, split_latents, Counting, Streams};
use crate::classify::log_probs;
use crate::model::Model;
use crate::params::Classifier;
use crate::transform::{log_expr, measured_share};
use ndarray::{Array2, ArrayView1};
use synthbio_core::{
    ClassProbabilities, Dataset, Measured, MetadataTable, Modality, PredictError, Query,
};

/// Encodes each input's counts to its posterior latent means, classifies every
/// metadata field the model knows (`sex` from marker genes when the input
/// measured one, see `sex_head`), and decodes the latents at the input's
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
    let mut z = model.encode_samples(&counts, centred.view());
    let mut totals: Vec<u64> = counts
        .iter()
        .map(|c| c.iter().sum::<f64>() as u64)
        .collect();
    if let Some(measured) = &query.measured {
        encode_measured_inputs(model, &counts, measured, &mut z, &mut totals)?;
    }
    let schema = &model.params.schema;
    let mut metadata = MetadataTable::new(n);
    let mut probs = Vec::new();
    let masks = input_masks(model, &counts, query.measured.as_ref());
    let libs: Vec<f64> = counts
        .iter()
        .zip(&masks)
        .map(|(c, m)| panel_corrected_library_size(model, c, m.as_deref()))
        .collect();
    for c in &model.params.classifiers {
        let key = &schema.keys[c.key as usize];
        let mut p = Array2::<f64>::zeros((n, c.classes.len()));
        for s in 0..n {
            let (cs, mask, lib) = (counts[s], masks[s].as_deref(), libs[s]);
            let level = |j: usize| {
                mask.is_none_or(|m| m[j])
                    .then(|| log_expr(cs[j], lib, model.params.scale))
            };
            let lp = class_log_probs(model, c, z.row(s), &level);
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

/// Log probabilities of the classes of `c` for one sample with joint latent
/// `z` and log expression `level(j)` of gene `j` (`None` where unmeasured):
/// from the sex head when `c` classifies its key and the sample measured a
/// marker it uses, else from the key's expression head when it has one and
/// the sample measured its genes, else from the latent block.
pub(crate) fn class_log_probs(
    model: &Model,
    c: &Classifier,
    z: ArrayView1<'_, f64>,
    level: &dyn Fn(usize) -> Option<f64>,
) -> Vec<f64> {
    let head = model.params.sex_head.as_ref().filter(|h| h.key == c.key);
    if let Some(lp) = head.and_then(|h| Some((h, h.log_probs(level)?))) {
        let (h, lp) = lp;
        return c
            .classes
            .iter()
            .map(|l| match h.levels.iter().position(|hl| hl == l) {
                Some(k) => lp[k],
                None => f64::NEG_INFINITY,
            })
            .collect();
    }
    if let Some(lp) = c.expression.as_ref().and_then(|h| h.log_probs(level)) {
        return lp;
    }
    let range = model.block_range(model.params.schema.keys[c.key as usize].block);
    log_probs(
        c,
        z.slice_axis(ndarray::Axis(0), ndarray::Slice::from(range)),
    )
}

/// Each input's measured-gene mask: the query's, else the reduced training
/// panel its zeros reveal ([`Model::panel_of`]); `None` when it measured every gene.
fn input_masks(
    model: &Model,
    counts: &[&[f64]],
    measured: Option<&Measured>,
) -> Vec<Option<Vec<bool>>> {
    counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let given = measured
                .map(|m| m.masks()[m.mask_index()[i] as usize].clone())
                .filter(|m| !m.iter().all(|&on| on));
            given.or_else(|| model.panel_of(c))
        })
        .collect()
}

/// The library size of an input's log scale: its total, scaled up by the
/// share of reads its measured genes hold in a typical sample when it did
/// not measure every gene.
fn panel_corrected_library_size(model: &Model, counts: &[f64], mask: Option<&[bool]>) -> f64 {
    let mu = model
        .mu
        .as_slice()
        .expect("a fresh 1-d array is contiguous");
    match mask {
        None => counts.iter().sum(),
        Some(m) => {
            let total: f64 = counts
                .iter()
                .zip(m)
                .filter(|(_, &on)| on)
                .map(|(v, _)| v)
                .sum();
            let share = measured_share(mu, m);
            if share > 0.0 {
                total / share
            } else {
                total
            }
        }
    }
}

/// Re-encodes the inputs that did not measure every gene ([`Query::measured`], set
/// in this process from a [`Dataset`]; the wire never carries it) from their measured
/// genes only: one encoder per distinct mask, the library size scaled up by the share
/// of reads the measured genes hold in a typical sample ([`measured_share`]). Their
/// decoded samples get that full library size.
fn encode_measured_inputs(
    model: &Model,
    counts: &[&[f64]],
    measured: &Measured,
    z: &mut Array2<f64>,
    totals: &mut [u64],
) -> Result<(), PredictError> {
    let g = model.n_genes();
    if measured.n_samples() != counts.len() || measured.n_genes() != g {
        return Err(PredictError::Failed(format!(
            "the measured-gene mask covers {} inputs x {} genes but the query has {} inputs \
             and the model {g} genes; build the query with Query::metadata_prediction_of",
            measured.n_samples(),
            measured.n_genes(),
            counts.len()
        )));
    }
    let mu = model
        .mu
        .as_slice()
        .expect("a fresh 1-d array is contiguous");
    for (k, mask) in measured.masks().iter().enumerate() {
        let rows: Vec<usize> = (0..counts.len())
            .filter(|&i| measured.mask_index()[i] as usize == k)
            .collect();
        if rows.is_empty() || mask.iter().all(|&m| m) {
            continue;
        }
        let share = measured_share(mu, mask);
        if share <= 0.0 {
            return Err(PredictError::Failed(
                "an input measured none of the model's expressed genes; give counts of the model's genes".into(),
            ));
        }
        let mut centred = Array2::<f64>::zeros((rows.len(), g));
        for (r, &i) in rows.iter().enumerate() {
            let c = counts[i];
            let measured_total: f64 = c.iter().zip(mask).filter(|(_, &m)| m).map(|(v, _)| v).sum();
            let lib = measured_total / share;
            for j in (0..g).filter(|&j| mask[j]) {
                let y = if lib > 0.0 {
                    log_expr(c[j], lib, model.params.scale)
                } else {
                    0.0
                };
                centred[[r, j]] = y - mu[j];
            }
            totals[i] = lib.round() as u64;
        }
        let encoded = model.encode_measured(centred.view(), mask);
        for (r, &i) in rows.iter().enumerate() {
            z.row_mut(i).assign(&encoded.row(r));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::Engine;
    use synthbio_core::{metadata, Dataset, Measured, ModelId, Predictor, Query, SamplingStrategy};

    /// Squared distance between the joint latents of two results, per sample.
    fn distances(a: &Dataset, b: &Dataset) -> Vec<f64> {
        let blocks = synthbio_core::LatentBlock::ALL;
        let (za, zb) = (
            a.latents().expect("latents").joined(&blocks),
            b.latents().expect("latents").joined(&blocks),
        );
        (0..za.nrows())
            .map(|i| (&za.row(i) - &zb.row(i)).mapv(|x| x * x).sum())
            .collect()
    }

    /// Samples that measured half the genes: encoded from those genes they land
    /// near the latents of the complete samples; the same zeros read as
    /// measurements land far away.
    #[test]
    fn unmeasured_genes_are_left_out_of_the_encoding() {
        let engine = Engine::embedded().unwrap();
        let bulk = ModelId::from("gem-1-bulk");
        let predict = ModelId::from("gem-1-bulk_predict-metadata");
        let query = Query::baseline(SamplingStrategy::SampleGeneration)
            .with_input(
                metadata([("sex", "female"), ("sample_type", "cell line")]),
                3,
            )
            .with_input(
                metadata([("sex", "male"), ("sample_type", "primary tissue")]),
                3,
            )
            .with_seed(7);
        let full = engine.predict(&bulk, &query).unwrap();
        let g = full.n_genes();
        let complete = engine
            .predict(&predict, &Query::metadata_prediction_of(&full).with_seed(1))
            .unwrap();
        // Every third gene unmeasured.
        let mask: Vec<bool> = (0..g).map(|j| j % 3 != 0).collect();
        let masked = full
            .clone()
            .with_measured(Measured::same_for_all(full.n_samples(), mask))
            .unwrap();
        let query = Query::metadata_prediction_of(&masked).with_seed(1);
        assert!(query.measured.is_some());
        let with_mask = engine.predict(&predict, &query).unwrap();
        let mut as_zero = query.clone();
        as_zero.measured = None;
        let as_zero = engine.predict(&predict, &as_zero).unwrap();
        let near = distances(&with_mask, &complete);
        let far = distances(&as_zero, &complete);
        for (s, (n, f)) in near.iter().zip(&far).enumerate() {
            assert!(n * 4.0 < *f, "sample {s}: masked {n}, zeros {f}");
        }
        // The predicted sex follows the complete samples.
        assert_eq!(
            with_mask.metadata().column("sex"),
            complete.metadata().column("sex")
        );
    }

    #[test]
    fn a_mask_of_the_wrong_shape_is_refused() {
        let engine = Engine::embedded().unwrap();
        let predict = ModelId::from("gem-1-bulk_predict-metadata");
        let g = engine.gene_order(&predict).unwrap().len();
        let mut query = Query::metadata_prediction([vec![5.0; g]]);
        query.measured = Some(Measured::same_for_all(2, vec![true; g]));
        let err = engine.predict(&predict, &query).unwrap_err().to_string();
        assert!(err.contains("covers 2 inputs"), "{err}");
    }
}
