//! Replays the fuzz target's inputs (`fuzz/regressions/query`: inputs that
//! once crashed or broke a promise, and hand-written hostile ones;
//! `fuzz/corpus/query`: the seed corpus) through the same entry point as
//! `cargo fuzz run query`, so every past crash stays a regression test without
//! a fuzzer installed.

use crate::support::intake::{check, Outcome};
use std::path::{Path, PathBuf};

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every file of a folder through the fuzz entry point; returns the outcomes.
fn replay(dir: &str) -> Vec<(PathBuf, Outcome)> {
    files(dir)
        .into_iter()
        .map(|path| {
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data))
                .unwrap_or_else(|_| panic!("{} breaks a promise again", path.display()));
            (path, outcome)
        })
        .collect()
}

#[test]
fn every_past_crash_and_hostile_input_is_answered() {
    let outcomes = replay("regressions/query");
    assert!(outcomes.len() >= 10, "{} regression inputs", outcomes.len());
    // The hand-written hostile inputs (`hostile-*`) are all refused.
    let mut hostile = 0;
    for (path, outcome) in &outcomes {
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with("hostile-") {
            hostile += 1;
            assert!(
                matches!(outcome, Outcome::Rejected(400 | 422, _)),
                "{name}: {outcome:?}"
            );
        }
    }
    assert!(hostile >= 10, "{hostile} hostile inputs");
}

#[test]
fn the_seed_corpus_is_answered_and_holds_valid_queries() {
    let outcomes = replay("corpus/query");
    assert!(outcomes.len() >= 5, "{} corpus inputs", outcomes.len());
    let accepted = outcomes
        .iter()
        .filter(|(_, o)| *o == Outcome::Accepted)
        .count();
    assert!(
        accepted >= 4,
        "the seeds start from valid queries: {outcomes:?}"
    );
}
