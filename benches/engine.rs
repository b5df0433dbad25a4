//! The local engine's speed in samples per second: mean estimation and sample
//! generation for the bulk model, mean estimation for the single-cell model
//! (sample generation draws measurement noise and is bulk only, docs/protocol.md).
//! Issue 16's goal: at least 10,000 bulk and 10,000 single-cell samples per
//! second in mean estimation, every count unchanged (the engine's
//! `reproducible` test pins them).
//!
//! `cargo bench -p synthbio-bench --bench engine`

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use synthbio_core::{metadata, ModelId, Predictor, Query, SamplingStrategy};
use synthbio_engine::Engine;

fn bench(c: &mut Criterion) {
    let engine = Engine::embedded().expect("shipped models");
    let bulk: ModelId = "gem-1-bulk".into();
    let sc: ModelId = "gem-1-sc".into();
    let bulk_meta = || metadata([("sex", "female"), ("cell_type_ontology_id", "CL:0000236")]);
    let sc_meta = || metadata([("cell_type_ontology_id", "CL:0000860")]);
    let mut group = c.benchmark_group("engine");
    let cases = [
        (
            &bulk,
            bulk_meta(),
            SamplingStrategy::MeanEstimation,
            "bulk mean estimation",
            5_000u64,
        ),
        (
            &bulk,
            bulk_meta(),
            SamplingStrategy::SampleGeneration,
            "bulk sample generation",
            1_000,
        ),
        (
            &sc,
            sc_meta(),
            SamplingStrategy::MeanEstimation,
            "sc mean estimation",
            5_000,
        ),
    ];
    for (model, meta, strategy, name, n) in cases {
        let q = Query::baseline(strategy).with_input(meta, n).with_seed(1);
        group.throughput(Throughput::Elements(n));
        group.bench_function(format!("{name} {n} samples"), |b| {
            b.iter(|| engine.predict(model, &q).unwrap())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
