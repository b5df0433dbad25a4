//! Atomic writes: everything goes to a temporary file in the target's folder, which is
//! renamed over the target only once complete, so a failed write leaves no partial file
//! (and an existing file untouched).

use crate::error::{write_err, IoError};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{self, BufWriter, Write};
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
    // Temporary files are private (0600) by default; a result file should get the
    // permissions any new file gets (0666 less the umask), or keep those of the file
    // it replaces.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder.tempfile_in(dir).map_err(write_err(&file))?;
    if let Ok(existing) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(existing.permissions())
            .map_err(write_err(&file))?;
    }
    let mut out = BufWriter::with_capacity(1 << 16, tmp);
    write(&mut out)?;
    let tmp = out
        .into_inner()
        .map_err(|e| write_err(&file)(e.into_error()))?;
    tmp.as_file().sync_all().map_err(write_err(&file))?;
    tmp.persist(path).map_err(|e| write_err(&file)(e.error))?;
    Ok(())
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
