//! Typed errors that name what is wrong, and the documented edge-case results.

use crate::common::airway;
use ndarray::array;
use synthbio_core::{Analysis, Dataset, DatasetError, Expression, Scale};
use synthbio_de::{
    de_dataset, differential_expression, log2_fold_change, perturbation_benchmark,
    reference_fold_changes, De, DeError, DeParams, DeTest, Groups,
};
use synthbio_normalize::NormalizeError;

fn ids(p: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{p}{i}")).collect()
}

fn log_values(values: ndarray::Array2<f64>) -> Expression<f64> {
    Expression {
        values,
        scale: Scale::LogCpm { prior_count: 2.0 },
    }
}

#[test]
fn one_sample_in_a_group_names_the_group() {
    let data = airway();
    // One donor: one trt and one untrt sample.
    let donor = data.select_samples(&[0, 1]);
    let err = de_dataset(&donor, &DeParams::new("dex", "trt", "untrt")).unwrap_err();
    assert_eq!(
        err,
        DeError::TooFewSamples {
            group: "dex = trt".into(),
            n: 1
        }
    );
    assert!(err.to_string().contains("dex = trt"));
    // A value nobody has: zero samples, named.
    let err = de_dataset(&data, &DeParams::new("dex", "trt", "placebo")).unwrap_err();
    assert!(matches!(err, DeError::TooFewSamples { ref group, n: 0 } if group == "dex = placebo"));
}

