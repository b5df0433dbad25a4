//! Linear algebra whose results are the same bits on every CPU.
//!
//! Training must rebuild the shipped model files byte for byte, also on
//! another machine. BLAS-like kernels (matrixmultiply, faer) choose SIMD code
//! at run time (FMA or not, AVX-512 or NEON), which changes the last bits of
//! floating-point sums. So large products go through [`exact_matmul`], which
//! rounds both factors to a fixed-point grid chosen so that every partial sum
//! is an integer below 2^53: such sums are exact in any order, whatever kernel
//! runs them. Small matrices (latent dimensions, a few hundred rows at most)
//! are handled by the fixed-order loops of [`small`].

pub(crate) mod exact;
pub(crate) mod multinomial;
pub(crate) mod small;
mod svd;

pub(crate) use exact::exact_matmul;
pub(crate) use svd::top_right_singular;
