//! `serve`: the local engine behind the GEM protocol.

use super::CliResult;
use clap::Args;
use std::net::SocketAddr;
use std::sync::Arc;
use synthbio::server::{exposure_warning, ApiKey, ServerConfig};

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
}

/// Serves until Ctrl-C, then shuts down gracefully.
pub fn serve(args: &ServeArgs) -> CliResult {
    let mut config = ServerConfig::default()
        .with_bind(args.bind)
        .with_max_total_samples(args.max_total_samples)
        .with_max_inputs(args.max_inputs)
        .with_max_body_bytes(args.max_body_bytes)
        .with_max_queued_jobs(args.max_queued_jobs)
        .with_max_kept_jobs(args.max_kept_jobs);
    if let Some(var) = &args.api_key_env {
        let key = std::env::var(var).map_err(|_| {
            format!("--api-key-env {var}: that variable is not set; export it first")
        })?;
        config = config.with_api_key(ApiKey::new(key)?);
    }
    // Checked before the engine loads, so a bad limit is one quick sentence.
    config.validate()?;
    let engine = Arc::new(synthbio::engine::Engine::embedded()?);
    let runtime = tokio::runtime::Runtime::new()?;
    if let Some(warning) = exposure_warning(args.bind, config.api_key.is_some()) {
        eprintln!("warning: {warning}");
    }
    eprintln!(
        "serving the local engine at http://{} (Ctrl-C to stop)",
        args.bind
    );
    runtime.block_on(synthbio::server::run(engine, config, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    Ok(())
}
