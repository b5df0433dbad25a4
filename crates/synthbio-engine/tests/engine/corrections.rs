//! `data/bulk/label_corrections.tsv`: every corrected sex label agrees with
//! the sample's own marker genes (computed here from the raw counts), and a
//! stale correction is an error, not a silent edit.

use crate::common::data_dir;
use synthbio_io::{read_counts, read_metadata, CountsOptions, Orientation};

const XIST: &str = "ENSG00000229807";
/// RPS4Y1, DDX3Y, KDM5D, UTY, EIF1AY, USP9Y, ZFY.
const Y_GENES: [&str; 7] = [
    "ENSG00000129824",
    "ENSG00000067048",
    "ENSG00000012817",
    "ENSG00000183878",
    "ENSG00000198692",
    "ENSG00000114374",
    "ENSG00000067646",
];

#[test]
fn corrected_sex_labels_agree_with_the_markers() {
    let dir = data_dir().join("bulk");
    let corrections = read_metadata(&dir.join("label_corrections.tsv")).unwrap();
    let col = |name: &str| {
        corrections
            .columns()
            .iter()
            .position(|c| c == name)
            .unwrap()
    };
    let options = CountsOptions::default().with_orientation(Orientation::GenesAsRows);
    let (counts, _) = read_counts(&dir.join("counts.tsv.gz"), &options).unwrap();
    let genes = counts.gene_ids();
    let log_cpm = |s: usize, id: &str| {
        let j = genes.iter().position(|g| g == id).unwrap();
        assert!(counts.is_measured(s, j), "{id} measured");
        let c = counts.sample_counts(s);
        let total: f64 = (0..genes.len())
            .filter(|&g| counts.is_measured(s, g))
            .map(|g| f64::from(c[g]))
            .sum();
        (f64::from(c[j]) / total * 1e6 + 1.0).log2()
    };
    assert!(corrections.n_rows() > 0);
    for (r, sample) in corrections.sample_ids().iter().enumerate() {
        assert_eq!(corrections.get(r, col("key")), Some("sex"));
        assert!(!corrections.get(r, col("evidence")).unwrap().is_empty());
        let s = counts.sample_position(sample).unwrap();
        let xist = log_cpm(s, XIST);
        let y_max = Y_GENES.iter().map(|g| log_cpm(s, g)).fold(0.0, f64::max);
        match corrections.get(r, col("corrected_value")) {
            Some("female") => assert!(xist > 5.0 && y_max < 1.0, "{sample}: {xist} {y_max}"),
            Some("male") => assert!(xist < 1.0 && y_max > 3.0, "{sample}: {xist} {y_max}"),
            other => panic!("{sample}: corrected to {other:?}"),
        }
    }
}

#[test]
fn a_stale_correction_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let bulk = tmp.path().join("bulk");
    std::fs::create_dir_all(&bulk).unwrap();
    std::fs::copy(
        data_dir().join("bulk/samples.tsv"),
        bulk.join("samples.tsv"),
    )
    .unwrap();
    std::fs::write(
        bulk.join("label_corrections.tsv"),
        "sample_id\tkey\tsource_value\tcorrected_value\tevidence\n\
         geuvadis_NA20506\tsex\tmale\tfemale\tnone\n",
    )
    .unwrap();
    let err = synthbio_engine::train(tmp.path(), &tmp.path().join("models"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("geuvadis_NA20506") && err.contains("\"female\""),
        "{err}"
    );
}
