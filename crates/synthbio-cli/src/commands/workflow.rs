//! `report` and `demo`: the two workflows, written as HTML reports.

use super::analysis::{label_qc, PredictionArgs};
use super::input::InputArgs;
use super::progress::Step;
use super::{backend, CliResult};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use synthbio::core::{metadata, ModelId, ReportSection};
use synthbio::workflows::{donor_pairs, PerturbationStudy, Scored};
use synthbio_cli::demo::run_demo;
use synthbio_cli::study_datasets::write_study_datasets;

/// Arguments of `report`.
#[derive(Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    kind: ReportKind,
}

#[derive(Subcommand)]
enum ReportKind {
    /// Mislabeled-sample QC: metadata prediction, label and marker-gene sex checks, PCA of latents.
    Qc(ReportQcArgs),
    /// Perturbation benchmark: predicted vs observed fold changes per donor, DE of generated replicates.
    Perturbation(ReportPerturbationArgs),
}

#[derive(Args)]
struct ReportQcArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    prediction: PredictionArgs,
    /// Output folder for label-qc.html and its TSV tables.
    #[arg(long, short)]
    out: PathBuf,
    /// Also write every table as a Hive-partitioned Parquet dataset under
    /// <out>/parquet/ (study=<name>/donor=<donor>/part-0.parquet), one table to
    /// Spark, DataFusion, Polars or DuckDB.
    #[arg(long)]
    parquet: bool,
}

#[derive(Args)]
struct ReportPerturbationArgs {
    /// Raw counts and metadata: every donor needs a control sample
    /// (perturbation_type = control) and a treated one (perturbation_ontology_id).
    #[command(flatten)]
    input: InputArgs,
    /// Metadata column naming the donor of each sample.
    #[arg(long, default_value = "donor")]
    unit_column: String,
    /// The perturbation's ontology id (ChEBI, ChEMBL or Ensembl gene).
    #[arg(long)]
    perturbation: String,
    /// perturbation_type of the query.
    #[arg(long, default_value = "compound")]
    perturbation_type: String,
    /// perturbation_dose of the query, e.g. "1 um".
    #[arg(long)]
    dose: Option<String>,
    /// perturbation_time of the query, e.g. "18 hours".
    #[arg(long)]
    time: Option<String>,
    /// The reference conditioning model.
    #[arg(long, default_value = "gem-1-bulk_reference-conditioning")]
    model: String,
    /// Generated replicates per donor and condition.
    #[arg(long, default_value_t = 3)]
    replicates: u64,
    /// Seed of every query.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Output folder for perturbation-study.html and its TSV tables.
    #[arg(long, short)]
    out: PathBuf,
    /// Also write every table as a Hive-partitioned Parquet dataset under
    /// <out>/parquet/ (study=<name>/donor=<donor>/part-0.parquet), one table to
    /// Spark, DataFusion, Polars or DuckDB.
    #[arg(long)]
    parquet: bool,
}

/// Arguments of `demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// The processed data folder (default: ./data, else the repository's data/).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Output folder for the reports.
    #[arg(long, short, default_value = "reports")]
    out: PathBuf,
    /// Also write every table as a Hive-partitioned Parquet dataset under
    /// <out>/parquet/ (study=<name>/donor=<donor>/part-0.parquet), one table to
    /// Spark, DataFusion, Polars or DuckDB.
    #[arg(long)]
    parquet: bool,
}

/// Writes a workflow's HTML report.
pub fn report(url: Option<&str>, args: &ReportArgs) -> CliResult {
    match &args.kind {
        ReportKind::Qc(a) => {
            let result = label_qc(url, &a.input, &a.prediction)?;
            let files = result.write_report(&a.out, "label-qc")?;
            eprintln!("report: {}", files.html.display());
            if a.parquet {
                write_datasets(&a.out, "label-qc", &result.sections())?;
            }
        }
        ReportKind::Perturbation(a) => perturbation_report(url, a)?,
    }
    Ok(())
}

