//! What synthbio's benchmarks share: deterministic inputs at the sizes users
//! work at, a loopback server that turns a dataset into the result bytes a
//! download gives (JSON and Arrow), `.npy` files that numpy reads as they are,
//! the process's peak memory, and a memory-bandwidth probe.
//!
//! The criterion benches live in the workspace root's `benches/` folder (this
//! crate's `Cargo.toml` points at them); the side-by-side comparison with the
//! Python tools (`benches/compare/run.sh`) runs this crate's two binaries:
//! `bench-inputs` writes the input files once, `bench-op` times one operation
//! on them in a fresh process and reports its peak memory. See
//! `benches/README.md` for the figures and the commands that made them.
//!
//! ```
//! use synthbio_bench::gen;
//!
//! let counts = gen::counts(3, 100, 7);
//! assert_eq!(counts.dim(), (3, 100));
//! assert_eq!(counts, gen::counts(3, 100, 7)); // the same seed, the same matrix
//! ```

mod error;
pub mod gen;
pub mod npy;
pub mod probe;
pub mod results;

pub use error::BenchError;

/// Genes of the hosted bulk model (`gem-1-bulk`), the width of a hosted result.
pub const HOSTED_BULK_GENES: usize = 44_592;

/// The hosted model's latent block sizes: biological, technical, perturbation.
pub const HOSTED_LATENT_DIMS: [usize; 3] = [1_024, 32, 512];
