//! Matrix Market: 10x-style reading, round trips and damaged files.

use crate::support::{strings, Dir};
use ndarray::array;
use std::collections::BTreeMap;
use synthbio_core::{Dataset, MetadataTable};
use synthbio_io::{
    read_matrix_market, write_matrix_market, IoError, Orientation, OrientationBasis, SourceFormat,
};

/// 3 genes x 2 cells, 10x layout: features without header, barcodes gzipped.
fn tenx(
    dir: &Dir,
    entries: &str,
    header: &str,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let mtx = dir.gz(
        "matrix.mtx.gz",
        &format!("{header}\n% from a test\n{entries}"),
    );
    let genes = dir.text(
        "features.tsv",
        "ENSG00000243485\tMIR1302-2HG\tGene Expression\n\
         ENSG00000237613\tFAM138A\tGene Expression\n\
         ENSG00000186092\tOR4F5\tGene Expression\n",
    );
    let cells = dir.gz(
        "barcodes.tsv.gz",
        "AAACCTGAGAAACCAT-1\nAAACCTGAGAAACCGC-1\n",
    );
    (mtx, genes, cells)
}

const HEADER: &str = "%%MatrixMarket matrix coordinate integer general";

#[test]
fn reads_10x_output() {
    let dir = Dir::new();
    let (mtx, genes, cells) = tenx(&dir, "3 2 4\n1 1 5\n3 1 1\n2 2 7\n3 2 2\n", HEADER);
    let (d, det) = read_matrix_market(&mtx, &genes, &cells).unwrap();
    assert_eq!(d.sample_ids(), ["AAACCTGAGAAACCAT-1", "AAACCTGAGAAACCGC-1"]);
    assert_eq!(
        d.gene_ids(),
        ["ENSG00000243485", "ENSG00000237613", "ENSG00000186092"]
    );
    assert_eq!(d.counts(), array![[5, 0, 1], [0, 7, 2]]);
    assert_eq!(d.metadata().keys().count(), 0);
    assert_eq!(det.format, SourceFormat::MatrixMarket);
    assert!(det.gzip);
    assert_eq!(det.orientation, Orientation::GenesAsRows);
    assert_eq!(det.basis, OrientationBasis::IdFileLengths);
    assert_eq!(
        det.to_string(),
        "3 genes x 2 samples (genes as rows, Matrix Market, gzipped)"
    );
}

#[test]
fn real_values_that_are_whole_and_repeated_entries_are_accepted() {
    let dir = Dir::new();
    let header = "%%MatrixMarket matrix coordinate real general";
    let (mtx, genes, cells) = tenx(&dir, "3 2 3\n1 1 5.0\n1 1 2\n3 2 1e1\n", header);
    let (d, _) = read_matrix_market(&mtx, &genes, &cells).unwrap();
    // Repeated coordinates add up, as scipy's conversion to dense does.
    assert_eq!(d.counts(), array![[7, 0, 0], [0, 0, 10]]);
}

#[test]
fn cells_by_genes_matrices_are_told_by_the_id_files() {
    let dir = Dir::new();
    // scanpy's adata.X written as is: 2 cells x 3 genes.
    let (mtx, genes, cells) = tenx(&dir, "2 3 2\n1 3 4\n2 1 9\n", HEADER);
    let (d, det) = read_matrix_market(&mtx, &genes, &cells).unwrap();
    assert_eq!(det.orientation, Orientation::SamplesAsRows);
    assert_eq!(d.counts(), array![[0, 0, 4], [9, 0, 0]]);
}

fn dataset_with_metadata() -> Dataset {
    let counts = array![[0, 3, 0, 1], [2, 0, 0, 0], [0, 0, 0, 0]];
    let rows = [
        BTreeMap::from([
            ("condition".to_string(), "ctrl".to_string()),
            ("cell_type".to_string(), "T cell".to_string()),
        ]),
        BTreeMap::from([("condition".to_string(), "stim".to_string())]),
        BTreeMap::from([("cell_type".to_string(), "B, naive".to_string())]),
    ];
    Dataset::new(
        counts,
        strings(&["ENSG1", "ENSG2", "ENSG3", "ENSG4"]),
        strings(&["c1", "c2", "c3"]),
    )
    .unwrap()
    .with_metadata(MetadataTable::from_rows(rows.iter()))
    .unwrap()
}

