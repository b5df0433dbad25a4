//! What a model says about samples: latents and classifier probabilities.

use crate::model::LatentBlock;
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// The three latent blocks of each sample (samples x dimensions each).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latents {
    /// Biological block.
    pub biological: Array2<f64>,
    /// Technical block.
    pub technical: Array2<f64>,
    /// Perturbation block.
    pub perturbation: Array2<f64>,
}

impl Latents {
    /// One block.
    pub fn block(&self, block: LatentBlock) -> ArrayView2<'_, f64> {
        match block {
            LatentBlock::Biological => self.biological.view(),
            LatentBlock::Technical => self.technical.view(),
            LatentBlock::Perturbation => self.perturbation.view(),
        }
    }

    /// The given blocks side by side (samples x summed dimensions).
    pub fn joined(&self, blocks: &[LatentBlock]) -> Array2<f64> {
        let views: Vec<_> = blocks.iter().map(|&b| self.block(b)).collect();
        ndarray::concatenate(Axis(1), &views)
            .unwrap_or_else(|_| Array2::zeros((self.n_samples(), 0)))
    }

    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.biological.nrows()
    }

    /// The rows at the given positions.
    pub fn select(&self, rows: &[usize]) -> Self {
        Latents {
            biological: self.biological.select(Axis(0), rows),
            technical: self.technical.select(Axis(0), rows),
            perturbation: self.perturbation.select(Axis(0), rows),
        }
    }
}

/// Classifier probabilities of one metadata field: classes and a samples x classes matrix
/// whose rows sum to 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassProbabilities {
    /// Class labels, in column order.
    pub classes: Vec<String>,
    /// Probabilities, samples x classes.
    pub probs: Array2<f64>,
}

impl ClassProbabilities {
    /// The most probable class of a sample and its probability.
    pub fn argmax(&self, sample: usize) -> Option<(&str, f64)> {
        let row = self.probs.row(sample);
        let (j, p) = row
            .iter()
            .enumerate()
            .fold(None, |best: Option<(usize, f64)>, (j, &p)| match best {
                Some((_, bp)) if bp >= p => best,
                _ => Some((j, p)),
            })?;
        Some((self.classes[j].as_str(), p))
    }

    /// The probability a sample belongs to `class` (0 for a class the model does not know).
    pub fn prob(&self, sample: usize, class: &str) -> f64 {
        self.classes
            .iter()
            .position(|c| c == class)
            .map_or(0.0, |j| self.probs[[sample, j]])
    }
}
