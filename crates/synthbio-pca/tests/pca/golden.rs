//! Against scikit-learn's PCA on log CPM of a slice of the GEUVADIS counts
//! (`tests/golden/make_golden.py` writes the slice and the expected values).

use approx::assert_relative_eq;
use ndarray::{concatenate, Array2, Axis, Slice};
use serde::Deserialize;
use synthbio_pca::{FitOptions, PcaAccumulator, PcaError, PcaModel, Solver};

#[derive(Deserialize)]
pub(crate) struct Golden {
    sklearn: String,
    pub n_train: usize,
    n_new: usize,
    pub cases: Vec<Case>,
}

#[derive(Deserialize)]
pub(crate) struct Case {
    pub name: String,
    solver: String,
    pub n_components: usize,
    columns: Vec<serde_json::Value>,
    standardize: bool,
    pub explained_variance: Vec<f64>,
    pub explained_variance_ratio: Vec<f64>,
    pub singular_values: Vec<f64>,
    pub components: Vec<Vec<f64>>,
    pub mean: Vec<f64>,
    scale: Option<Vec<f64>>,
    pub scores: Vec<Vec<f64>>,
    pub transform_new: Vec<Vec<f64>>,
}

pub(crate) fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let n = rows.len();
    let p = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((n, p), |(i, j)| rows[i][j])
}

/// log2(CPM + 1) of the slice (samples x genes), CPM over the full library size;
/// samples at positions divisible by 5 are the held-out "new" samples.
pub(crate) fn slice() -> (Array2<f64>, Array2<f64>) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/geuvadis_slice.tsv"
    ))
    .unwrap();
    let mut lines = text.lines().skip(1);
    let lib: Vec<f64> = lines
        .next()
        .unwrap()
        .split('\t')
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let genes: Vec<Vec<f64>> = lines
        .map(|l| l.split('\t').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    let x = Array2::from_shape_fn((lib.len(), genes.len()), |(i, g)| {
        (genes[g][i] / lib[i] * 1e6 + 1.0).log2()
    });
    let (train, new): (Vec<usize>, Vec<usize>) = (0..lib.len()).partition(|i| i % 5 != 0);
    (x.select(Axis(0), &train), x.select(Axis(0), &new))
}

/// The first `width` columns (ndarray's `s!` macro trips the workspace's `forbid(unsafe_code)`).
pub(crate) fn first_columns(x: &Array2<f64>, width: usize) -> Array2<f64> {
    x.slice_axis(Axis(1), Slice::from(..width)).to_owned()
}

fn inputs(case: &Case, train: &Array2<f64>, new: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    let width = case.columns.iter().filter(|c| c.is_u64()).count();
    let (mut a, mut b) = (first_columns(train, width), first_columns(new, width));
    if case.columns.iter().any(|c| c == "constant_3") {
        a = concatenate![Axis(1), a, Array2::from_elem((a.nrows(), 1), 3.0)];
        b = concatenate![Axis(1), b, Array2::from_elem((b.nrows(), 1), 3.0)];
    }
    (a, b)
}

/// The model's variances, their ratios and singular values within
/// `max_relative` of scikit-learn's, and its column means within 1e-12.
pub(crate) fn assert_spectrum_and_mean(model: &PcaModel, case: &Case, max_relative: f64) {
    let name = case.name.as_str();
    assert_eq!(
        model.explained_variance().len(),
        case.explained_variance.len(),
        "{name}"
    );
    assert_eq!(model.mean().len(), case.mean.len(), "{name}");
    for (i, (a, b)) in model
        .explained_variance()
        .iter()
        .zip(&case.explained_variance)
        .enumerate()
    {
        assert_relative_eq!(*a, *b, max_relative = max_relative);
        assert_relative_eq!(
            model.explained_variance_ratio()[i],
            case.explained_variance_ratio[i],
            max_relative = max_relative
        );
        assert_relative_eq!(
            model.singular_values()[i],
            case.singular_values[i],
            max_relative = max_relative
        );
    }
    for (a, b) in model.mean().iter().zip(&case.mean) {
        assert_relative_eq!(*a, *b, max_relative = 1e-12);
    }
}

