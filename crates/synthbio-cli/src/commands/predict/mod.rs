//! `models`, `example-query` and `predict`; [`output`] writes the results.

mod output;

use super::input::InputArgs;
use super::{backend, CliResult};
use clap::{Args, ValueEnum};
use output::{out_dir, Output};
use std::path::{Path, PathBuf};
use synthbio::client::{BlockingClient, Progress, ValidationMode};
use synthbio::core::{Dataset, Family, ModelId, Query};

/// Arguments of `example-query`.
#[derive(Args)]
pub struct ExampleArgs {
    /// Model id, e.g. gem-1-bulk (see `synthbio models`).
    model: String,
}

/// Table format of the result files.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum Format {
    /// Tab-separated text (`.tsv`).
    Tsv,
    /// Apache Parquet (`.parquet`).
    Parquet,
    /// One AnnData file (`result.h5ad`) holding counts, metadata, classifier
    /// probabilities and latents, as scanpy opens it; provenance and fields without
    /// a place in AnnData are written beside it (`provenance.tsv`, `raw.json`).
    H5ad,
}

impl Format {
    /// The extension of the per-part tables (AnnData keeps its side tables as TSV).
    fn ext(self) -> &'static str {
        match self {
            Format::Tsv | Format::H5ad => "tsv",
            Format::Parquet => "parquet",
        }
    }
}

/// Arguments of `predict`.
#[derive(Args)]
// A counts table is optional here (a query file alone is the usual input); clap keeps a
// flattened group's positional required even when the group is an `Option`.
#[command(mut_arg("counts", |a| a.required(false)))]
pub struct PredictArgs {
    /// Model id, e.g. gem-1-bulk (see `synthbio models`).
    model: String,
    /// Query file (JSON, as `synthbio example-query` prints); not needed with --resume,
    /// nor with a counts table for a metadata-prediction model.
    #[arg(long, short, required_unless_present_any = ["resume", "counts"])]
    query: Option<PathBuf>,
    /// A counts table to query with (any table `qc` reads: TSV/CSV, .h5ad, 10x,
    /// Matrix Market), its genes put in the model's order: for a `_predict-metadata`
    /// model each sample is one input; for a `_reference-conditioning` model each
    /// sample is conditioned on with each input of --query (which gives the
    /// perturbation metadata and num_samples, without counts).
    #[command(flatten)]
    input: Option<InputArgs>,
    /// Output folder: everything the result holds: expression (or metadata
    /// prediction's decoder_sample), metadata with predicted values,
    /// classifier_probs (long: sample, field, label, probability),
    /// latents_<block>, model_version.txt, gene_order.txt, and raw.json for
    /// fields without a table.
    #[arg(long, short, required_unless_present_any = ["submit_only", "download_url_only"])]
    out: Option<PathBuf>,
    /// Random seed of the query (overrides the query file's `seed`): the same query
    /// and seed give the same result.
    #[arg(long)]
    seed: Option<u64>,
    /// Format of the tables.
    #[arg(long, value_enum, default_value = "tsv")]
    format: Format,
    /// Also write the result JSON exactly as the server sent it (result.json; hosted mode).
    #[arg(long)]
    raw_json: bool,
    /// Print the result's download URL instead of downloading it (hosted mode).
    #[arg(long, conflicts_with = "submit_only")]
    download_url_only: bool,
    /// Submit the query, print its modelQueryId and stop (finish it with --resume).
    #[arg(long)]
    submit_only: bool,
    /// Finish a query submitted earlier, by its modelQueryId.
    #[arg(long, value_name = "MODEL_QUERY_ID", conflicts_with = "submit_only")]
    resume: Option<String>,
    /// Offline validation: strict (every problem is an error; the default for
    /// GEM-1 models), warn (unknown vocabulary values are warnings) or off
    /// (only structural problems are errors).
    #[arg(long, value_enum, env = "SYNTHESIZE_VALIDATION")]
    validation: Option<Validation>,
}

/// `--validation` values.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum Validation {
    /// Every problem is an error.
    Strict,
    /// Vocabulary problems are warnings.
    Warn,
    /// Only structural problems are errors.
    Off,
}

impl From<Validation> for ValidationMode {
    fn from(v: Validation) -> Self {
        match v {
            Validation::Strict => ValidationMode::Strict,
            Validation::Warn => ValidationMode::Warn,
            Validation::Off => ValidationMode::Off,
        }
    }
}

/// Prints the models as JSON lines.
pub fn models(url: Option<&str>) -> CliResult {
    let models = backend(url)?.models()?;
    super::print(format_args!("{}", serde_json::to_string_pretty(&models)?))?;
    Ok(())
}

/// Prints an example query.
pub fn example_query(url: Option<&str>, args: &ExampleArgs) -> CliResult {
    let q = backend(url)?.example_query(&ModelId::from(args.model.as_str()))?;
    super::print(format_args!("{}", serde_json::to_string_pretty(&q)?))?;
    Ok(())
}

fn read_query(path: &Path) -> Result<Query, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the query file {}: {e}", path.display()))?;
    Query::from_json(&text).map_err(|e| match e.errors.as_slice() {
        [one] if !one.path.is_empty() => format!(
            "{} is not a valid query: {}: {}",
            path.display(),
            one.path,
            one.message
        ),
        _ => format!("{}: {e}", path.display()),
    })
}

