//! One module per group of subcommands.

pub mod analysis;
pub mod benchmark;
pub mod de;
pub mod input;
pub mod login;
pub mod predict;
pub mod progress;
pub mod serve;
pub mod stream;
pub mod sweep;
pub mod train;
pub mod workflow;

/// Errors are reported as one clear message each.
pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Prints a line to stdout. A reader that stopped reading (`synthbio models | head`)
/// ends the program quietly, as it ends other Unix tools, where `println!` panics.
pub fn print(line: std::fmt::Arguments<'_>) -> CliResult {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{line}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

/// The server configuration `--url` or the environment selects, if any
/// (`None`: the local engine answers), as the official clients resolve it.
pub fn remote_config(url: Option<&str>) -> Option<synthbio::client::ClientConfig> {
    match url {
        Some(url) => Some(synthbio::client::ClientConfig::from_env().with_base_url(url)),
        None => synthbio::client::backend_from_env(),
    }
}

/// The backend for `--url`, or the one the environment selects (the local
/// engine unless a server is configured); says on stderr which answers, and
/// passes the client's warnings (fields kept aside, queries sent as written) on.
pub fn backend(url: Option<&str>) -> Result<synthbio::Backend, synthbio::BackendError> {
    use synthbio::client::Progress;
    let backend = match remote_config(url) {
        Some(config) => synthbio::backend::remote(config.with_progress(|p| {
            if let Progress::Warning { .. } = p {
                eprintln!("{p}");
            }
        }))?,
        None => synthbio::backend::local()?,
    };
    eprintln!("backend: {}", backend.describe());
    Ok(backend)
}
