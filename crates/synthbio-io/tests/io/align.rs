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
    assert!(report.dropped.is_empty() && report.unmeasured.is_empty());
    assert!(a.measured().is_none());
}

#[test]
fn missing_genes_become_unmeasured_columns_and_are_reported() {
    let d = dataset(&["G0", "G1", "X"]);
    let order = strings(&["G1", "M1", "G0"]);
    let (a, report) = align_genes(&d, &order, &AlignOptions::default()).unwrap();
    assert_eq!(a.gene_ids(), ["G1", "M1", "G0"]);
    assert_eq!(a.counts(), array![[1, 0, 0], [11, 0, 10]]);
    assert!(!a.is_measured(0, 1) && !a.is_measured(1, 1) && a.is_measured(1, 0));
    assert_eq!(report.unmeasured, ["M1"]);
    assert_eq!(report.dropped, ["X"]);
    assert_eq!(
        report.to_string(),
        "2 of the model's 3 genes are in the table; the 1 absent genes are treated as unmeasured, \
         not as zero (the local engine encodes from the measured genes, the marker check ignores \
         unmeasured markers; a remote server receives them as 0); dropped 1 gene(s) the model \
         does not use"
    );
}

#[test]
fn strict_mode_names_and_counts_missing_genes() {
    let d = dataset(&["G0", "G1"]);
    let order = strings(&["G0", "M1", "M2", "M3", "G1", "M4", "M5", "M6", "M7"]);
    let err = align_genes(&d, &order, &AlignOptions::default().strict()).unwrap_err();
    assert!(
        matches!(&err, IoError::MissingGenes { missing, n_model: 9, versioned: None } if missing.len() == 7)
    );
    assert_eq!(
        err.to_string(),
        "the counts lack 7 of the model's 9 genes (M1, M2, M3, M4, M5 and 2 more); in strict mode \
         the counts must cover every gene the model uses, with Ensembl gene ids of the same \
         release (without strict mode the absent genes are read as unmeasured)"
    );
}

#[test]
fn versioned_ids_get_a_hint_quoting_the_input() {
    let d = dataset(&["ENSG00000000003.15", "ENSG00000000005.6"]);
    let err = align_genes(
        &d,
        &strings(&["ENSG00000000003", "ENSG00000000005"]),
        &AlignOptions::default().strict(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(
            "(ENSG00000000003, ENSG00000000005) and the counts' gene ids carry version suffixes \
             (ENSG00000000003.15): harmonise them"
        ),
        "{err}"
    );
}

#[test]
fn no_model_gene_at_all_is_an_error_naming_the_ids() {
    let d = dataset(&["foo", "bar"]);
    let err = align_genes(&d, &strings(&["ENSG00000000003"]), &AlignOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "none of the model's 1 genes (such as ENSG00000000003) is in the counts (whose gene \
             ids look like foo, bar)"
        ),
        "{err}"
    );
}

#[test]
fn extra_genes_are_dropped_by_default_and_in_strict_mode_only_when_asked() {
    let d = dataset(&["G0", "X1", "G1", "X2"]);
    let order = strings(&["G1", "G0"]);
    let (a, report) = align_genes(&d, &order, &AlignOptions::default()).unwrap();
    assert_eq!(report.dropped, ["X1", "X2"]);
    assert_eq!(a.counts(), array![[2, 0], [12, 10]]);
    let err = align_genes(&d, &order, &AlignOptions::default().strict()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the counts have 2 genes the model does not use (X1, X2); drop them explicitly with the \
         option to drop extra genes"
    );
    let (a, report) = align_genes(
        &d,
        &order,
        &AlignOptions::default().strict().dropping_extra_genes(),
    )
    .unwrap();
    assert_eq!(report.dropped, ["X1", "X2"]);
    assert_eq!(a.counts(), array![[2, 0], [12, 10]]);
}
