//! synthbio-server over real HTTP on loopback: one test binary.

mod support;

mod arrow;
mod auth;
mod bad_input;
mod corpus;
mod durable;
mod endpoints;
mod engine;
mod errors;
mod load;
mod properties;
mod queue;
mod security;
mod shutdown;
