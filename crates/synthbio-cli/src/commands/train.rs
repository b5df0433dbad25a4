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
}

/// Rebuilds the model files.
pub fn train(args: &TrainArgs) -> CliResult {
    let summary = synthbio::engine::train(&args.data, &args.out)?;
    println!("{summary}");
    Ok(())
}

/// Prints held-out figures.
pub fn evaluate(args: &EvaluateArgs) -> CliResult {
    let report = synthbio::engine::evaluate(&args.data)?;
    println!("{report}");
    Ok(())
}
