//! The encoder q(z | x): the Gaussian posterior of the latents of a linear
//! Gaussian model `y = mu + W z + e`, `e ~ N(0, diag(psi))`, under the prior
//! `z ~ N(m0, S0)`:
//!
//! `P = Wᵀ Ψ⁻¹ W + S0⁻¹`, `cov = P⁻¹`, `mean = P⁻¹ (Wᵀ Ψ⁻¹ (y - mu) + S0⁻¹ m0)`.
//!
//! Genes a sample did not measure get no weight (their `1/psi` is zero), so
//! each measured-gene mask has its own encoder.

use crate::linalg::exact::{exact_product, Split, SplitView};
use crate::linalg::small::{chol_inverse, cholesky_jittered, matvec};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// The linear map from centred log expression to posterior latent means.
#[derive(Debug, Clone)]
pub(crate) struct Encoder {
    /// `P⁻¹ Wᵀ Ψ⁻¹`, latent dimensions x genes.
    pub gain: Array2<f64>,
    /// `P⁻¹ S0⁻¹ m0`.
    pub offset: Array1<f64>,
    /// Posterior covariance `P⁻¹`.
    pub cov: Array2<f64>,
}

impl Encoder {
    /// The encoder for genes weighted by `weight` (`1/psi`, zero where unmeasured).
    pub fn new(
        loadings: ArrayView2<'_, f64>,
        loadings_split: &Split,
        weight: ArrayView1<'_, f64>,
        prior_mean: ArrayView1<'_, f64>,
        prior_precision: ArrayView2<'_, f64>,
    ) -> Encoder {
        // Wᵀ Ψ⁻¹ (latent x genes)
        let d = loadings.ncols();
        let mut scaled = Vec::with_capacity(loadings.len());
        for (row, &w) in loadings.rows().into_iter().zip(weight.iter()) {
            scaled.extend(row.iter().map(|&x| x * w));
        }
        let wt_psi = Array2::from_shape_vec((loadings.nrows(), d), scaled)
            .expect("same length")
            .reversed_axes();
        let wt_psi_split = Split::new(wt_psi.view());
        let mut precision = exact_product(wt_psi_split.view(), loadings_split.view());
        precision += &prior_precision;
        let l = cholesky_jittered(precision.view());
        let cov = chol_inverse(l.view());
        let gain = exact_product(Split::new(cov.view()).view(), wt_psi_split.view());
        let offset = matvec(cov.view(), matvec(prior_precision, prior_mean).view());
        Encoder { gain, offset, cov }
    }

    /// Posterior means of centred rows (samples x genes, `y - mu`): samples x latent.
    pub fn encode(&self, centred: SplitView<'_>) -> Array2<f64> {
        let mut z = exact_product(centred, Split::new(self.gain.view()).view().t());
        for mut row in z.rows_mut() {
            row += &self.offset;
        }
        z
    }
}
