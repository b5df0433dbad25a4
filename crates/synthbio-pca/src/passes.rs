//! Randomized PCA of sparse samples read in passes over chunks, for matrices
//! larger than memory with many features (a million cells of 37,125 genes),
//! where even the `features x features` covariance of [`crate::PcaAccumulator`]
//! (11 GB) does not fit.
//!
//! Subspace iteration on the covariance `C = Xc^T Xc` of the centered data
//! (Halko, Martinsson and Tropp 2011, algorithm 4.4 applied to `C`): every pass
//! multiplies a thin `features x l` block by `C`, chunk by chunk, as
//! `Xc^T (Xc Q)` with `Xc Q = X Q - 1 (mean^T Q)`, so the chunks stay sparse
//! and are never centered. The first pass also gathers the column means and
//! variances (merged over chunks as in [`crate::PcaAccumulator`]); the last
//! block is decomposed by Rayleigh-Ritz (`Q^T C Q`). Memory is a few
//! `features x l` blocks plus one chunk, whatever the number of samples.

use crate::error::{PcaError, Result};
use crate::model::{Centering, PcaModel};
use crate::options::{FitOptions, Solver};
use crate::solver::{flip_signs, Truncated};
use crate::sparse_gram::add_gram_times;
use faer::{Mat, Side};
use ndarray::{Array1, Array2};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use synthbio_core::SparseValues;

/// Visits every chunk of one pass, in the same order each pass.
pub type Visit<'a> = dyn FnMut(&SparseValues) -> Result<()> + 'a;

