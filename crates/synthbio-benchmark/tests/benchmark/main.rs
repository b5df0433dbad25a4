//! Tests of synthbio-benchmark in one binary: cell-eval golden values, baselines
//! on real data, and bad input.

mod baselines;
mod errors;
mod golden;
mod weighted;
