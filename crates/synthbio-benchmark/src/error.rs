//! The crate's error type.

use thiserror::Error;

/// Why a benchmark could not be computed.
#[derive(Debug, Error)]
pub enum BenchError {
    /// A table or matrix had the wrong shape.
    #[error("{what}: expected {expected}, found {found}")]
    Shape {
        /// What was measured.
        what: String,
        /// Expected size.
        expected: usize,
        /// Found size.
        found: usize,
    },
    /// The predicted and real data do not describe the same genes or perturbations.
    #[error("predicted and real data differ: {what}; fix: {fix}")]
    Mismatch {
        /// What differs, quoting the inputs.
        what: String,
        /// How to fix it.
        fix: String,
    },
    /// A value or label is unusable.
    #[error("invalid {field}: {detail}; fix: {fix}")]
    Invalid {
        /// The field or column.
        field: String,
        /// What is wrong, quoting the input.
        detail: String,
        /// How to fix it.
        fix: String,
    },
    /// A counts table could not be read.
    #[error("reading {path}: {detail}")]
    Read {
        /// File path.
        path: String,
        /// What went wrong (line and field where known).
        detail: String,
    },
}

/// Result with [`BenchError`].
pub type Result<T> = std::result::Result<T, BenchError>;
