//! Two groups of samples, from a metadata column or from explicit indices.

use crate::error::{DeError, Result};
use serde::{Deserialize, Serialize};
use synthbio_core::Dataset;

/// Two disjoint groups of sample rows; fold changes are `case - control` (case over control).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groups {
    /// Label of the case group (e.g. `dex = trt`).
    pub case_label: String,
    /// Rows of the case group.
    pub case: Vec<usize>,
    /// Label of the control group, the reference (e.g. `dex = untrt`).
    pub control_label: String,
    /// Rows of the control group.
    pub control: Vec<usize>,
}

impl Groups {
    /// Groups from explicit 0-based sample rows, labelled `case` and `control`.
    pub fn from_indices(case: Vec<usize>, control: Vec<usize>) -> Self {
        Groups {
            case_label: "case".into(),
            case,
            control_label: "control".into(),
            control,
        }
    }

    /// The samples whose metadata `column` equals `case` or `control`.
    pub fn from_metadata(data: &Dataset, column: &str, case: &str, control: &str) -> Result<Self> {
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
            case_label: format!("{column} = {case}"),
            case: rows(case),
            control_label: format!("{column} = {control}"),
            control: rows(control),
        })
    }

    /// Checks indices are in range, groups do not overlap, and each has `min` samples.
    pub fn check(&self, n_samples: usize, min: usize) -> Result<()> {
        for (label, rows) in [
            (&self.case_label, &self.case),
            (&self.control_label, &self.control),
        ] {
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
        if let Some(&index) = self.case.iter().find(|i| self.control.contains(i)) {
            return Err(DeError::OverlappingGroups { index });
        }
        Ok(())
    }
}
