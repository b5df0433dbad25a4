//! Decoding a hosted result of 1,000 samples x 44,592 genes (with metadata and
//! 1,024 + 32 + 512 latents) into the dataset type, from the result JSON a
//! download gives and from the Arrow IPC stream of the self-hosted mode. Both
//! byte strings come from the synthbio server on loopback, once.
//!
//! `cargo bench -p synthbio-bench --bench decode`

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use synthbio_bench::{gen, results};
use synthbio_client::{decode_arrow, decode_json};

const SAMPLES: usize = 1_000;

fn bench(c: &mut Criterion) {
    let bytes = results::fetch(gen::hosted_result(SAMPLES, 11)).expect("loopback server");
    let mut group = c.benchmark_group("decode 1000 x 44592");
    group.throughput(Throughput::Bytes(bytes.json.len() as u64));
    group.bench_function("json", |b| {
        b.iter(|| decode_json(black_box(bytes.json.as_slice()), None).unwrap())
    });
    group.throughput(Throughput::Bytes(bytes.arrow.len() as u64));
    group.bench_function("arrow", |b| {
        b.iter(|| decode_arrow(black_box(bytes.arrow.as_slice()), None).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
