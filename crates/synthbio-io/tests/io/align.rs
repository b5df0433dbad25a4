//! Putting genes in a model's order.

use crate::support::strings;
use ndarray::array;
use synthbio_core::Dataset;
use synthbio_io::{align_genes, AlignOptions, IoError};

fn dataset(genes: &[&str]) -> Dataset {
    let counts = ndarray::Array2::from_shape_fn((2, genes.len()), |(i, j)| (10 * i + j) as u32);
    Dataset::new(counts, strings(genes), strings(&["S1", "S2"])).unwrap()
}

#[test]
fn genes_follow_the_model_order_with_their_counts() {
    let d = dataset(&["G0", "G1", "G2"]);
    let (a, report) =
        align_genes(&d, &strings(&["G2", "G0", "G1"]), &AlignOptions::default()).unwrap();
    assert_eq!(a.gene_ids(), ["G2", "G0", "G1"]);
    assert_eq!(a.counts(), array![[2, 0, 1], [12, 10, 11]]);
    assert_eq!(report.n_genes, 3);
    assert!(report.dropped.is_empty());
}

#[test]
fn missing_genes_are_named_and_counted() {
    let d = dataset(&["G0", "G1"]);
    let order = strings(&["G0", "M1", "M2", "M3", "G1", "M4", "M5", "M6", "M7"]);
    let err = align_genes(&d, &order, &AlignOptions::default()).unwrap_err();
    assert!(
        matches!(&err, IoError::MissingGenes { missing, n_model: 9, versioned: false } if missing.len() == 7)
    );
    assert_eq!(
        err.to_string(),
        "the counts lack 7 of the model's 9 genes (M1, M2, M3, M4, M5 and 2 more); the counts \
         must cover every gene the model uses, with Ensembl gene ids of the same release"
    );
}

#[test]
fn versioned_ids_get_a_hint() {
    let d = dataset(&["ENSG00000000003.14", "ENSG00000000005.5"]);
    let err = align_genes(
        &d,
        &strings(&["ENSG00000000003", "ENSG00000000005"]),
        &AlignOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains(
        "(ENSG00000000003, ENSG00000000005) and the counts' gene ids carry version suffixes \
         (ENSG00000000003.14): remove the suffixes;"
    ));
}

#[test]
fn extra_genes_are_dropped_only_when_asked() {
    let d = dataset(&["G0", "X1", "G1", "X2"]);
    let order = strings(&["G1", "G0"]);
    let err = align_genes(&d, &order, &AlignOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the counts have 2 genes the model does not use (X1, X2); drop them explicitly with the \
         option to drop extra genes"
    );
    let (a, report) =
        align_genes(&d, &order, &AlignOptions::default().dropping_extra_genes()).unwrap();
    assert_eq!(report.dropped, ["X1", "X2"]);
    assert_eq!(a.counts(), array![[2, 0], [12, 10]]);
}
