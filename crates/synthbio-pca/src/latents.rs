//! PCA of a dataset's latents, per block or on blocks joined, and the
//! [`Analysis`] implementation.

use crate::error::{PcaError, Result};
use crate::model::PcaModel;
use crate::options::{FitOptions, RandomizedOptions, Solver};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use synthbio_core::{Analysis, Dataset, LatentBlock, Latents};

/// Parameters of the `pca` analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PcaParams {
    /// Latent blocks to analyse (default: all three, in wire order).
    pub blocks: Vec<LatentBlock>,
    /// `true`: one PCA per block; `false` (default): one PCA on the blocks joined
    /// side by side.
    pub per_block: bool,
    /// Components to keep; `None` (default) keeps min(samples, dimensions).
    pub n_components: Option<usize>,
    /// Scale each latent dimension to unit variance first (default `false`);
    /// see [`FitOptions::standardize`].
    pub standardize: bool,
    /// Solver (default [`Solver::Auto`]).
    pub solver: Solver,
    /// Settings of the randomized solver.
    pub randomized: RandomizedOptions,
    /// Metadata column whose values group the points of the score plots
    /// (default none).
    pub color_by: Option<String>,
}

impl Default for PcaParams {
    fn default() -> Self {
        PcaParams {
            blocks: LatentBlock::ALL.to_vec(),
            per_block: false,
            n_components: None,
            standardize: false,
            solver: Solver::Auto,
            randomized: RandomizedOptions::default(),
            color_by: None,
        }
    }
}

impl PcaParams {
    /// The PCA settings of these parameters.
    pub fn options(&self) -> FitOptions {
        FitOptions {
            n_components: self.n_components,
            standardize: self.standardize,
            solver: self.solver,
            randomized: self.randomized.clone(),
        }
    }
}

/// One PCA fit: which blocks went in, the model, the scores of the samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockPca {
    /// The blocks analysed (one, or several joined in this order).
    pub blocks: Vec<LatentBlock>,
    /// The fitted model.
    pub model: PcaModel,
    /// Scores, samples x components.
    pub scores: Array2<f64>,
}

impl BlockPca {
    /// Blocks as text: `biological`, or `biological+technical` for joined blocks.
    pub fn label(&self) -> String {
        self.blocks
            .iter()
            .map(|b| b.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }
}

/// Result of the `pca` analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcaOutput {
    /// Sample ids, in score row order.
    pub sample_ids: Vec<String>,
    /// The metadata column used to group points and its value per sample
    /// (empty string where missing), when `color_by` was set.
    pub groups: Option<(String, Vec<String>)>,
    /// One fit per block, or a single fit of the joined blocks.
    pub fits: Vec<BlockPca>,
}

/// PCA of latents: one fit per block when `per_block`, else one fit on the
/// blocks joined in the order given.
pub fn pca_latents(
    latents: &Latents,
    blocks: &[LatentBlock],
    per_block: bool,
    options: &FitOptions,
) -> Result<Vec<BlockPca>> {
    if blocks.is_empty() {
        return Err(PcaError::NoBlocks);
    }
    for (i, b) in blocks.iter().enumerate() {
        if blocks[..i].contains(b) {
            return Err(PcaError::DuplicateBlock(b.as_str().to_string()));
        }
    }
    let groups: Vec<Vec<LatentBlock>> = if per_block {
        blocks.iter().map(|&b| vec![b]).collect()
    } else {
        vec![blocks.to_vec()]
    };
    groups
        .into_iter()
        .map(|blocks| {
            let x = latents.joined(&blocks);
            let (model, scores) = PcaModel::fit_transform(x.view(), options)?;
            Ok(BlockPca {
                blocks,
                model,
                scores,
            })
        })
        .collect()
}

/// The `pca` analysis: PCA of a dataset's latents (from metadata prediction).
#[derive(Debug, Clone, Copy, Default)]
pub struct Pca;

impl Analysis for Pca {
    type Params = PcaParams;
    type Output = PcaOutput;
    type Error = PcaError;

    fn name(&self) -> &'static str {
        "pca"
    }

    fn description(&self) -> &'static str {
        "PCA of the latents (per block or joined): scores, loadings, explained variance"
    }

    fn run(&self, data: &Dataset, params: &PcaParams) -> Result<PcaOutput> {
        let latents = data.latents().ok_or(PcaError::NoLatents)?;
        let groups = match &params.color_by {
            None => None,
            Some(key) => {
                let column = data
                    .metadata()
                    .column(key)
                    .ok_or_else(|| PcaError::UnknownMetadata(key.clone()))?;
                let values = column
                    .iter()
                    .map(|v| v.clone().unwrap_or_default())
                    .collect();
                Some((key.clone(), values))
            }
        };
        let fits = pca_latents(latents, &params.blocks, params.per_block, &params.options())?;
        Ok(PcaOutput {
            sample_ids: data.sample_ids().to_vec(),
            groups,
            fits,
        })
    }
}
