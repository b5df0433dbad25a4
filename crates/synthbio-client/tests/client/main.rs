//! The client's tests, in one binary: golden decoding, offline validation,
//! injected faults, and the project's own server over loopback HTTP.

mod cycle;
mod engine;
mod faults;
mod golden;
mod offline;
mod paths;
mod proxy_faults;
mod shapes;
mod support;
