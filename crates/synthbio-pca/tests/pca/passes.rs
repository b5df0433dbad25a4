//! The randomized fit in passes over sparse chunks against scikit-learn's exact
//! PCA (`tests/golden`) and against the in-memory exact fit on sparser data.

use crate::golden::{assert_spectrum_and_mean, golden, matrix, slice};
use approx::assert_relative_eq;
use ndarray::{Array2, Axis};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use synthbio_core::SparseValues;
use synthbio_pca::{
    fit_sparse_in_passes, FitOptions, PcaError, PcaModel, RandomizedOptions, Solver,
};

/// The non-zero values of `x` (samples x features) as a sparse matrix.
fn sparse(x: &Array2<f64>) -> SparseValues {
    let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
    for row in x.rows() {
        for (j, &v) in row.iter().enumerate() {
            if v != 0.0 {
                indices.push(j as u32);
                data.push(v);
            }
        }
        indptr.push(indices.len());
    }
    SparseValues::new(x.dim(), indptr, indices, data)
}

/// Fits in passes over chunks of `rows` samples, counting the passes.
fn fit_in_chunks(x: &Array2<f64>, rows: usize, options: &FitOptions) -> (PcaModel, usize) {
    let whole = sparse(x);
    let chunks: Vec<SparseValues> = (0..x.nrows())
        .step_by(rows)
        .map(|from| {
            whole
                .slice_outer(from..(from + rows).min(x.nrows()))
                .to_owned()
        })
        .collect();
    let mut passes = 0;
    let model = fit_sparse_in_passes(x.ncols(), options, |visit| {
        passes += 1;
        chunks.iter().try_for_each(&mut *visit)
    })
    .map_err(|e: PcaError| e.to_string())
    .unwrap();
    (model, passes)
}

fn options(k: usize, power_iterations: usize) -> FitOptions {
    FitOptions {
        n_components: Some(k),
        randomized: RandomizedOptions {
            n_power_iter: Some(power_iterations),
            ..RandomizedOptions::default()
        },
        ..FitOptions::default()
    }
}

/// scikit-learn's exact PCA (`full_k10`: 68 GEUVADIS samples x 300 genes,
/// log2(CPM + 1)) in chunks of 7 samples: variances to 1e-10, components 1e-8.
#[test]
fn a_fit_in_passes_matches_scikit_learns_exact_pca() {
    let golden = golden();
    let case = golden.cases.iter().find(|c| c.name == "full_k10").unwrap();
    let (train, new) = slice();
    let x = crate::golden::first_columns(&train, case.mean.len());
    let x_new = crate::golden::first_columns(&new, case.mean.len());
    let (model, passes) = fit_in_chunks(&x, 7, &options(case.n_components, 12));
    assert_eq!(
        passes, 13,
        "one pass for the moments and C Omega, one per power iteration"
    );
    assert_eq!(model.solver(), Solver::Randomized);
    assert_eq!(model.n_samples(), golden.n_train);
    assert_spectrum_and_mean(&model, case, 1e-10);
    let theirs = matrix(&case.components);
    assert_eq!(model.components().dim(), theirs.dim());
    for (a, b) in model.components().iter().zip(&theirs) {
        assert!((a - b).abs() < 1e-6, "component {a} vs scikit-learn {b}");
    }
    for (ours, theirs) in [
        (
            model.transform_sparse(&sparse(&x)).unwrap(),
            matrix(&case.scores),
        ),
        (
            model.transform_sparse(&sparse(&x_new)).unwrap(),
            matrix(&case.transform_new),
        ),
    ] {
        assert_eq!(ours.dim(), theirs.dim());
        for (a, b) in ours.iter().zip(&theirs) {
            assert!((a - b).abs() < 1e-5, "score {a} vs scikit-learn {b}");
        }
    }
}

/// On sparse counts-like data (four groups of samples, each expressing its own
/// quarter of the genes; 90% zeros elsewhere), the fit in passes finds the exact
/// SVD's spectrum and scores, whatever the chunk size.
#[test]
fn a_fit_in_passes_is_the_exact_fit_on_sparse_data() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (n, p) = (400, 120);
    let x = Array2::from_shape_fn((n, p), |(i, j)| {
        let (own, u) = (i % 4 == j % 4, rng.random::<f64>());
        match (own, u) {
            (true, u) if u < 0.8 => (4.0 + 8.0 * u).ln(),
            (false, u) if u < 0.05 => (1.0 + 20.0 * u).ln(),
            _ => 0.0,
        }
    });
    let exact = PcaModel::fit(
        x.view(),
        &FitOptions {
            n_components: Some(3),
            solver: Solver::Full,
            ..FitOptions::default()
        },
    )
    .unwrap();
    let dense_scores = exact.transform(x.view()).unwrap();
    for rows in [1, 33, 400] {
        let (model, _) = fit_in_chunks(&x, rows, &options(3, 10));
        assert_relative_eq!(
            model.total_variance(),
            exact.total_variance(),
            max_relative = 1e-12
        );
        for (a, b) in model
            .explained_variance()
            .iter()
            .zip(exact.explained_variance())
        {
            assert_relative_eq!(*a, *b, max_relative = 1e-10);
        }
        for (a, b) in model.components().iter().zip(exact.components()) {
            assert!((a - b).abs() < 1e-10, "chunks of {rows}: {a} vs {b}");
        }
        let scores = model.transform_sparse(&sparse(&x)).unwrap();
        let spread = dense_scores.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (a, b) in scores.iter().zip(&dense_scores) {
            assert!(
                (a - b).abs() < 1e-7 * spread,
                "chunks of {rows}: score {a} vs {b}"
            );
        }
        assert_eq!(scores.len_of(Axis(0)), n);
    }
}

#[test]
fn a_fit_in_passes_refuses_what_it_cannot_honour() {
    let x = Array2::from_shape_fn((5, 3), |(i, j)| (i * j) as f64);
    let fit = |options: &FitOptions| {
        fit_sparse_in_passes(3, options, |visit| visit(&sparse(&x)))
            .map_err(|e: PcaError| e.to_string())
            .unwrap_err()
    };
    assert!(fit(&FitOptions::default()).contains("n_components"));
    let standardized = FitOptions {
        standardize: true,
        ..options(2, 1)
    };
    assert!(fit(&standardized).contains("standardize"));
    let mut bad = x.clone();
    bad[[3, 1]] = f64::NAN;
    let err = fit_sparse_in_passes(3, &options(2, 1), |visit| visit(&sparse(&bad)))
        .map_err(|e: PcaError| e.to_string())
        .unwrap_err();
    assert!(err.contains("row 3, column 1"), "{err}");
}
