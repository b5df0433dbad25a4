//! The model-based label check on hand-computed cases.

use approx::assert_relative_eq;
use ndarray::{array, Array2};
use synthbio_core::{ClassProbabilities, Dataset, MetadataTable};
use synthbio_qc::{check_labels, LabelCheckParams, LabelStatus, QcError};

fn col(v: &[Option<&str>]) -> Vec<Option<String>> {
    v.iter().map(|x| x.map(String::from)).collect()
}

/// Six samples: claimed sex and tissue, classifier probabilities for both.
fn dataset() -> Dataset {
    let mut meta = MetadataTable::new(6);
    meta.set_column(
        "sex",
        col(&[
            Some("female"),
            Some("male"),
            Some("Male"),
            Some("unknown"),
            None,
            Some("male"),
        ]),
    )
    .unwrap();
    meta.set_column(
        "tissue",
        col(&[Some("liver"), None, None, None, None, Some("kidney")]),
    )
    .unwrap();
    let sex = ClassProbabilities {
        classes: vec!["female".into(), "male".into()],
        probs: array![
            [0.95, 0.05],
            [0.97, 0.03],
            [0.6, 0.4],
            [0.5, 0.5],
            [0.1, 0.9],
            [1.0, 0.0]
        ],
    };
    let tissue = ClassProbabilities {
        classes: vec!["lung".into(), "liver".into(), "blood".into()],
        probs: array![
            [0.6, 0.05, 0.35],
            [0.2, 0.3, 0.5],
            [1.0, 0.0, 0.0],
            [0.3, 0.3, 0.4],
            [0.1, 0.1, 0.8],
            [0.2, 0.2, 0.6]
        ],
    };
    Dataset::new(
        Array2::zeros((6, 1)),
        vec!["g".into()],
        Dataset::default_sample_ids(6),
    )
    .unwrap()
    .with_metadata(meta)
    .unwrap()
    .with_classifier_probs("sex", sex)
    .unwrap()
    .with_classifier_probs("tissue", tissue)
    .unwrap()
}

#[test]
fn scores_flags_and_unknown_labels() {
    let report = check_labels(&dataset(), &LabelCheckParams::default()).unwrap();
    let sex: Vec<_> = report.checks.iter().filter(|c| c.field == "sex").collect();
    assert_eq!(sex.len(), 5, "sample 5 has no claimed sex");
    // sample_1: claimed female is predicted: score 0.
    assert_eq!(sex[0].status, LabelStatus::Consistent);
    assert_eq!(sex[0].score, Some(0.0));
    // sample_2: claimed male at 0.03 vs female at 0.97.
    assert_eq!(sex[1].status, LabelStatus::Suspect);
    assert_relative_eq!(
        sex[1].score.unwrap(),
        (0.97f64 / 0.03).ln(),
        epsilon = 1e-12
    );
    assert_eq!(
        (sex[1].predicted.as_str(), sex[1].p_claimed),
        ("female", Some(0.03))
    );
    // sample_3: "Male" matches class "male"; 0.4 vs 0.6 is not suspect.
    assert_eq!(sex[2].status, LabelStatus::Consistent);
    assert_relative_eq!(sex[2].score.unwrap(), 1.5f64.ln(), epsilon = 1e-12);
    // sample_4: "unknown" is no class: reported, not scored.
    assert_eq!(sex[3].status, LabelStatus::UnknownToModel);
    assert_eq!((sex[3].p_claimed, sex[3].score), (None, None));
    // sample_6: p(claimed) = 0, floored at 1e-12: score = ln(1) - ln(1e-12).
    assert_eq!(sex[4].status, LabelStatus::Suspect);
    assert_relative_eq!(sex[4].score.unwrap(), 12.0 * 10f64.ln(), epsilon = 1e-9);

    let tissue: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.field == "tissue")
        .collect();
    // sample_1: liver at 0.05 vs lung at 0.6: ratio 12, suspect.
    assert_eq!(tissue[0].status, LabelStatus::Suspect);
    assert_relative_eq!(tissue[0].score.unwrap(), 12f64.ln(), epsilon = 1e-12);
    // sample_6: "kidney" is not a class.
    assert_eq!(tissue[1].status, LabelStatus::UnknownToModel);

    let ranked: Vec<_> = report
        .suspects()
        .iter()
        .map(|c| (c.sample_id.as_str(), c.field.as_str()))
        .collect();
    assert_eq!(
        ranked,
        [
            ("sample_6", "sex"),
            ("sample_2", "sex"),
            ("sample_1", "tissue")
        ]
    );
    let summary = &report.fields[0];
    assert_eq!(
        (
            summary.field.as_str(),
            summary.n_labeled,
            summary.n_unlabeled
        ),
        ("sex", 5, 1)
    );
    assert_eq!((summary.n_suspect, summary.n_unknown_to_model), (2, 1));
    assert_eq!(summary.unknown_labels, ["unknown"]);
    assert_eq!(report.fields[1].unknown_labels, ["kidney"]);
}

