//! `bulk/label_corrections.tsv`: source labels the expression contradicts,
//! corrected when the data are read, each with its evidence. The source
//! tables stay as published; the correction is explicit and checked.

use super::tables::{column, read_table};
use crate::EngineError;
use std::collections::BTreeMap;
use std::path::Path;

/// The file name, under `bulk/`.
pub(crate) const FILE: &str = "label_corrections.tsv";

/// One corrected label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The sample.
    pub sample_id: String,
    /// The protocol key.
    pub key: String,
    /// The value the source publishes.
    pub source_value: String,
    /// The value the data support.
    pub corrected_value: String,
    /// Why.
    pub evidence: String,
}

/// Reads `bulk/label_corrections.tsv` (no file: no corrections) and applies
/// it to `metadata` (one map per sample of `sample_ids`). A correction whose
/// sample is unknown, or whose source value is not the value in the samples
/// table, is an error: the correction is stale.
pub(crate) fn apply_corrections(
    data_dir: &Path,
    sample_ids: &[String],
    metadata: &mut [BTreeMap<String, String>],
) -> Result<Vec<Correction>, EngineError> {
    let path = data_dir.join("bulk").join(FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let table = read_table(&path, "sample_id")?;
    let col = |name: &str| column(&table, &path, name);
    let (key_c, from_c, to_c, why_c) = (
        col("key")?,
        col("source_value")?,
        col("corrected_value")?,
        col("evidence")?,
    );
    let mut out = Vec::new();
    for (r, sample) in table.sample_ids().iter().enumerate() {
        let cell = |c: usize, name: &str| {
            table.get(r, c).map(str::to_string).ok_or_else(|| {
                EngineError::data(
                    &path,
                    format!("the correction of sample {sample} has an empty {name:?}; fill it in"),
                )
            })
        };
        let c = Correction {
            sample_id: sample.clone(),
            key: cell(key_c, "key")?,
            source_value: cell(from_c, "source_value")?,
            corrected_value: cell(to_c, "corrected_value")?,
            evidence: cell(why_c, "evidence")?,
        };
        let i = sample_ids.iter().position(|s| s == sample).ok_or_else(|| {
            EngineError::data(
                &path,
                format!("corrects sample {sample:?}, which bulk/samples.tsv does not list; remove the row"),
            )
        })?;
        let current = metadata[i].get(&c.key).map(String::as_str);
        if current != Some(c.source_value.as_str()) {
            return Err(EngineError::data(
                &path,
                format!(
                    "corrects {} of sample {sample} from {:?}, but bulk/samples.tsv says {current:?}; update or remove the row",
                    c.key, c.source_value
                ),
            ));
        }
        metadata[i].insert(c.key.clone(), c.corrected_value.clone());
        out.push(c);
    }
    Ok(out)
}