fn perturbation_report(url: Option<&str>, a: &ReportPerturbationArgs) -> CliResult {
    let backend = backend(url)?;
    let model = ModelId::from(a.model.as_str());
    let data = a.input.load_aligned(&backend, &model, false)?;
    let pairs = donor_pairs(&data, &a.unit_column, &a.perturbation)?;
    let mut perturbation = metadata([
        ("perturbation_type", a.perturbation_type.as_str()),
        ("perturbation_ontology_id", a.perturbation.as_str()),
    ]);
    for (key, value) in [
        ("perturbation_dose", &a.dose),
        ("perturbation_time", &a.time),
    ] {
        if let Some(v) = value {
            perturbation.insert(key.to_string(), v.clone());
        }
    }
    let study = PerturbationStudy {
        model,
        replicates: a.replicates,
        seed: a.seed,
        unit_column: a.unit_column.clone(),
        ..PerturbationStudy::new(perturbation)
    };
    let step = Step::start(&format!("{} donors on {}", pairs.len(), backend.describe()));
    let result = study.run(&data, &pairs, |pair| {
        step.say(&format!("donor {} on {}", pair.unit, backend.describe()));
        Ok(backend.clone())
    })?;
    step.finish();
    let files = result.write_report(&a.out, "perturbation-study")?;
    eprintln!("report: {}", files.html.display());
    if a.parquet {
        write_datasets(&a.out, "perturbation-study", &result.sections())?;
    }
    Ok(())
}

/// Writes a study's tables as Parquet datasets under `<out>/parquet/`.
fn write_datasets(out: &Path, name: &str, sections: &[ReportSection]) -> CliResult {
    let dir = out.join("parquet");
    let written = write_study_datasets(&dir, name, sections)?;
    eprintln!("{} Parquet datasets: {}", written.len(), dir.display());
    Ok(())
}

/// The data folder: `--data`, else `./data`, else the repository's `data/`.
pub(super) fn data_dir(given: Option<&Path>) -> Result<PathBuf, String> {
    let candidates: Vec<PathBuf> = match given {
        Some(dir) => vec![dir.to_path_buf()],
        None => vec![
            PathBuf::from("data"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data"),
        ],
    };
    candidates
        .iter()
        .find(|d| d.join("bulk/counts.tsv.gz").is_file())
        .cloned()
        .ok_or_else(|| {
            format!(
                "no processed data found at {}; run from the repository root or give --data <folder with bulk/counts.tsv.gz>",
                candidates[0].display()
            )
        })
}

/// Runs both workflows on the real public data with held-out local engines.
pub fn demo(args: &DemoArgs) -> CliResult {
    let data = data_dir(args.data.as_deref())?;
    let step = Step::start("starting the local engine");
    let out = run_demo(&data, &args.out, |message| step.say(message))?;
    step.finish();
    if args.parquet {
        write_datasets(&args.out, "perturbation-study", &out.study.sections())?;
        write_datasets(&args.out, "label-qc", &out.qc.sections())?;
    }
    let s = &out.study;
    let model = s.mean_metrics(Scored::Model);
    let mean = s.mean_metrics(Scored::MeanEffect);
    let none = s.mean_metrics(Scored::NoChange);
    let f = |v: Option<f64>| v.map_or_else(|| "undefined".to_string(), |x| format!("{x:.3}"));
    super::print(format_args!(
        "Perturbation benchmark (dexamethasone, airway, {} donors each held out of its model):",
        s.units.len()
    ))?;
    super::print(format_args!(
        "  fold-change Pearson r {} (mean-effect baseline {}), MSE {} (no change {}, mean effect {})",
        f(model.pearson),
        f(mean.pearson),
        f(model.mse),
        f(none.mse),
        f(mean.mse)
    ))?;
    if let Some(a) = s.agreement {
        super::print(format_args!(
            "  DE of generated replicates vs real samples: {} vs {} significant genes, {} in both (precision {}, recall {})",
            a.n_generated,
            a.n_observed,
            a.n_both,
            f(a.precision()),
            f(a.recall())
        ))?;
    }
    let flagged = out.qc.flagged();
    let found = out
        .cohort
        .swapped
        .iter()
        .filter(|id| flagged.contains(id))
        .count();
    super::print(format_args!(
        "Label QC ({} GEUVADIS individuals held out of the model, sex labels of {} swapped on purpose):",
        out.cohort.data.n_samples(),
        out.cohort.swapped.len()
    ))?;
    super::print(format_args!(
        "  {} samples flagged, {} of the {} swapped among them",
        flagged.len(),
        found,
        out.cohort.swapped.len()
    ))?;
    super::print(format_args!("Reports:"))?;
    super::print(format_args!("  {}", out.study_files.html.display()))?;
    super::print(format_args!("  {}", out.qc_files.html.display()))?;
    super::print(format_args!(
        "  (and {} TSV tables beside them)",
        out.study_files.tables.len() + out.qc_files.tables.len()
    ))?;
    Ok(())
}
