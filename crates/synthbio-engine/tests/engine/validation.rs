//! Queries the models cannot answer honestly are validation errors that list
//! the valid values.

use crate::common::{example, predict};
use synthbio_core::{metadata, PredictError, Query, SamplingStrategy};

fn problems(model: &str, q: &Query) -> Vec<(String, String)> {
    match predict(model, q) {
        Err(PredictError::Invalid(e)) => {
            e.errors.into_iter().map(|p| (p.path, p.message)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn single_cell_models_reject_sample_generation() {
    let q = Query::baseline(SamplingStrategy::SampleGeneration)
        .with_input(metadata([("cell_type_ontology_id", "CL:0000860")]), 1);
    let p = problems("gem-1-sc", &q);
    assert_eq!(p[0].0, "sampling_strategy");
    let mut rc = example("gem-1-sc_reference-conditioning");
    rc.sampling_strategy = Some(SamplingStrategy::SampleGeneration);
    assert_eq!(
        problems("gem-1-sc_reference-conditioning", &rc)[0].0,
        "sampling_strategy"
    );
}

#[test]
fn untrained_values_are_rejected_with_the_trained_ones() {
    // lung: a well-formed UBERON id the bulk model never saw
    let q = Query::baseline(SamplingStrategy::MeanEstimation)
        .with_input(metadata([("tissue_ontology_id", "UBERON:0002048")]), 1);
    let p = problems("gem-1-bulk", &q);
    assert_eq!(p[0].0, "inputs[0].metadata.tissue_ontology_id");
    assert!(p[0].1.contains("\"UBERON:0000948\""), "{}", p[0].1);
    // an unseen perturbation for reference conditioning
    let mut rc = example("gem-1-bulk_reference-conditioning");
    rc.inputs[0].metadata = Some(metadata([
        ("perturbation_type", "compound"),
        ("perturbation_ontology_id", "CHEBI:16681"),
    ]));
    let p = problems("gem-1-bulk_reference-conditioning", &rc);
    assert_eq!(p[0].0, "inputs[0].metadata.perturbation_ontology_id");
    assert!(p[0].1.contains("CHEBI:41879"), "{}", p[0].1);
    // a key the model was not trained with at all
    let q = Query::baseline(SamplingStrategy::MeanEstimation)
        .with_input(metadata([("age_years", "40")]), 1);
    assert_eq!(
        problems("gem-1-bulk", &q)[0].0,
        "inputs[0].metadata.age_years"
    );
    // a cell type the single-cell model does not know
    let q = Query::baseline(SamplingStrategy::MeanEstimation)
        .with_input(metadata([("cell_type_ontology_id", "CL:0000786")]), 1);
    let p = problems("gem-1-sc", &q);
    assert!(p[0].1.contains("CL:0000860"), "{}", p[0].1);
}

#[test]
fn trained_values_that_form_no_trained_perturbation_are_rejected() {
    // each value was trained, but "control" with dexamethasone's id is no condition
    let q = Query::baseline(SamplingStrategy::MeanEstimation).with_input(
        metadata([
            ("perturbation_type", "control"),
            ("perturbation_ontology_id", "CHEBI:41879"),
        ]),
        1,
    );
    let p = problems("gem-1-bulk", &q);
    assert_eq!(p[0].0, "inputs[0].metadata");
    assert!(
        p[0].1.contains("perturbation_ontology_id: \"CHEBI:41879\""),
        "{}",
        p[0].1
    );
}

#[test]
fn counts_of_the_wrong_length_are_rejected() {
    let mut q = example("gem-1-bulk_predict-metadata");
    q.inputs[0].counts.as_mut().unwrap().pop();
    let p = problems("gem-1-bulk_predict-metadata", &q);
    assert_eq!(p[0].0, "inputs[0].counts");
    assert!(p[0].1.contains("genes"), "{}", p[0].1);
}
