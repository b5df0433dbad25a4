//! `serve`: the local engine behind the GEM protocol.

use super::CliResult;
use clap::Args;
use std::net::SocketAddr;
use std::sync::Arc;
use synthbio::server::{ApiKey, ServerConfig};

/// Arguments of `serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on; anything but loopback is reachable from other machines.
    #[arg(long, default_value = "127.0.0.1:8000")]
    bind: SocketAddr,
    /// Name of the environment variable holding the API key clients must send
    /// (the key itself is never a command-line argument, so it stays out of `ps`).
    #[arg(long)]
    api_key_env: Option<String>,
    /// Largest sum of num_samples in one query.
    #[arg(long, default_value_t = 5_000)]
    max_total_samples: u64,
}

/// Serves until Ctrl-C, then shuts down gracefully.
pub fn serve(args: &ServeArgs) -> CliResult {
    let mut config = ServerConfig::default()
        .with_bind(args.bind)
        .with_max_total_samples(args.max_total_samples);
    if let Some(var) = &args.api_key_env {
        let key = std::env::var(var).map_err(|_| {
            format!("--api-key-env {var}: that variable is not set; export it first")
        })?;
        config = config.with_api_key(ApiKey::new(key)?);
    }
    let engine = Arc::new(synthbio::engine::Engine::embedded()?);
    let runtime = tokio::runtime::Runtime::new()?;
    eprintln!(
        "serving the local engine at http://{} (Ctrl-C to stop)",
        args.bind
    );
    runtime.block_on(synthbio::server::run(engine, config, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    Ok(())
}
