//! Linear algebra whose results are the same bits on every CPU.
//!
//! Training must rebuild the shipped model files byte for byte, also on
//! another machine. BLAS-like kernels (matrixmultiply, faer) choose SIMD code
//! at run time (FMA or not, AVX-512 or NEON), which changes the last bits of
//! floating-point sums. So large products go through [`exact_matmul`], which
//! rounds both factors to a fixed-point grid chosen so that every partial sum
//! is an integer below 2^53: such sums are exact in any order, whatever kernel
//! runs them. Small matrices (latent dimensions, a few hundred rows at most)
//! are handled by the fixed-order loops of [`small`]. Prediction's products
//! (encoding, decoding) are the fused multiply-adds of [`fused`], in a fixed
//! order.

pub(crate) mod exact;
pub(crate) mod fused;
pub(crate) mod multinomial;
pub(crate) mod small;
mod svd;

pub(crate) use exact::exact_matmul;
pub(crate) use svd::top_right_singular;

/// `ln Σ exp(v)`, computed from the largest term; `-inf` when every term is.
pub(crate) fn log_sum_exp(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + v.iter().map(|x| libm::exp(x - max)).sum::<f64>().ln()
}

/// Log-weights shifted so that their exponentials sum to one.
pub(crate) fn log_normalize(mut l: Vec<f64>) -> Vec<f64> {
    let lse = log_sum_exp(&l);
    l.iter_mut().for_each(|x| *x -= lse);
    l
}
