//! Atomic writes ([`synthbio_core::fs::write_atomic`]) with this crate's errors, and
//! gzip-compressed when asked.

use crate::error::{write_err, IoError};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{self, Write};
use std::path::Path;

/// Writes `path` atomically: `write` fills a buffered temporary file in the same folder,
/// which then replaces `path` by a rename. If `write` fails, the temporary file is deleted
/// and `path` is left as it was.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("notes.txt");
/// synthbio_io::write_atomic(&path, |w| w.write_all(b"done\n")).unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "done\n");
///
/// let failed = synthbio_io::write_atomic(&path, |w| {
///     w.write_all(b"half")?;
///     Err(std::io::Error::other("the source went away"))
/// });
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "done\n");
/// ```
pub fn write_atomic<F>(path: &Path, write: F) -> Result<(), IoError>
where
    F: FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
{
    let file = path.display().to_string();
    atomic(path, |w| write(w).map_err(write_err(&file)))
}

/// As [`write_atomic`], with a writer whose failures are already [`IoError`]s.
pub(crate) fn atomic<F>(path: &Path, write: F) -> Result<(), IoError>
where
    F: FnOnce(&mut (dyn Write + Send)) -> Result<(), IoError>,
{
    let file = path.display().to_string();
    synthbio_core::fs::write_atomic(path, write, |e| write_err(&file)(e))
}

/// As [`atomic`], gzip-compressing what `write` writes when `gzip` is set.
pub(crate) fn atomic_maybe_gzip<F>(path: &Path, gzip: bool, write: F) -> Result<(), IoError>
where
    F: FnOnce(&mut (dyn Write + Send)) -> Result<(), IoError>,
{
    if !gzip {
        return atomic(path, write);
    }
    let file = path.display().to_string();
    atomic(path, |w| {
        let mut gz = GzEncoder::new(w, Compression::default());
        write(&mut gz)?;
        gz.finish().map_err(write_err(&file))?;
        Ok(())
    })
}
