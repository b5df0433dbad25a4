//! Errors of the workflows: each step's typed error, or a study design problem.

/// Why a workflow stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The predictor refused or failed a query.
    #[error(transparent)]
    Predict(#[from] synthbio_core::PredictError),
    /// The predictor for a held-out unit could not be made (e.g. a refit failed).
    #[error("the predictor for {unit} could not be made: {source}")]
    Backend {
        /// The held-out unit.
        unit: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Reading or aligning a table failed.
    #[error(transparent)]
    Io(#[from] synthbio_io::IoError),
    /// A dataset was inconsistent (ids, lengths, gene order).
    #[error(transparent)]
    Dataset(#[from] synthbio_core::DatasetError),
    /// Normalization failed.
    #[error(transparent)]
    Normalize(#[from] synthbio_normalize::NormalizeError),
    /// Fold changes, DE or the benchmark failed.
    #[error(transparent)]
    De(#[from] synthbio_de::DeError),
    /// The benchmark metrics refused their input.
    #[error("benchmark metrics: {0}")]
    Benchmark(#[from] synthbio_benchmark::BenchError),
    /// The QC checks failed.
    #[error(transparent)]
    Qc(#[from] synthbio_qc::QcError),
    /// PCA failed.
    #[error(transparent)]
    Pca(#[from] synthbio_pca::PcaError),
    /// The report could not be written.
    #[error(transparent)]
    Report(#[from] synthbio_report::ReportError),
    /// The study cannot be run as set up; the message says what to change.
    #[error("{0}")]
    Design(String),
}
