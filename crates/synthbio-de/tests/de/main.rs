//! Tests of synthbio-de: golden values from `golden/make_golden.py` (numpy/scipy,
//! independent formulas) and `golden/make_limma_golden.R` (limma and edgeR themselves),
//! errors and edge cases, invariants. One test binary.

mod common;
mod errors;
mod golden_values;
mod limma_golden;
mod properties;
mod robust_golden;
