//! 10x Genomics matrix folders, read from the folder path alone.

use crate::support::Dir;
use ndarray::array;
use synthbio_io::{read_10x_dir, read_counts, CountsOptions, IoError, SourceFormat};

/// A Cell Ranger v3 folder: 3 genes x 2 cells, every file gzipped.
fn cellranger(dir: &Dir, features: &str) {
    dir.gz(
        "matrix.mtx.gz",
        "%%MatrixMarket matrix coordinate integer general\n%metadata_json: {}\n3 2 3\n1 1 4\n3 1 1\n2 2 9\n",
    );
    dir.gz(
        features,
        "ENSG00000243485\tMIR1302-2HG\tGene Expression\n\
         ENSG00000237613\tFAM138A\tGene Expression\n\
         ENSG00000186092\tOR4F5\tGene Expression\n",
    );
    dir.gz(
        "barcodes.tsv.gz",
        "AAACCTGAGAAACCAT-1\nAAACCTGAGAAACCGC-1\n",
    );
}

#[test]
fn a_cellranger_folder_reads_from_its_path() {
    for features in ["features.tsv.gz", "genes.tsv.gz"] {
        let dir = Dir::new();
        cellranger(&dir, features);
        let (data, detected) = read_counts(dir.0.path(), &CountsOptions::default()).unwrap();
        assert_eq!(data.counts(), array![[4, 0, 1], [0, 9, 0]]);
        assert_eq!(
            data.gene_ids(),
            ["ENSG00000243485", "ENSG00000237613", "ENSG00000186092"]
        );
        assert_eq!(
            data.sample_ids(),
            ["AAACCTGAGAAACCAT-1", "AAACCTGAGAAACCGC-1"]
        );
        assert_eq!(detected.format, SourceFormat::MatrixMarket);
        assert_eq!(
            detected.source.as_deref(),
            Some(format!("10x folder: matrix.mtx.gz, {features}, barcodes.tsv.gz").as_str())
        );
        let (again, _) = read_10x_dir(dir.0.path()).unwrap();
        assert_eq!(again, data);
    }
}

#[test]
fn a_folder_lacking_a_10x_file_is_refused_naming_it() {
    let dir = Dir::new();
    cellranger(&dir, "features.tsv.gz");
    std::fs::remove_file(dir.path("barcodes.tsv.gz")).unwrap();
    let err = read_counts(dir.0.path(), &CountsOptions::default()).unwrap_err();
    assert!(matches!(err, IoError::NotTenX { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "{} is a folder but lacks barcodes.tsv.gz; give a counts file, or a 10x Genomics matrix folder holding matrix.mtx.gz, features.tsv.gz (or genes.tsv.gz) and barcodes.tsv.gz",
            dir.0.path().display()
        )
    );
}
