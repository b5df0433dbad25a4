//! The parse-and-validate entry point shared by the property tests, the
//! regression corpus replay and the cargo-fuzz target (`fuzz/fuzz_targets/query.rs`
//! includes this file): any bytes go through [`synthbio_server::read_query`]
//! for one of a few models, and the answer must keep the endpoint's promises.
//!
//! Depends on synthbio-core and synthbio-server only, so the fuzz crate can use it.

use std::collections::BTreeMap;
use synthbio_core::{Family, LatentDims, Modality, ModelId, ModelInfo, ModelSpec, Query};
use synthbio_server::{read_query, ServerConfig};

/// Genes of the metadata prediction and reference conditioning models.
pub const N_GENES: usize = 4;
/// [`config`]'s sample limit.
pub const MAX_TOTAL_SAMPLES: u64 = 50;
/// [`config`]'s input limit.
pub const MAX_INPUTS: usize = 8;

fn info(id: &str, family: Family, modality: Modality) -> ModelInfo {
    ModelInfo {
        model_id: id.into(),
        family,
        modality,
        model_version: "intake-check".into(),
        n_genes: N_GENES,
        latent_dims: LatentDims {
            biological: 2,
            technical: 1,
            perturbation: 1,
        },
        spec: ModelSpec {
            n_genes: Some(N_GENES),
            trained_values: BTreeMap::from([(
                "sex".to_string(),
                vec!["female".to_string(), "male".to_string()],
            )]),
            ..ModelSpec::default()
        },
    }
}

/// One model of each family and modality, and one whose id names no family.
pub fn models() -> Vec<ModelInfo> {
    vec![
        info("gem-1-bulk", Family::Baseline, Modality::Bulk),
        info("gem-1-sc", Family::Baseline, Modality::SingleCell),
        info(
            "gem-1-bulk_reference-conditioning",
            Family::ReferenceConditioning,
            Modality::Bulk,
        ),
        info(
            "gem-1-bulk_predict-metadata",
            Family::MetadataPrediction,
            Modality::Bulk,
        ),
        info("custom-model", Family::Baseline, Modality::Bulk),
    ]
}

/// Small limits, so that generated queries cross them.
pub fn config() -> ServerConfig {
    ServerConfig::default()
        .with_max_total_samples(MAX_TOTAL_SAMPLES)
        .with_max_inputs(MAX_INPUTS)
}

/// What [`check_body`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted (within every limit).
    Accepted,
    /// Rejected with this status (400 or 422) and these problem paths.
    Rejected(u16, Vec<String>),
}

/// Runs a body through `read_query` for `model` and checks the promises:
/// no panic; an accepted query is within the limits; a rejection is 400 (not
/// JSON) or 422 (JSON breaking a rule) with a summary and at least one problem,
/// each with a path that is empty (the whole body) or starts with a field name.
pub fn check_body(body: &[u8], model: &ModelInfo, config: &ServerConfig) -> Outcome {
    match read_query(body, model, config) {
        Ok(query) => {
            check_accepted(&query, model, config);
            Outcome::Accepted
        }
        Err(e) => {
            let status = e.status();
            let errors = e.errors();
            assert!(
                status == 400 || status == 422,
                "status {status} for {:?}: {errors:?}",
                String::from_utf8_lossy(body)
            );
            if status == 400 {
                assert!(
                    serde_json::from_slice::<serde_json::Value>(body).is_err(),
                    "400 for valid JSON {:?}",
                    String::from_utf8_lossy(body)
                );
            }
            assert!(!errors.error.is_empty(), "no summary: {errors:?}");
            assert!(!errors.errors.is_empty(), "no problem listed: {errors:?}");
            for p in &errors.errors {
                assert!(!p.message.is_empty(), "empty message: {errors:?}");
                let starts_as_a_path = p.path.is_empty()
                    || p.path
                        .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
                assert!(starts_as_a_path, "odd path {:?} in {errors:?}", p.path);
            }
            Outcome::Rejected(
                status,
                errors.errors.iter().map(|p| p.path.clone()).collect(),
            )
        }
    }
}

fn check_accepted(query: &Query, model: &ModelInfo, config: &ServerConfig) {
    assert!(!query.inputs.is_empty(), "accepted with no inputs");
    assert!(
        query.inputs.len() <= config.max_inputs,
        "accepted over max_inputs"
    );
    assert!(
        query.total_samples() <= config.max_total_samples,
        "accepted {} samples over max_total_samples",
        query.total_samples()
    );
    // Counts are checked for the GEM families; another id is the predictor's to check.
    if ModelId::from(model.model_id.as_str()).family().is_none() {
        return;
    }
    for input in &query.inputs {
        for &c in input.counts.iter().flatten() {
            assert!(
                c.is_finite() && c >= 0.0 && c.fract() == 0.0 && c <= f64::from(u32::MAX),
                "accepted the count {c}"
            );
        }
    }
}

/// The fuzz entry point: the first byte picks the model, the rest is the body.
pub fn check(data: &[u8]) -> Outcome {
    let models = models();
    let Some((&pick, body)) = data.split_first() else {
        return Outcome::Rejected(0, Vec::new());
    };
    check_body(body, &models[usize::from(pick) % models.len()], &config())
}
