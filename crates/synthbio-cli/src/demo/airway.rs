//! The perturbation study: airway's dexamethasone, one donor held out at a time.

use super::data::rows_with;
use super::DemoError;
use crate::refits::Refits;
use std::path::Path;
use synthbio::core::{metadata, Dataset, Metadata};
use synthbio::engine::{refit_bulk_without_each, Engine};
use synthbio::workflows::{donor_pairs, PerturbationStudy, PerturbationStudyResult};

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
/// refits run side by side first, on the machine's cores).
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
    let units: Vec<String> = pairs.iter().map(|p| p.unit.clone()).collect();
    let mut refits = Refits::new(&units, refit_bulk_without_each(engine, data_dir, &units)?);
    Ok(PerturbationStudy::new(dexamethasone())
        .run(&airway, &pairs, |pair| refits.take(&pair.unit))?)
}
