//! Engines refitted without each held-out unit, handed out by unit.

use std::collections::BTreeMap;
use std::sync::Arc;
use synthbio::core::Predictor;
use synthbio::engine::Engine;
use synthbio::workflows::WorkflowError;

/// The engine refitted without each unit, each handed out once.
pub(crate) struct Refits(BTreeMap<String, Engine>);

impl Refits {
    /// `engines[k]` refitted without `units[k]`, as the engine's `*_each` refits return them.
    pub(crate) fn new(units: &[String], engines: Vec<Engine>) -> Refits {
        debug_assert_eq!(units.len(), engines.len());
        Refits(units.iter().cloned().zip(engines).collect())
    }

    /// The engine refitted without `unit` (an error naming the unit if there is none).
    pub(crate) fn take(&mut self, unit: &str) -> Result<Arc<dyn Predictor>, WorkflowError> {
        match self.0.remove(unit) {
            Some(engine) => Ok(Arc::new(engine)),
            None => Err(WorkflowError::Backend {
                unit: unit.to_string(),
                source: format!("no engine was refitted without {unit}").into(),
            }),
        }
    }
}
