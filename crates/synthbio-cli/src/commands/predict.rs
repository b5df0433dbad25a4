//! `models`, `example-query` and `predict`.

use super::{backend, CliResult};
use clap::Args;
use std::path::PathBuf;
use synthbio::core::{ModelId, Query};

/// Arguments of `example-query`.
#[derive(Args)]
pub struct ExampleArgs {
    /// Model id, e.g. gem-1-bulk (see `synthbio models`).
    model: String,
}

/// Arguments of `predict`.
#[derive(Args)]
pub struct PredictArgs {
    /// Model id, e.g. gem-1-bulk (see `synthbio models`).
    model: String,
    /// Query file (JSON, as `synthbio example-query` prints).
    #[arg(long, short)]
    query: PathBuf,
    /// Output folder: expression.tsv, metadata.tsv and, when present, latents and probabilities.
    #[arg(long, short)]
    out: PathBuf,
}

/// Prints the models as JSON lines.
pub fn models(url: Option<&str>) -> CliResult {
    let models = backend(url)?.models()?;
    println!("{}", serde_json::to_string_pretty(&models)?);
    Ok(())
}

/// Prints an example query.
pub fn example_query(url: Option<&str>, args: &ExampleArgs) -> CliResult {
    let q = backend(url)?.example_query(&ModelId::from(args.model.as_str()))?;
    println!("{}", serde_json::to_string_pretty(&q)?);
    Ok(())
}

/// Runs a query file and writes the results.
pub fn predict(url: Option<&str>, args: &PredictArgs) -> CliResult {
    let text = std::fs::read_to_string(&args.query)
        .map_err(|e| format!("cannot read the query file {}: {e}", args.query.display()))?;
    let query = Query::from_json(&text).map_err(|e| match e.errors.as_slice() {
        [one] if !one.path.is_empty() => format!(
            "{} is not a valid query: {}: {}",
            args.query.display(),
            one.path,
            one.message
        ),
        _ => format!("{}: {e}", args.query.display()),
    })?;
    let backend = backend(url)?;
    eprintln!("running {} on {}", args.model, backend.describe());
    let ds = backend.predict(&ModelId::from(args.model.as_str()), &query)?;
    std::fs::create_dir_all(&args.out).map_err(|e| {
        format!(
            "cannot create the output folder {}: {e}",
            args.out.display()
        )
    })?;
    synthbio::io::write_counts(&args.out.join("expression.tsv"), &ds)?;
    synthbio::io::write_table(
        &args.out.join("metadata.tsv"),
        &synthbio::io::metadata_table(&ds),
    )?;
    eprintln!(
        "{} samples x {} genes: expression.tsv and metadata.tsv written to {}",
        ds.n_samples(),
        ds.n_genes(),
        args.out.display()
    );
    Ok(())
}
