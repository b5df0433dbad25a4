//! `sweep`: every perturbation of the training data held out by donor or cell type,
//! scored on the local engine beside the baselines, as one table.

use super::progress::Step;
use super::workflow::data_dir;
use super::CliResult;
use clap::Args;
use std::path::{Path, PathBuf};
use synthbio_cli::sweep::{run_sweep, SweepOptions};

/// Arguments of `sweep`.
#[derive(Args)]
pub struct SweepArgs {
    /// The processed data folder (default: ./data, else the repository's data/).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The table (TSV): a row per perturbation, held-out context and metric, then the
    /// mean over contexts (held_out = all); columns model, no_change,
    /// mean_training_effect, other_contexts, split_halves. Its notes go to
    /// `<stem>.notes.txt` beside it, and its report to `<stem>.html` (with a TSV per
    /// report table).
    #[arg(long, short, default_value = "sweep.tsv")]
    out: PathBuf,
    /// Most cells per condition and cell type in the single-cell studies.
    #[arg(long, default_value_t = SweepOptions::default().max_cells)]
    max_cells: usize,
    /// Library size of the predicted cells (default: each reference cell's own, so
    /// predicted and real cells are counted alike).
    #[arg(long)]
    total_count: Option<u64>,
    /// Hold out only this context (a donor, a cell type ontology id); repeat for
    /// several. The others still train the models and make the other-contexts baseline.
    #[arg(long)]
    held_out: Vec<String>,
    /// Only this perturbation (its ontology id, else its type); repeat for several.
    #[arg(long)]
    perturbation: Vec<String>,
}

/// Runs the sweep and writes its table and notes.
pub fn sweep(args: &SweepArgs) -> CliResult {
    let data = data_dir(args.data.as_deref())?;
    let options = SweepOptions {
        max_cells: args.max_cells,
        total_count: args.total_count,
        only: args.perturbation.clone(),
        held_out: args.held_out.clone(),
    };
    let step = Step::start("starting the local engine");
    let sweep = run_sweep(&data, &options, |message| step.say(message))?;
    step.finish();
    if sweep.perturbations.is_empty() {
        return Err(format!(
            "no perturbation was scored (--perturbation {:?}, --held-out {:?}; labels are the ontology ids, else types, of the data's perturbations): {}",
            args.perturbation,
            args.held_out,
            sweep.notes.join("; ")
        )
        .into());
    }
    let dir = args
        .out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the folder of --out {}: {e}", dir.display()))?;
    let table = sweep.to_tsv();
    synthbio::io::write_atomic(&args.out, |w| w.write_all(table.as_bytes()))?;
    let stem = args.out.file_stem().unwrap_or_default().to_string_lossy();
    let notes_path = args.out.with_file_name(format!("{stem}.notes.txt"));
    let notes: String = sweep.notes.iter().map(|n| format!("{n}\n")).collect();
    synthbio::io::write_atomic(&notes_path, |w| w.write_all(notes.as_bytes()))?;
    let report = sweep.write_report(dir, &stem)?;
    for p in &sweep.perturbations {
        let means = p.means();
        let find = |metric: &str| means.iter().find(|m| m.metric == metric);
        let f = |v: Option<f64>| v.map_or_else(|| "NA".to_string(), |x| format!("{x:.3}"));
        super::print(format_args!(
            "{} on {}, {} held out by {}:",
            p.perturbation,
            p.model,
            p.contexts.len(),
            p.held_out_by
        ))?;
        for metric in ["pearson_delta", "mse"] {
            if let Some(m) = find(metric) {
                let v = &m.values;
                super::print(format_args!(
                    "  {metric}: model {} | no change {} | other contexts {} | split halves {}",
                    f(v[0]),
                    f(v[1]),
                    f(v[3]),
                    f(v[4])
                ))?;
            }
        }
    }
    eprintln!(
        "wrote {}, {} ({} notes) and the report {}",
        args.out.display(),
        notes_path.display(),
        sweep.notes.len(),
        report.html.display()
    );
    Ok(())
}
