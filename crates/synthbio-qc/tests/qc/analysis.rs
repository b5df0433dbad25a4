//! The `qc` analysis: both checks, skipped checks, JSON parameters, the report.

use ndarray::array;
use synthbio_core::{
    Analysis, ClassProbabilities, Dataset, DynAnalysis, Figure, MetadataTable, Report,
};
use synthbio_qc::{Outcome, Qc, QcError, QcParams};

/// Three samples with XIST and RPS4Y1 (library sizes 1e6), claimed sex, and
/// classifier probabilities; sample b is claimed female but is male by both
/// the markers and the model.
fn dataset(with_probs: bool) -> Dataset {
    let counts = array![[200u32, 0, 999_800], [0, 300, 999_700], [150, 1, 999_849]];
    let genes = vec![
        "XIST".to_string(),
        "ENSG00000129824".to_string(),
        "other".to_string(),
    ];
    let mut meta = MetadataTable::new(3);
    meta.set_column(
        "sex",
        ["female", "female", "female"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect(),
    )
    .unwrap();
    let data = Dataset::new(counts, genes, vec!["a".into(), "b".into(), "c".into()])
        .unwrap()
        .with_metadata(meta)
        .unwrap();
    if !with_probs {
        return data;
    }
    let probs = ClassProbabilities {
        classes: vec!["female".into(), "male".into()],
        probs: array![[0.9, 0.1], [0.01, 0.99], [0.3, 0.7]],
    };
    data.with_classifier_probs("sex", probs).unwrap()
}

#[test]
fn both_checks_run_and_agree_on_the_suspect() {
    let out = Qc.run(&dataset(true), &QcParams::default()).unwrap();
    let labels = out.labels.ran().unwrap();
    let sex = out.sex.ran().unwrap();
    assert_eq!(
        labels
            .suspects()
            .iter()
            .map(|c| c.sample_id.as_str())
            .collect::<Vec<_>>(),
        ["b"]
    );
    assert_eq!(
        sex.flagged()
            .iter()
            .map(|s| s.sample_id.as_str())
            .collect::<Vec<_>>(),
        ["b"]
    );
    assert_eq!(
        sex.predicted_source.as_deref(),
        Some("classifier probabilities of \"sex\"")
    );
    // The long table: 3 label rows then 3 sex rows, the flag in the last column.
    let table = out.table();
    assert_eq!(table.rows.len(), 6);
    let flags: Vec<String> = table.rows.iter().map(|r| r[11].to_text()).collect();
    assert_eq!(flags, ["no", "yes", "no", "no", "yes", "no"]);
    let section = out.section();
    assert_eq!(section.tables.len(), 3);
    assert_eq!(section.tables[0].1.rows.len(), 1, "one suspect label");
    assert!(section
        .paragraphs
        .iter()
        .any(|p| p.contains("1 of 3 labeled samples suspect")));
    assert!(section
        .paragraphs
        .iter()
        .any(|p| p.contains("2 female") && p.contains("contradicted for 1")));
    match section.figures.last().unwrap() {
        Figure::Scatter {
            x_label, marked, ..
        } => {
            assert!(x_label.starts_with("XIST"));
            assert_eq!(marked, &[false, true, false]);
        }
        other => panic!("expected the marker scatter, got {other:?}"),
    }
}

#[test]
fn a_check_without_its_input_is_skipped_and_said() {
    let out = Qc.run(&dataset(false), &QcParams::default()).unwrap();
    assert!(
        matches!(&out.labels, Outcome::Skipped(reason) if reason.contains("metadata prediction"))
    );
    assert!(out.sex.ran().is_some());
    assert!(out.section().paragraphs[0].starts_with("Label check skipped"));
    let off = QcParams {
        skip_sex: true,
        ..QcParams::default()
    };
    let err = Qc.run(&dataset(false), &off).unwrap_err();
    assert!(
        matches!(&err, QcError::NothingToCheck(r) if r.contains("turned off") && r.contains("no classifier"))
    );
    let no_markers = Dataset::new(array![[1u32]], vec!["g".into()], vec!["s".into()]).unwrap();
    let err = Qc.run(&no_markers, &QcParams::default()).unwrap_err();
    assert!(err.to_string().contains("XIST (ENSG00000229807)"), "{err}");
}

#[test]
fn json_parameters_reach_the_checks() {
    assert_eq!(DynAnalysis::name(&Qc), "qc");
    let defaults = Qc.default_params();
    assert_eq!(defaults["sex"]["y_male_min"], 3.0);
    assert_eq!(defaults["labels"]["max_claimed_prob"], 0.1);
    // Allowing claimed probabilities up to 0.35 flags sample c too (ln(0.7 / 0.3) = 0.85 >= 0.5).
    let report = Qc
        .run_json(
            &dataset(true),
            serde_json::json!({"labels": {"max_claimed_prob": 0.35, "min_log_ratio": 0.5}, "skip_sex": true}),
        )
        .unwrap();
    assert_eq!(report.table().rows.len(), 3);
    assert_eq!(report.section().tables[0].1.rows.len(), 2);
    let Err(err) = Qc.run_json(&dataset(true), serde_json::json!({"sex": {"y_male": 2}})) else {
        panic!("a misspelt parameter must be refused");
    };
    assert!(err.to_string().contains("y_male"), "{err}");
}
