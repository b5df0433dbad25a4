//! The counts and latents of fixed queries, pinned: speed work on the
//! prediction path must leave every count and every bit as it was (the model
//! files' reproducibility rests on it). The counts' digests were taken before
//! the path was optimized, the bulk ones again when TCGA BRCA joined the
//! training data (a new model, not a new path); the latents' at 18ac428, when
//! encoding was still `ndarray`'s `dot`.

use crate::common::{example, predict};
use synthbio_core::{metadata, Query, SamplingStrategy};

/// FNV-1a over little-endian bytes.
fn fnv(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// FNV-1a over the counts in row-major order (the gene order is fixed by the model).
fn digest(model: &str, query: &Query) -> u64 {
    let data = predict(model, query).unwrap();
    fnv(data.counts().iter().flat_map(|c| c.to_le_bytes()))
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

/// Rounded counts hide the last bits of the products behind them; the latents
/// of metadata prediction (the encoder's output, unrounded) show every bit.
#[test]
fn encoded_latents_keep_every_bit() {
    let cases = [
        ("gem-1-bulk_predict-metadata", 0xb013_3de1_3b9e_57e7),
        ("gem-1-sc_predict-metadata", 0xb5e8_d7f1_fd1b_f9fa),
    ];
    let got: Vec<u64> = cases
        .iter()
        .map(|(m, _)| {
            let data = predict(m, &example(m)).unwrap();
            let z = data.latents().expect("metadata prediction returns latents");
            let blocks = [&z.biological, &z.technical, &z.perturbation];
            fnv(blocks
                .iter()
                .flat_map(|b| b.iter())
                .flat_map(|v| v.to_bits().to_le_bytes()))
        })
        .collect();
    let want: Vec<u64> = cases.iter().map(|c| c.1).collect();
    assert_eq!(got, want, "latents changed: {got:#x?}");
}
