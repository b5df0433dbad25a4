//! The metadata a model knows: keys, their latent block, their trained values,
//! and metadata coded as level indices.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use synthbio_core::{vocab, LatentBlock, Metadata};

/// Metadata of one sample coded per key: the index of its value among the
/// key's levels, or `None` where unknown.
pub(crate) type Codes = Vec<Option<u16>>;

/// One metadata key and the values the model was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct KeyLevels {
    /// The protocol key.
    pub key: String,
    /// The latent block the key describes.
    pub block: LatentBlock,
    /// Trained values, sorted.
    pub levels: Vec<String>,
}

/// Every key a model knows, in the data's column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Schema {
    /// The keys.
    pub keys: Vec<KeyLevels>,
}

impl Schema {
    /// The keys of `keys` (protocol keys, table order) that have at least one
    /// known value in `rows`, with their values as levels.
    pub fn from_rows(keys: &[String], rows: &[Metadata]) -> Schema {
        let keys = keys
            .iter()
            .filter_map(|key| {
                let spec = vocab::key_spec(key)?;
                let mut levels: Vec<String> =
                    rows.iter().filter_map(|r| r.get(key).cloned()).collect();
                levels.sort();
                levels.dedup();
                (!levels.is_empty()).then(|| KeyLevels {
                    key: key.clone(),
                    block: spec.block,
                    levels,
                })
            })
            .collect();
        Schema { keys }
    }

    /// The index of a key.
    pub fn key_index(&self, key: &str) -> Option<usize> {
        self.keys.iter().position(|k| k.key == key)
    }

    /// The level index of a value of key `k`.
    pub fn level(&self, k: usize, value: &str) -> Option<u16> {
        self.keys[k]
            .levels
            .binary_search_by(|l| l.as_str().cmp(value))
            .ok()
            .map(|i| i as u16)
    }

    /// Codes a metadata map; keys or values the schema does not know are left out
    /// (callers validate first).
    pub fn encode(&self, meta: &Metadata) -> Codes {
        (0..self.keys.len())
            .map(|k| meta.get(&self.keys[k].key).and_then(|v| self.level(k, v)))
            .collect()
    }

    /// Indices of the keys of one block.
    pub fn keys_of(&self, block: LatentBlock) -> Vec<usize> {
        (0..self.keys.len())
            .filter(|&k| self.keys[k].block == block)
            .collect()
    }

    /// One-hot features of a block: one per (key, level) of its keys.
    pub fn features(&self, block: LatentBlock) -> Vec<(u16, u16)> {
        self.keys_of(block)
            .into_iter()
            .flat_map(|k| (0..self.keys[k].levels.len()).map(move |l| (k as u16, l as u16)))
            .collect()
    }

    /// The trained values per key, as `ModelSpec::trained_values` wants them.
    pub fn trained_values(&self) -> BTreeMap<String, Vec<String>> {
        self.keys
            .iter()
            .map(|k| (k.key.clone(), k.levels.clone()))
            .collect()
    }

    /// Protocol keys this schema does not know.
    pub fn unknown_keys(&self) -> Vec<String> {
        vocab::KEYS
            .iter()
            .filter(|k| self.key_index(k.key).is_none())
            .map(|k| k.key.to_string())
            .collect()
    }
}

/// The one-hot row of `codes` over `features` (unknown values give zeros).
pub(crate) fn one_hot(features: &[(u16, u16)], codes: &[Option<u16>]) -> Vec<f64> {
    features
        .iter()
        .map(|&(k, l)| {
            if codes[k as usize] == Some(l) {
                1.0
            } else {
                0.0
            }
        })
        .collect()
}