/// Runs a query file (or finishes one) and writes the results.
pub fn predict(url: Option<&str>, args: &PredictArgs) -> CliResult {
    let model = ModelId::from(args.model.as_str());
    let mut query = args.query.as_deref().map(read_query).transpose()?;
    let mut out = Output {
        args,
        input_names: None,
    };
    if let Some(input) = &args.input {
        let data = input.load_aligned(&backend(url)?, &model, false)?;
        let (q, names) = query_of_table(&model, &data, query)?;
        query = Some(q);
        out.input_names = Some(names);
    }
    if let (Some(seed), Some(q)) = (args.seed, query.as_mut()) {
        q.seed = Some(seed);
    }
    let Some(mut config) = super::remote_config(url) else {
        return predict_local(url, &out, &model, query);
    };
    if let Some(v) = args.validation {
        config = config.with_validation(v.into());
    }
    if let Some(e) = &config.config_error {
        // Before naming a backend: a bad configuration selects none.
        return Err(format!("invalid client configuration: {e}").into());
    }
    eprintln!("backend: {}", config.describe(Some(&model)));
    let config = config.with_progress(|p| match p {
        Progress::Warning { .. } | Progress::Submitted { .. } | Progress::Retrying { .. } => {
            eprintln!("{p}")
        }
        _ => {}
    });
    let client = BlockingClient::new(config)?;
    let handle = match (&args.resume, &query) {
        (Some(id), _) => synthbio::client::QueryHandle::new(model.clone(), id.as_str()),
        (None, Some(q)) if args.submit_only || !client.client().config().self_hosted => {
            client.submit(&model, q)?
        }
        (None, Some(q)) => {
            // Self-hosted: one synchronous request.
            if args.download_url_only || args.raw_json {
                return Err("--download-url-only and --raw-json need the hosted protocol (a self-hosted server answers synchronously with an Arrow stream)".into());
            }
            let p = client.predict_result(&model, q)?;
            return out.write_prediction(&p);
        }
        (None, None) => return Err("give --query or --resume".into()),
    };
    if args.submit_only {
        super::print(format_args!("{}", handle.model_query_id))?;
        eprintln!(
            "submitted; finish it with: synthbio predict {} --resume {} --out <folder>",
            model, handle.model_query_id
        );
        return Ok(());
    }
    if args.download_url_only {
        super::print(format_args!("{}", client.wait_download_url(&handle)?))?;
        return Ok(());
    }
    if args.raw_json {
        // One download: the raw JSON is written, then decoded from memory.
        let dir = out_dir(args)?;
        let v = client.wait_json(&handle)?;
        synthbio::io::write_json(&dir.join("result.json"), &v)?;
        eprintln!(
            "the result as the server sent it: {}",
            dir.join("result.json").display()
        );
        let bytes = serde_json::to_vec(&v)?;
        let genes = client.client().gene_order(&model);
        let p = synthbio::client::decode_json_result(
            &bytes[..],
            handle.input_sizes.as_deref(),
            genes.as_deref().map(Vec::as_slice),
        )?;
        for w in &p.warnings {
            eprintln!("warning: {w}");
        }
        return out.write_prediction(&p);
    }
    let p = client.wait_result(&handle)?;
    out.write_prediction(&p)
}

/// The local engine: the same files, from a dataset.
fn predict_local(
    url: Option<&str>,
    out: &Output<'_>,
    model: &ModelId,
    query: Option<Query>,
) -> CliResult {
    let args = out.args;
    if args.resume.is_some() || args.submit_only || args.download_url_only || args.raw_json {
        return Err("--resume, --submit-only, --download-url-only and --raw-json need a server: set SYNTHESIZE_API_KEY (hosted), SYNTHESIZE_API_BASE_URL / SYNTHESIZE_ENDPOINT_<MODEL> (self-hosted) or --url".into());
    }
    let query = query.ok_or("give --query")?;
    let backend = backend(url)?;
    let ds = backend.predict(model, &query)?;
    let decoder_sample = model.family() == Some(Family::MetadataPrediction);
    out.write(&ds, None, decoder_sample)
}

/// The query a counts table makes for `model` (see `PredictArgs::input`), with the
/// table's sample id behind each of its inputs.
fn query_of_table(
    model: &ModelId,
    data: &Dataset,
    template: Option<Query>,
) -> Result<(Query, Vec<String>), String> {
    match model.family() {
        Some(Family::MetadataPrediction) => match template {
            None => Ok((
                Query::metadata_prediction_of(data),
                data.sample_ids().to_vec(),
            )),
            Some(_) => Err(format!(
                "{model} takes counts only: give the counts table or --query, not both"
            )),
        },
        Some(Family::ReferenceConditioning) => {
            let template = template.ok_or_else(|| {
                format!("{model} needs --query too: a query whose inputs give the perturbation metadata and num_samples to apply to each sample of the table")
            })?;
            if let Some(i) = template.inputs.iter().position(|i| i.counts.is_some()) {
                return Err(format!(
                    "inputs[{i}] of --query has counts, but the counts come from the table; remove them from the query"
                ));
            }
            let per_sample = template.inputs.len();
            let mut query = Query {
                inputs: Vec::with_capacity(data.n_samples() * per_sample),
                ..template.clone()
            };
            let mut rows = Vec::with_capacity(query.inputs.capacity());
            for (row, counts) in data.counts().outer_iter().enumerate() {
                for input in &template.inputs {
                    let mut input = input.clone();
                    input.counts = Some(counts.iter().map(|&c| f64::from(c)).collect());
                    query.inputs.push(input);
                    rows.push(row);
                }
            }
            query.measured = data.measured().map(|m| m.select_samples(&rows));
            let names = rows.iter().map(|&r| data.sample_ids()[r].clone()).collect();
            Ok((query, names))
        }
        _ => Err(format!(
            "{model} takes metadata, not counts: drop the counts table, or use {0}_predict-metadata or {0}_reference-conditioning",
            model.base()
        )),
    }
}