/// Fits a PCA of sparse samples (rows) of `n_features` columns by randomized
/// subspace iteration over passes of the data. `pass` is called once per pass
/// (1 + the power iterations of `options.randomized`, at least 2) and must hand
/// every chunk to its visitor in the same order each time; its errors (reading
/// the file) come back as they are.
///
/// `options.n_components` must be given (all components would be a dense
/// `features x features` problem); `options.standardize` is refused (scaling
/// makes the zeros non-zero). The result is a [`Solver::Randomized`] model with
/// scikit-learn's definitions; [`PcaModel::transform_sparse`] gives the scores.
///
/// ```
/// use synthbio_core::SparseValues;
/// use synthbio_pca::{fit_sparse_in_passes, FitOptions};
///
/// let x = SparseValues::new((4, 3), vec![0, 1, 2, 3, 4], vec![0, 1, 0, 2], vec![2.0, 1.0, -2.0, 3.0]);
/// let chunks = [x.slice_outer(0..2).to_owned(), x.slice_outer(2..4).to_owned()];
/// let model = fit_sparse_in_passes(3, &FitOptions::with_components(2), |visit| {
///     chunks.iter().try_for_each(&mut *visit)
/// })
/// .unwrap();
/// assert_eq!(model.n_samples(), 4);
/// assert!(model.explained_variance()[0] >= model.explained_variance()[1]);
/// ```
pub fn fit_sparse_in_passes<E: From<PcaError>>(
    n_features: usize,
    options: &FitOptions,
    mut pass: impl FnMut(&mut Visit<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<PcaModel, E> {
    if n_features == 0 {
        return Err(PcaError::NoFeatures.into());
    }
    if options.standardize {
        return Err(PcaError::NotInPasses("standardize is set, but scaling makes every zero non-zero, so a fit in passes over sparse chunks only centres; unset it").into());
    }
    let Some(k) = options.n_components else {
        return Err(PcaError::NotInPasses("n_components is None (every component), a dense features x features problem in passes over sparse chunks; give the number of components, e.g. 50").into());
    };
    if k == 0 {
        return Err(PcaError::ZeroComponents.into());
    }
    let p = n_features;
    let width = (k + options.randomized.n_oversamples).min(p);
    let mut rng = ChaCha8Rng::seed_from_u64(options.randomized.seed);
    let omega = Array2::from_shape_simple_fn((p, width), || rng.sample(StandardNormal));

    // Pass 1: moments, and C Omega from the raw cross-products X^T X Omega,
    // corrected by n mean (mean^T Omega) once the mean is known.
    let mut moments = Moments::new(p);
    let mut product = Array2::<f64>::zeros((p, width));
    let (no_shift, mut unused_sums) = (Array1::zeros(width), Array1::zeros(width));
    pass(&mut |chunk: &SparseValues| {
        check_chunk(chunk, p, moments.n)?;
        moments.push(chunk);
        add_gram_times(chunk, &omega, &no_shift, &mut product, &mut unused_sums);
        Ok(())
    })?;
    let n = moments.n;
    if n < 2 {
        return Err(PcaError::TooFewSamples { found: n }.into());
    }
    if moments.m2.iter().all(|&v| v == 0.0) {
        return Err(PcaError::NoVariance.into());
    }
    let k = options.components_for(n, p)?;
    let mean = moments.mean.clone();
    let mean_omega = omega.t().dot(&mean);
    for (mut row, &m) in product.outer_iter_mut().zip(&mean) {
        row.scaled_add(-(n as f64) * m, &mean_omega);
    }

    let n_iter = options.randomized.power_iterations(k, n.min(p)).max(1);
    let mut q = orthonormal(&product)?;
    let mut cq = covariance_times(&q, &mean, &mut pass)?;
    for _ in 1..n_iter {
        q = orthonormal(&cq)?;
        cq = covariance_times(&q, &mean, &mut pass)?;
    }
    let truncated = rayleigh_ritz(&q, &cq, k)?;
    Ok(assemble(truncated, moments, Solver::Randomized))
}

/// `C Q` for the centered covariance `C`, in one pass.
fn covariance_times<E: From<PcaError>>(
    q: &Array2<f64>,
    mean: &Array1<f64>,
    pass: &mut impl FnMut(&mut Visit<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<Array2<f64>, E> {
    let (p, width) = q.dim();
    let mean_q = q.t().dot(mean);
    let mut out = Array2::<f64>::zeros((p, width));
    let mut column_sums = Array1::<f64>::zeros(width);
    let mut seen = 0;
    pass(&mut |chunk: &SparseValues| {
        check_chunk(chunk, p, seen)?;
        seen += chunk.rows();
        // T = Xc Q for the chunk's rows, then Xc^T T = X^T T - mean (1^T T).
        add_gram_times(chunk, q, &mean_q, &mut out, &mut column_sums);
        Ok(())
    })?;
    for (mut row, &m) in out.outer_iter_mut().zip(mean) {
        row.scaled_add(-m, &column_sums);
    }
    Ok(out)
}

/// The `k` leading eigenpairs of `C` within the span of `q` (orthonormal), given `C Q`.
fn rayleigh_ritz(q: &Array2<f64>, cq: &Array2<f64>, k: usize) -> Result<Truncated> {
    let b = q.t().dot(cq);
    let l = b.nrows();
    let sym = Mat::from_fn(l, l, |i, j| 0.5 * (b[[i, j]] + b[[j, i]]));
    let evd = sym.self_adjoint_eigen(Side::Lower).map_err(|_| {
        PcaError::NoConvergence("the eigen-decomposition of the projected covariance")
    })?;
    let (values, vectors) = (evd.S().column_vector(), evd.U());
    // faer sorts eigenvalues ascending: the leading ones are at the end.
    let order: Vec<usize> = (0..k).map(|i| l - 1 - i).collect();
    let w = Array2::from_shape_fn((l, k), |(i, c)| vectors[(i, order[c])]);
    let v = q.dot(&w);
    Ok(Truncated {
        singular_values: order.iter().map(|&j| values[j].max(0.0).sqrt()).collect(),
        v: Mat::from_fn(v.nrows(), k, |i, c| v[[i, c]]),
    })
}

/// An orthonormal basis of the columns of `m` (thin Q of its QR decomposition).
fn orthonormal(m: &Array2<f64>) -> Result<Array2<f64>> {
    let (rows, cols) = m.dim();
    let q = Mat::from_fn(rows, cols, |i, j| m[[i, j]])
        .qr()
        .compute_thin_Q();
    let q = Array2::from_shape_fn((rows, q.ncols()), |(i, j)| q[(i, j)]);
    if q.iter().all(|x| x.is_finite()) {
        Ok(q)
    } else {
        Err(PcaError::NoConvergence(
            "the QR decomposition of the power iteration",
        ))
    }
}

/// Refuses a chunk of the wrong width or with a non-finite value (reported at
/// its row among all samples, `before` rows earlier).
pub(crate) fn check_chunk(chunk: &SparseValues, p: usize, before: usize) -> Result<()> {
    if chunk.cols() != p {
        return Err(PcaError::FeatureMismatch {
            expected: p,
            found: chunk.cols(),
        });
    }
    for (i, row) in chunk.outer_iterator().enumerate() {
        if let Some((j, &value)) = row.iter().find(|(_, v)| !v.is_finite()) {
            return Err(PcaError::NonFinite {
                row: before + i,
                column: j,
                value,
            });
        }
    }
    Ok(())
}

/// Column means and sums of squared deviations, merged over chunks (Chan,
/// Golub and LeVeque), the zeros a sparse chunk leaves out included.
struct Moments {
    n: usize,
    mean: Array1<f64>,
    m2: Array1<f64>,
}

impl Moments {
    fn new(p: usize) -> Self {
        Moments {
            n: 0,
            mean: Array1::zeros(p),
            m2: Array1::zeros(p),
        }
    }

    fn push(&mut self, chunk: &SparseValues) {
        let m = chunk.rows();
        if m == 0 {
            return;
        }
        let p = self.mean.len();
        let mb = m as f64;
        let (mut sum, mut stored) = (vec![0.0; p], vec![0usize; p]);
        for (&j, &x) in chunk.indices().iter().zip(chunk.data()) {
            sum[j as usize] += x;
            stored[j as usize] += 1;
        }
        let chunk_mean: Vec<f64> = sum.iter().map(|s| s / mb).collect();
        // Deviations of the stored values, then of the zeros left out.
        let mut m2: Vec<f64> = chunk_mean
            .iter()
            .zip(&stored)
            .map(|(c, &s)| (m - s) as f64 * c * c)
            .collect();
        for (&j, &x) in chunk.indices().iter().zip(chunk.data()) {
            let d = x - chunk_mean[j as usize];
            m2[j as usize] += d * d;
        }
        let na = self.n as f64;
        let n = na + mb;
        for j in 0..p {
            let delta = chunk_mean[j] - self.mean[j];
            self.m2[j] += m2[j] + delta * delta * na * mb / n;
            self.mean[j] += delta * mb / n;
        }
        self.n += m;
    }
}

/// The model of a decomposition of centered (unscaled) data with these moments.
fn assemble(mut truncated: Truncated, moments: Moments, solver: Solver) -> PcaModel {
    flip_signs(&mut truncated.v);
    let n = moments.n;
    let constant_columns = (0..moments.m2.len())
        .filter(|&j| moments.m2[j] == 0.0)
        .collect();
    let centering = Centering {
        total_variance: moments.m2.sum() / (n as f64 - 1.0),
        mean: moments.mean,
        scale: None,
        constant_columns,
    };
    PcaModel::assemble(truncated, centering, n, solver)
}
