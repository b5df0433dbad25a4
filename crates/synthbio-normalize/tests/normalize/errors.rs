//! Bad inputs and parameters give typed errors that name what is wrong; empty genes
//! give their documented values.

use approx::assert_relative_eq;
use ndarray::{array, Array2};
use synthbio_core::{Analysis, Dataset};
use synthbio_normalize::{
    cpm, log_cpm, normalize, normalize_into, tmm_factors, Method, Normalize, NormalizeError,
    NormalizeParams, TargetSum, TmmParams,
};

fn ids(p: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{p}{i}")).collect()
}

#[test]
fn an_output_of_the_wrong_shape_is_refused_with_both_shapes() {
    let counts = array![[1u32, 2, 3], [4, 5, 6]];
    let err = normalize_into(
        counts.view(),
        &NormalizeParams::default(),
        Array2::<f64>::zeros((3, 2)),
    )
    .unwrap_err();
    assert_eq!(
        err,
        NormalizeError::OutputShape {
            expected: (2, 3),
            found: (3, 2)
        }
    );
    assert!(err.to_string().contains("(3, 2)"), "{err}");
}

#[test]
fn an_empty_sample_is_named() {
    let counts = array![[1u32, 2], [0, 0], [3, 4]];
    match cpm(counts.view()) {
        Err(NormalizeError::EmptyLibrary { sample, index, .. }) => {
            assert_eq!((sample.as_str(), index), ("row 1", 1));
        }
        other => panic!("{other:?}"),
    }
    let data = Dataset::new(counts, ids("g", 2), ids("s", 3)).unwrap();
    let err = Normalize
        .run(&data, &NormalizeParams::default())
        .unwrap_err();
    assert!(matches!(&err, NormalizeError::EmptyLibrary { sample, .. } if sample == "s1"));
    assert!(err.to_string().contains("s1"), "{err}");
    assert!(matches!(
        tmm_factors(array![[0u32, 0], [1, 1]].view(), &TmmParams::default()),
        Err(NormalizeError::EmptyLibrary { index: 0, .. })
    ));
}

#[test]
fn negative_and_non_finite_counts_are_named() {
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        let counts = array![[1.0, 2.0], [3.0, bad]];
        match log_cpm(counts.view(), 2.0) {
            Err(NormalizeError::InvalidCount {
                sample,
                gene,
                value,
            }) => {
                assert_eq!((sample.as_str(), gene.as_str()), ("row 1", "column 1"));
                assert!(value.is_nan() == bad.is_nan());
            }
            other => panic!("{other:?}"),
        }
        // Column-major walks find it too.
        let t = counts.t().as_standard_layout().into_owned();
        assert_eq!(t.t().strides()[0], 1);
        assert!(matches!(
            cpm(t.t()),
            Err(NormalizeError::InvalidCount { .. })
        ));
    }
    let err = NormalizeError::InvalidCount {
        sample: "row 1".into(),
        gene: "column 0".into(),
        value: -1.0,
    }
    .with_ids(&ids("s", 2), &ids("g", 2));
    assert!(err.to_string().contains("sample s1 at gene g0"), "{err}");
}

#[test]
fn bad_parameters_are_named() {
    let counts = array![[1u32, 2], [3, 4]];
    let check = |p: NormalizeParams, name: &str| match normalize::<u32, f64>(counts.view(), &p) {
        Err(NormalizeError::InvalidParam { name: n, .. }) => assert_eq!(n, name),
        other => panic!("{name}: {other:?}"),
    };
    check(
        NormalizeParams::new(Method::LogCpm { prior_count: 0.0 }),
        "prior_count",
    );
    check(
        NormalizeParams::new(Method::LogCpm {
            prior_count: f64::NAN,
        }),
        "prior_count",
    );
    check(
        NormalizeParams::new(Method::Log1p {
            target_sum: TargetSum::Fixed(-1.0),
        }),
        "target_sum",
    );
    check(
        NormalizeParams::new(Method::Log1p {
            target_sum: TargetSum::MedianOfTotals,
        })
        .with_tmm(),
        "norm_factors",
    );
    let mut p = NormalizeParams::new(Method::Cpm).with_tmm();
    p.norm_factors = synthbio_normalize::NormFactors::Tmm(TmmParams {
        logratio_trim: 0.6,
        ..TmmParams::default()
    });
    check(p, "logratio_trim");
    p.norm_factors = synthbio_normalize::NormFactors::Tmm(TmmParams {
        ref_sample: Some(2),
        ..TmmParams::default()
    });
    check(p, "ref_sample");
    assert_eq!(
        cpm(Array2::<u32>::zeros((0, 3)).view()).unwrap_err(),
        NormalizeError::NoSamples
    );
}

#[test]
fn genes_without_counts_have_documented_values() {
    // Libraries 100 and 300 (mean 200): edgeR's prior for sample i is 2 * L_i / 200, so a
    // zero count maps to log2(prior_i / (L_i + 2 prior_i) * 1e6) = log2(2e6 / 204).
    let counts = array![[0u32, 10, 90], [0, 100, 200]];
    let l = log_cpm(counts.view(), 2.0).unwrap();
    for i in 0..2 {
        assert_relative_eq!(
            l.values[[i, 0]],
            (2e6f64 / 204.0).log2(),
            max_relative = 1e-14
        );
    }
    // Hand-computed non-zero value: sample 0, gene 1: prior 1, (10 + 1) / 102 * 1e6.
    assert_relative_eq!(
        l.values[[0, 1]],
        (11e6f64 / 102.0).log2(),
        max_relative = 1e-14
    );
    let c = cpm(counts.view()).unwrap();
    assert_eq!(c.values.column(0).to_vec(), [0.0, 0.0]);
    // TMM drops genes without counts: adding one changes nothing.
    let with = tmm_factors(counts.view(), &TmmParams::default()).unwrap();
    let without = tmm_factors(
        counts.select(ndarray::Axis(1), &[1, 2]).view(),
        &TmmParams::default(),
    )
    .unwrap();
    assert_eq!(with, without);
    // One sample, or identical samples: factors are 1.
    assert_eq!(
        tmm_factors(array![[1u32, 2, 3]].view(), &TmmParams::default()).unwrap(),
        [1.0]
    );
    assert_eq!(
        tmm_factors(
            array![[5u32, 2, 3], [5, 2, 3]].view(),
            &TmmParams::default()
        )
        .unwrap(),
        [1.0, 1.0]
    );
}
