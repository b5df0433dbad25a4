//! A test double for the predictor (a few genes, real-looking datasets),
//! small helpers to talk to a server over loopback, and result checks.

pub mod check;
pub mod fake;
pub mod http;
pub mod intake;
