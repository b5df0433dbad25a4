//! Every transform and TMM against the numpy golden values on real airway counts.

use crate::common::{airway, airway_sparse, assert_all_relative_eq, expected, matrix, vector};
use approx::{assert_abs_diff_eq, assert_relative_eq};
use ndarray::{Array2, ShapeBuilder};
use synthbio_core::{DynAnalysis, Scale};
use synthbio_normalize::{
    cpm, library_sizes, log1p_normalize, log2_cpm_plus_one, log_cpm, normalize, normalize_owned,
    tmm_factors, tmm_reference_sample, Method, NormFactors, Normalize, NormalizeParams, TargetSum,
    TmmParams,
};

/// f64 results agree with numpy to this absolute + relative tolerance.
const ABS: f64 = 1e-10;
const REL: f64 = 1e-12;

fn params(method: Method, tmm: bool) -> NormalizeParams {
    let p = NormalizeParams::new(method);
    if tmm {
        p.with_tmm()
    } else {
        p
    }
}

/// (golden key, method, with TMM)
fn cases() -> Vec<(&'static str, Method, bool)> {
    vec![
        ("cpm", Method::Cpm, false),
        ("cpm_tmm", Method::Cpm, true),
        ("log_cpm_prior2", Method::LogCpm { prior_count: 2.0 }, false),
        (
            "log_cpm_prior0_5",
            Method::LogCpm { prior_count: 0.5 },
            false,
        ),
        (
            "log_cpm_prior2_tmm",
            Method::LogCpm { prior_count: 2.0 },
            true,
        ),
        ("log2_cpm_plus_one", Method::Log2CpmPlusOne, false),
        (
            "log1p_median",
            Method::Log1p {
                target_sum: TargetSum::MedianOfTotals,
            },
            false,
        ),
        (
            "log1p_1e4",
            Method::Log1p {
                target_sum: TargetSum::Fixed(1e4),
            },
            false,
        ),
    ]
}

#[test]
fn library_sizes_and_tmm_factors_match() {
    let data = airway();
    let e = expected();
    assert_eq!(
        library_sizes(data.counts()).unwrap(),
        vector(&e, "library_sizes")
    );
    let check = |got: Vec<f64>, key: &str| {
        for (g, w) in got.iter().zip(vector(&e, key)) {
            assert_relative_eq!(*g, w, max_relative = 1e-12);
        }
    };
    check(
        tmm_factors(data.counts(), &TmmParams::default()).unwrap(),
        "tmm_factors",
    );
    let unweighted = TmmParams {
        do_weighting: false,
        ..TmmParams::default()
    };
    check(
        tmm_factors(data.counts(), &unweighted).unwrap(),
        "tmm_factors_unweighted",
    );
    let ref0 = TmmParams {
        ref_sample: Some(0),
        ..TmmParams::default()
    };
    check(
        tmm_factors(data.counts(), &ref0).unwrap(),
        "tmm_factors_ref0",
    );
    // The automatic reference is the one numpy chose: fixing it gives the same factors.
    let r = e["tmm_reference"].as_u64().unwrap() as usize;
    assert_eq!(tmm_reference_sample(data.counts()).unwrap(), r);
    let fixed = TmmParams {
        ref_sample: Some(r),
        ..TmmParams::default()
    };
    check(tmm_factors(data.counts(), &fixed).unwrap(), "tmm_factors");
}

#[test]
fn tmm_on_mostly_zero_counts_takes_the_sqrt_reference() {
    let data = airway_sparse();
    let e = expected();
    let got = tmm_factors(data.counts(), &TmmParams::default()).unwrap();
    let want = vector(&e, "sparse_tmm_factors");
    for (g, w) in got.iter().zip(&want) {
        assert_relative_eq!(*g, *w, max_relative = 1e-12);
    }
    // Every upper quartile is 0 here, so the quartile rule would choose sample 0;
    // edgeR's fallback (largest sum of sqrt counts) chooses another.
    let r = e["sparse_tmm_reference"].as_u64().unwrap() as usize;
    assert_ne!(r, 0);
    assert_eq!(tmm_reference_sample(data.counts()).unwrap(), r);
    let p = params(Method::LogCpm { prior_count: 2.0 }, true);
    let lc = normalize::<u32, f64>(data.counts(), &p).unwrap();
    assert_all_relative_eq(
        &lc.expression.values,
        &matrix(&e, "sparse_log_cpm_prior2_tmm"),
        ABS,
        REL,
        "sparse log cpm",
    );
}

#[test]
fn every_method_matches_in_f64_and_f32() {
    let data = airway();
    let e = expected();
    for (key, method, tmm) in cases() {
        let want = matrix(&e, key);
        let p = params(method, tmm);
        let got = normalize::<u32, f64>(data.counts(), &p).unwrap();
        assert_all_relative_eq(&got.expression.values, &want, ABS, REL, key);
        // f32 output: rounding of f32 (about 6e-8 relative) on values up to ~1e6.
        let got32 = normalize::<u32, f32>(data.counts(), &p).unwrap();
        assert_all_relative_eq(&got32.expression.values, &want, 1e-5, 1e-6, key);
        // f32 and f64 counts give the same values.
        let as_f32 = data.counts().mapv(|c| c as f32);
        let got_f32_in = normalize::<f32, f64>(as_f32.view(), &p).unwrap();
        assert_all_relative_eq(&got_f32_in.expression.values, &want, ABS, REL, key);
    }
}

