//! Per-sample metadata: named string columns.

use super::DatasetError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Per-sample metadata: named string columns, one entry per sample (`None` = not given).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetadataTable {
    n_rows: usize,
    columns: BTreeMap<String, Vec<Option<String>>>,
}

impl MetadataTable {
    /// An empty table for `n_rows` samples.
    pub fn new(n_rows: usize) -> Self {
        MetadataTable {
            n_rows,
            columns: BTreeMap::new(),
        }
    }

    /// A table from one key -> value map per sample.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a BTreeMap<String, String>>) -> Self {
        let rows: Vec<_> = rows.into_iter().collect();
        let mut t = MetadataTable::new(rows.len());
        for (i, row) in rows.iter().enumerate() {
            for (k, v) in row.iter() {
                t.columns
                    .entry(k.clone())
                    .or_insert_with(|| vec![None; rows.len()])[i] = Some(v.clone());
            }
        }
        t
    }

    /// Number of samples.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Column names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }

    /// One column, if present.
    pub fn column(&self, key: &str) -> Option<&[Option<String>]> {
        self.columns.get(key).map(Vec::as_slice)
    }

    /// One value.
    pub fn get(&self, row: usize, key: &str) -> Option<&str> {
        self.columns.get(key)?.get(row)?.as_deref()
    }

    /// Adds or replaces a column.
    pub fn set_column(
        &mut self,
        key: impl Into<String>,
        values: Vec<Option<String>>,
    ) -> Result<(), DatasetError> {
        if values.len() != self.n_rows {
            return Err(DatasetError::Shape {
                what: "metadata column length".into(),
                expected: self.n_rows,
                found: values.len(),
            });
        }
        self.columns.insert(key.into(), values);
        Ok(())
    }

    /// The metadata of one sample as a map.
    pub fn row(&self, row: usize) -> BTreeMap<String, String> {
        self.columns
            .iter()
            .filter_map(|(k, col)| col.get(row)?.as_ref().map(|v| (k.clone(), v.clone())))
            .collect()
    }

    /// The rows at the given positions, in that order.
    pub fn select(&self, rows: &[usize]) -> Self {
        MetadataTable {
            n_rows: rows.len(),
            columns: self
                .columns
                .iter()
                .map(|(k, col)| (k.clone(), rows.iter().map(|&r| col[r].clone()).collect()))
                .collect(),
        }
    }
}
