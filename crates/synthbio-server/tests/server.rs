//! synthbio-server over real HTTP on loopback: one test binary.

mod support;

mod arrow;
mod auth;
mod endpoints;
mod engine;
mod errors;
mod queue;
mod shutdown;
