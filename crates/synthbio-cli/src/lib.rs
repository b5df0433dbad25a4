//! The library side of the `synthbio` command line: the demo's dataset
//! choices ([`demo`]), shared by `synthbio demo`, its tests and the examples,
//! the sweep of every perturbation of `data/` ([`sweep`]), and a study's tables
//! as partitioned Parquet datasets ([`study_datasets`]).
//!
//! ```no_run
//! let out = synthbio_cli::demo::run_demo("data".as_ref(), "reports".as_ref(), |step| eprintln!("{step}"))?;
//! println!("{} samples flagged", out.qc.flagged().len());
//! # Ok::<(), synthbio_cli::demo::DemoError>(())
//! ```

pub mod demo;
mod refits;
pub mod study_datasets;
pub mod sweep;
