//! The marker sex check on hand-computed cases.

use approx::assert_relative_eq;
use ndarray::array;
use synthbio_core::{Dataset, MetadataTable};
use synthbio_qc::{check_sex, sex_evidence, Agreement, QcError, SexCall, SexCheckParams};

/// Genes: XIST (versioned id), RPS4Y1 (by symbol), DDX3Y (Ensembl id), the rest.
/// Library sizes 2e6, 1e6, 1e6, 1e6, so CPM = count / 2 or count.
fn dataset() -> Dataset {
    let genes = ["ENSG00000229807.5", "rps4y1", "ENSG00000067048", "other"];
    let markers = [[30u32, 0, 2], [0, 127, 31], [63, 255, 15], [1, 3, 3]];
    let libs = [2_000_000u32, 1_000_000, 1_000_000, 1_000_000];
    let counts = ndarray::Array2::from_shape_fn((4, 4), |(i, j)| {
        if j < 3 {
            markers[i][j]
        } else {
            libs[i] - markers[i].iter().sum::<u32>()
        }
    });
    let mut meta = MetadataTable::new(4);
    let col = |v: [Option<&str>; 4]| v.iter().map(|x| x.map(String::from)).collect();
    meta.set_column(
        "sex",
        col([Some("female"), Some("Female"), Some("male"), None]),
    )
    .unwrap();
    meta.set_column(
        "predicted_sex",
        col([Some("male"), Some("male"), Some("female"), Some("other")]),
    )
    .unwrap();
    Dataset::new(
        counts,
        genes.map(String::from).to_vec(),
        Dataset::default_sample_ids(4),
    )
    .unwrap()
    .with_metadata(meta)
    .unwrap()
}

#[test]
fn hand_computed_calls_and_agreements() {
    let report = check_sex(&dataset(), &SexCheckParams::default()).unwrap();
    assert_eq!(
        report.markers_used,
        [
            "XIST (ENSG00000229807)",
            "RPS4Y1 (ENSG00000129824)",
            "DDX3Y (ENSG00000067048)"
        ]
    );
    assert_eq!(
        report.predicted_source.as_deref(),
        Some("metadata column \"predicted_sex\"")
    );
    // (mean Y log2(CPM + 1), XIST log2(CPM + 1)) by hand:
    // 1: CPM RPS4Y1 0, DDX3Y 1, XIST 15 -> y = (0 + 1) / 2, xist = 4: female.
    // 2: CPM 127, 31, XIST 0 -> y = (7 + 5) / 2 = 6, xist = 0: male.
    // 3: CPM 255, 15, XIST 63 -> y = (8 + 4) / 2 = 6, xist = 6: conflict, uncertain.
    // 4: CPM 3, 3, XIST 1 -> y = 2 (grey zone), xist = 1: uncertain.
    let expected = [
        (0.5, 4.0, SexCall::Female),
        (6.0, 0.0, SexCall::Male),
        (6.0, 6.0, SexCall::Uncertain),
        (2.0, 1.0, SexCall::Uncertain),
    ];
    for (s, (y, x, call)) in report.samples.iter().zip(expected) {
        assert_relative_eq!(s.evidence.y_log2cpm.unwrap(), y, epsilon = 1e-12);
        assert_relative_eq!(s.evidence.xist_log2cpm.unwrap(), x, epsilon = 1e-12);
        assert_eq!(s.evidence.call, call, "{}", s.sample_id);
    }
    let votes: Vec<_> = report
        .samples
        .iter()
        .map(|s| (s.evidence.y_vote, s.evidence.xist_vote))
        .collect();
    assert_eq!(votes[2], (Some(SexCall::Male), Some(SexCall::Female)));
    assert_eq!(votes[3], (Some(SexCall::Uncertain), Some(SexCall::Male)));
    let claimed: Vec<_> = report.samples.iter().map(|s| s.claimed_agreement).collect();
    assert_eq!(
        claimed,
        [
            Agreement::Agrees,
            Agreement::Disagrees,
            Agreement::CallUncertain,
            Agreement::NoLabel
        ]
    );
    let predicted: Vec<_> = report
        .samples
        .iter()
        .map(|s| s.predicted_agreement)
        .collect();
    assert_eq!(
        predicted,
        [
            Agreement::Disagrees,
            Agreement::Agrees,
            Agreement::CallUncertain,
            Agreement::UnrecognizedLabel
        ]
    );
    let flagged: Vec<_> = report
        .flagged()
        .iter()
        .map(|s| s.sample_id.as_str())
        .collect();
    assert_eq!(flagged, ["sample_2"]);
    assert_eq!(report.call_counts(), [1, 1, 2]);
}

