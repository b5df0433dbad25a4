//! One module per group of subcommands.

pub mod analysis;
pub mod de;
pub mod benchmark;
pub mod input;
pub mod login;
pub mod predict;
pub mod progress;
pub mod serve;
pub mod train;
pub mod workflow;

/// Errors are reported as one clear message each.
pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// The backend for `--url`, or the default (local engine unless a key is set).
pub fn backend(url: Option<&str>) -> Result<synthbio::Backend, synthbio::BackendError> {
    match url {
        Some(url) => synthbio::Backend::url(url),
        None => synthbio::Backend::from_env(),
    }
}
