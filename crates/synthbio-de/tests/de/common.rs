//! Loading the golden input and expected values.

use ndarray::Array2;
use serde_json::Value;
use synthbio_core::{Dataset, MetadataTable};

const SLICE: &str = include_str!("golden/airway_slice.tsv");
const SAMPLES: &str = include_str!("golden/airway_samples.tsv");
const EXPECTED: &str = include_str!("golden/expected.json");

/// The airway slice as a samples x genes dataset with `cell` and `dex` metadata.
pub fn airway() -> Dataset {
    let mut lines = SLICE.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split('\t')
        .skip(1)
        .map(String::from)
        .collect();
    let mut genes = Vec::new();
    let mut cols: Vec<Vec<u32>> = Vec::new();
    for line in lines {
        let mut parts = line.split('\t');
        genes.push(parts.next().unwrap().to_string());
        cols.push(parts.map(|x| x.parse().unwrap()).collect());
    }
    let counts = Array2::from_shape_fn((header.len(), genes.len()), |(i, j)| cols[j][i]);
    let mut s = SAMPLES.lines();
    let names: Vec<&str> = s.next().unwrap().split('\t').collect();
    let col = |name: &str| names.iter().position(|n| *n == name).unwrap();
    let (run, cell, dex) = (col("run"), col("cell"), col("dex"));
    let rows: Vec<Vec<&str>> = s.map(|l| l.split('\t').collect()).collect();
    let mut meta = MetadataTable::new(header.len());
    for (key, k) in [("cell", cell), ("dex", dex)] {
        let values = header
            .iter()
            .map(|h| rows.iter().find(|r| r[run] == h).map(|r| r[k].to_string()))
            .collect();
        meta.set_column(key, values).unwrap();
    }
    Dataset::new(counts, genes, header)
        .unwrap()
        .with_metadata(meta)
        .unwrap()
}

/// The expected values.
pub fn expected() -> Value {
    serde_json::from_str(EXPECTED).unwrap()
}

/// A vector of optional numbers (JSON null = None).
pub fn options(v: &Value) -> Vec<Option<f64>> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(Value::as_f64)
        .collect()
}

/// A vector of numbers.
pub fn numbers(v: &Value) -> Vec<f64> {
    options(v).into_iter().map(Option::unwrap).collect()
}

/// Asserts `got` is within `abs + rel * |want|` of `want`, with `None` where `want` is null.
pub fn assert_close_opt(got: &[Option<f64>], want: &[Option<f64>], abs: f64, rel: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        match (g, w) {
            (Some(g), Some(w)) => assert!(
                (g - w).abs() <= abs + rel * w.abs(),
                "{what}[{k}]: got {g}, expected {w}"
            ),
            (g, w) => assert_eq!(g, w, "{what}[{k}]"),
        }
    }
}

/// Same for plain numbers.
pub fn assert_close(got: &[f64], want: &[f64], abs: f64, rel: f64, what: &str) {
    let g: Vec<Option<f64>> = got.iter().copied().map(Some).collect();
    let w: Vec<Option<f64>> = want.iter().copied().map(Some).collect();
    assert_close_opt(&g, &w, abs, rel, what);
}
