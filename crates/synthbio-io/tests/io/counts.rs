//! Reading counts tables: formats, orientations, detection and bad input.

use crate::support::{data, read, read_err, strings, Dir};
use ndarray::array;
use serde::Deserialize;
use synthbio_io::{
    read_counts, CountProblem, CountsOptions, Delimiter, IoError, Orientation, OrientationBasis,
    SourceFormat,
};

const GENES_TSV: &str = "gene_id\tS1\tS2\tS3\n\
ENSG00000000003\t679\t448\t873\n\
ENSG00000000005\t0\t0\t1\n";

#[test]
fn tsv_with_genes_as_rows() {
    let dir = Dir::new();
    let (d, det) = read(&dir.text("counts.tsv", GENES_TSV)).unwrap();
    assert_eq!(d.gene_ids(), ["ENSG00000000003", "ENSG00000000005"]);
    assert_eq!(d.sample_ids(), ["S1", "S2", "S3"]);
    assert_eq!(d.counts(), array![[679, 0], [448, 0], [873, 1]]);
    assert_eq!(det.format, SourceFormat::Delimited(Delimiter::Tab));
    assert!(!det.gzip);
    assert_eq!(det.orientation, Orientation::GenesAsRows);
    assert_eq!(det.basis, OrientationBasis::GeneIdsInFirstColumn);
    assert_eq!(
        det.to_string(),
        "2 genes x 3 samples (genes as rows, tab-separated)"
    );
}

#[test]
fn gzipped_csv_with_samples_as_rows() {
    let dir = Dir::new();
    let text = "sample,ENSMUSG00000000001,ENSMUSG00000000028\nA,5,6\nB,7,8\nC,0,10.0\n";
    let (d, det) = read(&dir.gz("counts.csv.gz", text)).unwrap();
    assert_eq!(d.gene_ids(), ["ENSMUSG00000000001", "ENSMUSG00000000028"]);
    assert_eq!(d.sample_ids(), ["A", "B", "C"]);
    assert_eq!(d.counts(), array![[5, 6], [7, 8], [0, 10]]);
    assert_eq!(det.orientation, Orientation::SamplesAsRows);
    assert_eq!(det.basis, OrientationBasis::GeneIdsInHeader);
    assert_eq!(
        det.to_string(),
        "2 genes x 3 samples (samples as rows, comma-separated, gzipped)"
    );
}

#[test]
fn gzip_is_told_by_magic_bytes_not_the_name() {
    let dir = Dir::new();
    let (gz, det) = read(&dir.gz("counts.tsv", GENES_TSV)).unwrap();
    assert!(det.gzip);
    let (plain, det) = read(&dir.text("misnamed.tsv.gz", GENES_TSV)).unwrap();
    assert!(!det.gzip);
    assert_eq!(gz, plain);
}

#[test]
fn concatenated_gzip_members_are_read_whole() {
    // bgzip and `cat a.gz b.gz` make several gzip members in one file.
    let dir = Dir::new();
    let (head, tail) = GENES_TSV.split_at(40);
    let mut bytes = crate::support::gzip(head.as_bytes());
    bytes.extend(crate::support::gzip(tail.as_bytes()));
    let path = dir.path("two_members.tsv.gz");
    std::fs::write(&path, bytes).unwrap();
    let (d, _) = read(&path).unwrap();
    assert_eq!(d.counts(), array![[679, 0], [448, 0], [873, 1]]);
}

#[test]
fn csv_and_tsv_give_the_same_dataset() {
    let dir = Dir::new();
    let (tsv, _) = read(&dir.text("a.tsv", GENES_TSV)).unwrap();
    let (csv, det) = read(&dir.text("a.csv", &GENES_TSV.replace('\t', ","))).unwrap();
    assert_eq!(det.format, SourceFormat::Delimited(Delimiter::Comma));
    assert_eq!(tsv, csv);
    let (semi, det) = read(&dir.text("a.txt", &GENES_TSV.replace('\t', ";"))).unwrap();
    assert_eq!(det.format, SourceFormat::Delimited(Delimiter::Semicolon));
    assert_eq!(tsv, semi);
}

