//! Finding the held-out pairs of a study in a metadata table.

use super::HeldOutPair;
use crate::WorkflowError;
use synthbio_core::Dataset;

/// Rows of `data` whose metadata `key` equals `value`.
fn rows_with(data: &Dataset, key: &str, value: &str) -> Vec<usize> {
    (0..data.n_samples())
        .filter(|&i| data.metadata().get(i, key) == Some(value))
        .collect()
}

/// One pair per unit (value of metadata column `unit_column`, e.g. `donor`)
/// that has both a control sample (`perturbation_type = control`) and a sample
/// treated with `perturbation_ontology_id`, in unit order.
pub fn donor_pairs(
    data: &Dataset,
    unit_column: &str,
    perturbation_ontology_id: &str,
) -> Result<Vec<HeldOutPair>, WorkflowError> {
    let Some(column) = data.metadata().column(unit_column) else {
        return Err(WorkflowError::Design(format!(
            "the metadata has no column {unit_column:?} naming the donor of each sample; add it or name another column"
        )));
    };
    let mut units: Vec<&str> = column.iter().flatten().map(String::as_str).collect();
    units.sort_unstable();
    units.dedup();
    let pairs: Vec<HeldOutPair> = units
        .into_iter()
        .filter_map(|unit| {
            let rows = rows_with(data, unit_column, unit);
            let find = |key: &str, value: &str| {
                rows.iter()
                    .find(|&&i| data.metadata().get(i, key) == Some(value))
                    .map(|&i| data.sample_ids()[i].clone())
            };
            Some(HeldOutPair {
                unit: unit.to_string(),
                reference: find("perturbation_type", "control")?,
                observed: find("perturbation_ontology_id", perturbation_ontology_id)?,
            })
        })
        .collect();
    if pairs.is_empty() {
        return Err(WorkflowError::Design(format!(
            "no {unit_column} has both a control sample (perturbation_type = control) and a {perturbation_ontology_id} sample (perturbation_ontology_id); check the metadata"
        )));
    }
    Ok(pairs)
}
