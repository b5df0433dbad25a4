//! Training: rebuilds the model files of `data/models/` from `data/` exactly.

mod classifiers;
mod config;
mod dispersion;
mod effects;
mod expression;
mod fit;
pub(crate) mod prep;
mod priors;
mod refit;
mod regress;
mod sex;
mod shared_residual;

pub(crate) use config::FitConfig;
pub(crate) use fit::{fit, fit_counting_effects};
pub use refit::{refit_bulk_without, refit_bulk_without_each, refit_sc_without_treated_each};

use crate::io::{read_bulk, read_sc, RawSet};
use crate::params::file_name;
use crate::EngineError;
use std::fmt;
use std::path::{Path, PathBuf};
use synthbio_core::Modality;

/// What training produced, per modality.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSummary {
    /// One entry per model file written.
    pub models: Vec<TrainedModel>,
}

/// One trained model file.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainedModel {
    /// Bulk or single cell.
    pub modality: Modality,
    /// The file written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
    /// Training samples (cells for single cell).
    pub n_samples: usize,
    /// Genes.
    pub n_genes: usize,
    /// Latent dimensions: biological, technical, perturbation.
    pub latent_dims: [usize; 3],
    /// Perturbation effects learned from treated-vs-control pairs (one per
    /// perturbation and, for single cell, cell type).
    pub n_effects: usize,
    /// The version string results report.
    pub model_version: String,
}

impl fmt::Display for TrainSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.models {
            writeln!(
                f,
                "{}: {} samples x {} genes, latent dims {}/{}/{} (biological/technical/perturbation), {} perturbation effects -> {} ({} bytes)",
                m.model_version,
                m.n_samples,
                m.n_genes,
                m.latent_dims[0],
                m.latent_dims[1],
                m.latent_dims[2],
                m.n_effects,
                m.path.display(),
                m.bytes
            )?;
        }
        Ok(())
    }
}

/// Trains both models on the processed data in `data_dir` (bulk from
/// `bulk/`, single cell from `sc/`) and writes `gem-1-bulk.model` and
/// `gem-1-sc.model` to `out_dir`. The same data give the same bytes.
pub fn train(data_dir: &Path, out_dir: &Path) -> Result<TrainSummary, EngineError> {
    std::fs::create_dir_all(out_dir).map_err(|e| EngineError::io(out_dir, e))?;
    let mut models = Vec::new();
    for modality in [Modality::Bulk, Modality::SingleCell] {
        let raw = read_modality(data_dir, modality)?;
        let (params, n_effects) = fit_counting_effects(&raw, &FitConfig::for_modality(modality))?;
        let bytes = params.to_bytes()?;
        let path = out_dir.join(file_name(modality));
        let io_err = |e: std::io::Error| EngineError::io(&path, e);
        synthbio_core::fs::write_atomic(&path, |w| w.write_all(&bytes).map_err(io_err), io_err)?;
        models.push(TrainedModel {
            modality,
            path,
            bytes: bytes.len(),
            n_samples: raw.n_samples(),
            n_genes: raw.n_genes(),
            latent_dims: params.dims.map(|d| d as usize),
            n_effects,
            model_version: params.model_version.clone(),
        });
    }
    Ok(TrainSummary { models })
}

/// Reads one modality's processed data.
pub(crate) fn read_modality(data_dir: &Path, modality: Modality) -> Result<RawSet, EngineError> {
    match modality {
        Modality::Bulk => read_bulk(data_dir),
        Modality::SingleCell => read_sc(data_dir),
    }
}
