//! Integration tests of synthbio-engine, in one test binary (one link).

mod common;
mod evaluation;
mod families;
mod training;
mod validation;
