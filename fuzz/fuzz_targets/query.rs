//! Query parsing and validation (`synthbio_server::read_query`) on any bytes:
//! the first byte picks one of a few models, the rest is the request body.
//! A panic, or an answer that breaks the endpoint's promises (a status other
//! than 400/422, a rejection without paths, an accepted query over a limit),
//! is a crash. Inputs that once crashed go to `fuzz/regressions/query`, which
//! `cargo test -p synthbio-server` replays through the same check.
//!
//! Run on demand: `cargo +nightly fuzz run query fuzz/corpus/query fuzz/regressions/query`.

#![no_main]

#[path = "../../crates/synthbio-server/tests/support/intake.rs"]
#[allow(dead_code)]
mod intake;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    intake::check(data);
});
