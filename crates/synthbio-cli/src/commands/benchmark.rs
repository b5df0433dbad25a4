//! `benchmark`: cell-eval's perturbation metrics of a prediction against real cells,
//! beside baselines built from the real cells.

use super::CliResult;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use synthbio_benchmark::{
    aggregate, aggregate_tsv, baseline, evaluate, score, Evaluation, Expression, Options,
};

/// Arguments of `benchmark`.
#[derive(Args)]
pub struct BenchmarkArgs {
    /// Predicted cells: TSV, one row per cell, first column the cell id, then the
    /// perturbation column and one column per gene (counts or log1p-normalised values).
    #[arg(long)]
    pred: PathBuf,
    /// Real cells, same layout and genes as --pred.
    #[arg(long)]
    real: PathBuf,
    /// Name of the column holding each cell's perturbation.
    #[arg(long, default_value = "perturbation")]
    perturbation_column: String,
    /// Label of the control cells in that column.
    #[arg(long)]
    control: String,
    /// Baselines scored beside the prediction (repeat the flag for several).
    #[arg(long, value_enum, default_values_t = [BaselineArg::MeanEffect, BaselineArg::NoChange])]
    baseline: Vec<BaselineArg>,
    /// Fewest cells a perturbation may have in either file.
    #[arg(long, default_value_t = 2)]
    min_cells: usize,
    /// Per-perturbation table (TSV): one row per predictor and perturbation, cell-eval's
    /// metrics, then direction_nonzero and direction_sig, then wmse, r2_delta and
    /// weighted_r2_delta (Mejia et al. 2025; with 2 perturbations or more). Writes beside it
    /// `<stem>.summary.tsv` (aggregates) and `<stem>.score.tsv` (cell-eval's score of
    /// the prediction against each baseline).
    #[arg(long, short)]
    out: PathBuf,
}

/// Baselines built from the real cells.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BaselineArg {
    /// Every perturbation predicted as the mean of all perturbations (cell-eval's baseline).
    MeanEffect,
    /// Every perturbation predicted as the control.
    NoChange,
    /// A split of the real cells into halves (positive baseline; scored half against half).
    SplitHalves,
}

impl BaselineArg {
    fn name(self) -> &'static str {
        match self {
            BaselineArg::MeanEffect => "mean_effect",
            BaselineArg::NoChange => "no_change",
            BaselineArg::SplitHalves => "split_halves",
        }
    }
}

fn rows(name: &str, ev: &Evaluation, header: bool) -> String {
    let cols: Vec<_> = ev
        .results
        .columns
        .iter()
        .chain(&ev.direction.columns)
        .chain(&ev.weighted.columns)
        .collect();
    let mut s = String::new();
    if header {
        s.push_str("predictor\tperturbation");
        for c in &cols {
            s.push('\t');
            s.push_str(&c.name);
        }
        s.push('\n');
    }
    for (i, p) in ev.results.perturbations.iter().enumerate() {
        s.push_str(&format!("{name}\t{p}"));
        for c in &cols {
            s.push('\t');
            s.push_str(&c.values[i].map_or_else(|| "NA".into(), |v| v.to_string()));
        }
        s.push('\n');
    }
    s
}

fn sibling(out: &std::path::Path, suffix: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!("{stem}.{suffix}.tsv"))
}

/// Scores the prediction and the baselines and writes the three tables.
pub fn benchmark(args: &BenchmarkArgs) -> CliResult {
    let real = Expression::read_tsv(&args.real, &args.perturbation_column)?;
    let pred = Expression::read_tsv(&args.pred, &args.perturbation_column)?;
    let options = Options {
        min_cells: args.min_cells,
    };
    let model = evaluate(&real, &pred, &args.control, options)?;
    let mut table = rows("model", &model, true);
    let mut summary = String::new();
    let mut scores = String::from("baseline\tmetric\tfrom_baseline\tnote\n");
    let agg_rows = |name: &str, ev: &Evaluation| -> String {
        let mut all = ev.summary.clone();
        all.extend(aggregate(&ev.direction));
        all.extend(aggregate(&ev.weighted));
        aggregate_tsv(&all)
            .lines()
            .skip(1)
            .map(|l| format!("{name}\t{l}\n"))
            .collect()
    };
    summary.push_str("predictor\t");
    summary.push_str(aggregate_tsv(&[]).trim_end());
    summary.push('\n');
    summary.push_str(&agg_rows("model", &model));
    for b in &args.baseline {
        let ev = match b {
            BaselineArg::MeanEffect => evaluate(
                &real,
                &baseline::mean_effect(&real, &args.control)?,
                &args.control,
                options,
            )?,
            BaselineArg::NoChange => evaluate(
                &real,
                &baseline::no_change(&real, &args.control)?,
                &args.control,
                options,
            )?,
            BaselineArg::SplitHalves => {
                let (a, h) = baseline::split_halves(&real)?;
                evaluate(&a, &h, &args.control, options)?
            }
        };
        table.push_str(&rows(b.name(), &ev, false));
        summary.push_str(&agg_rows(b.name(), &ev));
        if *b != BaselineArg::SplitHalves {
            for s in score(&model.summary, &ev.summary)? {
                scores.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    b.name(),
                    s.metric,
                    s.from_baseline,
                    s.note.unwrap_or_default()
                ));
            }
        }
    }
    for note in model.results.notes.iter().chain(&model.weighted.notes) {
        eprintln!("note: {note}");
    }
    std::fs::write(&args.out, table)?;
    std::fs::write(sibling(&args.out, "summary"), summary)?;
    std::fs::write(sibling(&args.out, "score"), scores)?;
    eprintln!(
        "wrote {} ({} perturbations), {}, {}",
        args.out.display(),
        model.results.perturbations.len(),
        sibling(&args.out, "summary").display(),
        sibling(&args.out, "score").display()
    );
    Ok(())
}
