//! Loading the golden input and expected values.

use serde_json::Value;
use std::path::Path;
use synthbio_core::Dataset;
use synthbio_io::{attach_metadata, read_counts, read_metadata, CountsOptions};

const EXPECTED: &str = include_str!("../golden/expected.json");

/// The airway slice as a samples x genes dataset with the metadata of
/// `golden/airway_samples.tsv` (`cell`, `dex`, `avgLength`...), both read by
/// synthbio-io as users' tables are; the slice is the normalize crate's copy,
/// one file for both crates.
pub fn airway() -> Dataset {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let slice = crates.join("synthbio-normalize/tests/golden/airway_slice.tsv");
    let samples = crates.join("synthbio-de/tests/golden/airway_samples.tsv");
    let (mut data, _) = read_counts(&slice, &CountsOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", slice.display()));
    let table = read_metadata(&samples).unwrap_or_else(|e| panic!("{}: {e}", samples.display()));
    attach_metadata(&mut data, &table).unwrap();
    data
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

/// Asserts `got` is within `abs` or `rel * max(|got|, |want|)` of `want` (approx's
/// `relative_eq`), with `None` where `want` is null.
pub fn assert_close_opt(got: &[Option<f64>], want: &[Option<f64>], abs: f64, rel: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        match (g, w) {
            (Some(g), Some(w)) => assert!(
                approx::relative_eq!(*g, *w, epsilon = abs, max_relative = rel),
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

/// A golden TSV written by `make_limma_golden.R`: `# key<TAB>value` header lines, then a
/// table.
pub struct Golden {
    /// The first header line (R, limma and edgeR versions).
    pub versions: String,
    /// `# key<TAB>value` lines.
    pub meta: Vec<(String, String)>,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Golden {
    /// Parses the text.
    pub fn parse(text: &str) -> Golden {
        let mut meta = Vec::new();
        let mut versions = String::new();
        let mut lines = text.lines().peekable();
        while let Some(l) = lines.peek().filter(|l| l.starts_with('#')) {
            let body = l.trim_start_matches('#').trim();
            if versions.is_empty() {
                versions = body.to_string();
            } else if let Some((k, v)) = body.split_once('\t') {
                meta.push((k.to_string(), v.to_string()));
            }
            lines.next();
        }
        let columns = lines
            .next()
            .unwrap()
            .split('\t')
            .map(String::from)
            .collect();
        let rows = lines
            .map(|l| l.split('\t').map(String::from).collect())
            .collect();
        Golden {
            versions,
            meta,
            columns,
            rows,
        }
    }

    /// A header value as a number (`Inf` is infinity).
    pub fn meta_f64(&self, key: &str) -> f64 {
        let v = &self.meta.iter().find(|(k, _)| k == key).unwrap().1;
        parse_r(v)
    }

    /// A column as text.
    pub fn text(&self, name: &str) -> Vec<String> {
        let j = self
            .columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        self.rows.iter().map(|r| r[j].clone()).collect()
    }

    /// A column as numbers.
    pub fn col(&self, name: &str) -> Vec<f64> {
        self.text(name).iter().map(|v| parse_r(v)).collect()
    }
}

/// A number as R writes it (`Inf`, `-Inf`; `NA` is NaN).
pub fn parse_r(v: &str) -> f64 {
    match v {
        "NA" => f64::NAN,
        "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => v.parse().unwrap_or_else(|_| panic!("not a number: {v:?}")),
    }
}
