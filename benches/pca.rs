//! PCA to 50 components of 100,000 samples x 1,568 latent dimensions (the
//! hosted model's 1,024 + 32 + 512), low-rank plus noise as latents are:
//! covariance eigen-decomposition (exact) and randomized SVD, on faer. The
//! exact thin SVD (`full`) takes about a minute at that size, so criterion's
//! 11 runs would take 10 minutes: it runs here on 20,000 samples, and at
//! 100,000 in the comparison harness (`benches/compare`, one run). Then, on a
//! 2,000 x 500 matrix, the three solvers next to linfa-reduction 0.8.1 (the
//! crate not chosen; see `crates/synthbio-pca/src/lib.rs`).
//!
//! `SYNTHBIO_BENCH_PCA_SAMPLES` and `SYNTHBIO_BENCH_PCA_FULL_SAMPLES` set
//! other numbers of samples.
//!
//! `cargo bench -p synthbio-bench --bench pca`

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use linfa::traits::Fit;
use linfa::DatasetBase;
use linfa_reduction::Pca as LinfaPca;
use std::hint::black_box;
use synthbio_bench::{gen, HOSTED_LATENT_DIMS};
use synthbio_pca::{FitOptions, PcaModel, Solver};

const SOLVERS: [Solver; 3] = [Solver::Full, Solver::CovarianceEigh, Solver::Randomized];

fn options(k: usize, solver: Solver) -> FitOptions {
    FitOptions {
        n_components: Some(k),
        solver,
        ..FitOptions::default()
    }
}

fn samples(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn latents(c: &mut Criterion) {
    let p: usize = HOSTED_LATENT_DIMS.iter().sum();
    let cases = [
        (
            samples("SYNTHBIO_BENCH_PCA_SAMPLES", 100_000),
            &SOLVERS[1..],
        ),
        (
            samples("SYNTHBIO_BENCH_PCA_FULL_SAMPLES", 20_000),
            &SOLVERS[..1],
        ),
    ];
    for (n, solvers) in cases {
        let x = gen::latents(n, p, 64, 16);
        let mut group = c.benchmark_group(format!("pca {n} x {p} k50"));
        for &solver in solvers {
            let o = options(50, solver);
            group.bench_function(solver.as_str(), |b| {
                b.iter(|| PcaModel::fit_transform(black_box(x.view()), &o).unwrap())
            });
        }
        group.finish();
    }
}

fn against_linfa(c: &mut Criterion) {
    const K: usize = 10;
    let x = gen::latents(2_000, 500, 20, 7);
    let mut group = c.benchmark_group("pca 2000 x 500 k10");
    for solver in SOLVERS {
        let o = options(K, solver);
        group.bench_function(format!("faer {}", solver.as_str()), |b| {
            b.iter(|| PcaModel::fit(black_box(x.view()), &o).unwrap())
        });
    }
    let dataset = DatasetBase::from(x.clone());
    match LinfaPca::params(K).fit(&dataset) {
        Ok(_) => {
            group.bench_function("linfa-reduction", |b| {
                b.iter(|| LinfaPca::params(K).fit(black_box(&dataset)))
            });
        }
        Err(e) => eprintln!("linfa-reduction failed on this matrix ({e}); not timed"),
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = latents, against_linfa
}
criterion_main!(benches);
