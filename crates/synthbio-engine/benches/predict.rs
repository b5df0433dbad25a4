//! Prediction speed: bulk mean estimation over a batch (target: 5,000 samples/s).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use synthbio_core::{metadata, Predictor, Query, SamplingStrategy};
use synthbio_engine::Engine;

fn mean_estimation(c: &mut Criterion) {
    let engine = Engine::embedded().expect("shipped models");
    let mut group = c.benchmark_group("bulk");
    group.sample_size(10);
    for n in [1000u64, 5000] {
        let q = Query::baseline(SamplingStrategy::MeanEstimation)
            .with_input(
                metadata([("sex", "female"), ("cell_type_ontology_id", "CL:0000236")]),
                n,
            )
            .with_seed(1);
        group.throughput(Throughput::Elements(n));
        group.bench_function(format!("mean estimation {n} samples"), |b| {
            b.iter(|| engine.predict(&"gem-1-bulk".into(), &q).unwrap())
        });
    }
    let q = Query::baseline(SamplingStrategy::SampleGeneration)
        .with_input(metadata([("sex", "female")]), 500)
        .with_seed(1);
    group.throughput(Throughput::Elements(500));
    group.bench_function("sample generation 500 samples", |b| {
        b.iter(|| engine.predict(&"gem-1-bulk".into(), &q).unwrap())
    });
    group.finish();
}

criterion_group!(benches, mean_estimation);
criterion_main!(benches);
