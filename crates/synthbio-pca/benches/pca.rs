//! PCA of a 2000 x 500 low-rank matrix (rank 20 plus noise), 10 components:
//! faer exact SVD, faer covariance eigen-decomposition, faer randomized SVD,
//! and linfa-reduction 0.8.1 for comparison. `cargo bench -p synthbio-pca`.

use criterion::{criterion_group, criterion_main, Criterion};
use linfa::traits::Fit;
use linfa::DatasetBase;
use linfa_reduction::Pca as LinfaPca;
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::hint::black_box;
use synthbio_pca::{PcaModel, PcaOptions, Solver};

const K: usize = 10;

fn low_rank(n: usize, p: usize, rank: usize) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut normal = |r, c| Array2::from_shape_fn((r, c), |_| rng.sample::<f64, _>(StandardNormal));
    let (a, b, noise) = (normal(n, rank), normal(rank, p), normal(n, p));
    a.dot(&b) + noise * 0.1
}

fn bench(c: &mut Criterion) {
    let x = low_rank(2000, 500, 20);
    let mut group = c.benchmark_group("pca_2000x500_k10");
    group.sample_size(10);
    for solver in [Solver::Full, Solver::CovarianceEigh, Solver::Randomized] {
        let options = PcaOptions {
            n_components: Some(K),
            solver,
            ..PcaOptions::default()
        };
        group.bench_function(format!("faer_{}", solver.as_str()), |b| {
            b.iter(|| PcaModel::fit(black_box(x.view()), &options).unwrap())
        });
    }
    let dataset = DatasetBase::from(x.clone());
    match LinfaPca::params(K).fit(&dataset) {
        Ok(_) => {
            group.bench_function("linfa_reduction", |b| {
                b.iter(|| LinfaPca::params(K).fit(black_box(&dataset)))
            });
        }
        Err(e) => eprintln!("linfa-reduction failed on this matrix ({e}); not timed"),
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
