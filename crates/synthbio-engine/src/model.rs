//! A loaded model: the stored parameters plus what prediction derives from
//! them once (the encoder, Cholesky factors, the transposed loadings).

use crate::linalg::exact::Split;
use crate::linalg::fused::product;
use crate::linalg::small::{chol_inverse, cholesky_jittered};
use crate::params::{LinearPrior, ModelParams};
use crate::posterior::Encoder;
use crate::transform::log_expr;
use crate::EngineError;
use ndarray::{Array1, Array2, ArrayView2};
use synthbio_core::{LatentBlock, LatentDims, ModelSpec};

/// Largest number of samples one query may ask for (counts are held in memory).
pub(crate) const MAX_TOTAL_SAMPLES: u64 = 20_000;

/// A model ready to predict.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub params: ModelParams,
    /// Biological, technical, perturbation dimensions.
    pub dims: [usize; 3],
    pub mu: Array1<f64>,
    /// Loadings, genes x latent.
    pub w: Array2<f64>,
    /// Loadings transposed (latent x genes), for batch decoding.
    pub wt: Array2<f64>,
    /// Encoder for complete samples.
    pub encoder: Encoder,
    /// Cholesky factor of the posterior covariance.
    pub post_chol: Array2<f64>,
    /// Marginal latent mean and the Cholesky factor of its covariance.
    pub marginal_mean: Array1<f64>,
    pub marginal_chol: Array2<f64>,
    /// Cholesky factors of the three prior covariances.
    pub prior_chol: [Array2<f64>; 3],
    /// Negative binomial dispersion per gene (empty: no noise model).
    pub dispersion: Vec<f64>,
    /// What queries this model accepts.
    pub spec: ModelSpec,
}

impl Model {
    /// Derives the prediction-time quantities from stored parameters.
    pub fn new(params: ModelParams) -> Result<Model, EngineError> {
        let g = params.gene_ids.len();
        let d = params.latent_dim();
        let dims = params.dims.map(|x| x as usize);
        let mu = Array1::from_iter(params.mu.iter().map(|&v| f64::from(v)));
        let w = Array2::from_shape_vec(
            (g, d),
            params.loadings.iter().map(|&v| f64::from(v)).collect(),
        )
        .map_err(|e| bad(&params, format!("loadings: {e}")))?;
        let wt = w.t().as_standard_layout().to_owned();
        let weight = Array1::from_iter(params.noise_var.iter().map(|&v| 1.0 / f64::from(v)));
        let m0 = Array1::from(params.marginal_mean.clone());
        let s0 = Array2::from_shape_vec((d, d), params.marginal_cov.clone())
            .map_err(|e| bad(&params, format!("marginal covariance: {e}")))?;
        let marginal_chol = cholesky_jittered(s0.view());
        let s0_inv = chol_inverse(marginal_chol.view());
        let encoder = Encoder::new(
            w.view(),
            &Split::new(w.view()),
            weight.view(),
            m0.view(),
            s0_inv.view(),
        );
        let post_chol = cholesky_jittered(encoder.cov.view());
        let chol_of = |cov: &[f64], n: usize| -> Result<Array2<f64>, EngineError> {
            let a = Array2::from_shape_vec((n, n), cov.to_vec())
                .map_err(|e| bad(&params, format!("prior covariance: {e}")))?;
            Ok(cholesky_jittered(a.view()))
        };
        let prior_chol = [
            chol_of(&params.bio_prior.cov, dims[0])?,
            chol_of(&params.tech_prior.cov, dims[1])?,
            chol_of(&params.pert_prior.cov, dims[2])?,
        ];
        let spec = ModelSpec {
            n_genes: Some(g),
            trained_values: params.schema.trained_values(),
            unsupported_keys: params.schema.unknown_keys(),
            max_total_samples: Some(MAX_TOTAL_SAMPLES),
            max_inputs: None,
        };
        Ok(Model {
            dispersion: params.dispersion.iter().map(|&v| f64::from(v)).collect(),
            params,
            dims,
            mu,
            w,
            wt,
            encoder,
            post_chol,
            marginal_mean: m0,
            marginal_chol,
            prior_chol,
            spec,
        })
    }

    /// Number of genes.
    pub fn n_genes(&self) -> usize {
        self.mu.len()
    }

    /// Total latent dimension.
    pub fn latent_dim(&self) -> usize {
        self.dims.iter().sum()
    }

    /// The latent dimensions in the protocol's shape.
    pub fn latent_dims(&self) -> LatentDims {
        LatentDims {
            biological: self.dims[0],
            technical: self.dims[1],
            perturbation: self.dims[2],
        }
    }

    /// The column range of a block in the joint latent vector.
    pub fn block_range(&self, block: LatentBlock) -> std::ops::Range<usize> {
        let [b, t, p] = self.dims;
        match block {
            LatentBlock::Biological => 0..b,
            LatentBlock::Technical => b..b + t,
            LatentBlock::Perturbation => b + t..b + t + p,
        }
    }

