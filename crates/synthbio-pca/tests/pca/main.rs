//! Integration tests of synthbio-pca, in one binary (one link on 2 cores).

mod analysis;
mod golden;
mod passes;
mod properties;
