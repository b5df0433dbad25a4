//! Welch and moderated (limma) t over 44,592 genes with 2 x 10 replicates of
//! edgeR log CPM, Benjamini-Hochberg included.
//!
//! `cargo bench -p synthbio-bench --bench de`

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use synthbio_bench::{gen, HOSTED_BULK_GENES};
use synthbio_de::{differential_expression, DeTest, Groups};
use synthbio_normalize::log_cpm;

fn bench(c: &mut Criterion) {
    let g = HOSTED_BULK_GENES;
    let values = log_cpm(gen::counts(20, g, 14).view(), 2.0).expect("non-empty libraries");
    let genes = gen::gene_ids(g);
    let groups = Groups::from_indices((0..10).collect(), (10..20).collect());
    let mut group = c.benchmark_group("de 44592 genes 2 x 10");
    for (name, test) in [("welch", DeTest::Welch), ("moderated", DeTest::Moderated)] {
        group.bench_function(name, |b| {
            b.iter(|| differential_expression(black_box(&values), &genes, &groups, test).unwrap())
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