#[test]
fn thresholds_are_settable() {
    // Lowering the male threshold to 2 decides sample 4's Y evidence as male;
    // XIST = 1 agrees, so the call is male.
    let params = SexCheckParams {
        y_male_min: 2.0,
        ..SexCheckParams::default()
    };
    let report = check_sex(&dataset(), &params).unwrap();
    assert_eq!(report.samples[3].evidence.call, SexCall::Male);
}

#[test]
fn errors_name_what_to_fix() {
    let data = Dataset::new(
        array![[1u32, 2]],
        vec!["ENSG1".into(), "ENSG2".into()],
        vec!["s".into()],
    )
    .unwrap();
    let err = check_sex(&data, &SexCheckParams::default()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, QcError::NoMarkerGenes { .. }));
    for gene in [
        "XIST (ENSG00000229807)",
        "RPS4Y1",
        "DDX3Y",
        "KDM5D",
        "UTY",
        "EIF1AY",
    ] {
        assert!(text.contains(gene), "{text}");
    }
    let empty = Dataset::new(
        array![[0u32, 0]],
        vec!["XIST".into(), "x".into()],
        vec!["s1".into()],
    )
    .unwrap();
    assert_eq!(
        check_sex(&empty, &SexCheckParams::default()).unwrap_err(),
        QcError::EmptyLibrary {
            sample_id: "s1".into()
        }
    );
    let genes = vec!["XIST".to_string()];
    let err = sex_evidence(
        array![[1u32]].view(),
        &genes,
        &["s".into()],
        &[],
        &SexCheckParams::default(),
    );
    assert_eq!(
        err.unwrap_err(),
        QcError::Shape {
            what: "library sizes",
            expected: 1,
            found: 0
        }
    );
}

#[test]
fn xist_alone_or_y_alone_decides() {
    let params = SexCheckParams::default();
    let ids = vec!["a".to_string(), "b".to_string()];
    // XIST only: CPM 0 and 100 with library sizes 1e6.
    let (found, ev) = sex_evidence(
        array![[0u32], [100]].view(),
        &["XIST".into()],
        &ids,
        &[1_000_000, 1_000_000],
        &params,
    )
    .unwrap();
    assert!(found.y.is_empty() && found.xist == Some(0));
    assert_eq!((ev[0].call, ev[1].call), (SexCall::Male, SexCall::Female));
    assert_relative_eq!(ev[1].xist_log2cpm.unwrap(), 101f64.log2(), epsilon = 1e-12);
    assert_eq!(ev[0].y_log2cpm, None);
}

/// A marker a sample did not measure is no evidence for that sample only.
#[test]
fn unmeasured_markers_are_left_out_per_sample() {
    use synthbio_core::Measured;
    let d = dataset();
    // Sample 1 did not measure XIST; sample 2 measured no marker at all.
    let measured = Measured::from_rows(
        4,
        [
            vec![false, true, true, true],
            vec![false, false, false, true],
            vec![true; 4],
            vec![true; 4],
        ],
    )
    .unwrap();
    let masked = d.clone().with_measured(measured).unwrap();
    let report = check_sex(&masked, &SexCheckParams::default()).unwrap();
    let full = check_sex(&d, &SexCheckParams::default()).unwrap();
    // Sample 1: the Y markers only (its library loses XIST's 30 reads), no XIST level.
    assert_eq!(report.samples[0].evidence.xist_log2cpm, None);
    assert_eq!(report.samples[0].evidence.xist_vote, None);
    assert_eq!(
        report.samples[0].evidence.y_vote,
        full.samples[0].evidence.y_vote
    );
    // Sample 2: nothing measured, uncertain, not flagged.
    assert_eq!(report.samples[1].evidence.y_log2cpm, None);
    assert_eq!(report.samples[1].evidence.call, SexCall::Uncertain);
    // Samples 3 and 4 measured everything: as without a mask.
    assert_eq!(report.samples[2..], full.samples[2..]);
}
