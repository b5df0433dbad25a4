//! Tests of synthbio-de: golden values from `golden/make_golden.py` (numpy/scipy,
//! independent formulas), errors and edge cases, invariants. One test binary.

mod common;
mod errors;
mod golden_values;
mod properties;
