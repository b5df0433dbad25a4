//! `normalize`, `de`, `qc` and `pca`: the analyses on a counts table.

use super::input::{align_to_model, InputArgs};
use super::progress::Step;
use super::{backend, CliResult};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use synthbio::core::{Analysis, LatentBlock, ModelId, Report};
use synthbio::normalize::{
    normalize_dataset, Method, NormFactors, NormalizeParams, TargetSum, TmmParams,
};
use synthbio::pca::{Pca, PcaParams, Solver};
use synthbio::workflows::{LabelQcResult, LabelQcStudy};

/// Normalization methods.
#[derive(Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Counts per million.
    Cpm,
    /// edgeR's log2 CPM with a prior count scaled by library size (--prior-count).
    LogCpm,
    /// log2(CPM + 1), the scale of reference-conditioning fold changes.
    Log2CpmPlusOne,
    /// scanpy's normalize_total(--target-sum) then natural log1p.
    Log1p,
}

/// Arguments of `normalize`.
#[derive(Args)]
pub struct NormalizeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The transform.
    #[arg(long, value_enum, default_value = "log-cpm")]
    method: MethodArg,
    /// edgeR's prior.count for log-cpm.
    #[arg(long, default_value_t = 2.0)]
    prior_count: f64,
    /// Total each sample is scaled to for log1p (default: the median library size, as scanpy).
    #[arg(long)]
    target_sum: Option<f64>,
    /// Multiply library sizes by TMM normalization factors (edgeR's calcNormFactors defaults).
    #[arg(long)]
    tmm: bool,
    /// Output file: .tsv, .csv (optionally .gz) or .parquet.
    #[arg(long, short)]
    out: PathBuf,
}

/// Arguments shared by the commands that run metadata prediction.
#[derive(Args)]
pub struct PredictionArgs {
    /// The metadata prediction model.
    #[arg(long, default_value = "gem-1-bulk_predict-metadata")]
    pub model: String,
    /// Drop genes the model does not use instead of refusing them.
    #[arg(long)]
    pub drop_extra_genes: bool,
    /// Seed of the query.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// Arguments of `qc`.
#[derive(Args)]
pub struct QcArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    prediction: PredictionArgs,
    /// Table of samples sorted by suspicion: .tsv, .csv or .parquet.
    #[arg(long, short)]
    out: PathBuf,
}

/// PCA solvers.
#[derive(Clone, Copy, ValueEnum)]
pub enum SolverArg {
    /// scikit-learn's svd_solver="auto" rule.
    Auto,
    /// Exact thin SVD.
    Full,
    /// Exact eigen-decomposition of the covariance matrix.
    CovarianceEigh,
    /// Randomized truncated SVD (Halko, Martinsson and Tropp 2011).
    Randomized,
}

/// Arguments of `pca`.
#[derive(Args)]
pub struct PcaArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    prediction: PredictionArgs,
    /// Latent blocks (joined side by side unless --per-block).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "biological,technical,perturbation"
    )]
    blocks: Vec<String>,
    /// One PCA per block.
    #[arg(long)]
    per_block: bool,
    /// Components to keep (default: all).
    #[arg(long)]
    components: Option<usize>,
    /// Scale each latent dimension to unit variance first.
    #[arg(long)]
    standardize: bool,
    /// Solver: auto (scikit-learn's rule), full (exact SVD), covariance-eigh, randomized.
    #[arg(long, value_enum, default_value = "auto")]
    solver: SolverArg,
    /// Metadata column that colours the score plot.
    #[arg(long)]
    color_by: Option<String>,
    /// Scores and explained variance: .tsv, .csv or .parquet.
    #[arg(long, short)]
    out: PathBuf,
}

