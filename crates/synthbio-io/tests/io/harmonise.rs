//! Gene id harmonisation: version suffixes, symbols and Entrez ids to Ensembl.

use crate::support::strings;
use ndarray::{array, Array2};
use synthbio_core::{Dataset, Measured};
use synthbio_io::{
    harmonise_gene_ids, strip_version, GeneAnnotation, HarmoniseOptions, IoError, Lookup, Unmapped,
};

fn dataset(genes: &[&str]) -> Dataset {
    let counts = Array2::from_shape_fn((2, genes.len()), |(i, j)| (10 * i + j + 1) as u32);
    Dataset::new(counts, strings(genes), strings(&["S1", "S2"])).unwrap()
}

#[test]
fn plain_ensembl_ids_are_left_alone() {
    let d = dataset(&["ENSG00000000003", "ENSG00000000005"]);
    let (h, report) = harmonise_gene_ids(&d, &HarmoniseOptions::default()).unwrap();
    assert_eq!(h, d);
    assert!(!report.changed());
    assert_eq!(report.to_string(), "gene ids: 2 Ensembl ids, unchanged");
}

#[test]
fn version_suffixes_are_stripped_and_par_y_copies_summed() {
    assert_eq!(strip_version("ENSG00000000003.15"), Some("ENSG00000000003"));
    assert_eq!(
        strip_version("ENSG00000002586.20_PAR_Y"),
        Some("ENSG00000002586")
    );
    assert_eq!(strip_version("ENSG00000000003"), None);
    assert_eq!(strip_version("TSPAN6"), None);
    let d = dataset(&[
        "ENSG00000000003.15",
        "ENSG00000002586.20",
        "ENSG00000002586.20_PAR_Y",
    ]);
    let (h, report) = harmonise_gene_ids(&d, &HarmoniseOptions::default()).unwrap();
    assert_eq!(h.gene_ids(), ["ENSG00000000003", "ENSG00000002586"]);
    // counts 1,2,3 and 11,12,13: the PAR_Y copy is added to its gene
    assert_eq!(h.counts(), array![[1, 5], [11, 25]]);
    assert_eq!(report.versions_stripped, 3);
    assert_eq!(
        report.merged,
        [(
            "ENSG00000002586".to_string(),
            strings(&["ENSG00000002586.20", "ENSG00000002586.20_PAR_Y"])
        )]
    );
    assert_eq!(
        report.to_string(),
        "gene ids: stripped the version suffix of 3 Ensembl id(s) (ENSG00000000003.15 -> \
         ENSG00000000003); summed 2 rows into 1 gene(s) they share; 3 of 3 ids kept as 2 genes"
    );
    let err =
        harmonise_gene_ids(&d, &HarmoniseOptions::default().refusing_duplicates()).unwrap_err();
    assert!(matches!(err, IoError::DuplicateGenes { n: 1, .. }));
    assert!(
        err.to_string()
            .contains("such as ENSG00000002586 from ENSG00000002586.20, ENSG00000002586.20_PAR_Y"),
        "{err}"
    );
}

#[test]
fn symbols_and_entrez_ids_map_through_org_hs_eg_db() {
    // The rows of data/annotation/ensembl_symbol_chrom.tsv.gz: TSPAN6 = 7105 =
    // ENSG00000000003, TNMD = ENSG00000000005, XIST = 7503 = ENSG00000229807;
    // AAED1 is only an alias (of PRXL2C, 195827, ENSG00000158122).
    let d = dataset(&["TSPAN6", "tnmd", "7503", "AAED1", "NOT_A_GENE", "ATF6B"]);
    let (h, report) = harmonise_gene_ids(&d, &HarmoniseOptions::default()).unwrap();
    assert_eq!(
        h.gene_ids(),
        [
            "ENSG00000000003",
            "ENSG00000000005",
            "ENSG00000229807",
            "ENSG00000158122"
        ]
    );
    assert_eq!(h.counts(), array![[1, 2, 3, 4], [11, 12, 13, 14]]);
    assert_eq!((report.symbols_mapped, report.entrez_mapped), (3, 1));
    assert_eq!(
        report.unmapped[0],
        ("NOT_A_GENE".to_string(), Unmapped::Unknown)
    );
    // ATF6B has copies on the alternative MHC haplotypes: ambiguous, with candidates.
    assert!(
        matches!(&report.unmapped[1], (id, Unmapped::Ambiguous(c)) if id == "ATF6B" && c.len() == 4)
    );
    assert_eq!(
        report.to_string(),
        "gene ids: mapped 3 gene symbol(s) to Ensembl ids (org.Hs.eg.db); mapped 1 Entrez id(s) \
         to Ensembl ids (org.Hs.eg.db); left out 1 unknown and 1 ambiguous id(s); 4 of 6 ids \
         kept as 4 genes"
    );
    let table = report.unmapped_table();
    assert_eq!(table.columns, ["gene_id", "reason", "candidates"]);
    assert_eq!(table.rows.len(), 2);
    // Within a model's genes, the one candidate there is taken.
    let (h, report) = harmonise_gene_ids(
        &d,
        &HarmoniseOptions::default().within(&strings(&["ENSG00000213676"])),
    )
    .unwrap();
    assert_eq!(
        h.gene_ids().last().map(String::as_str),
        Some("ENSG00000213676")
    );
    assert_eq!(report.unmapped.len(), 1);
}

#[test]
fn a_symbol_and_its_entrez_id_are_one_gene_measured_where_either_was() {
    let d = dataset(&["TSPAN6", "7105", "TNMD"]);
    let d = d
        .with_measured(
            Measured::from_rows(3, [vec![true, false, true], vec![false, false, true]]).unwrap(),
        )
        .unwrap();
    let (h, _) = harmonise_gene_ids(&d, &HarmoniseOptions::default()).unwrap();
    assert_eq!(h.gene_ids(), ["ENSG00000000003", "ENSG00000000005"]);
    // S1 measured TSPAN6 (1) only; S2 measured neither copy: unmeasured, not 0.
    assert_eq!(h.counts(), array![[1, 3], [0, 13]]);
    assert!(h.is_measured(0, 0) && !h.is_measured(1, 0) && h.is_measured(1, 1));
}

#[test]
fn a_table_of_unknown_ids_is_refused_with_examples_from_it() {
    let d = dataset(&["foo", "bar", "baz", "qux"]);
    let err = harmonise_gene_ids(&d, &HarmoniseOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "none of the 4 gene ids (such as foo, bar, baz) is an Ensembl gene id, a human gene \
             symbol or an Entrez id known to org.Hs.eg.db"
        ),
        "{err}"
    );
}

#[test]
fn the_annotation_answers_lookups() {
    let a = GeneAnnotation::embedded().unwrap();
    assert_eq!(
        a.symbol("RPS4Y1"),
        Lookup::Found(strings(&["ENSG00000129824"]))
    );
    assert_eq!(
        a.entrez("6192"),
        Lookup::Found(strings(&["ENSG00000129824"]))
    );
    assert_eq!(a.entrez("0"), Lookup::Unknown);
}