    /// The prior of the biological or technical block.
    pub fn linear_prior(&self, block: LatentBlock) -> &LinearPrior {
        match block {
            LatentBlock::Technical => &self.params.tech_prior,
            _ => &self.params.bio_prior,
        }
    }

    /// Centred log expression (`y - mu`) of count vectors (one per row).
    pub fn centred_log(&self, counts: &[&[f64]]) -> Array2<f64> {
        let g = self.n_genes();
        let scale = self.params.scale;
        let mut out = Array2::zeros((counts.len(), g));
        for (r, c) in counts.iter().enumerate() {
            let lib: f64 = c.iter().sum();
            let mut row = out.row_mut(r);
            for j in 0..g {
                let y = if lib > 0.0 {
                    log_expr(c[j], lib, scale)
                } else {
                    0.0
                };
                row[j] = y - self.mu[j];
            }
        }
        out
    }

    /// The measured-gene mask of a sample from a reduced training panel: the
    /// first panel (largest gap first) on whose unmeasured genes the sample
    /// has only zeros; `None` for a sample that measured every gene.
    pub fn panel_of(&self, counts: &[f64]) -> Option<Vec<bool>> {
        let gap = self
            .params
            .panels
            .iter()
            .find(|gap| gap.iter().all(|&j| counts.get(j as usize) == Some(&0.0)))?;
        let mut measured = vec![true; self.n_genes()];
        for &j in gap {
            measured[j as usize] = false;
        }
        Some(measured)
    }

    /// Posterior latent means of samples given as raw counts and as their
    /// [`Model::centred_log`], each encoded from the genes it measured: a
    /// sample from a reduced training panel (zeros on every gene the panel
    /// lacks, see [`Model::panel_of`]) is not read as not expressing them.
    pub fn encode_samples(&self, counts: &[&[f64]], centred: ArrayView2<'_, f64>) -> Array2<f64> {
        let mut z = self.encode(centred);
        for (r, c) in counts.iter().enumerate() {
            if let Some(measured) = self.panel_of(c) {
                let row = centred.row(r).insert_axis(ndarray::Axis(0));
                z.row_mut(r)
                    .assign(&self.encode_measured(row, &measured).row(0));
            }
        }
        z
    }

    /// Posterior latent means of samples given as raw counts, and their
    /// residuals: log expression beyond the latent fit, `y - (mu + W z)`.
    pub fn encode_with_residuals(&self, counts: &[&[f64]]) -> (Array2<f64>, Array2<f64>) {
        let centred = self.centred_log(counts);
        let z = self.encode_samples(counts, centred.view());
        // `W z` plus zeros: a sum begun at +0 is never -0, so no bit changes.
        let zero = vec![0.0; self.n_genes()];
        let mut residual = centred;
        residual -= &product(z.view(), self.wt.view(), &zero);
        (z, residual)
    }

    /// Posterior latent means of centred rows (samples x latent).
    pub fn encode(&self, centred: ArrayView2<'_, f64>) -> Array2<f64> {
        encode_with(&self.encoder, centred)
    }

    /// Posterior latent means of centred rows that measured only the genes
    /// flagged in `measured` (the other genes get no weight).
    pub fn encode_measured(&self, centred: ArrayView2<'_, f64>, measured: &[bool]) -> Array2<f64> {
        if measured.iter().all(|&m| m) {
            return self.encode(centred);
        }
        let weight =
            Array1::from_iter(self.params.noise_var.iter().zip(measured).map(|(&v, &m)| {
                if m {
                    1.0 / f64::from(v)
                } else {
                    0.0
                }
            }));
        let d = self.latent_dim();
        let s0 = Array2::from_shape_vec((d, d), self.params.marginal_cov.clone())
            .expect("checked on load");
        let s0_inv = chol_inverse(cholesky_jittered(s0.view()).view());
        let enc = Encoder::new(
            self.w.view(),
            &Split::new(self.w.view()),
            weight.view(),
            self.marginal_mean.view(),
            s0_inv.view(),
        );
        encode_with(&enc, centred)
    }

    /// Log expression `mu + W z` of latent rows (samples x genes), as
    /// prediction decodes it.
    pub fn decode(&self, z: ArrayView2<'_, f64>) -> Array2<f64> {
        let mu = self.mu.as_slice().expect("a fresh vector is contiguous");
        product(z, self.wt.view(), mu)
    }
}

/// `gain x + offset` of each centred row: the encoder's posterior means.
fn encode_with(encoder: &Encoder, centred: ArrayView2<'_, f64>) -> Array2<f64> {
    let offset = encoder
        .offset
        .as_slice()
        .expect("a fresh vector is contiguous");
    product(centred, encoder.gain.t(), offset)
}

fn bad(params: &ModelParams, message: String) -> EngineError {
    EngineError::ModelFile {
        name: crate::params::file_name(params.modality).into(),
        message,
    }
}
