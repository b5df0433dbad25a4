//! Loading the golden input and expected values.

use ndarray::Array2;
use serde_json::Value;
use std::path::Path;
use synthbio_core::Dataset;
use synthbio_io::{read_counts, CountsOptions};

const EXPECTED: &str = include_str!("../golden/expected.json");

/// The airway slice as a samples x genes dataset (read by synthbio-io, as users' tables are).
pub fn airway() -> Dataset {
    golden_counts("airway_slice.tsv")
}

/// The sparse airway slice (genes with 1 to 3 reads in all).
pub fn airway_sparse() -> Dataset {
    golden_counts("airway_sparse_slice.tsv")
}

fn golden_counts(name: &str) -> Dataset {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    read_counts(&path, &CountsOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .0
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

/// Asserts two matrices agree elementwise by `approx::relative_eq!` (`epsilon`
/// absolute, `max_relative` relative), naming the first element that does not.
pub fn assert_all_relative_eq<F: Copy + Into<f64>>(
    got: &Array2<F>,
    want: &Array2<f64>,
    epsilon: f64,
    max_relative: f64,
    what: &str,
) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for ((i, j), &w) in want.indexed_iter() {
        let g: f64 = got[[i, j]].into();
        assert!(
            approx::relative_eq!(g, w, epsilon = epsilon, max_relative = max_relative),
            "{what}[{i},{j}]: got {g}, expected {w}"
        );
    }
}
