//! Sample metadata tables and attaching them.

use crate::counts::golden;
use crate::support::{data, read, strings, Dir};
use ndarray::array;
use synthbio_core::Dataset;
use synthbio_io::{attach_metadata, read_metadata, IoError};

fn dataset(samples: &[&str]) -> Dataset {
    let counts = ndarray::Array2::from_shape_fn((samples.len(), 2), |(i, j)| (i * 2 + j) as u32);
    Dataset::new(
        counts,
        strings(&["ENSG00000000003", "ENSG00000000005"]),
        strings(samples),
    )
    .unwrap()
}

#[test]
fn real_airway_samples_attach_by_run_id() {
    let g = golden();
    let (mut d, _) = read(&data("airway_50genes.tsv.gz")).unwrap();
    let table = read_metadata(&data("airway_samples.tsv.gz")).unwrap();
    assert_eq!(table.id_column(), "run");
    assert_eq!(table.n_rows(), 8);
    let report = attach_metadata(&mut d, &table).unwrap();
    assert!(report.ignored_rows.is_empty());
    assert_eq!(report.columns.len(), 9);
    let dex: Vec<String> = (0..8)
        .map(|i| d.metadata().get(i, "dex").unwrap().to_string())
        .collect();
    let cell: Vec<String> = (0..8)
        .map(|i| d.metadata().get(i, "cell").unwrap().to_string())
        .collect();
    assert_eq!(dex, g.dex);
    assert_eq!(cell, g.cell);
}

#[test]
fn rows_are_matched_by_id_not_position_and_extras_reported() {
    let dir = Dir::new();
    let path = dir.text(
        "meta.csv",
        "sample_id,condition,batch\nS3,treated,\nS9,control,2\nS1,control,1\nS2,treated,1\n",
    );
    let mut d = dataset(&["S1", "S2", "S3"]);
    let table = read_metadata(&path).unwrap();
    let report = attach_metadata(&mut d, &table).unwrap();
    assert_eq!(report.ignored_rows, ["S9"]);
    assert_eq!(
        report.to_string(),
        format!(
            "attached 2 metadata column(s) from {} to 3 samples; ignored 1 row(s) that match no \
             sample (first: S9)",
            path.display()
        )
    );
    let m = d.metadata();
    assert_eq!(
        m.column("condition").unwrap(),
        [
            Some("control".into()),
            Some("treated".into()),
            Some("treated".into())
        ]
    );
    assert_eq!(
        m.column("batch").unwrap(),
        [Some("1".into()), Some("1".into()), None]
    );
    // The counts are untouched.
    assert_eq!(d.counts(), array![[0, 1], [2, 3], [4, 5]]);
    // Attached again, the columns replace those the dataset now has, and say so.
    let again = dir.text(
        "again.csv",
        "sample_id,batch,lane\nS1,7,1\nS2,8,2\nS3,9,3\n",
    );
    let report = attach_metadata(&mut d, &read_metadata(&again).unwrap()).unwrap();
    assert_eq!(report.replaced, ["batch"]);
    assert!(
        report
            .to_string()
            .ends_with("to 3 samples; its column(s) batch replace the input's own"),
        "{report}"
    );
    assert_eq!(d.metadata().get(2, "batch"), Some("9"));
}

#[test]
fn missing_samples_are_listed_with_the_extra_rows_counted() {
    let dir = Dir::new();
    let path = dir.gz(
        "meta.tsv.gz",
        "sample\tsex\nS1\tfemale\nX1\tmale\nX2\tmale\n",
    );
    let mut d = dataset(&["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"]);
    let table = read_metadata(&path).unwrap();
    let before = d.clone();
    let err = attach_metadata(&mut d, &table).unwrap_err();
    assert!(
        matches!(&err, IoError::MissingSamples { missing, n_extra: 2, .. } if missing.len() == 7)
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{} has no row for 7 of the 8 samples (S2, S3, S4, S5, S6 and 2 more); add them with \
             the sample id in the first column, spelled as in the counts header (2 rows of the \
             table match no sample and would be ignored)",
            path.display()
        )
    );
    assert_eq!(d, before, "a failed attach leaves the dataset as it was");
}

#[test]
fn metadata_tables_are_checked() {
    let dir = Dir::new();
    let path = dir.text("dup.tsv", "sample\tsex\nS1\tfemale\nS1\tmale\n");
    assert!(read_metadata(&path)
        .unwrap_err()
        .to_string()
        .contains("id \"S1\" appears twice (lines 2 and 3)"));
    let path = dir.text("dupcol.tsv", "sample\tsex\tsex\nS1\tfemale\tmale\n");
    assert!(read_metadata(&path)
        .unwrap_err()
        .to_string()
        .contains("id \"sex\" appears twice (header columns 2 and 3)"));
    let path = dir.text("short.tsv", "sample\tsex\tage\nS1\tfemale\n");
    assert!(matches!(
        read_metadata(&path),
        Err(IoError::FieldCount {
            line: 2,
            found: 2,
            expected: 3,
            ..
        })
    ));
}
