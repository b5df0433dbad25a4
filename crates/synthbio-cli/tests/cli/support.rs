//! What the tests share: running the binary offline, the fixtures, and the
//! one-sentence error check.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary, with every variable that could select a server removed
/// (`SYNTHESIZE_*`, `SYNTHBIO_URL`), so it runs on the local engine.
pub fn offline() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_synthbio"));
    for (name, _) in std::env::vars() {
        if name.starts_with("SYNTHESIZE_") || name == "SYNTHBIO_URL" {
            command.env_remove(name);
        }
    }
    command
}

/// Runs the binary offline in `dir`.
pub fn synthbio(args: &[&str], dir: &Path) -> Output {
    offline()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// A fixture of synthbio-io's tests.
pub fn fixture(name: &str) -> String {
    repo("crates/synthbio-io/tests/data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// An AnnData fixture of synthbio-io's tests (written by its anndata_roundtrip.py).
pub fn anndata_fixture(name: &str) -> String {
    repo("crates/synthbio-io/tests/anndata")
        .join(format!("{name}.h5ad"))
        .to_string_lossy()
        .into_owned()
}

/// Bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The command failed with exactly one line on stderr, `error: ...`, that
/// contains every one of `needles`.
pub fn fails_with(out: &Output, needles: &[&str]) {
    let err = text(&out.stderr);
    assert!(!out.status.success(), "succeeded; stderr: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = lines.last().copied().unwrap_or_default();
    assert!(last.starts_with("error: "), "{err}");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("error")).count(),
        1,
        "one error line: {err}"
    );
    for needle in needles {
        assert!(last.contains(needle), "{needle:?} not in {last:?}");
    }
}
