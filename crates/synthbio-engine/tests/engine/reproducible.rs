//! The counts of fixed queries, pinned: speed work on the prediction path must
//! leave every count as it was (the model files' reproducibility rests on it).
//! The digests were taken before the path was optimized; the bulk ones again
//! when TCGA BRCA joined the training data (a new model, not a new path).

use crate::common::{example, predict};
use synthbio_core::{metadata, Query, SamplingStrategy};

/// FNV-1a over the counts in row-major order (the gene order is fixed by the model).
fn digest(model: &str, query: &Query) -> u64 {
    let data = predict(model, query).unwrap();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in data.counts().iter() {
        for byte in c.to_le_bytes() {
            h = (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn baseline(strategy: SamplingStrategy, cell_type: &str) -> Query {
    Query::baseline(strategy)
        .with_input(metadata([("cell_type_ontology_id", cell_type)]), 24)
        .with_seed(11)
}

#[test]
fn mean_estimation_and_draws_give_the_counts_they_always_gave() {
    let cases = [
        (
            "gem-1-bulk",
            baseline(SamplingStrategy::MeanEstimation, "CL:0000236"),
            0x18e1_edde_3378_11ad,
        ),
        (
            "gem-1-bulk",
            baseline(SamplingStrategy::SampleGeneration, "CL:0000236"),
            0x5b35_c127_e68c_4a0c,
        ),
        (
            "gem-1-sc",
            baseline(SamplingStrategy::MeanEstimation, "CL:0000860"),
            0x40c3_0943_43a0_e89f,
        ),
        (
            "gem-1-bulk_reference-conditioning",
            example("gem-1-bulk_reference-conditioning"),
            0xe189_37e2_7075_5697,
        ),
        (
            "gem-1-sc_reference-conditioning",
            example("gem-1-sc_reference-conditioning"),
            0x89e0_43b8_0336_a0cd,
        ),
    ];
    let got: Vec<u64> = cases.iter().map(|(m, q, _)| digest(m, q)).collect();
    let want: Vec<u64> = cases.iter().map(|c| c.2).collect();
    assert_eq!(got, want, "counts changed: {got:#x?}");
}
