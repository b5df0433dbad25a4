//! The crate's error type.

use synthbio_core::{DatasetError, Scale};
use synthbio_normalize::NormalizeError;

/// Why a differential expression or benchmark computation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DeError {
    /// A group with fewer than two samples: its variance, hence t, is undefined.
    #[error(
        "group {group} has {n} sample(s): a t test needs at least 2 per group; add replicates, \
         or use a fold change (log2_fold_change) for single samples"
    )]
    TooFewSamples {
        /// The group's label (`column = value`, or `group_a` / `group_b`).
        group: String,
        /// Its number of samples.
        n: usize,
    },
    /// A metadata column that the dataset does not have.
    #[error("metadata column {column:?} is not in the dataset; available columns: {available:?}")]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// The dataset's columns.
        available: Vec<String>,
    },
    /// A sample index outside the matrix.
    #[error("{group} lists sample index {index}, but there are {n_samples} samples (0-based)")]
    SampleIndex {
        /// The group.
        group: String,
        /// The bad index.
        index: usize,
        /// Number of samples.
        n_samples: usize,
    },
    /// The same sample in both groups.
    #[error("sample index {index} is in both groups; the groups must not overlap")]
    OverlappingGroups {
        /// The shared sample.
        index: usize,
    },
    /// A value that is NaN or infinite (or negative where counts are expected).
    #[error("{what} at {position} is {value}: {fix}")]
    InvalidValue {
        /// Which input.
        what: String,
        /// Where (`sample s1, gene ENSG...`, or `position 3`).
        position: String,
        /// The value.
        value: f64,
        /// What to do.
        fix: &'static str,
    },
    /// Tests on a linear scale.
    #[error(
        "the values are on the {scale:?} scale; t tests here run on a log scale: normalize with \
         log_cpm (edgeR), log2_cpm_plus_one or log1p first"
    )]
    NotLogScale {
        /// The scale given.
        scale: Scale,
    },
    /// A parameter outside its range.
    #[error("parameter {name} = {value:?}: {fix}")]
    InvalidParam {
        /// Parameter name as serialized.
        name: &'static str,
        /// The value given.
        value: String,
        /// What to give instead.
        fix: String,
    },
    /// Two inputs of different lengths or shapes.
    #[error("{what}: expected {expected}, found {found}")]
    Shape {
        /// Which input.
        what: String,
        /// Expected length.
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// Two datasets with different genes or gene orders (names the first difference).
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// Normalization failed (empty library, invalid count).
    #[error(transparent)]
    Normalize(#[from] NormalizeError),
}

/// Result alias of this crate.
pub type Result<T, E = DeError> = std::result::Result<T, E>;
