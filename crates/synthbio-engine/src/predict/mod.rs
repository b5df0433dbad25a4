//! The three families' predictions, on a loaded [`Model`].

pub(crate) mod baseline;
mod metadata;
pub(crate) mod prior;
mod reference;
mod transfer;

pub(crate) use baseline::baseline;
pub(crate) use metadata::{class_log_probs, predict_metadata};
pub(crate) use reference::reference_conditioning;

use crate::linalg::fused::product_into;
use crate::model::Model;
use crate::transform::{abundances, Rounding};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Slice};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson, StandardNormal};
use rayon::prelude::*;
use synthbio_core::{Dataset, LatentBlock, Latents, MetadataTable, PredictError};

/// Random streams of one query: every output sample has its own streams, so
/// results do not depend on batching or thread order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Streams {
    seed: u64,
}

impl Streams {
    /// The query's seed, or a fresh one.
    pub fn new(seed: Option<u64>) -> Streams {
        Streams {
            seed: seed.unwrap_or_else(|| rand::rng().random()),
        }
    }

    /// The stream drawing the latents of output sample `s`.
    pub fn latent(&self, s: usize) -> ChaCha8Rng {
        self.stream(2 * s as u64)
    }

    /// The stream drawing the measurement noise of output sample `s`.
    pub fn noise(&self, s: usize) -> ChaCha8Rng {
        self.stream(2 * s as u64 + 1)
    }

    fn stream(&self, id: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(id);
        rng
    }
}

/// `mean + L ε` with standard normal `ε`.
pub(crate) fn draw_gaussian(
    mean: ArrayView1<'_, f64>,
    chol: ArrayView2<'_, f64>,
    rng: &mut impl Rng,
) -> Array1<f64> {
    let n = mean.len();
    let eps: Vec<f64> = (0..n).map(|_| StandardNormal.sample(rng)).collect();
    Array1::from_shape_fn(n, |i| {
        let mut v = mean[i];
        for k in 0..=i {
            v += chol[[i, k]] * eps[k];
        }
        v
    })
}

/// How decoded log expression becomes counts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counting {
    /// Expected counts (largest-remainder rounding to the library size).
    Expected,
    /// Negative binomial draws with the model's dispersion, one noise stream per sample.
    Sampled(Streams),
}

/// Samples decoded per chunk: bounds the memory of the log expression.
const CHUNK: usize = 128;

/// Decodes latent rows and turns them into counts at the given library sizes
/// (samples x genes), in parallel over chunks of samples. `offset[s]`, when
/// given, is added to sample `s`'s log expression (a reference's residual).
pub(crate) fn decode_counts(
    model: &Model,
    z: ArrayView2<'_, f64>,
    offset: &[Option<&[f64]>],
    totals: &[u64],
    counting: Counting,
) -> Array2<u32> {
    let (n, g) = (z.nrows(), model.n_genes());
    let mu = model.mu.as_slice().expect("a fresh vector is contiguous");
    let mut out = Array2::<u32>::zeros((n, g));
    out.axis_chunks_iter_mut(ndarray::Axis(0), CHUNK)
        .into_par_iter()
        .enumerate()
        .for_each_init(
            // One buffer of decoded rows per rayon job, reused for each of its chunks.
            || (vec![0.0; CHUNK.min(n) * g], Rounding::default()),
            |(decoded, rounding), (c, mut chunk)| {
                let (start, rows) = (c * CHUNK, chunk.nrows());
                let zc = z.slice_axis(ndarray::Axis(0), ndarray::Slice::from(start..start + rows));
                let offsets = offset.get(start..).unwrap_or_default();
                let offsets = &offsets[..rows.min(offsets.len())];
                let decoded = &mut decoded[..rows * g];
                product_into(zc, model.wt.view(), mu, offsets, decoded);
                for ((k, mut row), weights) in chunk
                    .axis_iter_mut(ndarray::Axis(0))
                    .enumerate()
                    .zip(decoded.chunks_exact_mut(g))
                {
                    let s = start + k;
                    // The log expression, in place the abundances it stands for.
                    let sum = abundances(weights);
                    let dst = row
                        .as_slice_mut()
                        .expect("rows of a standard-layout array are contiguous");
                    match counting {
                        Counting::Expected => {
                            rounding.expected_counts(weights, sum, totals[s], dst)
                        }
                        Counting::Sampled(streams) => negative_binomial(
                            weights,
                            sum,
                            totals[s],
                            &model.dispersion,
                            &mut streams.noise(s),
                            dst,
                        ),
                    }
                }
            },
        );
    out
}

/// Negative binomial counts (gamma-Poisson) with means `total * weights / sum`.
fn negative_binomial(
    weights: &[f64],
    sum: f64,
    total: u64,
    dispersion: &[f64],
    rng: &mut ChaCha8Rng,
    out: &mut [u32],
) {
    for (j, o) in out.iter_mut().enumerate() {
        let m = if sum > 0.0 {
            total as f64 * weights[j] / sum
        } else {
            0.0
        };
        *o = if m <= 0.0 {
            0
        } else {
            let phi = dispersion[j];
            let lambda = match Gamma::new(1.0 / phi, m * phi) {
                Ok(gamma) => gamma.sample(rng),
                Err(_) => m,
            };
            if lambda > 0.0 {
                match Poisson::new(lambda) {
                    Ok(p) => p.sample(rng).min(f64::from(u32::MAX)) as u32,
                    Err(_) => 0,
                }
            } else {
                0
            }
        };
    }
}

/// Splits joint latent rows into the three blocks.
pub(crate) fn split_latents(model: &Model, z: &Array2<f64>) -> Latents {
    let block = |b: LatentBlock| {
        z.slice_axis(Axis(1), Slice::from(model.block_range(b)))
            .to_owned()
    };
    Latents {
        biological: block(LatentBlock::Biological),
        technical: block(LatentBlock::Technical),
        perturbation: block(LatentBlock::Perturbation),
    }
}

/// A result dataset with the model's genes, `sample_1..N`, and the given parts.
pub(crate) fn result(
    model: &Model,
    counts: Array2<u32>,
    metadata: MetadataTable,
    latents: Latents,
    input_index: Vec<usize>,
) -> Result<Dataset, PredictError> {
    let n = counts.nrows();
    let failed = |e: synthbio_core::DatasetError| PredictError::Failed(e.to_string());
    Ok(Dataset::new(
        counts,
        model.params.gene_ids.clone(),
        Dataset::default_sample_ids(n),
    )
    .map_err(failed)?
    .with_metadata(metadata)
    .map_err(failed)?
    .with_latents(latents)
    .map_err(failed)?
    .with_input_index(input_index)
    .map_err(failed)?
    .with_model_version(model.params.model_version.clone()))
}

/// A validation error at one path.
pub(crate) fn invalid(path: String, message: String) -> PredictError {
    PredictError::Invalid(synthbio_core::ValidationErrors::new(vec![
        synthbio_core::Problem { path, message },
    ]))
}
