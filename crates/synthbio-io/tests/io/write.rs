//! Writers: text and Parquet matrices and tables, JSON; read back and compared.

use crate::support::{data, read, read_parquet, strings, Dir};
use approx::assert_relative_eq;
use arrow::array::{Array, Float64Array, Int64Array, StringArray, UInt32Array};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use ndarray::array;
use synthbio_core::{Cell, Dataset, Expression, Scale, Table};
use synthbio_io::{
    metadata_table, write_counts, write_expression, write_json, write_table, Delimiter, IoError,
    OutputFormat,
};

fn strings_of(batch: &RecordBatch, name: &str) -> Vec<String> {
    let col = batch.column_by_name(name).unwrap();
    let col = col.as_any().downcast_ref::<StringArray>().unwrap();
    col.iter().map(|s| s.unwrap().to_string()).collect()
}

fn small() -> Dataset {
    Dataset::new(
        array![[1, 0, 30], [4, 5, 0]],
        strings(&["ENSG00000000003", "ENSG00000000005", "ENSG00000000419"]),
        strings(&["S1", "S 2"]),
    )
    .unwrap()
}

#[test]
fn counts_text_is_genes_as_rows_and_reads_back() {
    let dir = Dir::new();
    let d = small();
    let path = dir.path("out.tsv");
    let format = write_counts(&path, &d).unwrap();
    assert_eq!(
        format,
        OutputFormat::Text {
            delimiter: Delimiter::Tab,
            gzip: false
        }
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "gene_id\tS1\tS 2\nENSG00000000003\t1\t4\nENSG00000000005\t0\t5\nENSG00000000419\t30\t0\n"
    );
    for name in ["out.csv.gz", "out.txt", "OUT.TSV.GZ"] {
        let path = dir.path(name);
        write_counts(&path, &d).unwrap();
        let (back, det) = read(&path).unwrap();
        assert_eq!(
            det.gzip,
            name.to_ascii_lowercase().ends_with(".gz"),
            "{name}"
        );
        assert_eq!(back, d, "{name}");
    }
}

#[test]
fn counts_parquet_is_long_and_reads_back_with_arrow() {
    let dir = Dir::new();
    let (d, _) = read(&data("airway_50genes.tsv.gz")).unwrap();
    let path = dir.path("airway.parquet");
    assert_eq!(write_counts(&path, &d).unwrap(), OutputFormat::Parquet);
    assert_eq!(&std::fs::read(&path).unwrap()[..4], b"PAR1");
    let (batches, _) = read_parquet(&path);
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["sample_id", "gene_id", "count"]);
    assert_eq!(schema.field(2).data_type(), &DataType::UInt32);
    let mut seen = 0;
    for batch in &batches {
        let samples = strings_of(batch, "sample_id");
        let genes = strings_of(batch, "gene_id");
        let counts = batch
            .column(2)
            .as_any()
            .downcast_ref::<UInt32Array>()
            .unwrap();
        for k in 0..batch.num_rows() {
            let (s, g) = (seen / d.n_genes(), seen % d.n_genes());
            assert_eq!(samples[k], d.sample_ids()[s]);
            assert_eq!(genes[k], d.gene_ids()[g]);
            assert_eq!(counts.value(k), d.counts()[[s, g]]);
            seen += 1;
        }
    }
    assert_eq!(seen, 8 * 50);
}

#[test]
fn expression_keeps_values_and_scale() {
    let dir = Dir::new();
    let d = small();
    let values = array![[0.1, -2.5e-7, 1.0 / 3.0], [1e300, 0.0, 42.0]];
    let e = Expression {
        values: values.clone(),
        scale: Scale::LogCpm { prior_count: 2.0 },
    };
    let path = dir.path("logcpm.parquet");
    write_expression(&path, &e, d.gene_ids(), d.sample_ids()).unwrap();
    let (batches, metadata) = read_parquet(&path);
    let scale: Scale = serde_json::from_str(metadata.get("synthbio.scale").unwrap()).unwrap();
    assert_eq!(scale, e.scale);
    let col = batches[0].column_by_name("value").unwrap();
    let col = col.as_any().downcast_ref::<Float64Array>().unwrap();
    assert_eq!(
        col.values().to_vec(),
        values.iter().copied().collect::<Vec<_>>()
    );

    // Text: shortest round-trip formatting, so parsing gives the same numbers back.
    let path = dir.path("logcpm.csv");
    write_expression(&path, &e, d.gene_ids(), d.sample_ids()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "gene_id,S1,S 2");
    for (g, line) in lines[1..].iter().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[0], d.gene_ids()[g]);
        for s in 0..2 {
            let v: f64 = fields[1 + s].parse().unwrap();
            assert_relative_eq!(v, values[[s, g]], max_relative = 0.0);
        }
    }

    let err = write_expression(&path, &e, &d.gene_ids()[..2], d.sample_ids()).unwrap_err();
    assert!(matches!(
        err,
        IoError::Shape {
            expected: 3,
            found: 2,
            ..
        }
    ));
}

