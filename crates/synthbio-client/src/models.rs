//! Entries of `GET /api/models`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use synthbio_core::{ModelId, ModelInfo};

/// One model a server lists: its id and whatever else the server says about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedModel {
    /// The model id.
    pub model_id: String,
    /// Every other field, as the server sent it.
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

impl ListedModel {
    /// The id as a [`ModelId`].
    pub fn id(&self) -> ModelId {
        ModelId::new(self.model_id.clone())
    }

    /// The full description, when the server gives synthbio's [`ModelInfo`]
    /// (as `synthbio serve` does); `None` for other servers' shapes.
    pub fn info(&self) -> Option<ModelInfo> {
        let mut m = self.details.clone();
        m.insert("model_id".into(), Value::String(self.model_id.clone()));
        serde_json::from_value(Value::Object(m)).ok()
    }
}
