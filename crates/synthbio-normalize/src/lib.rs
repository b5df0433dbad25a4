//! Normalization of count matrices, as the tools biologists compare with compute it:
//!
//! - counts per million ([`Method::Cpm`]);
//! - edgeR's `cpm(y, log = TRUE, prior.count = 2)` ([`Method::LogCpm`], the default);
//! - `log2(cpm + 1)` ([`Method::Log2CpmPlusOne`]), the reference-conditioning fold-change scale;
//! - scanpy's `normalize_total` + `log1p` ([`Method::Log1p`], natural log, target = median
//!   of totals by default);
//! - optionally on library sizes scaled by TMM factors ([`tmm_factors`], edgeR's
//!   `calcNormFactors(method = "TMM")` defaults).
//!
//! Inputs are samples x genes: a [`Dataset`](synthbio_core::Dataset), or any
//! `ArrayView2` of `u32`, `f32` or `f64` counts; outputs are
//! [`Expression`](synthbio_core::Expression) in `f64` or `f32`. Work runs in the matrix's
//! memory order (row- or column-major), in parallel over samples or gene blocks.
//! A sample with no counts, or a negative / non-finite count, is an error naming it; genes
//! without counts are kept (0 on CPM scales, the prior-only value on edgeR's log scale).
//!
//! ```
//! use ndarray::array;
//! use synthbio_normalize::{cpm, log_cpm, normalize, Method, NormalizeParams};
//!
//! let counts = array![[10u32, 0, 90], [30, 20, 50]];
//! let c = cpm(counts.view()).unwrap();
//! assert_eq!(c.values[[0, 2]], 900_000.0);
//!
//! // edgeR: prior 2 scaled by L_i / mean(L) (both libraries are 100 here), L + 2 * prior.
//! let l = log_cpm(counts.view(), 2.0).unwrap();
//! assert!((l.values[[0, 1]] - (2.0f64 / 104.0 * 1e6).log2()).abs() < 1e-12);
//!
//! // f32 output with TMM factors.
//! let n = normalize::<u32, f32>(counts.view(), &NormalizeParams::new(Method::Cpm).with_tmm()).unwrap();
//! assert!((n.norm_factors.iter().product::<f64>() - 1.0).abs() < 1e-12);
//! ```

mod analysis;
mod error;
mod library;
mod normalize;
mod params;
mod sparse;
mod tmm;
mod transform;
mod values;

pub use analysis::{normalize_dataset, Normalize, NormalizeReport};
pub use error::{NormalizeError, Result};
pub use library::{check_positive, library_sizes};
pub use normalize::{
    cpm, log1p_normalize, log2_cpm_plus_one, log_cpm, median_of_totals, normalize, normalize_into,
    normalize_owned, scale_of, Normalized,
};
pub use params::{Method, MethodName, NormFactors, NormalizeParams, TargetSum, TmmParams};
pub use sparse::normalize_sparse;
pub use tmm::{tmm_factors, tmm_reference_sample};
pub use values::{CountValue, Real};