#[test]
fn r_layouts_quotes_bom_and_crlf() {
    let dir = Dir::new();
    // write.table: the header has no cell above the row names.
    let (d, _) = read(&dir.text(
        "wt.tsv",
        "\"S1\"\t\"S2\"\n\"ENSG00000000003\"\t1\t2\nENSG00000000005\t3\t4\n",
    ))
    .unwrap();
    assert_eq!(d.sample_ids(), ["S1", "S2"]);
    assert_eq!(d.counts(), array![[1, 3], [2, 4]]);
    // write.csv, saved by a spreadsheet with a byte order mark and CRLF line ends.
    let (d2, det) = read(&dir.text(
        "wc.csv",
        "\u{feff}\"\",\"S1\",\"S2\"\r\n\"ENSG00000000003\",1,2\r\n\"ENSG00000000005\",3,4\r\n",
    ))
    .unwrap();
    assert_eq!(d, d2);
    assert_eq!(det.format, SourceFormat::Delimited(Delimiter::Comma));
}

#[test]
fn a_quoted_id_may_hold_the_delimiter() {
    let dir = Dir::new();
    let (d, _) =
        read(&dir.text("q.csv", "gene_id,\"S1, rep 1\",S2\nENSG00000000003,1,2\n")).unwrap();
    assert_eq!(d.sample_ids(), ["S1, rep 1", "S2"]);
}

#[test]
fn the_first_header_cell_tells_orientation_without_ensembl_ids() {
    let dir = Dir::new();
    let (d, det) =
        read(&dir.text("sym.tsv", "gene_name\tS1\tS2\nTP53\t1\t2\nGAPDH\t3\t4\n")).unwrap();
    assert_eq!(det.orientation, Orientation::GenesAsRows);
    assert_eq!(det.basis, OrientationBasis::FirstHeaderCell);
    assert_eq!(d.gene_ids(), ["TP53", "GAPDH"]);
    let (d, det) = read(&dir.text("cells.csv", "Cell_ID,TP53,GAPDH\nc1,1,2\n")).unwrap();
    assert_eq!(det.orientation, Orientation::SamplesAsRows);
    assert_eq!(d.gene_ids(), ["TP53", "GAPDH"]);
    assert_eq!(d.counts(), array![[1, 2]]);
}

#[test]
fn unknown_orientation_is_an_error_unless_stated() {
    let dir = Dir::new();
    let path = dir.text("x.tsv", "id\tS1\tS2\nTP53\t1\t2\nGAPDH\t3\t4\n");
    assert_eq!(
        read_err(&path),
        format!(
            "cannot tell whether the rows of {} are genes or samples: neither the first column \
             nor the header holds Ensembl gene ids (ENSG..., ENSMUSG...) and the first header \
             cell (\"id\") does not say; state the orientation (genes as rows, or samples as rows)",
            path.display()
        )
    );
    let options = CountsOptions::default().with_orientation(Orientation::SamplesAsRows);
    let (d, det) = read_counts(&path, &options).unwrap();
    assert_eq!(det.basis, OrientationBasis::Explicit);
    assert_eq!(d.sample_ids(), ["TP53", "GAPDH"]);
    assert_eq!(d.counts(), array![[1, 2], [3, 4]]);
    // An explicit choice also overrides the Ensembl ids.
    let genes = dir.text("g.tsv", GENES_TSV);
    let (d, _) = read_counts(&genes, &options).unwrap();
    assert_eq!(d.sample_ids(), ["ENSG00000000003", "ENSG00000000005"]);
}

