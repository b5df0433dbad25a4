//! Two groups of samples, from a metadata column or from explicit indices.

use crate::error::{DeError, Result};
use serde::{Deserialize, Serialize};
use synthbio_core::Dataset;

/// Two disjoint groups of sample rows; fold changes are `a - b` (a over b).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groups {
    /// Label of group a (e.g. `dex = trt`).
    pub label_a: String,
    /// Rows of group a.
    pub a: Vec<usize>,
    /// Label of group b, the reference (e.g. `dex = untrt`).
    pub label_b: String,
    /// Rows of group b.
    pub b: Vec<usize>,
}

impl Groups {
    /// Groups from explicit 0-based sample rows, labelled `group_a` and `group_b`.
    pub fn from_indices(a: Vec<usize>, b: Vec<usize>) -> Self {
        Groups {
            label_a: "group_a".into(),
            a,
            label_b: "group_b".into(),
            b,
        }
    }

    /// The samples whose metadata `column` equals `value_a` (group a) or `value_b` (group b).
    pub fn from_metadata(
        data: &Dataset,
        column: &str,
        value_a: &str,
        value_b: &str,
    ) -> Result<Self> {
        let meta = data.metadata();
        let col = meta.column(column).ok_or_else(|| DeError::UnknownColumn {
            column: column.into(),
            available: meta.keys().map(String::from).collect(),
        })?;
        let rows = |value: &str| -> Vec<usize> {
            col.iter()
                .enumerate()
                .filter_map(|(i, v)| (v.as_deref() == Some(value)).then_some(i))
                .collect()
        };
        Ok(Groups {
            label_a: format!("{column} = {value_a}"),
            a: rows(value_a),
            label_b: format!("{column} = {value_b}"),
            b: rows(value_b),
        })
    }

    /// Checks indices are in range, groups do not overlap, and each has `min` samples.
    pub fn check(&self, n_samples: usize, min: usize) -> Result<()> {
        for (label, rows) in [(&self.label_a, &self.a), (&self.label_b, &self.b)] {
            if let Some(&index) = rows.iter().find(|&&i| i >= n_samples) {
                return Err(DeError::SampleIndex {
                    group: label.clone(),
                    index,
                    n_samples,
                });
            }
            if rows.len() < min {
                return Err(DeError::TooFewSamples {
                    group: label.clone(),
                    n: rows.len(),
                });
            }
        }
        if let Some(&index) = self.a.iter().find(|i| self.b.contains(i)) {
            return Err(DeError::OverlappingGroups { index });
        }
        Ok(())
    }
}
