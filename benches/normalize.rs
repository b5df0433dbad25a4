//! CPM, edgeR log CPM (prior 2) and log2 fold change on 10,000 samples x
//! 44,592 genes of `u32` counts; f64 and f32 output where both are offered
//! (fold changes are f64 only). Fold changes compare each sample with one of
//! 10 references (`reference_fold_changes`, `log2(cpm + 1)` of each). The f64
//! normalizations also run into one reused output (`normalize_into`).
//!
//! `cargo bench -p synthbio-bench --bench normalize`

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndarray::Array2;
use std::hint::black_box;
use synthbio_bench::{gen, HOSTED_BULK_GENES};
use synthbio_core::Dataset;
use synthbio_de::reference_fold_changes;
use synthbio_normalize::{normalize, normalize_into, Method, NormalizeParams};

const SAMPLES: usize = 10_000;
const REFERENCES: usize = 10;

fn bench(c: &mut Criterion) {
    let g = HOSTED_BULK_GENES;
    let counts = gen::counts(SAMPLES, g, 12);
    let mut group = c.benchmark_group("normalize 10000 x 44592");
    group.throughput(Throughput::Elements((SAMPLES * g) as u64));
    let log_cpm = Method::LogCpm { prior_count: 2.0 };
    for (name, method) in [("cpm", Method::Cpm), ("log_cpm", log_cpm)] {
        let params = NormalizeParams::new(method);
        group.bench_function(format!("{name} f64"), |b| {
            b.iter(|| normalize::<u32, f64>(black_box(counts.view()), &params).unwrap())
        });
        group.bench_function(format!("{name} f32"), |b| {
            b.iter(|| normalize::<u32, f32>(black_box(counts.view()), &params).unwrap())
        });
        // Into one reused output, as a batch pipeline does (no fresh pages to fault in).
        let mut out = Some(Array2::<f64>::from_elem(counts.dim(), 1.0));
        group.bench_function(format!("{name} f64 into a reused buffer"), |b| {
            b.iter(|| {
                let buffer = out.take().expect("returned by the previous run");
                let n = normalize_into(black_box(counts.view()), &params, buffer).unwrap();
                out = Some(n.expression.values);
            })
        });
    }
    let genes = gen::gene_ids(g);
    let generated = Dataset::new(counts, genes.clone(), Dataset::default_sample_ids(SAMPLES))
        .and_then(|d| d.with_input_index((0..SAMPLES).map(|i| i * REFERENCES / SAMPLES).collect()))
        .expect("consistent shapes");
    let references = Dataset::new(
        gen::counts(REFERENCES, g, 13),
        genes,
        (0..REFERENCES).map(|i| format!("ref_{i}")).collect(),
    )
    .expect("consistent shapes");
    group.bench_function("log2 fold change f64 (10 references)", |b| {
        b.iter(|| reference_fold_changes(black_box(&generated), &references).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