#[test]
fn a_stated_delimiter_is_used() {
    let dir = Dir::new();
    // The header alone would suggest commas.
    let path = dir.text("x.tsv", "gene_id\tS1,a\tS2,b\nENSG00000000003\t1\t2\n");
    assert!(matches!(read(&path), Err(IoError::Delimiter { .. })));
    let options = CountsOptions::default().with_delimiter(Delimiter::Tab);
    let (d, _) = read_counts(&path, &options).unwrap();
    assert_eq!(d.sample_ids(), ["S1,a", "S2,b"]);
}

#[test]
fn featurecounts_output_is_read() {
    let dir = Dir::new();
    let text = "# Program:featureCounts v2.0.1; Command:\"featureCounts\" \"-a\" \"genes.gtf\"\n\
Geneid\tChr\tStart\tEnd\tStrand\tLength\ta.bam\tb.bam\n\
ENSG00000000003\tX;X\t100;200\t150;260\t-;-\t112\t10\t20\n\
ENSG00000000005\tX\t300\t400\t+\t101\t0\t3\n";
    let (d, det) = read(&dir.text("fc.txt", text)).unwrap();
    assert_eq!(d.sample_ids(), ["a.bam", "b.bam"]);
    assert_eq!(d.counts(), array![[10, 0], [20, 3]]);
    assert_eq!(det.comment_lines, 1);
    assert_eq!(
        det.skipped_columns,
        strings(&["Chr", "Start", "End", "Strand", "Length"])
    );
    assert_eq!(
        det.to_string(),
        "2 genes x 2 samples (genes as rows, tab-separated); skipped 1 comment line(s); \
         skipped annotation columns Chr, Start, End, Strand, Length"
    );
    // Line numbers in messages count the comment line.
    let bad = text.replace("\t0\t3", "\t0\t3.5");
    let path = dir.text("fc_bad.txt", &bad);
    assert!(read_err(&path).starts_with(&format!("{} line 4: value \"3.5\"", path.display())));
}

#[test]
fn whole_floats_are_counts() {
    let dir = Dir::new();
    let (d, _) = read(&dir.text(
        "f.tsv",
        "gene_id\tS1\tS2\nENSG00000000003\t10.0\t1e3\nENSG00000000005\t-0\t4294967295\n",
    ))
    .unwrap();
    assert_eq!(d.counts(), array![[10, 0], [1000, 4294967295]]);
}

/// The message for one bad value in sample S2 of gene ENSG00000000005 (line 3).
fn bad_value_message(value: &str) -> (String, String) {
    let dir = Dir::new();
    let text = GENES_TSV.replace("\t0\t0\t1", &format!("\t0\t{value}\t1"));
    let path = dir.text("counts.tsv", &text);
    (read_err(&path), path.display().to_string())
}

#[test]
fn bad_values_are_named_with_line_sample_gene_and_fix() {
    let cases = [
        ("3.5", "is not a whole number; counts must be raw integer read counts"),
        ("-2", "is negative; counts must be raw integer read counts (0 or more)"),
        ("NaN", "is not a number; counts must be raw integer read counts (write 0 for no reads)"),
        ("n/a", "is not a number; counts must be raw integer read counts (write 0 for no reads)"),
        ("inf", "is not a number; counts must be raw integer read counts (write 0 for no reads)"),
        (
            "4294967296",
            "is larger than 4294967295, the largest count supported; counts must be raw integer read counts",
        ),
    ];
    for (value, problem) in cases {
        let (message, file) = bad_value_message(value);
        assert_eq!(
            message,
            format!("{file} line 3: value {value:?} for sample S2, gene ENSG00000000005 {problem}")
        );
    }
}

#[test]
fn bad_value_error_is_typed() {
    let dir = Dir::new();
    let path = dir.text("c.csv", "sample,ENSG00000000003\nS1,2.25\n");
    match read(&path) {
        Err(IoError::BadCount {
            line, at, problem, ..
        }) => {
            assert_eq!(line, 2);
            assert_eq!(at, "sample S1, gene ENSG00000000003");
            assert_eq!(problem, CountProblem::NotWhole);
        }
        other => panic!("expected a bad count, got {other:?}"),
    }
    // Before the orientation is known, rows and columns are named as such.
    let path = dir.text("u.tsv", "id\tS1\tS2\nTP53\t1\tx\n");
    assert_eq!(
        read_err(&path),
        format!(
            "{} line 2: value \"x\" for column S2, row TP53 is not a number; counts must be raw \
             integer read counts (write 0 for no reads)",
            path.display()
        )
    );
}

