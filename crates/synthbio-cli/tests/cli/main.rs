//! The `synthbio` command line and its library end to end, in one test binary.

mod commands;
mod demo;
mod h5ad_input;
mod predict_shapes;
mod real_tables;
mod serve_durable;
mod stream;
mod support;
mod sweep;
