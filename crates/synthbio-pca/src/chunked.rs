//! PCA fitted on samples that arrive in chunks, for matrices larger than memory.
//!
//! The covariance solver needs only the column means and `X^T X` of the centered
//! data, and both add up over chunks: each chunk's centered cross-products (the
//! [`gram_lower`]) are merged into the running ones by Chan, Golub and
//! LeVeque's pairwise update, which stays accurate where summing raw products
//! and subtracting `n * mean^2` at the end would cancel. Memory is one
//! `features x features` matrix plus the chunk, whatever the number of samples.

use crate::error::{PcaError, Result};
use crate::gram::gram_lower;
use crate::model::{Centering, PcaModel};
use crate::options::{FitOptions, Solver};
use crate::preprocess::{check_finite, is_constant};
use crate::solver::{flip_signs, gram_eigh};
use faer::{Mat, MatRef};
use ndarray::{Array1, ArrayView2, Axis};

/// Accumulates chunks of samples (rows), then fits the PCA that
/// [`PcaModel::fit`] with [`Solver::CovarianceEigh`] fits on all of them at once.
/// Scores are a second pass: [`PcaModel::transform`] on each chunk.
///
/// ```
/// use ndarray::array;
/// use synthbio_pca::{FitOptions, PcaAccumulator, PcaModel, Solver};
///
/// let x = array![[2.0, 0.0], [0.0, 1.0], [-2.0, 0.0], [0.0, -1.0]];
/// let mut acc = PcaAccumulator::new(2).unwrap();
/// acc.push(x.slice_axis(ndarray::Axis(0), (..1).into())).unwrap();
/// acc.push(x.slice_axis(ndarray::Axis(0), (1..).into())).unwrap();
/// let chunked = acc.finish(&FitOptions::default()).unwrap();
/// let options = FitOptions { solver: Solver::CovarianceEigh, ..FitOptions::default() };
/// let whole = PcaModel::fit(x.view(), &options).unwrap();
/// assert!((chunked.explained_variance()[0] - whole.explained_variance()[0]).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct PcaAccumulator {
    n_samples: usize,
    mean: Array1<f64>,
    /// Lower half of the centered cross-products around `mean`.
    cross: Mat<f64>,
}

impl PcaAccumulator {
    /// An empty accumulator for samples of `n_features` columns.
    pub fn new(n_features: usize) -> Result<Self> {
        if n_features == 0 {
            return Err(PcaError::NoFeatures);
        }
        Ok(PcaAccumulator {
            n_samples: 0,
            mean: Array1::zeros(n_features),
            cross: Mat::zeros(n_features, n_features),
        })
    }

    /// Samples accumulated so far.
    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// Adds a chunk of samples (samples x features). A non-finite value is reported
    /// at its row among all samples pushed, and leaves the accumulator unchanged.
    pub fn push(&mut self, chunk: ArrayView2<'_, f64>) -> Result<()> {
        let p = self.mean.len();
        if chunk.ncols() != p {
            return Err(PcaError::FeatureMismatch {
                expected: p,
                found: chunk.ncols(),
            });
        }
        check_finite(chunk).map_err(|e| match e {
            PcaError::NonFinite { row, column, value } => PcaError::NonFinite {
                row: self.n_samples + row,
                column,
                value,
            },
            other => other,
        })?;
        let m = chunk.nrows();
        if m == 0 {
            return Ok(());
        }
        let chunk_mean = chunk.mean_axis(Axis(0)).expect("a chunk with rows");
        let centered: Vec<f64> = chunk
            .rows()
            .into_iter()
            .flat_map(|row| row.into_iter().zip(&chunk_mean).map(|(x, c)| x - c))
            .collect();
        let gram = gram_lower(MatRef::from_row_major_slice(&centered, m, p));
        let (na, nb) = (self.n_samples as f64, m as f64);
        let n = na + nb;
        let delta = &chunk_mean - &self.mean;
        let weight = na * nb / n;
        for j in 0..p {
            for i in j..p {
                self.cross[(i, j)] += gram[(i, j)] + delta[i] * delta[j] * weight;
            }
        }
        self.mean.scaled_add(nb / n, &delta);
        self.n_samples += m;
        Ok(())
    }

    /// Fits the PCA of every sample pushed. The solver is the covariance one:
    /// `options.solver` must be [`Solver::CovarianceEigh`] or [`Solver::Auto`].
    /// Errors as [`PcaModel::fit`].
    pub fn finish(&self, options: &FitOptions) -> Result<PcaModel> {
        match options.solver {
            Solver::Auto | Solver::CovarianceEigh => {}
            other => return Err(PcaError::NotChunkable(other.as_str())),
        }
        let (n, p) = (self.n_samples, self.mean.len());
        if n < 2 {
            return Err(PcaError::TooFewSamples { found: n });
        }
        let k = options.components_for(n, p)?;
        let nf = n as f64;
        // Population variances (n), as the in-memory fit's StandardScaler rule.
        let var0: Vec<f64> = (0..p).map(|j| self.cross[(j, j)] / nf).collect();
        let constant_columns: Vec<usize> = (0..p)
            .filter(|&j| {
                if options.standardize {
                    is_constant(var0[j], self.mean[j], nf)
                } else {
                    var0[j] == 0.0
                }
            })
            .collect();
        let scale = options.standardize.then(|| {
            Array1::from_iter((0..p).map(|j| {
                if constant_columns.binary_search(&j).is_ok() {
                    1.0
                } else {
                    var0[j].sqrt()
                }
            }))
        });
        let mut gram = self.cross.clone();
        if let Some(s) = &scale {
            for j in 0..p {
                for i in j..p {
                    gram[(i, j)] /= s[i] * s[j];
                }
            }
        }
        let total_variance = (0..p).map(|j| gram[(j, j)]).sum::<f64>() / (nf - 1.0);
        if total_variance == 0.0 || constant_columns.len() == p {
            return Err(PcaError::NoVariance);
        }
        let mut truncated = gram_eigh(gram, k)?;
        flip_signs(&mut truncated.v);
        let centering = Centering {
            mean: self.mean.clone(),
            scale,
            constant_columns,
            total_variance,
        };
        Ok(PcaModel::assemble(
            truncated,
            centering,
            n,
            Solver::CovarianceEigh,
        ))
    }
}
