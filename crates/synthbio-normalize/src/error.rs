//! The crate's error type.

/// Why normalization could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NormalizeError {
    /// A sample whose counts sum to zero: its CPM would be 0/0.
    #[error(
        "sample {sample} has library size {library_size}: every sample needs a positive total \
         count (edgeR's cpm refuses it too); remove empty samples before normalizing"
    )]
    EmptyLibrary {
        /// The sample id, or `row <i>` (0-based) for a bare matrix.
        sample: String,
        /// Row of the sample.
        index: usize,
        /// Its library size (zero, or zero times its normalization factor).
        library_size: f64,
    },
    /// A count that is negative, NaN or infinite.
    #[error(
        "count of sample {sample} at gene {gene} is {value}: counts must be finite and \
         non-negative; normalize raw counts, not already transformed values"
    )]
    InvalidCount {
        /// The sample id, or `row <i>` (0-based).
        sample: String,
        /// The gene id, or `column <j>` (0-based).
        gene: String,
        /// The offending value.
        value: f64,
    },
    /// A parameter outside its range.
    #[error("parameter {name} = {value}: {fix}")]
    InvalidParam {
        /// Parameter name as in the serialized parameters.
        name: &'static str,
        /// The value given.
        value: String,
        /// What to give instead.
        fix: &'static str,
    },
    /// An output matrix for [`crate::normalize_into`] whose shape is not the counts'.
    #[error(
        "the output matrix is {found:?} (samples x genes) but the counts are {expected:?}: \
         give an output of the counts' shape"
    )]
    OutputShape {
        /// The counts' shape.
        expected: (usize, usize),
        /// The output's shape.
        found: (usize, usize),
    },
    /// A matrix without samples.
    #[error("the count matrix has no samples (rows); give at least one sample")]
    NoSamples,
}

impl NormalizeError {
    /// Replaces positional labels (`row 3`, `column 7`) with the dataset's ids.
    pub fn with_ids(self, sample_ids: &[String], gene_ids: &[String]) -> Self {
        match self {
            NormalizeError::EmptyLibrary {
                index,
                library_size,
                sample,
            } => NormalizeError::EmptyLibrary {
                sample: sample_ids.get(index).cloned().unwrap_or(sample),
                index,
                library_size,
            },
            NormalizeError::InvalidCount {
                sample,
                gene,
                value,
            } => NormalizeError::InvalidCount {
                sample: relabel(&sample, "row ", sample_ids),
                gene: relabel(&gene, "column ", gene_ids),
                value,
            },
            other => other,
        }
    }
}

/// `row 3` -> `ids[3]` when it exists.
fn relabel(label: &str, prefix: &str, ids: &[String]) -> String {
    label
        .strip_prefix(prefix)
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| ids.get(i).cloned())
        .unwrap_or_else(|| label.to_string())
}

/// The label of a row in a bare matrix.
pub(crate) fn row_label(i: usize) -> String {
    format!("row {i}")
}

/// The label of a column in a bare matrix.
pub(crate) fn column_label(j: usize) -> String {
    format!("column {j}")
}

/// Result alias of this crate.
pub type Result<T, E = NormalizeError> = std::result::Result<T, E>;
