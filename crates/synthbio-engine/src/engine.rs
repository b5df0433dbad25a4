//! The engine: both models, the six model ids, and the `Predictor` trait.

use crate::model::Model;
use crate::params::{file_name, ModelParams};
use crate::predict::{baseline, predict_metadata, reference_conditioning};
use crate::EngineError;
use std::path::Path;
use synthbio_core::{
    validate, Family, ListedModel, Modality, ModelId, ModelInfo, PredictError, Predictor, Query,
    SamplingStrategy,
};

/// The shipped model files, compiled in.
static EMBEDDED_BULK: &[u8] = include_bytes!("../../../data/models/gem-1-bulk.model");
static EMBEDDED_SC: &[u8] = include_bytes!("../../../data/models/gem-1-sc.model");

/// The six GEM models offline: `gem-1-bulk` and `gem-1-sc` with their
/// `_predict-metadata` and `_reference-conditioning` variants, served
/// in-process through [`Predictor`].
#[derive(Debug, Clone)]
pub struct Engine {
    bulk: Model,
    sc: Model,
}

impl Engine {
    /// The models shipped in `data/models/`, compiled into the binary: works
    /// from any directory, with no files and no network.
    pub fn embedded() -> Result<Engine, EngineError> {
        Engine::from_bytes(EMBEDDED_BULK, EMBEDDED_SC)
    }

    /// The models in `dir` (`gem-1-bulk.model`, `gem-1-sc.model`), as written by
    /// [`crate::train`].
    pub fn load(dir: &Path) -> Result<Engine, EngineError> {
        let read = |m: Modality| {
            let path = dir.join(file_name(m));
            std::fs::read(&path).map_err(|e| EngineError::io(path, e))
        };
        Engine::from_bytes(&read(Modality::Bulk)?, &read(Modality::SingleCell)?)
    }

    /// The models from model file bytes.
    pub fn from_bytes(bulk: &[u8], sc: &[u8]) -> Result<Engine, EngineError> {
        let load = |m: Modality, bytes: &[u8]| -> Result<Model, EngineError> {
            let params = ModelParams::from_bytes(file_name(m), bytes)?;
            if params.modality != m {
                return Err(EngineError::ModelFile {
                    name: file_name(m).into(),
                    message: format!("holds a {:?} model", params.modality),
                });
            }
            Model::new(params)
        };
        Ok(Engine {
            bulk: load(Modality::Bulk, bulk)?,
            sc: load(Modality::SingleCell, sc)?,
        })
    }

    /// This engine with `model` in place of the model of its modality.
    pub(crate) fn with_model(&self, model: Model) -> Engine {
        let mut engine = self.clone();
        match model.params.modality {
            Modality::Bulk => engine.bulk = model,
            Modality::SingleCell => engine.sc = model,
        }
        engine
    }

    /// The model ids served, in listing order.
    pub fn model_ids() -> Vec<ModelId> {
        ["gem-1-bulk", "gem-1-sc"]
            .iter()
            .flat_map(|base| {
                ["", "_predict-metadata", "_reference-conditioning"]
                    .iter()
                    .map(move |suffix| ModelId::new(format!("{base}{suffix}")))
            })
            .collect()
    }

    /// The gene order of a modality's models.
    pub fn gene_ids(&self, modality: Modality) -> &[String] {
        &self.model(modality).params.gene_ids
    }

    pub(crate) fn model(&self, modality: Modality) -> &Model {
        match modality {
            Modality::Bulk => &self.bulk,
            Modality::SingleCell => &self.sc,
        }
    }

    /// The model and family behind a served id.
    pub(crate) fn resolve(&self, id: &ModelId) -> Result<(&Model, Family), PredictError> {
        if !Engine::model_ids().contains(id) {
            return Err(PredictError::UnknownModel(id.to_string()));
        }
        match (id.modality(), id.family()) {
            (Some(m), Some(f)) => Ok((self.model(m), f)),
            _ => Err(PredictError::UnknownModel(id.to_string())),
        }
    }
}

impl Engine {
    /// The full description of every model served.
    pub fn catalogue(&self) -> Vec<ModelInfo> {
        Engine::model_ids()
            .into_iter()
            .filter_map(|id| {
                let (model, family) = self.resolve(&id).ok()?;
                Some(ModelInfo {
                    model_id: id.to_string(),
                    family,
                    modality: model.params.modality,
                    model_version: model.params.model_version.clone(),
                    n_genes: model.n_genes(),
                    latent_dims: model.latent_dims(),
                    spec: model.spec.clone(),
                })
            })
            .collect()
    }
}

impl Predictor for Engine {
    fn models(&self) -> Result<Vec<ListedModel>, PredictError> {
        Ok(self
            .catalogue()
            .into_iter()
            .map(ListedModel::from)
            .collect())
    }

    fn describe(&self) -> String {
        "the local engine (offline, in-process)".to_string()
    }

    fn reads_measured_mask(&self) -> bool {
        true
    }

    fn gene_order(&self, model: &ModelId) -> Option<Vec<String>> {
        let (model, _) = self.resolve(model).ok()?;
        Some(model.params.gene_ids.clone())
    }

    fn example_query(&self, id: &ModelId) -> Result<Query, PredictError> {
        let (model, family) = self.resolve(id)?;
        let ex = &model.params.examples;
        let counts = || ex.reference_counts.iter().map(|&c| f64::from(c));
        let query = match family {
            Family::Baseline => Query::baseline(SamplingStrategy::MeanEstimation)
                .with_input(ex.reference_metadata.clone(), 2)
                .with_seed(42),
            Family::ReferenceConditioning => {
                Query::reference_conditioning(SamplingStrategy::MeanEstimation)
                    .with_reference(counts(), ex.perturbation.clone(), 1)
                    .with_seed(42)
            }
            Family::MetadataPrediction => {
                Query::metadata_prediction([counts().collect::<Vec<_>>()]).with_seed(42)
            }
        };
        Ok(query)
    }

    fn predict(&self, id: &ModelId, query: &Query) -> Result<synthbio_core::Dataset, PredictError> {
        let (model, family) = self.resolve(id)?;
        validate(id, query, Some(&model.spec))?;
        match family {
            Family::Baseline => baseline(model, query),
            Family::MetadataPrediction => predict_metadata(model, query),
            Family::ReferenceConditioning => reference_conditioning(model, query),
        }
    }
}