#[test]
fn missing_columns_and_parameters_are_named() {
    let data = airway();
    match de_dataset(&data, &DeParams::new("treatment", "a", "b")) {
        Err(DeError::UnknownColumn { column, available }) => {
            assert_eq!(column, "treatment");
            // Every column of golden/airway_samples.tsv, sorted.
            assert_eq!(
                available,
                [
                    "BioSample",
                    "Experiment",
                    "Run",
                    "Sample",
                    "SampleName",
                    "albut",
                    "avgLength",
                    "cell",
                    "dex"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    use synthbio_core::DynAnalysis;
    let err = De
        .run_json(&data, serde_json::json!({"group_col": "dex"}))
        .err()
        .unwrap();
    assert!(err.to_string().contains("group_col"), "{err}");
    let err = De.run(&data, &DeParams::default()).unwrap_err();
    assert!(
        matches!(
            err,
            DeError::InvalidParam {
                name: "group_column",
                ..
            }
        ),
        "{err}"
    );
    let err = de_dataset(&data, &DeParams::new("dex", "trt", "trt")).unwrap_err();
    assert!(matches!(
        err,
        DeError::InvalidParam {
            name: "control",
            ..
        }
    ));
    let mut p = DeParams::new("dex", "trt", "untrt");
    p.alpha = 1.5;
    assert!(matches!(
        de_dataset(&data, &p),
        Err(DeError::InvalidParam { name: "alpha", .. })
    ));
}

#[test]
fn bad_groups_and_values_are_refused() {
    let v = log_values(array![[1.0, 2.0], [1.5, 2.5], [3.0, 1.0], [3.5, 0.5]]);
    let genes = ids("g", 2);
    let test = |g: Groups| differential_expression(&v, &genes, &g, DeTest::Moderated);
    assert!(matches!(
        test(Groups::from_indices(vec![0, 1], vec![2, 9])),
        Err(DeError::SampleIndex { index: 9, .. })
    ));
    assert!(matches!(
        test(Groups::from_indices(vec![0, 1], vec![1, 2])),
        Err(DeError::OverlappingGroups { index: 1 })
    ));
    assert!(matches!(
        test(Groups::from_indices(vec![0], vec![1, 2])),
        Err(DeError::TooFewSamples { n: 1, .. })
    ));
    let mut nan = v.clone();
    nan.values[[2, 1]] = f64::NAN;
    let err = differential_expression(
        &nan,
        &genes,
        &Groups::from_indices(vec![0, 1], vec![2, 3]),
        DeTest::Welch,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("sample row 2, gene column 1"),
        "{err}"
    );
    let linear = Expression {
        values: v.values.clone(),
        scale: Scale::Cpm,
    };
    assert!(matches!(
        differential_expression(
            &linear,
            &genes,
            &Groups::from_indices(vec![0, 1], vec![2, 3]),
            DeTest::Welch
        ),
        Err(DeError::NotLogScale { .. })
    ));
    assert!(matches!(
        differential_expression(
            &v,
            &ids("g", 3),
            &Groups::from_indices(vec![0, 1], vec![2, 3]),
            DeTest::Welch
        ),
        Err(DeError::Shape { .. })
    ));
}

#[test]
fn negative_counts_and_empty_references_are_named() {
    let err = log2_fold_change(array![1.0, -2.0].view(), array![1.0, 2.0].view()).unwrap_err();
    match err {
        DeError::Normalize(NormalizeError::InvalidCount {
            sample,
            gene,
            value,
        }) => {
            assert_eq!(
                (sample.as_str(), gene.as_str(), value),
                ("generated", "column 1", -2.0)
            );
        }
        other => panic!("{other:?}"),
    }
    let err = log2_fold_change(array![1u32, 2].view(), array![0u32, 0].view()).unwrap_err();
    assert!(err.to_string().contains("reference"), "{err}");
    assert!(matches!(
        log2_fold_change(array![1u32, 2].view(), array![1u32].view()),
        Err(DeError::Shape { .. })
    ));
}

#[test]
fn mismatched_gene_orders_name_the_first_difference() {
    let a = Dataset::new(array![[1u32, 2, 3]], ids("g", 3), ids("s", 1)).unwrap();
    let b = Dataset::new(
        array![[1u32, 2, 3]],
        vec!["g0".into(), "g2".into(), "g1".into()],
        ids("r", 1),
    )
    .unwrap();
    match reference_fold_changes(&a, &b) {
        Err(DeError::Dataset(DatasetError::GeneOrder {
            position,
            left,
            right,
        })) => assert_eq!((position, left.as_str(), right.as_str()), (1, "g1", "g2")),
        other => panic!("{other:?}"),
    }
    // An input index without a reference row.
    let gen = a.clone().with_input_index(vec![1]).unwrap();
    assert!(matches!(
        reference_fold_changes(&gen, &a),
        Err(DeError::SampleIndex { index: 1, .. })
    ));
    // A generated sample with no counts is named as generated.
    let empty = Dataset::new(array![[0u32, 0, 0]], ids("g", 3), ids("gen", 1)).unwrap();
    let err = reference_fold_changes(&empty, &a).unwrap_err();
    assert!(err.to_string().contains("gen0 (generated)"), "{err}");
}

#[test]
fn zero_variance_genes_have_documented_results() {
    // Gene 0 constant 5 vs constant 3; gene 1 constant 2 everywhere; gene 2, 3 vary.
    let v = log_values(array![
        [5.0, 2.0, 1.0, 7.0],
        [5.0, 2.0, 2.0, 7.5],
        [5.0, 2.0, 1.5, 6.0],
        [3.0, 2.0, 4.0, 1.0],
        [3.0, 2.0, 5.0, 2.0],
        [3.0, 2.0, 4.5, 1.2],
    ]);
    let g = Groups::from_indices(vec![0, 1, 2], vec![3, 4, 5]);
    let welch = differential_expression(&v, &ids("g", 4), &g, DeTest::Welch).unwrap();
    // Welch: undefined (None), out of BH; the others are tested and adjusted over 2 genes.
    for k in [0, 1] {
        assert_eq!(welch.genes[k].test.t, None);
        assert_eq!(welch.genes[k].adj_p_value, None);
    }
    assert_eq!(welch.genes[0].log2_fc, 2.0);
    assert_eq!(welch.n_untested(), 2);
    let p2 = welch.genes[2].test.p_value.unwrap();
    let p3 = welch.genes[3].test.p_value.unwrap();
    let adj2 = welch.genes[2].adj_p_value.unwrap();
    approx::assert_abs_diff_eq!(adj2, (p2 * 2.0).min(p2.max(p3)), epsilon = 1e-15);
    // Moderated: the prior keeps every gene testable; no change gives t = 0, p = 1.
    let m = differential_expression(&v, &ids("g", 4), &g, DeTest::Moderated).unwrap();
    assert!(m.genes.iter().all(|g| g.test.t.is_some_and(f64::is_finite)));
    // (Through limma's QR the zero change is zero to rounding, as in limma.)
    approx::assert_abs_diff_eq!(m.genes[1].test.t.unwrap(), 0.0, epsilon = 1e-12);
    approx::assert_abs_diff_eq!(m.genes[1].test.p_value.unwrap(), 1.0, epsilon = 1e-12);
    assert!(m.genes[0].test.t.unwrap() > 0.0);
}

#[test]
fn benchmark_inputs_are_checked() {
    assert!(matches!(
        perturbation_benchmark(&[1.0], &[1.0, 2.0], None, 5),
        Err(DeError::Shape { .. })
    ));
    let err = perturbation_benchmark(&[1.0, f64::NAN], &[1.0, 2.0], None, 5).unwrap_err();
    assert!(err.to_string().contains("predicted at position 1"), "{err}");
    assert!(matches!(
        perturbation_benchmark(&[1.0, 2.0], &[1.0, 2.0], Some(&[0.0]), 1),
        Err(DeError::Shape { .. })
    ));
    assert!(matches!(
        perturbation_benchmark(&[1.0], &[1.0], None, 0),
        Err(DeError::InvalidParam { name: "top_n", .. })
    ));
    // top_n larger than the genes: all genes, and said so.
    let b = perturbation_benchmark(&[1.0, -1.0], &[2.0, -0.5], None, 50).unwrap();
    assert_eq!((b.top_n, b.model.top.n_genes), (2, 2));
    assert_eq!(b.mean_effect, None);
}

#[test]
fn bad_designs_get_errors_naming_the_column_and_the_fix() {
    use synthbio_de::{
        design_de, lm_fit, Design, DesignDeParams, Tested, Transform, DEFAULT_WINSOR_TAIL_P,
    };
    let data = airway();
    let meta = data.metadata();
    // A factor with one level in the samples tested.
    let two = data.select_samples(&[0, 2]);
    match Design::from_formula(two.metadata(), "~ dex", &[]) {
        Err(DeError::OneLevel { column, level }) => {
            assert_eq!((column.as_str(), level.as_str()), ("dex", "untrt"))
        }
        other => panic!("{other:?}"),
    }
    // Fewer samples than coefficients.
    let design = Design::from_formula(two.metadata(), "~ 0 + cell", &[]).unwrap();
    let err = lm_fit(ndarray::Array2::<f64>::zeros((2, 3)).view(), &design, None).unwrap_err();
    assert!(err.to_string().contains("only 2 samples"), "{err}");
    // An unknown column, an unknown coefficient, an unknown reference level.
    let err = Design::from_formula(meta, "~ donor + dex", &[]).unwrap_err();
    assert!(
        matches!(&err, DeError::UnknownColumn { column, .. } if column == "donor"),
        "{err}"
    );
    let design =
        Design::from_formula(meta, "~ cell + dex", &[("dex".into(), "untrt".into())]).unwrap();
    let params = DesignDeParams {
        design: design.clone(),
        tested: Tested::Coef("dexuntrt".into()),
        transform: Transform::LogCpm,
        trend: false,
        robust: false,
        winsor_tail_p: DEFAULT_WINSOR_TAIL_P,
        filter: None,
    };
    let err = design_de(&data, &params).unwrap_err();
    assert!(
        err.to_string().contains("\"dexuntrt\"") && err.to_string().contains("dextrt"),
        "{err}"
    );
    let err = design.contrast("dextrt=1,dexuntrt=-1").unwrap_err();
    assert!(matches!(err, DeError::UnknownCoefficient { .. }), "{err}");
    let err = Design::from_formula(meta, "~ dex", &[("dex".into(), "none".into())]).unwrap_err();
    assert!(
        err.to_string().contains("dex=none") && err.to_string().contains("untrt"),
        "{err}"
    );
    // NA in a covariate names the column and the row.
    let mut with_na = meta.clone();
    let mut len: Vec<Option<String>> = meta.column("avgLength").unwrap().to_vec();
    len[5] = Some("NA".into());
    with_na.set_column("avgLength", len).unwrap();
    match Design::from_formula(&with_na, "~ avgLength + dex", &[]) {
        Err(e @ DeError::MissingValue { .. }) => {
            assert!(
                e.to_string().contains("\"avgLength\"") && e.to_string().contains("row 5"),
                "{e}"
            )
        }
        other => panic!("{other:?}"),
    }
    // Formulas that do not parse, and a contrast vector of the wrong length.
    for bad in ["cell + dex", "~ cell * dex", "~ cell - dex"] {
        assert!(
            matches!(
                Design::from_formula(meta, bad, &[]),
                Err(DeError::InvalidFormula { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        design.contrast("1,-1"),
        Err(DeError::Shape { .. })
    ));
    // A design matrix file: every sample needs a row; an all-zero column is named.
    let ids: Vec<String> = data.sample_ids().to_vec();
    let mut text = String::from("sample\tintercept\tzero\n");
    for id in &ids[..7] {
        text.push_str(&format!("{id}\t1\t0\n"));
    }
    let err = Design::from_tsv(&text, &ids).unwrap_err();
    assert!(err.to_string().contains(&ids[7]), "{err}");
    text.push_str(&format!("{}\t1\t0\n", ids[7]));
    let d = Design::from_tsv(&text, &ids).unwrap();
    let err = d.check().unwrap_err();
    assert!(err.to_string().contains("\"zero\""), "{err}");
}

/// Each bad design of issue 15 gets one readable sentence naming what is wrong (the
/// column or coefficient, quoted) and the fix.
#[test]
fn design_errors_name_the_column_and_the_fix_in_one_sentence() {
    use synthbio_de::{
        design_de, lm_fit, Design, DesignDeParams, Tested, Transform, DEFAULT_WINSOR_TAIL_P,
    };
    let data = airway();
    let meta = data.metadata();
    let reference = [("dex".to_string(), "untrt".to_string())];
    let mut messages: Vec<(String, [&str; 2])> = Vec::new();
    // Fewer samples than coefficients, through the whole analysis.
    let three = data.select_samples(&[0, 1, 2]);
    let design = Design::from_formula(three.metadata(), "~ cell + dex", &reference).unwrap();
    let params = DesignDeParams {
        design,
        tested: Tested::Coef("dextrt".into()),
        transform: Transform::LogCpm,
        trend: false,
        robust: false,
        winsor_tail_p: DEFAULT_WINSOR_TAIL_P,
        filter: None,
    };
    let err = design_de(&three, &params).unwrap_err();
    messages.push((
        err.to_string(),
        ["only 3 samples", "add samples or drop terms"],
    ));
    // A factor with one level.
    let err = Design::from_formula(data.select_samples(&[0, 2]).metadata(), "~ dex", &[]);
    messages.push((
        err.unwrap_err().to_string(),
        ["\"dex\"", "drop it from the formula"],
    ));
    // A contrast naming an unknown coefficient.
    let design = Design::from_formula(meta, "~ cell + dex", &reference).unwrap();
    let err = design.contrast("dextrt=1,dexuntrt=-1").unwrap_err();
    messages.push((err.to_string(), ["\"dexuntrt\"", "\"dextrt\""]));
    // NA in a covariate.
    let mut with_na = meta.clone();
    let mut len: Vec<Option<String>> = meta.column("avgLength").unwrap().to_vec();
    len[2] = Some("NA".into());
    with_na.set_column("avgLength", len).unwrap();
    let err = Design::from_formula(&with_na, "~ avgLength + dex", &reference).unwrap_err();
    messages.push((err.to_string(), ["\"avgLength\"", "fill it in"]));
    // A rank-deficient design.
    let mut lane = meta.clone();
    let dex: Vec<Option<String>> = meta.column("dex").unwrap().to_vec();
    lane.set_column("lane", dex).unwrap();
    let design = Design::from_formula(&lane, "~ dex + lane", &reference).unwrap();
    let values = data.counts().mapv(|c| f64::from(c + 1).ln());
    let err = lm_fit(values.view(), &design, None).unwrap_err();
    messages.push((err.to_string(), ["\"laneuntrt\"", "drop those terms"]));
    for (message, needles) in &messages {
        for needle in needles {
            assert!(message.contains(needle), "{needle:?} not in: {message}");
        }
        assert!(!message.contains("  "), "double space in: {message}");
    }
}

/// Genes some samples did not measure are refused by every DE path (their counts are
/// placeholders, never zeros), naming the genes; leaving them out makes the data usable.
#[test]
fn unmeasured_genes_are_refused_not_read_as_zero() {
    use synthbio_core::Measured;
    use synthbio_de::{de_paired, Transform};
    let data = airway();
    let mut mask = vec![vec![true; data.n_genes()]; data.n_samples()];
    mask[0][3] = false;
    let masked = data
        .clone()
        .with_measured(Measured::from_rows(data.n_genes(), mask).unwrap())
        .unwrap();
    let groups = Groups::from_metadata(&masked, "dex", "trt", "untrt").unwrap();
    let gene = data.gene_ids()[3].clone();
    let paired = de_paired(&masked, &groups, "cell", Transform::LogCpm, None, false);
    let two_group = de_dataset(&masked, &DeParams::new("dex", "trt", "untrt"));
    for err in [paired.unwrap_err(), two_group.unwrap_err()] {
        match &err {
            DeError::Dataset(DatasetError::Unmeasured { genes, .. }) => {
                assert_eq!(genes, std::slice::from_ref(&gene), "{err}")
            }
            other => panic!("{other}"),
        }
    }
    let kept: Vec<String> = data
        .gene_ids()
        .iter()
        .filter(|g| **g != gene)
        .cloned()
        .collect();
    let usable = masked.select_genes(&kept).unwrap();
    assert!(de_dataset(&usable, &DeParams::new("dex", "trt", "untrt")).is_ok());
}
