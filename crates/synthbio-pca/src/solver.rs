//! The decompositions, on faer: exact thin SVD, covariance eigen-decomposition,
//! and randomized SVD. Each returns the leading singular values and right
//! singular vectors of the centered data; signs are fixed afterwards by [`flip_signs`].

use crate::error::{PcaError, Result};
use crate::gram::gram_lower;
use crate::options::RandomizedOptions;
use faer::{Mat, MatRef, Side};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Leading singular values (descending) and right singular vectors
/// (`features x k`, one column per component).
pub(crate) struct Truncated {
    pub singular_values: Vec<f64>,
    pub v: Mat<f64>,
}

/// Exact thin SVD of the centered data.
pub(crate) fn full(x: MatRef<'_, f64>, k: usize) -> Result<Truncated> {
    let svd = x
        .thin_svd()
        .map_err(|_| PcaError::NoConvergence("the SVD"))?;
    let s = svd.S().column_vector();
    Ok(Truncated {
        singular_values: (0..k).map(|i| s[i]).collect(),
        v: svd.V().subcols(0, k).to_owned(),
    })
}

/// Eigen-decomposition of `X^T X` (centered data): eigenvalues are the squared
/// singular values, eigenvectors the right singular vectors.
pub(crate) fn covariance_eigh(x: MatRef<'_, f64>, k: usize) -> Result<Truncated> {
    // Only the lower half of the symmetric X^T X is computed (about half the
    // work of a general product) and read.
    gram_eigh(gram_lower(x), k)
}

/// The `k` leading eigenpairs of a Gram matrix `X^T X` of centered data, of which
/// only the lower half is read, as singular values and right singular vectors of `X`.
pub(crate) fn gram_eigh(gram: Mat<f64>, k: usize) -> Result<Truncated> {
    let p = gram.ncols();
    let evd = gram
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| PcaError::NoConvergence("the eigen-decomposition"))?;
    let values = evd.S().column_vector();
    let vectors = evd.U();
    // faer sorts eigenvalues ascending: take them from the end. Rounding can make
    // tiny eigenvalues of a positive semi-definite matrix negative: clip to 0.
    let order: Vec<usize> = (0..k).map(|i| p - 1 - i).collect();
    Ok(Truncated {
        singular_values: order.iter().map(|&j| values[j].max(0.0).sqrt()).collect(),
        v: Mat::from_fn(p, k, |i, c| vectors[(i, order[c])]),
    })
}

/// Randomized SVD (Halko, Martinsson and Tropp 2011, algorithms 4.4 and 5.1),
/// as scikit-learn's `randomized_svd`, except that every power iteration is
/// re-orthonormalized by QR (scikit-learn's default normalizes by LU when there
/// are more than 2 iterations): slower by a little, never less stable. All in
/// f64 (faer's f32 thin Q is wrong from 524,288 rows, see the crate docs). Like scikit-learn, a matrix wider than
/// tall is decomposed through its transpose.
pub(crate) fn randomized(
    x: MatRef<'_, f64>,
    k: usize,
    options: &RandomizedOptions,
) -> Result<Truncated> {
    let (n, p) = (x.nrows(), x.ncols());
    let min_dim = n.min(p);
    let n_iter = options.power_iterations(k, min_dim);
    let width = (k + options.n_oversamples).min(min_dim);
    let transpose = p > n;
    let m = if transpose { x.transpose() } else { x };
    let (u, s, vt) = randomized_tall(m, width, n_iter, options.seed)?;
    // For the transposed problem, left and right singular vectors swap.
    let v = if transpose {
        u.subcols(0, k).to_owned()
    } else {
        vt.transpose().subcols(0, k).to_owned()
    };
    Ok(Truncated {
        singular_values: s[..k].to_vec(),
        v,
    })
}

/// Range finder and small SVD on `m` (rows >= columns); returns `U`, `S`, `V^T`.
fn randomized_tall(
    m: MatRef<'_, f64>,
    width: usize,
    n_iter: usize,
    seed: u64,
) -> Result<(Mat<f64>, Vec<f64>, Mat<f64>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let omega = Mat::<f64>::from_fn(m.ncols(), width, |_, _| rng.sample(StandardNormal));
    let mut q = times_thin(m, omega.as_ref()).qr().compute_thin_Q();
    for _ in 0..n_iter {
        let z = (m.transpose() * &q).qr().compute_thin_Q();
        q = times_thin(m, z.as_ref()).qr().compute_thin_Q();
    }
    // B = Q^T M, decomposed through its transpose M^T Q (the faster product):
    // B^T = U' S V'^T gives B = V' S U'^T.
    let bt = m.transpose() * &q;
    let svd = bt
        .thin_svd()
        .map_err(|_| PcaError::NoConvergence("the SVD of the projected matrix"))?;
    let u = &q * svd.V();
    let s = svd.S().column_vector().iter().copied().collect();
    Ok((u, s, svd.U().transpose().to_owned()))
}

/// `m * b` for a large `m` and a thin `b`. For a row-major `m` (the centered
/// data) it is formed as `(b^T m^T)^T`: faer's kernels then stream the large
/// operand as a column-major right-hand side, about 1.5x faster here.
fn times_thin(m: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    if m.col_stride() == 1 && m.row_stride() != 1 {
        (b.transpose() * m.transpose()).transpose().to_owned()
    } else {
        m * b
    }
}

/// scikit-learn's `svd_flip(u_based_decision=False)`, which its `PCA` uses
/// since version 1.5: each component's entry of largest absolute value (the
/// first such entry on ties) is made positive.
pub(crate) fn flip_signs(v: &mut Mat<f64>) {
    for c in 0..v.ncols() {
        let mut best = 0;
        for i in 1..v.nrows() {
            if v[(i, c)].abs() > v[(best, c)].abs() {
                best = i;
            }
        }
        if v[(best, c)] < 0.0 {
            for i in 0..v.nrows() {
                v[(i, c)] = -v[(i, c)];
            }
        }
    }
}
