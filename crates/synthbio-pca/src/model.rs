//! A fitted PCA: components, variances, singular values, centering and scaling,
//! and projection of new samples.

use crate::error::{PcaError, Result};
use crate::options::{FitOptions, Solver};
use crate::passes::check_chunk;
use crate::preprocess::{check_finite, prepare};
use crate::solver::{covariance_eigh, flip_signs, full, randomized, Truncated};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use synthbio_core::SparseValues;

/// Column means and scales of the data a PCA is fitted on, and their total variance.
pub(crate) struct Centering {
    pub mean: Array1<f64>,
    pub scale: Option<Array1<f64>>,
    pub constant_columns: Vec<usize>,
    /// Sum of the column variances (n - 1) of the centered (and scaled) data.
    pub total_variance: f64,
}

/// A fitted PCA, with scikit-learn's definitions:
///
/// - `explained_variance[i] = singular_values[i]^2 / (n_samples - 1)`;
/// - `explained_variance_ratio[i] = explained_variance[i] / total_variance`,
///   where `total_variance` is the sum of all column variances (n - 1) of the
///   centered (and scaled) data, so the ratios of kept components sum to at
///   most 1;
/// - `transform(x) = ((x - mean) / scale) * components^T`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcaModel {
    components: Array2<f64>,
    explained_variance: Array1<f64>,
    explained_variance_ratio: Array1<f64>,
    singular_values: Array1<f64>,
    mean: Array1<f64>,
    scale: Option<Array1<f64>>,
    constant_columns: Vec<usize>,
    n_samples: usize,
    total_variance: f64,
    solver: Solver,
}

impl PcaModel {
    /// Fits a PCA to `x` (samples x features).
    ///
    /// Errors: fewer than 2 samples, no features, `n_components` of 0 or more
    /// than min(samples, features), a non-finite value, every column constant.
    pub fn fit(x: ArrayView2<'_, f64>, options: &FitOptions) -> Result<Self> {
        Ok(Self::fit_transform(x, options)?.0)
    }

    /// Fits a PCA to `x` and returns it with the scores of `x` (samples x components).
    pub fn fit_transform(
        x: ArrayView2<'_, f64>,
        options: &FitOptions,
    ) -> Result<(Self, Array2<f64>)> {
        let (n, p) = x.dim();
        if n < 2 {
            return Err(PcaError::TooFewSamples { found: n });
        }
        if p == 0 {
            return Err(PcaError::NoFeatures);
        }
        let k = options.components_for(n, p)?;
        let prepared = prepare(x, options.standardize)?;
        let solver = options.solver.resolve(n, p, k);
        let data = prepared.matrix();
        let mut truncated = match solver {
            Solver::Full | Solver::Auto => full(data, k)?,
            Solver::CovarianceEigh => covariance_eigh(data, k)?,
            Solver::Randomized => randomized(data, k, &options.randomized)?,
        };
        flip_signs(&mut truncated.v);
        let scores = {
            let product = data * &truncated.v;
            Array2::from_shape_fn((n, k), |(i, c)| product[(i, c)])
        };
        let model = PcaModel::assemble(truncated, prepared.centering, n, solver);
        Ok((model, scores))
    }

    /// The model from a decomposition whose signs are fixed, and the centering of its data.
    pub(crate) fn assemble(
        truncated: Truncated,
        centering: Centering,
        n_samples: usize,
        solver: Solver,
    ) -> Self {
        let (k, p) = (truncated.v.ncols(), truncated.v.nrows());
        let components = Array2::from_shape_fn((k, p), |(c, j)| truncated.v[(j, c)]);
        let singular_values = Array1::from(truncated.singular_values);
        let explained_variance = singular_values.mapv(|s| s * s / (n_samples as f64 - 1.0));
        let explained_variance_ratio = &explained_variance / centering.total_variance;
        PcaModel {
            components,
            explained_variance,
            explained_variance_ratio,
            singular_values,
            mean: centering.mean,
            scale: centering.scale,
            constant_columns: centering.constant_columns,
            n_samples,
            total_variance: centering.total_variance,
            solver,
        }
    }

    /// Projects new samples (samples x the fitted features) onto the components.
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.n_features() {
            return Err(PcaError::FeatureMismatch {
                expected: self.n_features(),
                found: x.ncols(),
            });
        }
        check_finite(x)?;
        let mut centered = &x - &self.mean.view().insert_axis(Axis(0));
        if let Some(scale) = &self.scale {
            centered /= &scale.view().insert_axis(Axis(0));
        }
        Ok(centered.dot(&self.components.t()))
    }

    /// Projects sparse samples (samples x the fitted features) onto the
    /// components, as [`PcaModel::transform`] does dense ones, without
    /// centering the zeros: `x W - 1 (mean^T W)` with `W = (components / scale)^T`.
    pub fn transform_sparse(&self, x: &SparseValues) -> Result<Array2<f64>> {
        check_chunk(x, self.n_features(), 0)?;
        let mut w = self.components.t().to_owned();
        if let Some(scale) = &self.scale {
            w /= &scale.view().insert_axis(Axis(1));
        }
        let offset = w.t().dot(&self.mean);
        let mut scores = x * &w;
        scores -= &offset.view().insert_axis(Axis(0));
        Ok(scores)
    }

    /// Components (loadings), components x features; rows are orthonormal.
    pub fn components(&self) -> &Array2<f64> {
        &self.components
    }

    /// Variance of the scores along each component (n - 1 denominator).
    pub fn explained_variance(&self) -> &Array1<f64> {
        &self.explained_variance
    }

    /// Each component's share of the total variance (all of it, not just the kept components).
    pub fn explained_variance_ratio(&self) -> &Array1<f64> {
        &self.explained_variance_ratio
    }

    /// Singular values of the centered (and scaled) data, descending.
    pub fn singular_values(&self) -> &Array1<f64> {
        &self.singular_values
    }

    /// Column means of the training data.
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// Column scales (population standard deviations, 1 for constant columns)
    /// when the model standardizes.
    pub fn scale(&self) -> Option<&Array1<f64>> {
        self.scale.as_ref()
    }

    /// Columns that were constant in the training data.
    pub fn constant_columns(&self) -> &[usize] {
        &self.constant_columns
    }

    /// Number of training samples.
    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    /// Number of components kept.
    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }

    /// Total variance of the training data (sum of column variances, n - 1).
    pub fn total_variance(&self) -> f64 {
        self.total_variance
    }

    /// The solver that ran (never [`Solver::Auto`]).
    pub fn solver(&self) -> Solver {
        self.solver
    }
}
