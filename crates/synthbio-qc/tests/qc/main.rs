//! Integration tests of synthbio-qc, in one binary (one link on 2 cores).

mod analysis;
mod geuvadis;
mod labels;
mod sex;