/// Normalizes a counts table.
pub fn normalize(args: &NormalizeArgs) -> CliResult {
    let data = args.input.load()?;
    let method = match args.method {
        MethodArg::Cpm => Method::Cpm,
        MethodArg::LogCpm => Method::LogCpm {
            prior_count: args.prior_count,
        },
        MethodArg::Log2CpmPlusOne => Method::Log2CpmPlusOne,
        MethodArg::Log1p => Method::Log1p {
            target_sum: args.target_sum.map(TargetSum::Fixed).unwrap_or_default(),
        },
    };
    let mut params = NormalizeParams::new(method);
    if args.tmm {
        params.norm_factors = NormFactors::Tmm(TmmParams::default());
    }
    let normalized = normalize_dataset::<f64>(&data, &params)?;
    let format = synthbio::io::write_expression(
        &args.out,
        &normalized.expression,
        data.gene_ids(),
        data.sample_ids(),
    )?;
    eprintln!(
        "{} samples x {} genes normalized: {} written as {format:?}",
        data.n_samples(),
        data.n_genes(),
        args.out.display()
    );
    Ok(())
}

/// Runs the label QC study on the given input with the chosen backend.
pub fn label_qc(
    url: Option<&str>,
    input: &InputArgs,
    prediction: &PredictionArgs,
) -> Result<LabelQcResult, Box<dyn std::error::Error>> {
    let backend = backend(url)?;
    let model = ModelId::from(prediction.model.as_str());
    let data = align_to_model(input.load()?, &backend, &model, prediction.drop_extra_genes)?;
    let study = LabelQcStudy {
        model,
        seed: prediction.seed,
        ..LabelQcStudy::default()
    };
    let step = Step::start(&format!(
        "predicting the metadata of {} samples on {}",
        data.n_samples(),
        backend.describe()
    ));
    let result = study.run(&backend, &data)?;
    step.finish();
    let flagged = result.flagged();
    eprintln!(
        "{} of {} samples flagged{}",
        flagged.len(),
        data.n_samples(),
        if flagged.is_empty() {
            String::new()
        } else {
            format!(" ({})", flagged.join(", "))
        },
    );
    Ok(result)
}

/// Flags samples whose claimed labels the expression contradicts.
pub fn qc(url: Option<&str>, args: &QcArgs) -> CliResult {
    let result = label_qc(url, &args.input, &args.prediction)?;
    synthbio::io::write_table(&args.out, &result.suspects_table())?;
    eprintln!(
        "table sorted by suspicion written to {}; `synthbio report qc` writes the HTML report",
        args.out.display()
    );
    Ok(())
}

/// PCA of the latents that metadata prediction returns.
pub fn pca(url: Option<&str>, args: &PcaArgs) -> CliResult {
    let blocks = args
        .blocks
        .iter()
        .map(|b| {
            LatentBlock::ALL
                .into_iter()
                .find(|x| x.as_str() == b.as_str())
                .ok_or_else(|| format!("unknown latent block {b:?} in --blocks; use biological, technical or perturbation"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let backend = backend(url)?;
    let model = ModelId::from(args.prediction.model.as_str());
    let data = align_to_model(
        args.input.load()?,
        &backend,
        &model,
        args.prediction.drop_extra_genes,
    )?;
    let counts = (0..data.n_samples()).map(|i| {
        data.sample_counts(i)
            .iter()
            .map(|&c| f64::from(c))
            .collect::<Vec<_>>()
    });
    let query = synthbio::core::Query::metadata_prediction(counts).with_seed(args.prediction.seed);
    let step = Step::start(&format!(
        "encoding {} samples on {}",
        data.n_samples(),
        backend.describe()
    ));
    let predicted = backend.predict(&model, &query)?;
    step.finish();
    let data = data.with_predictions(&predicted)?;
    let params = PcaParams {
        blocks,
        per_block: args.per_block,
        n_components: args.components,
        standardize: args.standardize,
        solver: match args.solver {
            SolverArg::Auto => Solver::Auto,
            SolverArg::Full => Solver::Full,
            SolverArg::CovarianceEigh => Solver::CovarianceEigh,
            SolverArg::Randomized => Solver::Randomized,
        },
        color_by: args.color_by.clone(),
        ..PcaParams::default()
    };
    let output = Pca.run(&data, &params)?;
    let section = output.section();
    if let Some((_, scores)) = section.tables.get(1) {
        synthbio::io::write_table(&args.out, scores)?;
    }
    for paragraph in &section.paragraphs {
        eprintln!("{paragraph}");
    }
    eprintln!("scores written to {}", args.out.display());
    Ok(())
}
