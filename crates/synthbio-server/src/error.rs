//! Why the server could not start or stopped with an error.

/// Errors of [`crate::serve`], [`crate::spawn`] and [`crate::run`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// A setting is out of range.
    #[error("server setting {field} {message}")]
    Config {
        /// The [`crate::ServerConfig`] field.
        field: &'static str,
        /// What is wrong and the fix.
        message: String,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}; pick another port or stop the process using it")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Serving failed with an I/O error.
    #[error("server I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The state directory or its job store could not be opened or read.
    #[error("{0}")]
    State(String),
    /// The predictor panicked while listing its models at start-up.
    #[error("the predictor failed while listing its models: {0}")]
    Predictor(String),
}