fn mixed_table() -> Table {
    let mut t = Table::new(["gene", "log2fc", "n", "note", "blank"]);
    t.push(vec![
        "G1".into(),
        Cell::Float(1.5),
        Cell::Int(3),
        "up, strongly".into(),
        Cell::Empty,
    ]);
    t.push(vec![
        "G\"2\"".into(),
        Cell::Int(-2),
        Cell::Empty,
        Cell::Int(7),
        Cell::Empty,
    ]);
    t
}

#[test]
fn tables_as_tsv_and_csv_quote_where_needed() {
    let dir = Dir::new();
    let t = mixed_table();
    let tsv = dir.path("t.tsv");
    write_table(&tsv, &t).unwrap();
    assert_eq!(
        std::fs::read_to_string(&tsv).unwrap(),
        "gene\tlog2fc\tn\tnote\tblank\nG1\t1.5\t3\tup, strongly\t\n\"G\"\"2\"\"\"\t-2\t\t7\t\n"
    );
    let csv = dir.path("t.csv");
    write_table(&csv, &t).unwrap();
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "gene,log2fc,n,note,blank\nG1,1.5,3,\"up, strongly\",\n\"G\"\"2\"\"\",-2,,7,\n"
    );
}

#[test]
fn tables_as_parquet_have_typed_nullable_columns() {
    let dir = Dir::new();
    let path = dir.path("t.parquet");
    write_table(&path, &mixed_table()).unwrap();
    let (batches, _) = read_parquet(&path);
    let b = &batches[0];
    let types: Vec<DataType> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    assert_eq!(
        types,
        [
            DataType::Utf8,
            DataType::Float64,
            DataType::Int64,
            DataType::Utf8,
            DataType::Utf8
        ]
    );
    assert_eq!(strings_of(b, "gene"), ["G1", "G\"2\""]);
    let fc = b.column(1).as_any().downcast_ref::<Float64Array>().unwrap();
    assert_eq!(fc.values().to_vec(), [1.5, -2.0]);
    let n = b.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!((n.value(0), n.is_null(1)), (3, true));
    let note = b.column(3).as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!((note.value(0), note.value(1)), ("up, strongly", "7"));
    assert_eq!(b.column(4).null_count(), 2);
}

#[test]
fn metadata_table_lists_samples_and_columns() {
    let mut d = small();
    d.metadata_mut()
        .set_column("sex", vec![Some("female".into()), None])
        .unwrap();
    let t = metadata_table(&d);
    assert_eq!(t.columns, ["sample_id", "sex"]);
    assert_eq!(
        t.rows,
        [
            vec![Cell::from("S1"), Cell::from("female")],
            vec![Cell::from("S 2"), Cell::Empty]
        ]
    );
}

#[test]
fn json_is_pretty_and_reads_back() {
    let dir = Dir::new();
    let d = small();
    let path = dir.path("raw.json");
    write_json(&path, &d).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("{\n  \"counts\": "));
    assert!(text.ends_with("}\n"));
    let back: Dataset = serde_json::from_str(&text).unwrap();
    assert_eq!(back, d);
}

#[test]
fn unknown_extensions_are_refused_before_writing() {
    let dir = Dir::new();
    for name in ["out.xlsx", "out", "out.parquet.gz"] {
        let path = dir.path(name);
        let err = write_counts(&path, &small()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot write a matrix to {}: use a file name ending in .tsv, .txt, .csv \
                 (optionally followed by .gz), .parquet or .h5ad",
                path.display()
            )
        );
    }
    assert!(dir.listing().is_empty());
}
