//! A perturbation benchmark study on the local engine: dexamethasone on the
//! airway smooth-muscle donors, each donor held out of the model that
//! predicts it, scored against the no-change and mean-effect baselines.
//!
//! ```text
//! cargo run --release -p synthbio-cli --example perturbation_study -- [out-dir]
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use synthbio::core::{metadata, Modality};
use synthbio::engine::{refit_bulk_without, Engine};
use synthbio::io::{
    align_genes, attach_metadata, read_counts, read_metadata, AlignOptions, CountsOptions,
};
use synthbio::workflows::{donor_pairs, PerturbationStudy, WorkflowError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("reports"), PathBuf::from);
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let engine = Engine::embedded()?;

    // Real samples: raw counts and metadata, in the model's gene order.
    // Genes a dataset did not measure (empty cells) stay unmeasured, never zero.
    let options = CountsOptions::default();
    let (counts, _) = read_counts(&data_dir.join("bulk/counts.tsv.gz"), &options)?;
    let (mut all, _) = align_genes(
        &counts,
        engine.gene_ids(Modality::Bulk),
        &AlignOptions::default(),
    )?;
    attach_metadata(
        &mut all,
        &read_metadata(&data_dir.join("bulk/samples.tsv"))?,
    )?;
    let airway_rows: Vec<usize> = (0..all.n_samples())
        .filter(|&i| all.metadata().get(i, "dataset") == Some("airway"))
        .collect();
    let airway = all.select_samples(&airway_rows);

    // One (untreated reference, treated observation) pair per donor.
    let pairs = donor_pairs(&airway, "donor", "CHEBI:41879")?;
    let dexamethasone = metadata([
        ("perturbation_type", "compound"),
        ("perturbation_ontology_id", "CHEBI:41879"),
        ("perturbation_dose", "1 um"),
        ("perturbation_time", "18 hours"),
    ]);

    // Each donor's queries run on an engine that never saw that donor; with
    // the hosted service, return `synthbio::backend::from_env()?` here instead.
    let result = PerturbationStudy::new(dexamethasone).run(&airway, &pairs, |pair| {
        let engine = refit_bulk_without(&engine, &data_dir, std::slice::from_ref(&pair.unit))
            .map_err(|e| WorkflowError::Backend {
                unit: pair.unit.clone(),
                source: Box::new(e),
            })?;
        Ok(Arc::new(engine))
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