#[test]
fn missing_file_names_the_path_and_the_fix() {
    let dir = Dir::new();
    let path = dir.path("nowhere.tsv");
    let err = read(&path).unwrap_err();
    assert!(matches!(err, IoError::Open { .. }));
    let message = err.to_string();
    assert!(message.starts_with(&format!("cannot open {}: ", path.display())));
    assert!(message.ends_with("; check the path and that the file may be read"));
}

#[test]
fn malformed_tables_are_refused_with_the_place() {
    let dir = Dir::new();
    let path = dir.text(
        "short.tsv",
        "gene_id\tS1\tS2\nENSG00000000003\t1\t2\nENSG00000000005\t1\n",
    );
    assert_eq!(
        read_err(&path),
        format!(
            "{} line 3 has 2 fields but the header has 3; every row needs its id and then one \
             value per column",
            path.display()
        )
    );
    let path = dir.text(
        "dup.tsv",
        "gene_id\tS1\nENSG00000000003\t1\nENSG00000000005\t1\nENSG00000000003\t2\n",
    );
    assert_eq!(
        read_err(&path),
        format!(
            "{}: id \"ENSG00000000003\" appears twice (lines 2 and 4); ids must be unique, so \
             rename or merge one of them",
            path.display()
        )
    );
    let path = dir.text(
        "dupcol.tsv",
        "gene_id\tS1\tS2\tS1\nENSG00000000003\t1\t2\t3\n",
    );
    assert!(read_err(&path).contains("id \"S1\" appears twice (header columns 2 and 4)"));
    let path = dir.text("noid.tsv", "gene_id\tS1\nENSG00000000003\t1\n\t2\n");
    assert!(read_err(&path).ends_with(": line 3 has no id; every row needs an id in its first column and every column one in the header"));
    let path = dir.text("empty.tsv", "");
    assert_eq!(
        read_err(&path),
        format!(
            "{} is empty; expected a header row of ids, then one row per gene (or per sample) \
             starting with its id",
            path.display()
        )
    );
    let path = dir.text("header.tsv", "gene_id\tS1\n\n");
    assert!(read_err(&path).contains(" has a header but no data rows; "));
    let path = dir.text("one.tsv", "gene_id\nENSG00000000003\n");
    assert_eq!(
        read_err(&path),
        format!(
            "cannot tell how {} separates its columns: its first line has no tab, comma or \
             semicolon; separate columns with tabs (TSV) or commas (CSV)",
            path.display()
        )
    );
    let path = dir.path("latin1.tsv");
    std::fs::write(&path, b"gene_id\tS1\nENSG00000000003\t1\nG\xe9ne\t2\n").unwrap();
    assert!(matches!(read(&path), Err(IoError::NotUtf8 { line: 3, .. })));
}

#[test]
fn binary_files_are_named_for_what_they_are() {
    let dir = Dir::new();
    let path = dir.path("counts.xlsx");
    std::fs::write(&path, b"PK\x03\x04\x14\x00\x06\x00").unwrap();
    assert_eq!(
        read_err(&path),
        format!(
            "{} is a zip archive (an Excel workbook?), not a text table; save the sheet as CSV or \
             tab-separated text",
            path.display()
        )
    );
    let path = dir.path("counts.parquet");
    std::fs::write(&path, b"PAR1\x15\x04").unwrap();
    assert!(matches!(
        read(&path),
        Err(IoError::NotText {
            kind: "a Parquet file",
            ..
        })
    ));
}

