//! `train` and `evaluate`.

use super::CliResult;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `train`.
#[derive(Args)]
pub struct TrainArgs {
    /// The data folder (processed training data).
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// Where to write the model files (the shipped ones live in data/models).
    #[arg(long, default_value = "data/models")]
    out: PathBuf,
}

/// Arguments of `evaluate`.
#[derive(Args)]
pub struct EvaluateArgs {
    /// The data folder (processed training data).
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// Also write the table as TSV (model, task, target, metric, units,
    /// engine, one column per baseline, caveat) for scripts.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Rebuilds the model files.
pub fn train(args: &TrainArgs) -> CliResult {
    let summary = synthbio::engine::train(&args.data, &args.out)?;
    super::print(format_args!("{summary}"))?;
    Ok(())
}

/// Prints held-out figures.
pub fn evaluate(args: &EvaluateArgs) -> CliResult {
    let report = synthbio::engine::evaluate(&args.data)?;
    super::print(format_args!("{report}"))?;
    if let Some(out) = &args.out {
        let tsv = report.to_tsv();
        synthbio::core::fs::write_atomic(out, |w| w.write_all(tsv.as_bytes()), |e| e)?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}
