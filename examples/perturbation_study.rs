//! A perturbation benchmark study on the local engine: dexamethasone on the
//! airway smooth-muscle donors, each donor held out of the model that
//! predicts it, scored against the no-change and mean-effect baselines.
//!
//! ```text
//! cargo run --release -p synthbio --example perturbation_study -- [out-dir]
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use synthbio::engine::{refit_bulk_without, Engine};
use synthbio::workflows::demo::{dexamethasone, donor_pairs, read_bulk_samples};
use synthbio::workflows::PerturbationStudy;
use synthbio::Backend;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("reports"), PathBuf::from);
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let engine = Engine::embedded()?;

    // Real samples: raw counts and metadata, in the model's gene order.
    let all = read_bulk_samples(&data_dir, &engine)?;
    let airway_rows: Vec<usize> = (0..all.n_samples())
        .filter(|&i| all.metadata().get(i, "dataset") == Some("airway"))
        .collect();
    let airway = all.select_samples(&airway_rows);

    // One (untreated reference, treated observation) pair per donor.
    let pairs = donor_pairs(&airway, "donor", "CHEBI:41879")?;

    // Each donor's queries run on an engine that never saw that donor; with
    // the hosted service, return `Backend::from_env()` here instead.
    let study = PerturbationStudy {
        replicates: 3,
        ..PerturbationStudy::new(dexamethasone())
    };
    let result = study.run(&airway, &pairs, |pair| {
        let engine = refit_bulk_without(&engine, &data_dir, std::slice::from_ref(&pair.unit))?;
        Ok(Backend::Local(Arc::new(engine)))
    })?;

    for unit in &result.units {
        let b = &unit.benchmark;
        println!(
            "{}: Pearson r {:.3} (mean effect {:.3}), MSE {:.4} (no change {:.4})",
            unit.pair.unit,
            b.model.all.pearson.unwrap_or(f64::NAN),
            b.mean_effect
                .and_then(|m| m.all.pearson)
                .unwrap_or(f64::NAN),
            b.model.all.mse,
            b.no_change.all.mse,
        );
    }
    let files = result.write_report(&out, "perturbation-study")?;
    println!("report: {}", files.html.display());
    Ok(())
}
