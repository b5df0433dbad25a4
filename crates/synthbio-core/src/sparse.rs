//! Sparse matrices of samples x genes (compressed by row, `sprs`), for data too
//! large to hold dense: one chunk of samples at a time.

use sprs::CsMatI;

/// Counts, samples x genes, compressed by row (CSR) with the zeros left out;
/// gene indices are `u32` (half the memory of `usize`), row offsets `usize`.
pub type SparseCounts = CsMatI<u32, u32, usize>;

/// Values (normalized expression), laid out as [`SparseCounts`].
pub type SparseValues<F = f64> = CsMatI<F, u32, usize>;
