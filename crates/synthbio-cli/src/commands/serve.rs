//! `serve`: the local engine behind the GEM protocol.

use super::CliResult;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use synthbio::server::{default_state_dir, exposure_warning, ApiKey, ServerConfig};

/// Arguments of `serve`. Every limit is enforced on each request (see
/// `synthbio_server::ServerConfig`); defaults are the server's.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on; anything but loopback is reachable from other machines.
    #[arg(long, default_value = "127.0.0.1:8000")]
    bind: SocketAddr,
    /// Name of the environment variable holding the API key clients must send
    /// (the key itself is never a command-line argument, so it stays out of `ps`).
    #[arg(long)]
    api_key_env: Option<String>,
    /// Largest sum of num_samples in one query (more is answered 422).
    #[arg(long, default_value_t = ServerConfig::default().max_total_samples)]
    max_total_samples: u64,
    /// Largest number of inputs in one query (more is answered 422).
    #[arg(long, default_value_t = ServerConfig::default().max_inputs)]
    max_inputs: usize,
    /// Largest request body in bytes (larger is answered 413).
    #[arg(long, default_value_t = ServerConfig::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Jobs waiting for a worker at once (more is answered 503 with Retry-After).
    #[arg(long, default_value_t = ServerConfig::default().max_queued_jobs)]
    max_queued_jobs: usize,
    /// Jobs kept at once, finished ones included until collected (more is answered 503).
    #[arg(long, default_value_t = ServerConfig::default().max_kept_jobs)]
    max_kept_jobs: usize,
    /// Predictions that run at once (default: the number of CPUs).
    #[arg(long)]
    workers: Option<usize>,
    /// Directory of the job store and the results, created owner-only; a
    /// restart on it keeps every accepted query (default: synthbio/server in
    /// the user's cache directory, e.g. ~/.cache/synthbio/server).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Memory for predictions in progress, in bytes or with a unit (512MiB,
    /// 4GiB, 4G); default: a quarter of this machine's RAM.
    #[arg(long, value_parser = parse_bytes)]
    max_memory: Option<u64>,
    /// Disk for stored results, in bytes or with a unit; when full, new
    /// queries are answered 503 with Retry-After (default 10GiB).
    #[arg(long, value_parser = parse_bytes)]
    max_disk: Option<u64>,
    /// The address clients reach this server at when it is behind TLS or a
    /// reverse proxy (e.g. https://gem.example.org, or https://example.org/gem
    /// for a proxy serving it under a path): download links start with it.
    /// Default: http:// plus the Host header of the status request.
    #[arg(long, value_name = "URL")]
    public_base_url: Option<String>,
}

/// A size in bytes: a whole number with an optional unit (K, M, G, T, or
/// KiB..TiB, all powers of 1024; B or none for bytes). Written here: one flag's
/// parser, where a crate would be a new dependency for this alone.
fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        "t" | "tib" => 40,
        other => {
            return Err(format!(
                "{text:?}: unknown unit {other:?}; write a number of bytes, or one with K, M, G or T (powers of 1024), e.g. 4GiB"
            ))
        }
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size; write e.g. 4GiB or 1073741824"))?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// The server's configuration from the arguments (the API key read from its
/// variable), checked.
fn server_config(args: &ServeArgs, state_dir: PathBuf) -> Result<ServerConfig, String> {
    let mut config = ServerConfig::default()
        .with_bind(args.bind)
        .with_max_total_samples(args.max_total_samples)
        .with_max_inputs(args.max_inputs)
        .with_max_body_bytes(args.max_body_bytes)
        .with_max_queued_jobs(args.max_queued_jobs)
        .with_max_kept_jobs(args.max_kept_jobs);
    if let Some(workers) = args.workers {
        config = config.with_workers(workers);
    }
    if let Some(bytes) = args.max_memory {
        config = config.with_max_memory_bytes(bytes);
    }
    if let Some(bytes) = args.max_disk {
        config = config.with_max_disk_bytes(bytes);
    }
    if let Some(url) = &args.public_base_url {
        config = config.with_public_base_url(url.as_str());
    }
    config = config.with_state_dir(state_dir);
    if let Some(var) = &args.api_key_env {
        let key = std::env::var(var).map_err(|_| {
            format!("--api-key-env {var}: that variable is not set; export it first")
        })?;
        config = config.with_api_key(ApiKey::new(key).map_err(|e| e.to_string())?);
    }
    config.validate().map_err(|e| e.to_string())?;
    Ok(config)
}

/// Serves until Ctrl-C, then shuts down gracefully.
pub fn serve(args: &ServeArgs) -> CliResult {
    let state_dir = match &args.state_dir {
        Some(dir) => dir.clone(),
        None => default_state_dir().ok_or(
            "this system names no cache directory for the server's state; choose one with --state-dir",
        )?,
    };
    // Checked before the engine loads, so a bad limit is one quick sentence.
    let config = server_config(args, state_dir.clone())?;
    let engine = Arc::new(synthbio::engine::Engine::embedded()?);
    let runtime = tokio::runtime::Runtime::new()?;
    if let Some(warning) = exposure_warning(args.bind, config.api_key.is_some()) {
        eprintln!("warning: {warning}");
    }
    if let Some(url) = &config.public_base_url {
        eprintln!("download links start with {}", url.trim_end_matches('/'));
    }
    eprintln!(
        "serving the local engine at http://{} (Ctrl-C to stop); state in {}, memory budget {} MiB, disk budget {} MiB",
        args.bind,
        state_dir.display(),
        config.max_memory_bytes >> 20,
        config.max_disk_bytes >> 20
    );
    runtime.block_on(synthbio::server::run(engine, config, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{parse_bytes, server_config, ServeArgs};
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn config(args: &[&str]) -> Result<synthbio::server::ServerConfig, String> {
        let cli = Cli::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        server_config(&cli.serve, std::env::temp_dir())
    }

    #[test]
    fn public_base_url_reaches_the_server_config_checked() {
        assert_eq!(config(&[]).unwrap().public_base_url, None);
        let c = config(&["--public-base-url", "https://gem.example.org/"]).unwrap();
        assert_eq!(
            c.public_base_url.as_deref(),
            Some("https://gem.example.org/")
        );
        let err = config(&["--public-base-url", "gem.example.org"]).unwrap_err();
        assert!(
            err.contains("public_base_url") && err.contains("\"gem.example.org\""),
            "{err}"
        );
    }

    #[test]
    fn sizes_with_and_without_units() {
        assert_eq!(parse_bytes("1024"), Ok(1024));
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("4G"), Ok(4 << 30));
        assert_eq!(parse_bytes("3 kib"), Ok(3 << 10));
        assert!(parse_bytes("4GB").unwrap_err().contains("unknown unit"));
        assert!(parse_bytes("GiB").unwrap_err().contains("not a size"));
        assert!(parse_bytes("99999999999T")
            .unwrap_err()
            .contains("too large"));
    }
}
