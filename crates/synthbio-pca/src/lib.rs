//! PCA of GEM latents (or any samples x features matrix), with scikit-learn's
//! definitions, so that numbers can be compared with `sklearn.decomposition.PCA`.
//!
//! - [`PcaModel::fit`] / [`PcaModel::fit_transform`] / [`PcaModel::transform`]:
//!   plain functions on an `ndarray` matrix (samples x features);
//! - [`PcaAccumulator`]: the covariance solver's fit on samples pushed in chunks,
//!   for matrices larger than memory (one `features x features` matrix is kept);
//! - [`pca_latents`]: per latent block, or on blocks joined;
//! - [`Pca`]: the `pca` [`synthbio_core::Analysis`] over a [`synthbio_core::Dataset`]
//!   with latents (a metadata prediction result), with [`PcaParams`] and a
//!   [`PcaOutput`] that renders a variance table, score plots and variance bars.
//!
//! **Definitions** (as scikit-learn): data are centered (and, with
//! `standardize`, divided by each column's population standard deviation, as
//! `StandardScaler`; constant columns keep scale 1 and never produce NaN).
//! `explained_variance = s^2 / (n - 1)`; `explained_variance_ratio` divides by
//! the *total* variance of all columns, not just the kept components.
//!
//! **Signs** are deterministic and follow scikit-learn's `PCA` since version 1.5
//! (checked against 1.9.1): `svd_flip(u_based_decision=False)`, so each
//! component's entry of largest absolute value is positive. (Older releases
//! decided by the columns of U; results then differ by sign only.)
//!
//! **Backend: faer**, not linfa-reduction. Measured for this project
//! (benchmarked side by side): linfa-reduction 0.8.1's PCA failed with "NaN values
//! in array" on 8 to 10 of 10 seeds of low-rank data at 2 components, was 2x to
//! 25x slower, and its `explained_variance` divides by (components - 1) and its
//! ratio by the kept variance only. faer is pure Rust (no BLAS/LAPACK), and its
//! exact SVD, `X^T X` eigen-decomposition and randomized SVD agree to about
//! 1e-15. The randomized solver keeps its QR in f64 (faer's f32 thin Q is
//! wrong from 524,288 rows). The workspace's `benches/pca.rs` compares the solvers with linfa.
//!
//! ```
//! use ndarray::array;
//! use synthbio_pca::{PcaModel, FitOptions};
//!
//! let x = array![[2.0, 0.0], [0.0, 1.0], [-2.0, 0.0], [0.0, -1.0]];
//! let (model, scores) = PcaModel::fit_transform(x.view(), &FitOptions::default()).unwrap();
//! // Variance 8/3 along x, 2/3 along y: 80% and 20% of the total.
//! assert!((model.explained_variance()[0] - 8.0 / 3.0).abs() < 1e-12);
//! assert!((model.explained_variance_ratio()[1] - 0.2).abs() < 1e-12);
//! let pc1 = model.components().row(0);
//! assert!((pc1[0] - 1.0).abs() < 1e-12 && pc1[1].abs() < 1e-12);
//! assert!((scores[[0, 0]] - 2.0).abs() < 1e-12);
//! // New samples go through the same centering and components.
//! let new = model.transform(array![[1.0, 1.0]].view()).unwrap();
//! assert!((new[[0, 0]] - 1.0).abs() < 1e-12 && (new[[0, 1]] - 1.0).abs() < 1e-12);
//! ```

mod chunked;
mod error;
mod gram;
mod latents;
mod model;
mod options;
mod passes;
mod preprocess;
mod report;
mod solver;
mod sparse_gram;

pub use chunked::PcaAccumulator;
pub use error::{PcaError, Result};
pub use latents::{pca_latents, BlockPca, Pca, PcaOutput, PcaParams};
pub use model::PcaModel;
pub use options::{FitOptions, RandomizedOptions, Solver};
pub use passes::{fit_sparse_in_passes, Visit};
