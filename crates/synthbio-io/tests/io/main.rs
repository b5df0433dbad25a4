//! The one test binary of synthbio-io: every area in its own module.

mod align;
mod atomic;
mod counts;
mod harmonise;
mod metadata;
mod mtx;
mod support;
mod write;
