//! Engines refitted without each held-out unit, side by side on the machine's cores.

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use synthbio::core::Predictor;
use synthbio::engine::{Engine, EngineError};
use synthbio::workflows::WorkflowError;

/// `refit(unit)` for every unit, in parallel, keyed by unit.
pub(crate) fn refit_each(
    units: &[String],
    refit: impl Fn(&str) -> Result<Engine, EngineError> + Sync,
) -> Refits {
    Refits(units.par_iter().map(|u| (u.clone(), refit(u))).collect())
}

/// The refitted engines, each handed out once.
pub(crate) struct Refits(BTreeMap<String, Result<Engine, EngineError>>);

impl Refits {
    /// The engine refitted without `unit` (an error naming the unit if its refit
    /// failed or was never made).
    pub(crate) fn take(&mut self, unit: &str) -> Result<Arc<dyn Predictor>, WorkflowError> {
        let backend = |source: Box<dyn std::error::Error + Send + Sync>| WorkflowError::Backend {
            unit: unit.to_string(),
            source,
        };
        match self.0.remove(unit) {
            Some(Ok(engine)) => Ok(Arc::new(engine)),
            Some(Err(e)) => Err(backend(Box::new(e))),
            None => Err(backend(
                format!("no engine was refitted without {unit}").into(),
            )),
        }
    }
}
