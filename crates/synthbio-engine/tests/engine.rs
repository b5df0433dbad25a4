//! Integration tests of synthbio-engine, in one test binary (one link).

#[path = "engine/common.rs"]
mod common;
#[path = "engine/evaluation.rs"]
mod evaluation;
#[path = "engine/families.rs"]
mod families;
#[path = "engine/training.rs"]
mod training;
#[path = "engine/validation.rs"]
mod validation;
