//! A decoded result with everything it held: the [`Dataset`] and every field
//! the dataset has no place for, kept as sent.

use serde_json::{Map, Value};
use synthbio_core::Dataset;

/// Where a result's gene ids came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneIds {
    /// The result's own `gene_order`.
    FromResult,
    /// The result had none; the model's gene order the client knew (from an
    /// earlier result or [`crate::Client::set_gene_order`]) names them.
    FromModel,
    /// Neither was available: ids are `position_1`, `position_2`, ... (a warning says so).
    Positions,
    /// The result has no expression.
    None,
}

/// A decoded result.
///
/// [`Prediction::dataset`] holds what fits the typed model (expression,
/// metadata or GEM-2 `predicted_metadata`, classifier probabilities, latents,
/// model version); [`Prediction::extra`] and [`Prediction::output_extra`] hold
/// every other field exactly as the server sent it (e.g. GEM-2's
/// `model_release_id` / `vae_run_id` provenance, a self-hosted stream's
/// `request_type`), so nothing is dropped.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// The typed part.
    pub dataset: Dataset,
    /// Where the gene ids came from.
    pub gene_ids: GeneIds,
    /// Whether the expression is metadata prediction's `decoder_sample`.
    pub decoder_sample: bool,
    /// Top-level fields (or Arrow schema metadata) not in the dataset.
    pub extra: Map<String, Value>,
    /// Per output (sample), the fields not in the dataset; empty maps when none.
    pub output_extra: Vec<Map<String, Value>>,
    /// What the decoder noticed (a missing `gene_order`, absent latent rows, ...).
    pub warnings: Vec<String>,
}

impl Prediction {
    /// The names of every per-output field kept raw, sorted, each once.
    pub fn output_extra_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .output_extra
            .iter()
            .flat_map(|m| m.keys().cloned())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// GEM-2 autoencode provenance: per output, `model_release_id` and
    /// `vae_run_id` when the result carries them.
    pub fn provenance(&self) -> Option<Vec<Map<String, Value>>> {
        const KEYS: [&str; 2] = ["model_release_id", "vae_run_id"];
        if !self
            .output_extra
            .iter()
            .any(|m| KEYS.iter().any(|k| m.contains_key(*k)))
        {
            return None;
        }
        Some(
            self.output_extra
                .iter()
                .map(|m| {
                    KEYS.iter()
                        .filter_map(|k| m.get(*k).map(|v| (k.to_string(), v.clone())))
                        .collect()
                })
                .collect(),
        )
    }

    /// One line naming the fields kept outside the dataset, for a warning;
    /// `None` when there are none.
    pub fn raw_fields_note(&self) -> Option<String> {
        let top: Vec<&String> = self.extra.keys().collect();
        let per = self.output_extra_keys();
        if top.is_empty() && per.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        if !top.is_empty() {
            parts.push(format!("top-level {top:?}"));
        }
        if !per.is_empty() {
            parts.push(format!("per sample {per:?}"));
        }
        Some(format!(
            "fields kept outside the typed dataset (in Prediction::extra / output_extra): {}",
            parts.join(", ")
        ))
    }
}