#[test]
fn thresholds_and_fields_are_settable() {
    // Stricter: claimed probability at most 0.01; only the zero-probability claim is left.
    let strict = LabelCheckParams {
        max_claimed_prob: 0.01,
        ..LabelCheckParams::default()
    };
    let report = check_labels(&dataset(), &strict).unwrap();
    assert_eq!(report.suspects().len(), 1);
    // Looser ratio: ln 1.4 < ln 1.5 flags sample_3 too (claimed 0.4 <= 0.5).
    let loose = LabelCheckParams {
        fields: vec!["sex".into()],
        min_log_ratio: 1.4f64.ln(),
        max_claimed_prob: 0.5,
        ..LabelCheckParams::default()
    };
    let report = check_labels(&dataset(), &loose).unwrap();
    assert!(report.checks.iter().all(|c| c.field == "sex"));
    assert_eq!(report.suspects().len(), 3);
}

#[test]
fn errors_say_what_is_missing() {
    let data = dataset();
    let ask = |fields: &[&str]| {
        check_labels(
            &data,
            &LabelCheckParams {
                fields: fields.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        )
    };
    assert!(
        matches!(ask(&["age"]), Err(QcError::NoProbabilitiesForField { field, available }) if field == "age" && available == ["sex", "tissue"])
    );
    let plain = Dataset::new(Array2::zeros((1, 1)), vec!["g".into()], vec!["s".into()]).unwrap();
    let err = check_labels(&plain, &LabelCheckParams::default()).unwrap_err();
    assert_eq!(err, QcError::NoPredictions);
    assert!(err.to_string().contains("with_predictions"));
    // Probabilities but no claimed column of that name.
    let probs = ClassProbabilities {
        classes: vec!["a".into()],
        probs: array![[1.0]],
    };
    let unclaimed = plain
        .clone()
        .with_classifier_probs("sex", probs.clone())
        .unwrap();
    assert!(matches!(
        check_labels(&unclaimed, &LabelCheckParams::default()),
        Err(QcError::NoCheckableFields { .. })
    ));
    // A probability row that does not sum to 1.
    let mut meta = MetadataTable::new(1);
    meta.set_column("sex", vec![Some("a".into())]).unwrap();
    let bad = plain
        .with_metadata(meta)
        .unwrap()
        .with_classifier_probs(
            "sex",
            ClassProbabilities {
                classes: vec!["a".into(), "b".into()],
                probs: array![[0.2, 0.3]],
            },
        )
        .unwrap();
    assert!(matches!(
        check_labels(&bad, &LabelCheckParams::default()),
        Err(QcError::BadProbabilities { sample: 0, .. })
    ));
    let bad_params = LabelCheckParams {
        max_claimed_prob: 1.5,
        ..LabelCheckParams::default()
    };
    assert!(matches!(
        check_labels(&data, &bad_params),
        Err(QcError::InvalidParam {
            name: "max_claimed_prob",
            ..
        })
    ));
}

#[test]
fn works_on_predictions_attached_to_claimed_samples() {
    // A metadata prediction result: predicted labels and probabilities.
    let mut predicted_meta = MetadataTable::new(2);
    predicted_meta
        .set_column("sex", col(&[Some("male"), Some("female")]))
        .unwrap();
    let predicted = Dataset::new(
        Array2::zeros((2, 1)),
        vec!["g".into()],
        Dataset::default_sample_ids(2),
    )
    .unwrap()
    .with_metadata(predicted_meta)
    .unwrap()
    .with_classifier_probs(
        "sex",
        ClassProbabilities {
            classes: vec!["female".into(), "male".into()],
            probs: array![[0.01, 0.99], [0.8, 0.2]],
        },
    )
    .unwrap();
    let mut claimed_meta = MetadataTable::new(2);
    claimed_meta
        .set_column("sex", col(&[Some("female"), Some("female")]))
        .unwrap();
    let claimed = Dataset::new(
        Array2::zeros((2, 1)),
        vec!["g".into()],
        Dataset::default_sample_ids(2),
    )
    .unwrap()
    .with_metadata(claimed_meta)
    .unwrap()
    .with_predictions(&predicted)
    .unwrap();
    let report = check_labels(&claimed, &LabelCheckParams::default()).unwrap();
    // Only "sex" is checked: "predicted_sex" has no probabilities of its own.
    assert_eq!(report.fields.len(), 1);
    let suspects = report.suspects();
    assert_eq!(suspects.len(), 1);
    assert_eq!(
        (
            suspects[0].sample_id.as_str(),
            suspects[0].predicted.as_str()
        ),
        ("sample_1", "male")
    );
}
