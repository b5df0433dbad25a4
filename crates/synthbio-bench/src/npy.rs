//! Two-dimensional `.npy` files (numpy's format, version 1.0), so that the
//! Python peers load the very same matrices with `numpy.load`.
//!
//! Only what the benches need: little-endian `u32`, `f32` and `f64`, C order.
//! Reading streams the values into the array in blocks, so the peak memory of
//! a reader is the matrix, not the matrix plus the file.

use crate::BenchError;
use ndarray::{Array2, ArrayView2};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

/// An element type a `.npy` file holds.
pub trait Element: Copy + Default + Send + Sync + 'static {
    /// numpy's `descr` of the type, e.g. `<u4`.
    const DESCR: &'static str;
    /// Bytes per value.
    const SIZE: usize;
    /// Appends the value's little-endian bytes.
    fn put(self, out: &mut Vec<u8>);
    /// The value from its little-endian bytes (`SIZE` of them).
    fn get(bytes: &[u8]) -> Self;
}

macro_rules! element {
    ($t:ty, $descr:literal) => {
        impl Element for $t {
            const DESCR: &'static str = $descr;
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                let mut b = [0u8; std::mem::size_of::<$t>()];
                b.copy_from_slice(bytes);
                <$t>::from_le_bytes(b)
            }
        }
    };
}
element!(u32, "<u4");
element!(f32, "<f4");
element!(f64, "<f8");

const MAGIC: &[u8] = b"\x93NUMPY";
/// Values converted per block when reading or writing.
const BLOCK: usize = 1 << 16;

/// Writes a matrix as a `.npy` file (C order).
pub fn write<T: Element>(path: &Path, m: ArrayView2<'_, T>) -> Result<(), BenchError> {
    let io = |e| BenchError::io(path, e);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).map_err(io)?);
    let dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': ({}, {}), }}",
        T::DESCR,
        m.nrows(),
        m.ncols()
    );
    // Magic (6) + version (2) + length (2) + dict + padding + newline, a multiple of 64.
    let unpadded = MAGIC.len() + 4 + dict.len() + 1;
    let pad = (64 - unpadded % 64) % 64;
    let header_len = u16::try_from(dict.len() + pad + 1)
        .map_err(|_| BenchError::npy(path, "header longer than a version 1.0 file allows"))?;
    w.write_all(MAGIC).map_err(io)?;
    w.write_all(&[1, 0]).map_err(io)?;
    w.write_all(&header_len.to_le_bytes()).map_err(io)?;
    w.write_all(dict.as_bytes()).map_err(io)?;
    w.write_all(&vec![b' '; pad]).map_err(io)?;
    w.write_all(b"\n").map_err(io)?;
    let mut buf = Vec::with_capacity(BLOCK * T::SIZE);
    for row in m.rows() {
        for &v in row {
            v.put(&mut buf);
            if buf.len() >= BLOCK * T::SIZE {
                w.write_all(&buf).map_err(io)?;
                buf.clear();
            }
        }
    }
    w.write_all(&buf).map_err(io)?;
    w.flush().map_err(io)
}

/// Reads a two-dimensional C-order `.npy` file of `T`.
pub fn read<T: Element>(path: &Path) -> Result<Array2<T>, BenchError> {
    let io = |e| BenchError::io(path, e);
    let mut f = File::open(path).map_err(io)?;
    let mut pre = [0u8; 10];
    f.read_exact(&mut pre).map_err(io)?;
    if &pre[..6] != MAGIC {
        return Err(BenchError::npy(path, "not a .npy file (no magic string)"));
    }
    let header_len = match pre[6] {
        1 => usize::from(u16::from_le_bytes([pre[8], pre[9]])),
        2 | 3 => {
            let mut rest = [0u8; 2];
            f.read_exact(&mut rest).map_err(io)?;
            u32::from_le_bytes([pre[8], pre[9], rest[0], rest[1]]) as usize
        }
        v => return Err(BenchError::npy(path, format!("unknown .npy version {v}"))),
    };
    let mut header = vec![0u8; header_len];
    f.read_exact(&mut header).map_err(io)?;
    let header = String::from_utf8_lossy(&header);
    if !header.contains(&format!("'descr': '{}'", T::DESCR)) {
        return Err(BenchError::npy(
            path,
            format!("expected values of type {} in: {header}", T::DESCR),
        ));
    }
    if !header.contains("'fortran_order': False") {
        return Err(BenchError::npy(path, "expected C order"));
    }
    let (rows, cols) = shape(&header)
        .ok_or_else(|| BenchError::npy(path, format!("expected a 2-d shape in: {header}")))?;
    let total = rows * cols;
    let mut values = Vec::with_capacity(total);
    let mut buf = vec![0u8; BLOCK * T::SIZE];
    while values.len() < total {
        let n = (total - values.len()).min(BLOCK);
        let bytes = &mut buf[..n * T::SIZE];
        f.read_exact(bytes).map_err(io)?;
        values.extend(bytes.chunks_exact(T::SIZE).map(T::get));
    }
    Array2::from_shape_vec((rows, cols), values).map_err(|e| BenchError::npy(path, e.to_string()))
}

/// `(rows, cols)` from the header's `'shape': (rows, cols)`.
fn shape(header: &str) -> Option<(usize, usize)> {
    let start = header.find("'shape': (")? + "'shape': (".len();
    let end = start + header[start..].find(')')?;
    let mut dims = header[start..end]
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::parse::<usize>);
    let (r, c) = (dims.next()?.ok()?, dims.next()?.ok()?);
    dims.next().is_none().then_some((r, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn round_trips_each_type() {
        let dir = std::env::temp_dir().join(format!("synthbio-npy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("m.npy");
        let u = array![[1u32, 2, 3], [4, 5, u32::MAX]];
        write(&p, u.view()).unwrap();
        assert_eq!(read::<u32>(&p).unwrap(), u);
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(
            (bytes.len() - 6 * 4) % 64,
            0,
            "header is padded to 64 bytes"
        );
        assert!(read::<f64>(&p).is_err(), "the type is checked");
        let f = array![[0.5f64, -1e300], [f64::MIN_POSITIVE, 3.0]];
        write(&p, f.view()).unwrap();
        assert_eq!(read::<f64>(&p).unwrap(), f);
        let f = array![[0.25f32], [7.0]];
        write(&p, f.view()).unwrap();
        assert_eq!(read::<f32>(&p).unwrap(), f);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_the_shape() {
        assert_eq!(shape("{'shape': (3, 4), }"), Some((3, 4)));
        assert_eq!(shape("{'shape': (3,), }"), None);
        assert_eq!(shape("{'shape': (3, 4, 5), }"), None);
    }
}
