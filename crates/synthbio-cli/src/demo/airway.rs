//! The perturbation study: airway's dexamethasone, one donor held out at a time.

use super::data::rows_with;
use super::DemoError;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use synthbio::core::{metadata, Dataset, Metadata};
use synthbio::engine::{refit_bulk_without, Engine, EngineError};
use synthbio::workflows::{donor_pairs, PerturbationStudy, PerturbationStudyResult, WorkflowError};

/// Dexamethasone as the airway study applied it (1 uM for 18 hours).
pub fn dexamethasone() -> Metadata {
    metadata([
        ("perturbation_type", "compound"),
        ("perturbation_ontology_id", "CHEBI:41879"),
        ("perturbation_dose", "1 um"),
        ("perturbation_time", "18 hours"),
    ])
}

/// The airway dexamethasone study, leaving one donor out at a time: each
/// donor's queries run on the shipped engine refitted without that donor (the
/// refits run side by side first).
pub fn airway_study(
    data_dir: &Path,
    engine: &Engine,
    data: &Dataset,
    mut progress: impl FnMut(&str),
) -> Result<PerturbationStudyResult, DemoError> {
    let airway = data.select_samples(&rows_with(data, "dataset", "airway"));
    let pairs = donor_pairs(&airway, "donor", "CHEBI:41879")?;
    progress(&format!(
        "refitting the bulk model without each of the {} donors",
        pairs.len()
    ));
    let mut refits: BTreeMap<String, Result<Engine, EngineError>> = std::thread::scope(|s| {
        let running: Vec<_> = pairs
            .iter()
            .map(|pair| {
                let unit = pair.unit.clone();
                let refit = s.spawn(move || {
                    refit_bulk_without(engine, data_dir, std::slice::from_ref(&unit))
                });
                (pair.unit.clone(), refit)
            })
            .collect();
        running
            .into_iter()
            .map(|(unit, refit)| {
                let refit = refit
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
                (unit, refit)
            })
            .collect()
    });
    let study = PerturbationStudy::new(dexamethasone()).run(&airway, &pairs, |pair| {
        let refit = refits
            .remove(&pair.unit)
            .unwrap_or_else(|| {
                Err(EngineError::Training(format!(
                    "no refit for donor {}",
                    pair.unit
                )))
            })
            .map_err(|e| WorkflowError::Backend {
                unit: pair.unit.clone(),
                source: Box::new(e),
            })?;
        Ok(Arc::new(refit))
    })?;
    Ok(study)
}
