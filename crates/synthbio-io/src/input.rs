//! Counts inputs other than text tables, told apart before a table is parsed: a 10x
//! folder (by being a folder) and AnnData (by the `.h5ad` extension or HDF5's
//! signature), so that every reader of counts through [`read_counts`](crate::read_counts)
//! takes them.

use crate::counts::CountsOptions;
use crate::detect::Detected;
use crate::error::IoError;
use crate::h5ad::{is_h5ad_path, read_h5ad};
use crate::tenx::read_10x_dir;
use std::io::Read;
use std::path::Path;
use synthbio_core::Dataset;

/// The eight bytes every HDF5 file starts with (at offset 0 when it has no user block).
const HDF5_MAGIC: [u8; 8] = *b"\x89HDF\r\n\x1a\n";

/// Reads `path` when it is a 10x folder or an AnnData file; `None` for anything else.
pub(crate) fn read_other_format(
    path: &Path,
    options: &CountsOptions,
) -> Option<Result<(Dataset, Detected), IoError>> {
    if path.is_dir() {
        return Some(read_10x_dir(path));
    }
    if is_h5ad_path(path) || starts_with_hdf5(path) {
        return Some(read_h5ad(path, &options.h5ad));
    }
    None
}

/// Whether the file starts with the HDF5 signature (unreadable files are left to the
/// table reader, whose error names the problem).
fn starts_with_hdf5(path: &Path) -> bool {
    let mut start = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok_and(|()| start == HDF5_MAGIC)
}
