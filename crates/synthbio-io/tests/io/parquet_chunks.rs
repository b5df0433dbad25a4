//! Long-format Parquet counts read in chunks of samples: what synthbio writes
//! (every gene, zeros included) and coordinate tables (zeros left out, genes in
//! any order, ids dictionary-encoded), and the tables it refuses.

use crate::support::{dense_from_chunks, Dir};
use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, StringDictionaryBuilder};
use arrow::datatypes::{DataType, Field, Int32Type, Schema};
use ndarray::array;
use parquet::arrow::ArrowWriter;
use std::path::Path;
use std::sync::Arc;
use synthbio_core::Dataset;
use synthbio_io::{write_counts, CountsChunks, ParquetChunks};

fn counts_dataset() -> Dataset {
    let counts = array![
        [5u32, 0, 1, 0],
        [0, 0, 0, 3],
        [2, 7, 0, 0],
        [0, 1, 1, 1],
        [9, 0, 0, 4]
    ];
    let genes = [
        "ENSG00000000003",
        "ENSG00000000005",
        "ENSG00000000419",
        "ENSG00000000457",
    ];
    let samples = ["s1", "s2", "s3", "s4", "s5"];
    Dataset::new(
        counts,
        genes.iter().map(|s| s.to_string()).collect(),
        samples.iter().map(|s| s.to_string()).collect(),
    )
    .unwrap()
}

/// Writes `(sample, gene, count)` rows with dictionary-encoded ids.
fn coordinate_table(path: &Path, rows: &[(&str, &str, Option<i64>)]) {
    let dict = |i: usize| {
        let mut b = StringDictionaryBuilder::<Int32Type>::new();
        for r in rows {
            b.append_value(if i == 0 { r.0 } else { r.1 });
        }
        Arc::new(b.finish()) as ArrayRef
    };
    let id = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let schema = Arc::new(Schema::new(vec![
        Field::new("gene_id", id.clone(), false),
        Field::new("count", DataType::Int64, true),
        Field::new("sample_id", id, false),
    ]));
    let counts = Arc::new(rows.iter().map(|r| r.2).collect::<Int64Array>()) as ArrayRef;
    let batch = RecordBatch::try_new(schema.clone(), vec![dict(1), counts, dict(0)]).unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn what_synthbio_writes_reads_back_in_chunks() {
    let dir = Dir::new();
    let data = counts_dataset();
    let path = dir.path("counts.parquet");
    write_counts(&path, &data).unwrap();
    for max_entries in [1, 6, 1000] {
        let mut chunks = ParquetChunks::open(&path, max_entries).unwrap();
        assert_eq!(chunks.gene_ids(), data.gene_ids());
        assert_eq!(chunks.cell_ids(), data.sample_ids());
        assert_eq!(
            dense_from_chunks(&mut chunks).0,
            data.counts(),
            "chunks of {max_entries}"
        );
    }
}

#[test]
fn coordinate_tables_without_zeros_read_in_any_column_and_gene_order() {
    let dir = Dir::new();
    let path = dir.path("coo.parquet");
    coordinate_table(
        &path,
        &[
            ("c1", "G2", Some(4)),
            ("c1", "G1", Some(1)),
            ("c2", "G3", Some(2)),
            ("c2", "G1", Some(3)),
            ("c2", "G1", Some(1)),
            ("c3", "G2", Some(6)),
        ],
    );
    for max_entries in [1, 2, 100] {
        let mut chunks = ParquetChunks::open(&path, max_entries).unwrap();
        assert_eq!(chunks.cell_ids(), ["c1", "c2", "c3"]);
        assert_eq!(
            chunks.gene_ids(),
            ["G2", "G1", "G3"],
            "in order of first appearance"
        );
        let expected = array![[4u32, 1, 0], [0, 4, 2], [6, 0, 0]];
        assert_eq!(
            dense_from_chunks(&mut chunks).0,
            expected,
            "repeats summed, chunks of {max_entries}"
        );
    }
}

#[test]
fn tables_it_cannot_read_in_chunks_are_refused_with_the_fix() {
    let dir = Dir::new();
    let ungrouped = dir.path("ungrouped.parquet");
    coordinate_table(
        &ungrouped,
        &[
            ("c1", "G1", Some(1)),
            ("c2", "G1", Some(2)),
            ("c1", "G2", Some(3)),
        ],
    );
    let err = ParquetChunks::open(&ungrouped, 10)
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("\"c1\" come again after rows of sample \"c2\"")
            && err.contains("sort the table by sample_id"),
        "{err}"
    );

    let missing = dir.path("missing.parquet");
    coordinate_table(&missing, &[("c1", "G1", Some(1)), ("c1", "G2", None)]);
    let mut chunks = ParquetChunks::open(&missing, 10).unwrap();
    let err = chunks.next_chunk().expect_err("refused").to_string();
    assert!(
        err.contains("sample c1, gene G2 is empty: missing is not zero"),
        "{err}"
    );

    let other = dir.path("other.parquet");
    let schema = Arc::new(Schema::new(vec![Field::new("cell", DataType::Utf8, false)]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(StringArray::from(vec!["a"])) as ArrayRef],
    )
    .unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(&other).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let err = ParquetChunks::open(&other, 10)
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("needs the columns sample_id, gene_id and count, and this one has cell"),
        "{err}"
    );
}
