//! The mislabeled-sample QC study: do the claimed labels agree with what the
//! expression says?

mod report;
mod suspects;

pub use suspects::Suspect;

use crate::WorkflowError;
use synthbio_core::{check_same_gene_order, Analysis, Dataset, ModelId, Predictor, Query};
use synthbio_pca::{Pca, PcaOutput, PcaParams};
use synthbio_qc::{Qc, QcOutput, QcParams};

/// Settings of a label QC study; `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelQcStudy {
    /// The metadata prediction model (default `gem-1-bulk_predict-metadata`).
    pub model: ModelId,
    /// Thresholds of both checks (defaults of [`QcParams`]).
    pub qc: QcParams,
    /// PCA of the latents (default: all blocks joined, coloured by claimed `sex`).
    pub pca: PcaParams,
    /// Seed of the metadata prediction query (default 42).
    pub seed: u64,
}

impl Default for LabelQcStudy {
    fn default() -> Self {
        LabelQcStudy {
            model: ModelId::from("gem-1-bulk_predict-metadata"),
            qc: QcParams::default(),
            pca: PcaParams {
                color_by: Some("sex".into()),
                ..PcaParams::default()
            },
            seed: 42,
        }
    }
}

/// The findings of a [`LabelQcStudy`].
#[derive(Debug, Clone, PartialEq)]
pub struct LabelQcResult {
    /// The settings.
    pub study: LabelQcStudy,
    /// Where the metadata prediction ran.
    pub backend: String,
    /// The samples with their claimed metadata and the predictions attached
    /// (probabilities, latents, `predicted_<field>` columns).
    pub data: Dataset,
    /// Both checks.
    pub qc: QcOutput,
    /// PCA of the latents.
    pub pca: PcaOutput,
}

impl LabelQcStudy {
    /// Runs metadata prediction on the samples of `data` (raw counts in the
    /// model's gene order, claimed labels as metadata), then the label and
    /// marker checks and the PCA of the latents.
    pub fn run(
        &self,
        predictor: &dyn Predictor,
        data: &Dataset,
    ) -> Result<LabelQcResult, WorkflowError> {
        if data.n_samples() < 2 {
            return Err(WorkflowError::Design(format!(
                "QC needs at least 2 samples to compare (got {}); give more samples",
                data.n_samples()
            )));
        }
        let query = Query::metadata_prediction_of(data).with_seed(self.seed);
        let predicted = predictor.predict(&self.model, &query)?;
        check_same_gene_order(predicted.gene_ids(), data.gene_ids())?;
        let merged = data.clone().with_predictions(&predicted)?;
        // Genes a sample did not measure travel in the dataset's mask: the
        // engine encodes from the measured ones and the marker check ignores
        // the others, so an unmeasured XIST never reads as "no XIST".
        let qc = Qc.run(&merged, &self.qc)?;
        let pca = Pca.run(&merged, &self.pca)?;
        Ok(LabelQcResult {
            study: self.clone(),
            backend: predictor.describe(),
            data: merged,
            qc,
            pca,
        })
    }
}
