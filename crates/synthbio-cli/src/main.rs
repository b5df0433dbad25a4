//! `synthbio`: generative models of gene expression from the command line.
//!
//! Runs on the local engine by default (offline, no key); set
//! `SYNTHESIZE_API_KEY` for the hosted service, or `--url` for any server.

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Generative models of gene expression (GEM-1) from the command line.
///
/// Every command runs offline on the local engine unless SYNTHESIZE_API_KEY
/// is set (the hosted service) or --url names a server.
#[derive(Parser)]
#[command(name = "synthbio", version, about, long_about)]
struct Cli {
    /// Use the server at this URL (e.g. http://127.0.0.1:8000 from `synthbio serve`).
    #[arg(long, global = true, env = "SYNTHBIO_URL")]
    url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the models and what each accepts.
    Models,
    /// Print a valid example query for a model (JSON).
    ExampleQuery(commands::predict::ExampleArgs),
    /// Run a query file against a model and write the results.
    Predict(commands::predict::PredictArgs),
    /// Store the API key in the OS keyring (read from a hidden prompt or stdin).
    Login,
    /// Remove the API key from the OS keyring.
    Logout,
    /// Serve the local engine over HTTP with the GEM protocol (loopback by default).
    Serve(commands::serve::ServeArgs),
    /// Rebuild the shipped model files from data/.
    Train(commands::train::TrainArgs),
    /// Print held-out evaluation figures of the local engine against simple baselines.
    Evaluate(commands::train::EvaluateArgs),
    /// Normalize a counts table: CPM, edgeR log CPM (optionally TMM), log2(CPM+1), scanpy log1p.
    Normalize(commands::analysis::NormalizeArgs),
    /// Differential expression between two groups of samples (moderated or Welch t, BH).
    De(commands::de::DeArgs),
    /// cell-eval's perturbation metrics of predicted vs real cells, beside baselines.
    Benchmark(commands::benchmark::BenchmarkArgs),
    /// Every perturbation of the bundled data held out by donor or cell type, scored on
    /// refitted local engines beside the baselines, as one table.
    Sweep(commands::sweep::SweepArgs),
    /// Flag samples whose claimed labels the expression contradicts (classifier + sex markers).
    Qc(commands::analysis::QcArgs),
    /// PCA of the latents that metadata prediction gives for a counts table.
    Pca(commands::analysis::PcaArgs),
    /// Write a workflow's HTML report: `report qc` or `report perturbation`.
    Report(commands::workflow::ReportArgs),
    /// Run both workflows on the bundled real data, offline, and write their reports.
    Demo(commands::workflow::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Models => commands::predict::models(cli.url.as_deref()),
        Command::ExampleQuery(args) => commands::predict::example_query(cli.url.as_deref(), &args),
        Command::Predict(args) => commands::predict::predict(cli.url.as_deref(), &args),
        Command::Login => commands::login::login(),
        Command::Logout => commands::login::logout(),
        Command::Serve(args) => commands::serve::serve(&args),
        Command::Train(args) => commands::train::train(&args),
        Command::Evaluate(args) => commands::train::evaluate(&args),
        Command::Normalize(args) => commands::analysis::normalize(&args),
        Command::De(args) => commands::de::de(&args),
        Command::Benchmark(args) => commands::benchmark::benchmark(&args),
        Command::Sweep(args) => commands::sweep::sweep(&args),
        Command::Qc(args) => commands::analysis::qc(cli.url.as_deref(), &args),
        Command::Pca(args) => commands::analysis::pca(cli.url.as_deref(), &args),
        Command::Report(args) => commands::workflow::report(cli.url.as_deref(), &args),
        Command::Demo(args) => commands::workflow::demo(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
