//! Refits without held-out units: engines that never saw what they are tested on.

use super::{fit, read_modality, FitConfig};
use crate::io::RawSet;
use crate::model::Model;
use crate::{Engine, EngineError};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;
use synthbio_core::Modality;

/// The bulk model refitted on `data_dir` without the samples of `held_out`
/// donors (the `donor` column of `bulk/samples.tsv`: technical replicates
/// leave with their donor), beside `engine`'s single-cell model: an engine
/// that has never seen those donors, for honest held-out studies.
///
/// An unknown donor is an error that lists the known ones.
pub fn refit_bulk_without(
    engine: &Engine,
    data_dir: &Path,
    held_out: &[String],
) -> Result<Engine, EngineError> {
    let raw = read_modality(data_dir, Modality::Bulk)?;
    check_known(&raw, "donor", held_out, &data_dir.join("bulk/samples.tsv"))?;
    let config = FitConfig::for_modality(raw.modality);
    refit(engine, &raw, &config, |i| {
        !is_of(&raw, i, "donor", held_out)
    })
}

/// One engine per donor of `donors`, each [`refit_bulk_without`] that donor
/// alone; the data are read once and the refits run side by side.
pub fn refit_bulk_without_each(
    engine: &Engine,
    data_dir: &Path,
    donors: &[String],
) -> Result<Vec<Engine>, EngineError> {
    let raw = read_modality(data_dir, Modality::Bulk)?;
    check_known(&raw, "donor", donors, &data_dir.join("bulk/samples.tsv"))?;
    let config = FitConfig::for_modality(raw.modality);
    donors
        .par_iter()
        .map(|d| {
            refit(engine, &raw, &config, |i| {
                !is_of(&raw, i, "donor", std::slice::from_ref(d))
            })
        })
        .collect()
}

/// One engine per cell type of `cell_types` (`cell_type_ontology_id` of
/// `sc/cells.tsv`), each with the single-cell model refitted on `data_dir`
/// without that cell type's perturbed cells (its control cells stay, as a
/// reference given to the model would) beside `engine`'s bulk model: engines
/// that never saw that cell type's response to any perturbation, as
/// `evaluate` holds cell types out. The data are read once and the refits run
/// side by side. They serve reference conditioning: their metadata
/// classifiers read the latents alone (no expression heads, which cost most
/// of a single-cell fit).
///
/// An unknown cell type is an error that lists the known ones.
pub fn refit_sc_without_treated_each(
    engine: &Engine,
    data_dir: &Path,
    cell_types: &[String],
) -> Result<Vec<Engine>, EngineError> {
    let raw = read_modality(data_dir, Modality::SingleCell)?;
    let key = "cell_type_ontology_id";
    check_known(&raw, key, cell_types, &data_dir.join("sc/cells.tsv"))?;
    // reference conditioning reads latents alone: no expression heads
    let config = FitConfig {
        expression_heads: false,
        ..FitConfig::for_modality(raw.modality)
    };
    cell_types
        .par_iter()
        .map(|t| {
            refit(engine, &raw, &config, |i| {
                !is_of(&raw, i, key, std::slice::from_ref(t))
                    || raw.metadata[i].get("perturbation_type").map(String::as_str)
                        == Some("control")
            })
        })
        .collect()
}

/// The value of `key` of sample `i` (the donor for `donor`).
fn value<'a>(raw: &'a RawSet, i: usize, key: &str) -> Option<&'a str> {
    if key == "donor" {
        raw.donors[i].as_deref()
    } else {
        raw.metadata[i].get(key).map(String::as_str)
    }
}

fn is_of(raw: &RawSet, i: usize, key: &str, values: &[String]) -> bool {
    value(raw, i, key).is_some_and(|v| values.iter().any(|x| x == v))
}

/// Refuses a held-out value no sample has, listing the known ones.
fn check_known(
    raw: &RawSet,
    key: &str,
    wanted: &[String],
    table: &Path,
) -> Result<(), EngineError> {
    let known: BTreeSet<&str> = (0..raw.n_samples())
        .filter_map(|i| value(raw, i, key))
        .collect();
    match wanted.iter().find(|w| !known.contains(w.as_str())) {
        None => Ok(()),
        Some(unknown) => Err(EngineError::Training(format!(
            "no sample of {} has {key} {unknown:?}; the known values are: {}",
            table.display(),
            known.into_iter().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// `engine` with the model of `raw`'s modality refitted by `config` on the
/// samples `keep` accepts.
fn refit(
    engine: &Engine,
    raw: &RawSet,
    config: &FitConfig,
    keep: impl Fn(usize) -> bool,
) -> Result<Engine, EngineError> {
    let rows: Vec<usize> = (0..raw.n_samples()).filter(|&i| keep(i)).collect();
    let params = fit(&raw.select(&rows), config)?;
    Ok(engine.with_model(Model::new(params)?))
}
