//! Integration tests of synthbio-engine, in one test binary (one link).

mod common;
mod corrections;
mod evaluation;
mod families;
mod reproducible;
mod training;
mod validation;
