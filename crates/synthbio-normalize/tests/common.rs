//! Loading the golden input and expected values.

use ndarray::Array2;
use serde_json::Value;
use synthbio_core::Dataset;

const SLICE: &str = include_str!("golden/airway_slice.tsv");
const SPARSE: &str = include_str!("golden/airway_sparse_slice.tsv");
const EXPECTED: &str = include_str!("golden/expected.json");

/// The airway slice as a samples x genes dataset.
pub fn airway() -> Dataset {
    parse(SLICE)
}

/// The sparse airway slice (genes with 1 to 3 reads in all).
pub fn airway_sparse() -> Dataset {
    parse(SPARSE)
}

fn parse(text: &str) -> Dataset {
    let mut lines = text.lines();
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
    Dataset::new(counts, genes, header).unwrap()
}

/// The expected values.
pub fn expected() -> Value {
    serde_json::from_str(EXPECTED).unwrap()
}

/// A vector from the JSON.
pub fn vector(v: &Value, key: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} missing"))
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// A samples x genes matrix from the JSON.
pub fn matrix(v: &Value, key: &str) -> Array2<f64> {
    let rows = v[key].as_array().unwrap_or_else(|| panic!("{key} missing"));
    let n = rows.len();
    let g = rows[0].as_array().unwrap().len();
    Array2::from_shape_fn((n, g), |(i, j)| rows[i][j].as_f64().unwrap())
}

/// Asserts two matrices agree elementwise within `abs` + `rel` * |expected|.
pub fn assert_close<F: Copy + Into<f64>>(
    got: &Array2<F>,
    want: &Array2<f64>,
    abs: f64,
    rel: f64,
    what: &str,
) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for ((i, j), &w) in want.indexed_iter() {
        let g: f64 = got[[i, j]].into();
        assert!(
            (g - w).abs() <= abs + rel * w.abs(),
            "{what}[{i},{j}]: got {g}, expected {w}"
        );
    }
}
