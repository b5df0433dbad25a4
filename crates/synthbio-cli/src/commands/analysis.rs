//! `normalize`, `de`, `qc` and `pca`: the analyses on a counts table.

use super::input::InputArgs;
use super::progress::Step;
use super::stream::{self, StreamArgs};
use super::{backend, CliResult};
use clap::Args;
use std::path::PathBuf;
use synthbio::core::{Analysis, LatentBlock, ModelId, Report};
use synthbio::io::OutputFormat;
use synthbio::normalize::{
    normalize_dataset, MethodName, NormFactors, NormalizeParams, TargetSum, TmmParams,
};
use synthbio::pca::{Pca, PcaParams, RandomizedOptions, Solver};
use synthbio::workflows::{LabelQcResult, LabelQcStudy};

/// Arguments of `normalize`.
#[derive(Args)]
pub struct NormalizeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The transform.
    #[arg(long, value_enum, default_value = "log-cpm")]
    method: MethodName,
    /// edgeR's prior.count for log-cpm (default 2).
    #[arg(long)]
    prior_count: Option<f64>,
    /// Total each sample is scaled to for log1p (default: the median library size, as scanpy).
    #[arg(long)]
    target_sum: Option<f64>,
    /// Multiply library sizes by TMM normalization factors (edgeR's calcNormFactors defaults).
    #[arg(long)]
    tmm: bool,
    /// Output file: .tsv, .csv (optionally .gz), .parquet, or .h5ad (AnnData: the
    /// normalized values as X, the raw counts in layers["counts"], the metadata in obs).
    /// With --stream, .parquet holding the non-zero values only (sample_id, gene_id,
    /// value; an absent pair is 0).
    #[arg(long, short)]
    out: PathBuf,
    #[command(flatten)]
    stream: StreamArgs,
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
    solver: Solver,
    /// Metadata column that colours the score plot.
    #[arg(long)]
    color_by: Option<String>,
    /// Scores and explained variance: .tsv, .csv or .parquet (.parquet with --stream).
    #[arg(long, short)]
    out: PathBuf,
    /// With --stream: PCA of the expression itself (scanpy's normalize_total then
    /// log1p, --components default 50, randomized solver in passes over the file)
    /// instead of the model's latents.
    #[command(flatten)]
    stream: StreamArgs,
    /// With --stream: the total each cell is scaled to before log1p (default: the
    /// median of the totals, as scanpy).
    #[arg(long, requires = "stream")]
    target_sum: Option<f64>,
    /// With --stream: power iterations, one pass over the file each (default:
    /// scikit-learn's rule, 7 when few components are kept, else 4).
    #[arg(long, requires = "stream")]
    power_iterations: Option<usize>,
    /// With --stream: random directions beyond --components (default 10, as
    /// scikit-learn; more make the last components more accurate at the cost of
    /// time per pass).
    #[arg(long, requires = "stream", default_value_t = 10)]
    oversamples: usize,
}

/// Normalizes a counts table.
pub fn normalize(args: &NormalizeArgs) -> CliResult {
    let norm_factors = if args.tmm {
        NormFactors::Tmm(TmmParams::default())
    } else {
        NormFactors::None
    };
    let params = NormalizeParams::from_parts(
        args.method,
        args.prior_count,
        args.target_sum.map(TargetSum::Fixed),
        norm_factors,
    )
    .map_err(|e| {
        format!("{e} (--prior-count goes with --method log-cpm, --target-sum with log1p)")
    })?;
    if args.stream.stream {
        if args.tmm || args.method == MethodName::LogCpm {
            return Err(format!(
                "--stream normalizes each chunk of cells on its own and keeps zeros sparse, so {} is not available; use --method log1p, cpm or log2-cpm-plus-one without --tmm",
                if args.tmm { "--tmm (its reference sample is chosen among all samples)" } else { "edgeR's log-cpm (the default --method; it turns every zero non-zero)" }
            )
            .into());
        }
        return stream::normalize(&args.input, &args.stream, params.method, &args.out);
    }
    let data = args.input.load()?;
    let normalized = normalize_dataset::<f64>(&data, &params)?;
    let format = synthbio::io::write_normalized(&args.out, &data, &normalized.expression)?;
    eprintln!(
        "{} samples x {} genes normalized: {} written{}",
        data.n_samples(),
        data.n_genes(),
        args.out.display(),
        if format == OutputFormat::H5ad {
            " (AnnData: normalized X, raw counts in layers[\"counts\"], metadata in obs)"
        } else {
            ""
        }
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
    let data = input.load_aligned(&backend, &model, prediction.drop_extra_genes)?;
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
    let result = study.run(backend.as_ref(), &data)?;
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

/// PCA of the latents that metadata prediction returns (of the expression with --stream).
pub fn pca(url: Option<&str>, args: &PcaArgs) -> CliResult {
    if args.stream.stream {
        let unused = [
            (args.per_block, "--per-block"),
            (args.standardize, "--standardize"),
            (args.color_by.is_some(), "--color-by"),
            (url.is_some(), "--url"),
            (
                !matches!(args.solver, Solver::Auto | Solver::Randomized),
                "--solver other than randomized",
            ),
        ];
        if let Some((_, flag)) = unused.iter().find(|(given, _)| *given) {
            return Err(format!("{flag} does not apply to pca --stream (a randomized PCA of log1p expression, centred only); drop it").into());
        }
        return stream::pca(
            &args.input,
            &args.stream,
            args.components.unwrap_or(50),
            args.target_sum,
            RandomizedOptions {
                n_power_iter: args.power_iterations,
                n_oversamples: args.oversamples,
                ..RandomizedOptions::default()
            },
            &args.out,
        );
    }
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
    let data = args
        .input
        .load_aligned(&backend, &model, args.prediction.drop_extra_genes)?;
    let query =
        synthbio::core::Query::metadata_prediction_of(&data).with_seed(args.prediction.seed);
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
        solver: args.solver,
        color_by: args.color_by.clone(),
        ..PcaParams::default()
    };
    let output = Pca.run(&data, &params)?;
    synthbio::io::write_table(&args.out, &output.scores_table())?;
    for paragraph in &output.section().paragraphs {
        eprintln!("{paragraph}");
    }
    eprintln!("scores written to {}", args.out.display());
    Ok(())
}
