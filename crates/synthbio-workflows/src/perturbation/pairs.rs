//! Finding the perturbations of a metadata table and their held-out pairs.

use super::HeldOutPair;
use crate::WorkflowError;
use synthbio_core::{Dataset, LatentBlock, Metadata};

/// Rows of `data` whose metadata `key` equals `value`.
fn rows_with(data: &Dataset, key: &str, value: &str) -> Vec<usize> {
    (0..data.n_samples())
        .filter(|&i| data.metadata().get(i, key) == Some(value))
        .collect()
}

/// The perturbation of row `i`: its known perturbation keys (`perturbation_type`,
/// `_ontology_id`, `_dose`, `_time`); `None` for controls and unlabelled rows.
pub fn perturbation_of(data: &Dataset, i: usize) -> Option<Metadata> {
    let meta = data.metadata();
    let kind = meta.get(i, "perturbation_type")?;
    if kind == "control" || kind.is_empty() {
        return None;
    }
    Some(
        synthbio_core::vocab::keys_of(LatentBlock::Perturbation)
            .filter_map(|k| {
                meta.get(i, k)
                    .filter(|v| !v.is_empty())
                    .map(|v| (k.to_string(), v.to_string()))
            })
            .collect(),
    )
}

/// The distinct perturbations of `data` ([`perturbation_of`] each row), sorted.
pub fn perturbations_of(data: &Dataset) -> Vec<Metadata> {
    let mut all: Vec<Metadata> = (0..data.n_samples())
        .filter_map(|i| perturbation_of(data, i))
        .collect();
    all.sort();
    all.dedup();
    all
}

/// How a perturbation is named in tables: its ontology id, else its type.
pub fn perturbation_label(perturbation: &Metadata) -> String {
    perturbation
        .get("perturbation_ontology_id")
        .or_else(|| perturbation.get("perturbation_type"))
        .cloned()
        .unwrap_or_default()
}

/// One pair per unit (value of metadata column `unit_column`, e.g. `donor`)
/// that has both a control sample (`perturbation_type = control`) and a sample
/// treated with `perturbation_ontology_id`, in unit order.
pub fn donor_pairs(
    data: &Dataset,
    unit_column: &str,
    perturbation_ontology_id: &str,
) -> Result<Vec<HeldOutPair>, WorkflowError> {
    let pairs = pairs_where(data, unit_column, |i| {
        data.metadata().get(i, "perturbation_ontology_id") == Some(perturbation_ontology_id)
    })?;
    if pairs.is_empty() {
        return Err(WorkflowError::Design(format!(
            "no {unit_column} has both a control sample (perturbation_type = control) and a {perturbation_ontology_id} sample (perturbation_ontology_id); check the metadata"
        )));
    }
    Ok(pairs)
}

/// One pair per unit of `unit_column` that has a control sample and a sample
/// treated with exactly `perturbation` (its [`perturbation_of`] equal, so a dose
/// or time of the same compound is another perturbation), in unit order (empty
/// when none has both).
pub fn pairs_for(
    data: &Dataset,
    unit_column: &str,
    perturbation: &Metadata,
) -> Result<Vec<HeldOutPair>, WorkflowError> {
    pairs_where(data, unit_column, |i| {
        perturbation_of(data, i).as_ref() == Some(perturbation)
    })
}

/// One pair per unit with a control sample and a sample `treated` accepts.
fn pairs_where(
    data: &Dataset,
    unit_column: &str,
    treated: impl Fn(usize) -> bool,
) -> Result<Vec<HeldOutPair>, WorkflowError> {
    let Some(column) = data.metadata().column(unit_column) else {
        return Err(WorkflowError::Design(format!(
            "the metadata has no column {unit_column:?} naming the donor of each sample; add it or name another column"
        )));
    };
    let mut units: Vec<&str> = column.iter().flatten().map(String::as_str).collect();
    units.sort_unstable();
    units.dedup();
    Ok(units
        .into_iter()
        .filter_map(|unit| {
            let rows = rows_with(data, unit_column, unit);
            let id = |i: &usize| data.sample_ids()[*i].clone();
            Some(HeldOutPair {
                unit: unit.to_string(),
                reference: rows
                    .iter()
                    .find(|&&i| data.metadata().get(i, "perturbation_type") == Some("control"))
                    .map(id)?,
                observed: rows.iter().find(|&&i| treated(i)).map(id)?,
            })
        })
        .collect())
}
