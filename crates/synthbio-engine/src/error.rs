//! The engine's error type.

use std::path::PathBuf;

/// Why loading, training or evaluating a model failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A processed data file does not have the layout of ARCHITECTURE.md.
    #[error("{path}: {message}")]
    Data {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A model file is missing, corrupt, or of another format version.
    #[error("model file {name}: {message}; rebuild the model files with `synthbio train`")]
    ModelFile {
        /// The file name (`gem-1-bulk.model`).
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The data cannot support the model (too few samples, no controls...).
    #[error("training failed: {0}")]
    Training(String),
    /// A table or matrix of `data/` could not be read.
    #[error(transparent)]
    Read(#[from] synthbio_io::IoError),
}

impl EngineError {
    pub(crate) fn data(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        EngineError::Data {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EngineError::Io {
            path: path.into(),
            source,
        }
    }
}
