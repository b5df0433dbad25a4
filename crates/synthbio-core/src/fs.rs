//! Atomic file writes, shared by every crate that writes results: everything
//! goes to a temporary file in the target's folder, which is renamed over the
//! target only once complete, so a failed or interrupted write never leaves a
//! half-written file (and leaves an existing one untouched).

use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically: `write` fills a buffered temporary file in the
/// same folder, which then replaces `path` by a rename. If `write` fails, the
/// temporary file is deleted and `path` is left as it was. I/O failures of the
/// temporary file are mapped to the caller's error type by `io_err`.
///
/// The new file gets the permissions any new file gets (0666 less the umask),
/// or keeps those of the file it replaces.
///
/// ```
/// use synthbio_core::fs::write_atomic;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("notes.txt");
/// write_atomic(&path, |w| w.write_all(b"done\n"), |e| e).unwrap();
///
/// let failed = write_atomic(
///     &path,
///     |w| {
///         w.write_all(b"half")?;
///         Err(std::io::Error::other("the source went away"))
///     },
///     |e| e,
/// );
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "done\n");
/// ```
pub fn write_atomic<E>(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> Result<(), E>,
    io_err: impl Fn(io::Error) -> E,
) -> Result<(), E> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // Temporary files are private (0600) by default; open() applies the umask to 0666.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder.tempfile_in(dir).map_err(&io_err)?;
    if let Ok(existing) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(existing.permissions())
            .map_err(&io_err)?;
    }
    let mut out = BufWriter::with_capacity(1 << 16, tmp);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(|e| io_err(e.into_error()))?;
    tmp.as_file().sync_all().map_err(&io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}
