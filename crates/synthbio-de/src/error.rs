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
        /// The group's label (`column = value`, or `case` / `control`).
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
    /// A design that cannot be fitted (too few samples, an all-zero column, a bad file).
    #[error("invalid design: {reason}; {fix}")]
    InvalidDesign {
        /// What is wrong, naming the columns.
        reason: String,
        /// What to do.
        fix: String,
    },
    /// A formula that does not parse.
    #[error("formula {formula:?}: {reason}")]
    InvalidFormula {
        /// The formula given.
        formula: String,
        /// Why it does not parse.
        reason: String,
    },
    /// Design columns that are linear combinations of earlier ones.
    #[error(
        "the design is rank deficient: coefficient(s) {dependent:?} are linear combinations of \
         the columns before them in {columns:?}; drop those terms (or the confounded factor) \
         from the design"
    )]
    RankDeficient {
        /// All design columns.
        columns: Vec<String>,
        /// The non-estimable ones (R's `nonEstimable`).
        dependent: Vec<String>,
    },
    /// A coefficient or contrast name the design does not have.
    #[error("coefficient {name:?} is not in the design; its coefficients are {available:?}")]
    UnknownCoefficient {
        /// The name asked for.
        name: String,
        /// The design's coefficients.
        available: Vec<String>,
    },
    /// A missing value in a formula's metadata column.
    #[error(
        "metadata column {column:?} has a missing value ({value:?}) at sample row {row}: fill it \
         in, or drop that sample before fitting a design with this column"
    )]
    MissingValue {
        /// The column.
        column: String,
        /// The sample row (0-based).
        row: usize,
        /// The value found (empty or NA).
        value: String,
    },
    /// A factor with a single level.
    #[error(
        "factor {column:?} has one level ({level:?}) in the samples tested: it cannot be \
         estimated; drop it from the formula"
    )]
    OneLevel {
        /// The column.
        column: String,
        /// Its only level.
        level: String,
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