#[test]
fn a_truncated_gzip_file_is_a_read_error() {
    let dir = Dir::new();
    let bytes = crate::support::gzip(GENES_TSV.as_bytes());
    let path = dir.path("cut.tsv.gz");
    std::fs::write(&path, &bytes[..bytes.len() - 12]).unwrap();
    let err = read(&path).unwrap_err();
    assert!(matches!(err, IoError::Read { .. }), "{err:?}");
    assert!(err
        .to_string()
        .ends_with("if it is gzipped, check that it is complete (gzip -t)"));
}

/// The airway slice as pandas reads it (tests/data/make_golden.py).
#[derive(Deserialize)]
pub struct Golden {
    pub gene_ids: Vec<String>,
    pub sample_ids: Vec<String>,
    pub counts: Vec<Vec<u32>>,
    pub library_sizes: Vec<u64>,
    pub dex: Vec<String>,
    pub cell: Vec<String>,
}

pub fn golden() -> Golden {
    let text = std::fs::read_to_string(data("airway_50genes_golden.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn real_airway_slice_matches_pandas() {
    let g = golden();
    let (d, det) = read(&data("airway_50genes.tsv.gz")).unwrap();
    assert_eq!(
        det.to_string(),
        "50 genes x 8 samples (genes as rows, tab-separated, gzipped)"
    );
    assert_eq!(d.gene_ids(), g.gene_ids);
    assert_eq!(d.sample_ids(), g.sample_ids);
    for (s, row) in g.counts.iter().enumerate() {
        assert_eq!(d.sample_counts(s).to_vec(), *row, "sample {s}");
    }
    assert_eq!(d.library_sizes(), g.library_sizes);
}

#[test]
fn empty_cells_are_unmeasured_unless_read_as_zero_and_counted() {
    let dir = Dir::new();
    let path = dir.text(
        "unmeasured.tsv",
        "gene_id\tS1\tS2\nENSG00000000003\t\t448\nENSG00000000005\t3\tNA\nENSG00000000419\t5\t6\n",
    );
    let (d, det) = read_counts(&path, &CountsOptions::default()).unwrap();
    // S1 did not measure the first gene, S2 the second: 0 placeholders, masked.
    assert_eq!(d.counts(), array![[0, 3, 5], [448, 0, 6]]);
    assert!(!d.is_measured(0, 0) && d.is_measured(0, 1) && !d.is_measured(1, 1));
    assert_eq!(d.unmeasured_genes(), ["ENSG00000000003", "ENSG00000000005"]);
    assert_eq!(d.measured().unwrap().n_unmeasured_cells(), 2);
    assert_eq!(det.empty_cells, 0);
    // An analysis that needs every gene says which are missing.
    let err = d.require_all_measured("TMM").unwrap_err().to_string();
    assert!(
        err.contains("TMM needs every gene measured")
            && err.contains("ENSG00000000003, ENSG00000000005"),
        "{err}"
    );

    let (d, det) = read_counts(&path, &CountsOptions::default().with_empty_as_zero()).unwrap();
    assert_eq!(d.counts(), array![[0, 3, 5], [448, 0, 6]]);
    assert!(d.measured().is_none());
    assert_eq!(det.empty_cells, 2);
    assert!(
        det.to_string().ends_with("; read 2 empty cell(s) as 0"),
        "{det}"
    );
}

#[test]
fn empty_cells_of_a_samples_as_rows_table_mask_the_right_cells() {
    let dir = Dir::new();
    let path = dir.text(
        "t.csv",
        "sample,ENSG00000000003,ENSG00000000005\nS1,4,\nS2,,7\nS3,1,2\n",
    );
    let (d, _) = read_counts(&path, &CountsOptions::default()).unwrap();
    assert_eq!(d.counts(), array![[4, 0], [0, 7], [1, 2]]);
    assert!(!d.is_measured(0, 1) && !d.is_measured(1, 0) && d.is_measured(2, 0));
    assert_eq!(d.measured().unwrap().masks().len(), 3);
}
