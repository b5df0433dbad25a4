//! The state directory: the job store (`jobs.sqlite3`) and the results
//! (`results/<qid>.json`), created owner-only (0700).

use crate::error::ServerError;
use std::path::{Path, PathBuf};

/// Where `synthbio serve` keeps its state when `--state-dir` is not given:
/// `<user cache dir>/synthbio/server` (on Linux `$XDG_CACHE_HOME/synthbio/server`
/// or `~/.cache/synthbio/server`); `None` when the system names no cache dir.
pub fn default_state_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("synthbio").join("server"))
}

/// An open state directory; a temporary one is deleted when this is dropped.
#[derive(Debug)]
pub(crate) struct StateDir {
    root: PathBuf,
    /// Keeps a temporary directory alive (and removes it on drop).
    temporary: Option<tempfile::TempDir>,
}

impl StateDir {
    /// Opens (creating it 0700 if needed) the directory at `path`, or a fresh
    /// temporary one when `path` is `None`.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, ServerError> {
        let (root, temporary) = match path {
            Some(p) => (p.to_path_buf(), None),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("synthbio-server-")
                    .tempdir()
                    .map_err(|e| state_error(Path::new("(temporary)"), "create", e))?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        create_private(&root)?;
        create_private(&root.join(RESULTS))?;
        Ok(StateDir { root, temporary })
    }

    /// Whether the directory is a temporary one, deleted when the server stops.
    pub(crate) fn is_temporary(&self) -> bool {
        self.temporary.is_some()
    }

    /// The directory.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The SQLite job store's file.
    pub(crate) fn database(&self) -> PathBuf {
        self.root.join("jobs.sqlite3")
    }

    /// The folder of result files.
    pub(crate) fn results(&self) -> PathBuf {
        self.root.join(RESULTS)
    }

    /// The result file of one query (query ids are 64 hex digits, safe as names).
    pub(crate) fn result_file(&self, qid: &str) -> PathBuf {
        self.results().join(format!("{qid}.json"))
    }
}

const RESULTS: &str = "results";

/// Creates `dir` (and its parents) and makes it owner-only; an existing
/// directory is made owner-only too, since results are private.
fn create_private(dir: &Path) -> Result<(), ServerError> {
    std::fs::create_dir_all(dir).map_err(|e| state_error(dir, "create", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| state_error(dir, "make owner-only (0700)", e))?;
    }
    Ok(())
}

fn state_error(dir: &Path, what: &str, e: std::io::Error) -> ServerError {
    ServerError::State(format!(
        "cannot {what} the state directory {}: {e}; choose another with --state-dir",
        dir.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_an_owner_only_directory_and_a_temporary_one_goes_away() {
        let parent = tempfile::tempdir().unwrap();
        let path = parent.path().join("a").join("state");
        let dir = StateDir::open(Some(&path)).unwrap();
        assert!(dir.results().is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        }
        let temp = StateDir::open(None).unwrap();
        let root = temp.root().to_path_buf();
        assert!(root.join(RESULTS).is_dir());
        drop(temp);
        assert!(!root.exists());
        assert!(default_state_dir().is_none_or(|d| d.ends_with("synthbio/server")));
    }
}
