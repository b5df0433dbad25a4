//! Refits without held-out units: engines that never saw what they are tested on.

use super::{fit, read_modality, FitConfig};
use crate::io::RawSet;
use crate::model::Model;
use crate::{Engine, EngineError};
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
    let known: BTreeSet<&str> = raw.donors.iter().flatten().map(String::as_str).collect();
    if let Some(unknown) = held_out.iter().find(|d| !known.contains(d.as_str())) {
        return Err(unknown_value(
            "donor",
            unknown,
            &data_dir.join("bulk/samples.tsv"),
            known,
        ));
    }
    let keep: Vec<usize> = (0..raw.n_samples())
        .filter(|&i| !raw.donors[i].as_ref().is_some_and(|d| held_out.contains(d)))
        .collect();
    refit(engine, &raw, &keep, Modality::Bulk)
}

/// The single-cell model refitted on `data_dir` without the perturbed cells
/// of one cell type (`cell_type_ontology_id` of `sc/cells.tsv`; its control
/// cells stay, as a reference given to the model would), beside `engine`'s
/// bulk model: an engine that has never seen that cell type's response to any
/// perturbation, as `evaluate` holds cell types out.
///
/// An unknown cell type is an error that lists the known ones.
pub fn refit_sc_without_treated(
    engine: &Engine,
    data_dir: &Path,
    cell_type_ontology_id: &str,
) -> Result<Engine, EngineError> {
    let raw = read_modality(data_dir, Modality::SingleCell)?;
    let value = |i: usize, key: &str| raw.metadata[i].get(key).map(String::as_str);
    let known: BTreeSet<&str> = (0..raw.n_samples())
        .filter_map(|i| value(i, "cell_type_ontology_id"))
        .collect();
    if !known.contains(cell_type_ontology_id) {
        return Err(unknown_value(
            "cell_type_ontology_id",
            cell_type_ontology_id,
            &data_dir.join("sc/cells.tsv"),
            known,
        ));
    }
    let keep: Vec<usize> = (0..raw.n_samples())
        .filter(|&i| {
            value(i, "cell_type_ontology_id") != Some(cell_type_ontology_id)
                || value(i, "perturbation_type") == Some("control")
        })
        .collect();
    refit(engine, &raw, &keep, Modality::SingleCell)
}

/// `engine` with its `modality` model refitted on the samples `keep` of `raw`.
fn refit(
    engine: &Engine,
    raw: &RawSet,
    keep: &[usize],
    modality: Modality,
) -> Result<Engine, EngineError> {
    let params = fit(&raw.select(keep), &FitConfig::for_modality(modality))?;
    Ok(engine.with_model(Model::new(params)?))
}

fn unknown_value(key: &str, value: &str, table: &Path, known: BTreeSet<&str>) -> EngineError {
    EngineError::Training(format!(
        "no sample of {} has {key} {value:?}; the known values are: {}",
        table.display(),
        known.into_iter().collect::<Vec<_>>().join(", ")
    ))
}
