//! Errors of the workflows: each step's typed error, or a study design problem.

use crate::BackendError;

/// Why a workflow stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The backend refused or failed a query.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The local engine could not be refitted.
    #[error(transparent)]
    Engine(#[from] synthbio_engine::EngineError),
    /// Reading or writing a file failed.
    #[error(transparent)]
    Io(#[from] synthbio_io::IoError),
    /// A dataset was inconsistent (ids, lengths, gene order).
    #[error(transparent)]
    Dataset(#[from] synthbio_core::DatasetError),
    /// Fold changes, DE or the benchmark failed.
    #[error(transparent)]
    De(#[from] synthbio_de::DeError),
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