#[test]
fn round_trip_keeps_counts_ids_and_metadata() {
    let dir = Dir::new();
    let d = dataset_with_metadata();
    let (mtx, genes, cells) = (
        dir.path("m.mtx"),
        dir.path("genes.tsv"),
        dir.path("cells.csv"),
    );
    write_matrix_market(&d, &mtx, &genes, &cells).unwrap();
    // The exact file, by hand: genes x cells, 1-based, cell after cell, zeros left out.
    assert_eq!(
        std::fs::read_to_string(&mtx).unwrap(),
        "%%MatrixMarket matrix coordinate integer general\n\
         % written by synthbio-io: genes x cells\n\
         4 3 3\n2 1 3\n4 1 1\n1 2 2\n"
    );
    assert_eq!(
        std::fs::read_to_string(&genes).unwrap(),
        "gene_id\nENSG1\nENSG2\nENSG3\nENSG4\n"
    );
    assert_eq!(
        std::fs::read_to_string(&cells).unwrap(),
        "cell_id,cell_type,condition\nc1,T cell,ctrl\nc2,,stim\nc3,\"B, naive\",\n"
    );
    let (back, det) = read_matrix_market(&mtx, &genes, &cells).unwrap();
    assert!(!det.gzip);
    assert_eq!(back, d);

    let (gz, genes_gz, cells_gz) = (
        dir.path("m.mtx.gz"),
        dir.path("g.tsv.gz"),
        dir.path("c.tsv.gz"),
    );
    write_matrix_market(&d, &gz, &genes_gz, &cells_gz).unwrap();
    assert_eq!(&std::fs::read(&gz).unwrap()[..2], [0x1f, 0x8b]);
    let (back, det) = read_matrix_market(&gz, &genes_gz, &cells_gz).unwrap();
    assert!(det.gzip);
    assert_eq!(back, d);
}

#[test]
fn damaged_files_name_the_line_and_the_fix() {
    let dir = Dir::new();
    let err = |entries: &str, header: &str| {
        let (mtx, genes, cells) = tenx(&dir, entries, header);
        let e = read_matrix_market(&mtx, &genes, &cells).unwrap_err();
        assert!(
            matches!(e, IoError::MatrixMarket { .. } | IoError::IdFiles { .. }),
            "{e:?}"
        );
        (e.to_string(), mtx.display().to_string())
    };
    let (m, f) = err("3 2 1\n1 1 2.5\n", HEADER);
    assert_eq!(
        m,
        format!("{f} line 4: value \"2.5\" for cell AAACCTGAGAAACCAT-1, gene ENSG00000243485 is not a whole number; counts must be raw integer read counts")
    );
    let (m, f) = err("3 2 2\n1 1 2\n", HEADER);
    assert_eq!(m, format!("{f} line 5: the size line declares 2 entries but the file holds 1; the file is truncated or damaged"));
    let (m, f) = err("3 2 1\n4 1 2\n", HEADER);
    assert_eq!(
        m,
        format!("{f} line 4: row \"4\" is not between 1 and 3; the file may be damaged")
    );
    let (m, _) = err("3 2 1\n1 1\n", HEADER);
    assert!(m.contains("line 4: expected `row column value`, found \"1 1\""));
    let (m, _) = err("3 2\n", HEADER);
    assert!(m.contains("line 3: expected the size line `rows columns entries`"));
    let (m, f) = err(
        "3 2 1\n1 1 1\n",
        "%%MatrixMarket matrix array integer general",
    );
    assert_eq!(m, format!("{f} line 1: the matrix is stored dense (array); only the sparse coordinate format is read: write it with scipy.io.mmwrite from a sparse matrix"));
    let (m, _) = err(
        "3 2 1\n1 1 1\n",
        "%%MatrixMarket matrix coordinate pattern general",
    );
    assert!(m.contains("holds pattern values; counts must be stored as integer values"));
    let (m, _) = err("3 2 1\n1 1 1\n", "gene\tcell\tcount");
    assert!(m.contains("line 1: expected a Matrix Market header"));
    let (m, f) = err("5 2 1\n1 1 1\n", HEADER);
    assert_eq!(
        m,
        format!(
            "{f} is 5 x 2 but {} lists 3 lines and {} lists 2; the id files need one line per \
             matrix row (genes) and column (cells), plus an optional header line",
            dir.path("features.tsv").display(),
            dir.path("barcodes.tsv.gz").display()
        )
    );
}

#[test]
fn repeated_ids_in_id_files_are_refused() {
    let dir = Dir::new();
    let mtx = dir.text("m.mtx", &format!("{HEADER}\n2 1 0\n"));
    let genes = dir.text("g.tsv", "ENSG1\nENSG1\n");
    let cells = dir.text("c.tsv", "c1\n");
    let err = read_matrix_market(&mtx, &genes, &cells)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!("{}: id \"ENSG1\" appears twice (lines 1 and 2); ids must be unique, so rename or merge one of them", genes.display())
    );
}
