//! Options of a PCA fit, with scikit-learn's defaults.

use crate::error::{PcaError, Result};
use serde::{Deserialize, Serialize};

/// How the decomposition is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Solver {
    /// scikit-learn's `svd_solver="auto"` rule: [`Solver::CovarianceEigh`] when
    /// features <= 1000 and samples >= 10 x features; else [`Solver::Full`] when
    /// max(samples, features) <= 500 or `n_components` >= 0.8 x min(samples,
    /// features); else [`Solver::Randomized`]. The default.
    #[default]
    Auto,
    /// Exact thin SVD of the centered data (faer).
    Full,
    /// Exact eigen-decomposition of the `features x features` covariance matrix
    /// (faer); fastest when samples far outnumber features.
    CovarianceEigh,
    /// Randomized truncated SVD (Halko, Martinsson and Tropp 2011) with power
    /// iterations; approximate, fast when few components are kept.
    Randomized,
}

impl Solver {
    /// The wire name (`auto`, `full`, `covariance_eigh`, `randomized`).
    pub fn as_str(self) -> &'static str {
        match self {
            Solver::Auto => "auto",
            Solver::Full => "full",
            Solver::CovarianceEigh => "covariance_eigh",
            Solver::Randomized => "randomized",
        }
    }

    /// The solver `Auto` picks for this shape (other solvers return themselves).
    pub fn resolve(self, n_samples: usize, n_features: usize, n_components: usize) -> Solver {
        if self != Solver::Auto {
            return self;
        }
        let min_dim = n_samples.min(n_features);
        if n_features <= 1000 && n_samples >= 10 * n_features {
            Solver::CovarianceEigh
        } else if n_samples.max(n_features) <= 500 || n_components * 5 >= min_dim * 4 {
            Solver::Full
        } else {
            Solver::Randomized
        }
    }
}

/// Settings of the randomized solver (scikit-learn's `PCA(svd_solver="randomized")` defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomizedOptions {
    /// Extra random directions beyond `n_components` (default 10).
    pub n_oversamples: usize,
    /// Power iterations; `None` (default) is scikit-learn's `"auto"`: 7 when
    /// `n_components` < 0.1 x min(samples, features), else 4.
    pub n_power_iter: Option<usize>,
    /// Seed of the random test matrix (default 0); the same seed gives the same result.
    pub seed: u64,
}

impl Default for RandomizedOptions {
    fn default() -> Self {
        RandomizedOptions {
            n_oversamples: 10,
            n_power_iter: None,
            seed: 0,
        }
    }
}

impl RandomizedOptions {
    /// The number of power iterations used for this shape.
    pub fn power_iterations(&self, n_components: usize, min_dim: usize) -> usize {
        self.n_power_iter
            .unwrap_or(if n_components * 10 < min_dim { 7 } else { 4 })
    }
}

/// Options of one PCA fit ([`crate::PcaModel::fit`]); the `pca` analysis takes
/// [`crate::PcaParams`], which adds the latent blocks and the plot colouring.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FitOptions {
    /// Components to keep; `None` (default) keeps min(samples, features), like
    /// scikit-learn's `n_components=None`.
    pub n_components: Option<usize>,
    /// Scale each column to unit variance after centering (default `false`),
    /// like scikit-learn's `StandardScaler` before `PCA`: the standard deviation
    /// divides by n (not n - 1), and constant columns keep scale 1 (they become
    /// all zeros and are listed in [`crate::PcaModel::constant_columns`]).
    pub standardize: bool,
    /// Solver (default [`Solver::Auto`]).
    pub solver: Solver,
    /// Settings of the randomized solver.
    pub randomized: RandomizedOptions,
}

impl FitOptions {
    /// Options keeping `n_components` components, other settings default.
    pub fn with_components(n_components: usize) -> Self {
        FitOptions {
            n_components: Some(n_components),
            ..FitOptions::default()
        }
    }

    /// The number of components for data of this shape, checked.
    pub fn components_for(&self, n_samples: usize, n_features: usize) -> Result<usize> {
        let max = n_samples.min(n_features);
        match self.n_components {
            None => Ok(max),
            Some(0) => Err(PcaError::ZeroComponents),
            Some(k) if k > max => Err(PcaError::TooManyComponents {
                requested: k,
                max,
                n_samples,
                n_features,
            }),
            Some(k) => Ok(k),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_follows_scikit_learn() {
        assert_eq!(Solver::Auto.resolve(2000, 50, 5), Solver::CovarianceEigh);
        assert_eq!(Solver::Auto.resolve(300, 400, 5), Solver::Full);
        assert_eq!(Solver::Auto.resolve(2000, 500, 5), Solver::Randomized);
        // 0.8 x 500 = 400 components or more: full.
        assert_eq!(Solver::Auto.resolve(2000, 500, 400), Solver::Full);
        assert_eq!(Solver::Auto.resolve(2000, 500, 399), Solver::Randomized);
        assert_eq!(Solver::Full.resolve(2000, 50, 5), Solver::Full);
    }

    #[test]
    fn components_are_checked() {
        let o = FitOptions::default();
        assert_eq!(o.components_for(5, 3).unwrap(), 3);
        assert_eq!(
            FitOptions::with_components(4).components_for(5, 3),
            Err(PcaError::TooManyComponents {
                requested: 4,
                max: 3,
                n_samples: 5,
                n_features: 3
            })
        );
        assert_eq!(
            FitOptions::with_components(0).components_for(5, 3),
            Err(PcaError::ZeroComponents)
        );
    }

    #[test]
    fn power_iterations_auto() {
        let r = RandomizedOptions::default();
        assert_eq!(r.power_iterations(5, 100), 7);
        assert_eq!(r.power_iterations(10, 100), 4);
        let r = RandomizedOptions {
            n_power_iter: Some(2),
            ..r
        };
        assert_eq!(r.power_iterations(5, 100), 2);
    }
}