#[test]
fn column_major_and_in_place_inputs_match() {
    let data = airway();
    let e = expected();
    // A genes x samples table seen transposed: column-major samples x genes.
    let genes_by_samples = data.counts().t().as_standard_layout().into_owned();
    let col_major = genes_by_samples.t();
    assert!(!col_major.is_standard_layout());
    let floats_f: Array2<f64> = {
        let mut a = Array2::<f64>::zeros(data.counts().raw_dim().f());
        a.zip_mut_with(&data.counts(), |x, &c| *x = f64::from(c));
        a
    };
    for (key, method, tmm) in cases() {
        let want = matrix(&e, key);
        let p = params(method, tmm);
        let got = normalize::<u32, f64>(col_major, &p).unwrap();
        assert_all_relative_eq(&got.expression.values, &want, ABS, REL, key);
        let owned = normalize_owned(floats_f.clone(), &p).unwrap();
        assert_all_relative_eq(&owned.expression.values, &want, ABS, REL, key);
        let owned_c = normalize_owned(data.counts().mapv(f64::from), &p).unwrap();
        assert_all_relative_eq(&owned_c.expression.values, &want, ABS, REL, key);
    }
}

#[test]
fn convenience_functions_and_scales() {
    let data = airway();
    let e = expected();
    let c = cpm(data.counts()).unwrap();
    assert_eq!(c.scale, Scale::Cpm);
    assert_all_relative_eq(&c.values, &matrix(&e, "cpm"), ABS, REL, "cpm");
    let l = log_cpm(data.counts(), 2.0).unwrap();
    assert_eq!(l.scale, Scale::LogCpm { prior_count: 2.0 });
    assert_all_relative_eq(
        &l.values,
        &matrix(&e, "log_cpm_prior2"),
        ABS,
        REL,
        "log_cpm",
    );
    let p = log2_cpm_plus_one(data.counts()).unwrap();
    assert_eq!(p.scale, Scale::Log2CpmPlusOne);
    assert_all_relative_eq(
        &p.values,
        &matrix(&e, "log2_cpm_plus_one"),
        ABS,
        REL,
        "log2p1",
    );
    let s = log1p_normalize(data.counts(), TargetSum::MedianOfTotals).unwrap();
    assert_eq!(
        s.scale,
        Scale::Log1p {
            target_sum: e["median_total"].as_f64().unwrap()
        }
    );
    assert_all_relative_eq(&s.values, &matrix(&e, "log1p_median"), ABS, REL, "log1p");
}

#[test]
fn the_analysis_runs_from_json_parameters() {
    let data = airway();
    let e = expected();
    let analysis = Normalize;
    assert_eq!(DynAnalysis::name(&analysis), "normalize");
    let defaults = analysis.default_params();
    assert_eq!(defaults["method"], "log_cpm");
    assert_eq!(defaults["prior_count"], 2.0);
    assert_eq!(defaults["norm_factors"], "none");
    let report = analysis
        .run_json(
            &data,
            serde_json::json!({"method": "log_cpm", "norm_factors": {"tmm": {}}}),
        )
        .unwrap();
    let table = report.table();
    assert_eq!(table.columns[0], "gene_id");
    assert_eq!(table.columns.len(), 1 + data.n_samples());
    assert_eq!(table.rows.len(), data.n_genes());
    let want = matrix(&e, "log_cpm_prior2_tmm");
    for (j, row) in table.rows.iter().enumerate() {
        assert_eq!(row[0], data.gene_ids()[j].as_str().into());
        for (i, cell) in row[1..].iter().enumerate() {
            match cell {
                synthbio_core::Cell::Float(v) => {
                    assert_abs_diff_eq!(*v, want[[i, j]], epsilon = ABS)
                }
                other => panic!("unexpected cell {other:?}"),
            }
        }
    }
    let section = report.section();
    assert_eq!(section.figures.len(), 2, "library sizes and TMM factors");
    assert_eq!(section.tables[0].1.rows.len(), data.n_samples());
    assert!(section.paragraphs[0].contains("TMM"));
    // Defaults from null parameters: plain edgeR log CPM.
    let plain = analysis.run_json(&data, serde_json::Value::Null).unwrap();
    assert_eq!(plain.section().figures.len(), 1);
    // An unknown method is a parameter error naming it.
    let err = analysis
        .run_json(&data, serde_json::json!({"method": "tpm"}))
        .err()
        .unwrap();
    assert!(err.to_string().contains("tpm"), "{err}");
    let p: NormalizeParams = serde_json::from_value(
        serde_json::json!({"method": "log1p", "target_sum": {"fixed": 1e4}}),
    )
    .unwrap();
    assert_eq!(
        p.method,
        Method::Log1p {
            target_sum: TargetSum::Fixed(1e4)
        }
    );
    assert_eq!(p.norm_factors, NormFactors::None);
    // Every field is optional; typos and misplaced fields are refused.
    let empty: NormalizeParams = serde_json::from_value(serde_json::json!({})).unwrap();
    assert_eq!(empty, NormalizeParams::default());
    for bad in [
        serde_json::json!({"prior_cuont": 1}),
        serde_json::json!({"method": "cpm", "prior_count": 1}),
        serde_json::json!({"method": "log_cpm", "target_sum": {"fixed": 1e4}}),
        serde_json::json!({"norm_factors": {"tmm": {"trim": 0.2}}}),
    ] {
        let err = analysis.run_json(&data, bad.clone()).err().unwrap();
        assert!(err.to_string().starts_with("parameter"), "{bad}: {err}");
    }
    // Parameters survive a round trip through JSON.
    let tmm = NormalizeParams::new(Method::LogCpm { prior_count: 0.5 }).with_tmm();
    let back: NormalizeParams = serde_json::from_value(serde_json::to_value(tmm).unwrap()).unwrap();
    assert_eq!(back, tmm);
}