/// The golden file.
pub(crate) fn golden() -> Golden {
    serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/golden/pca_golden.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

fn solver(name: &str) -> Solver {
    match name {
        "full" => Solver::Full,
        "covariance_eigh" => Solver::CovarianceEigh,
        "randomized" => Solver::Randomized,
        other => panic!("unknown solver {other}"),
    }
}

/// Every element within `tol` of scikit-learn's (`approx::abs_diff_eq!`), or
/// a message naming the first that is not.
fn assert_all_abs_diff_eq(
    name: &str,
    what: &str,
    ours: &Array2<f64>,
    theirs: &Array2<f64>,
    tol: f64,
) {
    assert_eq!(ours.dim(), theirs.dim(), "{name}: {what} shape");
    for ((idx, a), b) in ours.indexed_iter().zip(theirs.iter()) {
        assert!(
            approx::abs_diff_eq!(*a, *b, epsilon = tol),
            "{name}: {what}{idx:?} = {a}, scikit-learn {b}"
        );
    }
}

#[test]
fn matches_scikit_learn() {
    let golden = golden();
    let (train, new) = slice();
    assert_eq!((train.nrows(), new.nrows()), (golden.n_train, golden.n_new));
    assert_eq!(golden.cases.len(), 5, "scikit-learn {}", golden.sklearn);
    for case in &golden.cases {
        let (x, x_new) = inputs(case, &train, &new);
        let options = FitOptions {
            n_components: Some(case.n_components),
            standardize: case.standardize,
            solver: solver(&case.solver),
            ..FitOptions::default()
        };
        let (model, scores) = PcaModel::fit_transform(x.view(), &options).unwrap();
        let name = case.name.as_str();
        assert_eq!(model.n_components(), case.n_components, "{name}");
        assert_spectrum_and_mean(&model, case, 1e-6);
        match (&case.scale, model.scale()) {
            (Some(theirs), Some(ours)) => {
                for (a, b) in ours.iter().zip(theirs) {
                    assert_relative_eq!(*a, *b, max_relative = 1e-12);
                }
                assert_eq!(model.constant_columns(), &[x.ncols() - 1], "{name}");
            }
            (None, None) => {}
            _ => panic!("{name}: scale present on one side only"),
        }
        // Same sign convention: components match without any sign fixing here.
        // Randomized SVD is approximate: on these data scikit-learn's own
        // randomized components differ from its exact ones by 4e-6 to 2e-5
        // (random_state 0 to 4), so those cases get 1e-4.
        let tol = if case.solver == "randomized" {
            1e-4
        } else {
            1e-6
        };
        assert_all_abs_diff_eq(
            name,
            "components",
            model.components(),
            &matrix(&case.components),
            tol,
        );
        let spread = case
            .scores
            .iter()
            .flatten()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        assert_all_abs_diff_eq(name, "scores", &scores, &matrix(&case.scores), tol * spread);
        let projected = model.transform(x_new.view()).unwrap();
        assert_all_abs_diff_eq(
            name,
            "transform",
            &projected,
            &matrix(&case.transform_new),
            tol * spread,
        );
    }
}

/// Every solver finds the spectrum the exact SVD finds, on the same real data.
#[test]
fn solvers_agree_on_real_data() {
    let (train, _) = slice();
    let fit = |solver, x: &Array2<f64>| {
        let options = FitOptions {
            n_components: Some(5),
            solver,
            ..FitOptions::default()
        };
        PcaModel::fit(x.view(), &options).unwrap()
    };
    for x in [train.clone(), first_columns(&train, 40)] {
        let exact = fit(Solver::Full, &x);
        // Exact solvers agree to rounding; randomized to its approximation
        // (scikit-learn's: up to 2e-9 relative in variance, 2e-5 in components).
        for (solver, var_tol, comp_tol) in [
            (Solver::CovarianceEigh, 1e-10, 1e-8),
            (Solver::Randomized, 1e-7, 1e-4),
        ] {
            let other = fit(solver, &x);
            for (a, b) in other
                .explained_variance()
                .iter()
                .zip(exact.explained_variance())
            {
                assert_relative_eq!(*a, *b, max_relative = var_tol);
            }
            for (a, b) in other.components().iter().zip(exact.components()) {
                assert!((a - b).abs() < comp_tol, "{solver:?}: {a} vs {b}");
            }
        }
    }
}

/// The chunked fit ([`PcaAccumulator`]) is the covariance solver's fit on all
/// samples at once: on scikit-learn's covariance case and on 40 genes of the
/// slice in chunks of 1, 25 and 100 samples, with and without scaling.
#[test]
fn a_chunked_fit_is_the_fit_on_all_samples() {
    let golden = golden();
    let (train, new) = slice();
    let chunked = |x: &Array2<f64>, rows: usize, options: &FitOptions| {
        let mut acc = PcaAccumulator::new(x.ncols()).unwrap();
        for chunk in x.axis_chunks_iter(Axis(0), rows) {
            acc.push(chunk).unwrap();
        }
        assert_eq!(acc.n_samples(), x.nrows());
        acc.finish(options).unwrap()
    };
    let covariance = golden
        .cases
        .iter()
        .filter(|c| c.solver == "covariance_eigh")
        .collect::<Vec<_>>();
    assert!(
        !covariance.is_empty(),
        "a covariance case in the golden file"
    );
    for case in covariance {
        let (x, _) = inputs(case, &train, &new);
        let options = FitOptions {
            n_components: Some(case.n_components),
            standardize: case.standardize,
            solver: Solver::CovarianceEigh,
            ..FitOptions::default()
        };
        let model = chunked(&x, 40, &options);
        assert_eq!(
            model.explained_variance().len(),
            case.explained_variance.len()
        );
        for (a, b) in model
            .explained_variance()
            .iter()
            .zip(&case.explained_variance)
        {
            assert_relative_eq!(*a, *b, max_relative = 1e-6);
        }
        assert_all_abs_diff_eq(
            &case.name,
            "chunked components",
            model.components(),
            &matrix(&case.components),
            1e-6,
        );
    }
    for standardize in [false, true] {
        let options = FitOptions {
            n_components: Some(10),
            standardize,
            solver: Solver::CovarianceEigh,
            ..FitOptions::default()
        };
        for rows in [1, 25, 100] {
            // One-sample chunks (all of a chunk's information in the merge) on the
            // first 12 samples.
            // The first 40 genes: the eigen-decompositions are slow in the debug build.
            let genes = first_columns(&train, 40);
            let x = if rows == 1 {
                genes.slice_axis(Axis(0), Slice::from(..12)).to_owned()
            } else {
                genes
            };
            let whole = PcaModel::fit(x.view(), &options).unwrap();
            let model = chunked(&x, rows, &options);
            let what = format!("chunks of {rows}, standardize {standardize}");
            assert_eq!(model.solver(), Solver::CovarianceEigh);
            assert_relative_eq!(
                model.total_variance(),
                whole.total_variance(),
                max_relative = 1e-12
            );
            for (a, b) in model
                .explained_variance()
                .iter()
                .zip(whole.explained_variance())
            {
                assert_relative_eq!(*a, *b, max_relative = 1e-10);
            }
            for (a, b) in model.mean().iter().zip(whole.mean()) {
                assert_relative_eq!(*a, *b, max_relative = 1e-12, epsilon = 1e-12);
            }
            assert_eq!(model.scale().is_some(), standardize, "{what}");
            if let (Some(a), Some(b)) = (model.scale(), whole.scale()) {
                for (a, b) in a.iter().zip(b) {
                    assert_relative_eq!(*a, *b, max_relative = 1e-12);
                }
            }
            assert_eq!(model.constant_columns(), whole.constant_columns(), "{what}");
            assert_all_abs_diff_eq(
                &what,
                "components",
                model.components(),
                whole.components(),
                1e-8,
            );
        }
    }
}

/// What a chunked fit refuses, each error naming the fix.
#[test]
fn a_chunked_fit_refuses_what_it_cannot_fit() {
    let (train, _) = slice();
    let x = first_columns(&train, 5);
    let mut acc = PcaAccumulator::new(5).unwrap();
    assert_eq!(
        acc.push(first_columns(&train, 4).view()).err(),
        Some(PcaError::FeatureMismatch {
            expected: 5,
            found: 4
        })
    );
    acc.push(x.slice_axis(Axis(0), Slice::from(..3))).unwrap();
    let mut bad = x.slice_axis(Axis(0), Slice::from(3..6)).to_owned();
    bad[[1, 2]] = f64::NAN;
    // Reported at its row among every sample pushed; nothing of the chunk is kept.
    assert!(matches!(
        acc.push(bad.view()),
        Err(PcaError::NonFinite {
            row: 4,
            column: 2,
            ..
        })
    ));
    assert_eq!(acc.n_samples(), 3);
    let full = FitOptions {
        solver: Solver::Full,
        ..FitOptions::default()
    };
    let err = acc.finish(&full).unwrap_err();
    assert_eq!(err, PcaError::NotChunkable("full"));
    assert!(err.to_string().contains("covariance_eigh"), "{err}");
    let one = {
        let mut a = PcaAccumulator::new(5).unwrap();
        a.push(x.slice_axis(Axis(0), Slice::from(..1))).unwrap();
        a
    };
    assert_eq!(
        one.finish(&FitOptions::default()).err(),
        Some(PcaError::TooFewSamples { found: 1 })
    );
    assert_eq!(PcaAccumulator::new(0).err(), Some(PcaError::NoFeatures));
}
