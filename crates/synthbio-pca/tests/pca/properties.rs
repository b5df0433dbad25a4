//! Invariants on random low-rank-plus-noise matrices, for every solver.

use ndarray::{Array2, Axis};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use synthbio_pca::{FitOptions, PcaModel, Solver};

/// `n x p` data of rank about `rank` plus small noise, with column `constant`
/// (if any) set to a constant.
fn data(n: usize, p: usize, rank: usize, seed: u64, constant: Option<usize>) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = |r: usize, c: usize| {
        Array2::from_shape_fn((r, c), |_| rng.sample::<f64, _>(StandardNormal))
    };
    let (a, b, noise) = (normal(n, rank), normal(rank, p), normal(n, p));
    let mut x = a.dot(&b) * 3.0 + noise * 0.1;
    if let Some(c) = constant.filter(|&c| c < p) {
        x.column_mut(c).fill(2.5);
    }
    x
}

const SOLVERS: [Solver; 3] = [Solver::Full, Solver::CovarianceEigh, Solver::Randomized];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn invariants_hold(
        n in 2usize..40,
        p in 1usize..25,
        rank in 1usize..5,
        seed in any::<u64>(),
        standardize in any::<bool>(),
        constant in proptest::option::of(0usize..25),
        solver_index in 0usize..3,
    ) {
        let x = data(n, p, rank, seed, constant);
        if constant.is_some_and(|c| c < p) && p == 1 {
            // A single constant column: nothing to explain.
            return Ok(());
        }
        let solver = SOLVERS[solver_index];
        let k = n.min(p);
        let options = FitOptions { n_components: Some(k), standardize, solver, ..FitOptions::default() };
        let (model, scores) = PcaModel::fit_transform(x.view(), &options).unwrap();

        // Components are orthonormal.
        let gram = model.components().dot(&model.components().t());
        for ((i, j), v) in gram.indexed_iter() {
            let expected = if i == j { 1.0 } else { 0.0 };
            prop_assert!((v - expected).abs() < 1e-8, "{solver:?}: C C^T[{i},{j}] = {v}");
        }
        // Singular values are non-negative and descending.
        let s = model.singular_values();
        prop_assert!(s.iter().all(|&v| v >= 0.0 && v.is_finite()));
        for w in s.as_slice().unwrap().windows(2) {
            prop_assert!(w[0] >= w[1] - 1e-9 * s[0], "{solver:?}: not descending: {s}");
        }
        // All components together explain all the variance.
        let total: f64 = model.explained_variance_ratio().sum();
        prop_assert!((total - 1.0).abs() < 1e-8, "{solver:?}: ratios sum to {total}");
        // Scores are the projection of the training data.
        let projected = model.transform(x.view()).unwrap();
        let spread = x.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for (a, b) in scores.iter().zip(&projected) {
            prop_assert!((a - b).abs() < 1e-9 * spread);
        }
        // All components reconstruct the data exactly.
        let mut back = scores.dot(model.components());
        if let Some(scale) = model.scale() {
            back *= &scale.view().insert_axis(Axis(0));
        }
        back += &model.mean().view().insert_axis(Axis(0));
        for (a, b) in back.iter().zip(&x) {
            prop_assert!((a - b).abs() < 1e-8 * spread, "{solver:?}: reconstruction {a} vs {b}");
        }
    }

    #[test]
    fn solvers_agree_on_leading_components(
        n in 12usize..60,
        p in 3usize..20,
        seed in any::<u64>(),
    ) {
        // Rank 2 signal: the first two components are well separated from the noise.
        let x = data(n, p, 2, seed, None);
        let fit = |solver| {
            let options = FitOptions { n_components: Some(2), solver, ..FitOptions::default() };
            PcaModel::fit(x.view(), &options).unwrap()
        };
        let exact = fit(Solver::Full);
        for solver in [Solver::CovarianceEigh, Solver::Randomized] {
            let other = fit(solver);
            for (a, b) in other.explained_variance().iter().zip(exact.explained_variance()) {
                prop_assert!((a - b).abs() <= 1e-8 * b, "{solver:?}: {a} vs {b}");
            }
        }
    }
}
