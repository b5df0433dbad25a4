//! The one error type of the bench helpers.

/// Why generating, writing or reading a bench input failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// Reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A `.npy` file this reader does not handle.
    #[error("{path}: {message}")]
    Npy {
        /// The file.
        path: String,
        /// What is wrong, and what is expected.
        message: String,
    },
    /// The loopback server or the HTTP exchange with it.
    #[error("loopback server: {0}")]
    Server(String),
}

impl BenchError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        BenchError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub(crate) fn npy(path: &std::path::Path, message: impl Into<String>) -> Self {
        BenchError::Npy {
            path: path.display().to_string(),
            message: message.into(),
        }
    }
}
