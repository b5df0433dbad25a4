//! Tests of synthbio-normalize: golden values from `golden/make_golden.py` (numpy,
//! independent formulas), invariants, and errors. One test binary.

mod common;
mod errors;
mod golden_values;
mod properties;
mod sparse;
