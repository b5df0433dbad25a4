//! The crate's error type.

/// Why a PCA could not be fitted or applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PcaError {
    /// Fewer than two samples: variance needs at least two.
    #[error("PCA needs at least 2 samples, found {found}; add samples")]
    TooFewSamples {
        /// Samples given.
        found: usize,
    },
    /// The matrix has no columns.
    #[error("PCA needs at least 1 feature (column), found 0")]
    NoFeatures,
    /// `n_components` is 0.
    #[error(
        "n_components must be at least 1; leave it unset to keep min(samples, features) components"
    )]
    ZeroComponents,
    /// More components asked for than the data has.
    #[error(
        "n_components = {requested} exceeds min(samples, features) = min({n_samples}, {n_features}) = {max}; \
         ask for at most {max}"
    )]
    TooManyComponents {
        /// Components asked for.
        requested: usize,
        /// The most there can be.
        max: usize,
        /// Samples in the data.
        n_samples: usize,
        /// Features in the data.
        n_features: usize,
    },
    /// A NaN or infinite value in the input.
    #[error("value at row {row}, column {column} is {value}, not finite; remove or impute it before PCA")]
    NonFinite {
        /// Row (sample) of the first offending value.
        row: usize,
        /// Column (feature) of the first offending value.
        column: usize,
        /// The value.
        value: f64,
    },
    /// Every column is constant, so there is no variance to explain.
    #[error("every column is constant (total variance 0); there is nothing for PCA to explain")]
    NoVariance,
    /// New samples do not have the features the model was fitted on.
    #[error("the model was fitted on {expected} features but the new samples have {found}; use the same columns in the same order")]
    FeatureMismatch {
        /// Features of the fitted model.
        expected: usize,
        /// Features of the new samples.
        found: usize,
    },
    /// The dataset has no latents.
    #[error(
        "the dataset has no latents; run metadata prediction first (a `*_predict-metadata` model) \
         and attach its result with Dataset::with_predictions"
    )]
    NoLatents,
    /// No latent block was chosen.
    #[error("params.blocks is empty; name at least one of biological, technical, perturbation")]
    NoBlocks,
    /// The same latent block twice.
    #[error("params.blocks lists {0:?} twice; list each block once")]
    DuplicateBlock(String),
    /// A metadata column asked for (to colour points) is not in the dataset.
    #[error("params.color_by names metadata column {0:?}, which the dataset does not have")]
    UnknownMetadata(String),
    /// A chunked fit ([`crate::PcaAccumulator`]) asked for a solver that needs every sample at once.
    #[error(
        "options.solver is {0:?}, which needs every sample at once; a chunked fit \
         (PcaAccumulator) decomposes the accumulated covariance: use covariance_eigh or auto"
    )]
    NotChunkable(&'static str),
    /// An option a fit in passes over sparse chunks ([`crate::fit_sparse_in_passes`]) cannot honour.
    #[error("options.{0}")]
    NotInPasses(&'static str),
    /// The linear algebra backend did not converge.
    #[error("{0} did not converge; check the input for extreme values")]
    NoConvergence(&'static str),
}

/// The crate's result type.
pub type Result<T, E = PcaError> = std::result::Result<T, E>;
