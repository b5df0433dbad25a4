//! The crate's error type.

/// Why a QC check could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QcError {
    /// The dataset carries no classifier probabilities.
    #[error(
        "the dataset has no classifier probabilities; run metadata prediction (a `*_predict-metadata` model) \
         on these counts and attach the result with Dataset::with_predictions"
    )]
    NoPredictions,
    /// A field asked for has no classifier probabilities.
    #[error(
        "field {field:?} has no classifier probabilities; fields with probabilities: {available:?}"
    )]
    NoProbabilitiesForField {
        /// The field asked for.
        field: String,
        /// Fields that do have probabilities.
        available: Vec<String>,
    },
    /// A field asked for has no claimed labels in the metadata.
    #[error("field {field:?} has no claimed labels: the dataset's metadata has no such column")]
    NoClaimedLabels {
        /// The field asked for.
        field: String,
    },
    /// No field has both claimed labels and classifier probabilities.
    #[error(
        "no metadata field has both claimed labels and classifier probabilities \
         (claimed: {claimed:?}, predicted: {predicted:?}); give the claimed metadata the predicted fields' names"
    )]
    NoCheckableFields {
        /// Claimed metadata columns.
        claimed: Vec<String>,
        /// Fields with probabilities.
        predicted: Vec<String>,
    },
    /// A probability row that is not a distribution.
    #[error("field {field:?}, sample {sample}: probabilities must be finite, in [0, 1] and sum to 1 (sum {sum})")]
    BadProbabilities {
        /// The field.
        field: String,
        /// The sample position.
        sample: usize,
        /// The row's sum.
        sum: f64,
    },
    /// None of the sex marker genes is in the data.
    #[error(
        "none of the sex marker genes is in the data; looked for these Ensembl ids or symbols: {looked_for}. \
         Gene ids must be Ensembl gene ids (version suffixes are fine) or HGNC symbols"
    )]
    NoMarkerGenes {
        /// The genes looked for, as `SYMBOL (ENSG...)`.
        looked_for: String,
    },
    /// A sample with no counts at all, so no CPM.
    #[error("sample {sample_id:?} has library size 0; CPM is undefined, remove the sample")]
    EmptyLibrary {
        /// The sample.
        sample_id: String,
    },
    /// Parts of the input disagree in size.
    #[error("{what}: expected {expected}, found {found}")]
    Shape {
        /// Which part.
        what: &'static str,
        /// The size expected.
        expected: usize,
        /// The size given.
        found: usize,
    },
    /// A threshold out of range or inconsistent.
    #[error("parameter {name}: {message}")]
    InvalidParam {
        /// The parameter.
        name: &'static str,
        /// What is wrong and the fix.
        message: String,
    },
    /// Every check was turned off or had nothing to work on.
    #[error("no QC check could run: {0}")]
    NothingToCheck(String),
}

/// The crate's result type.
pub type Result<T, E = QcError> = std::result::Result<T, E>;
