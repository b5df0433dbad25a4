//! Integration tests of synthbio-report (one binary; see Cargo.toml).

mod common;
mod figures;
mod files;
mod html;
