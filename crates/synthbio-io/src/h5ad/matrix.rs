//! Reading an AnnData matrix element (a dense 2-D dataset, or a `csr_matrix` /
//! `csc_matrix` group) as raw counts, checking every stored value.

use super::hdf::{attr_string, encoding, kind, Ctx, Kind};
use super::H5adError;
use crate::CountProblem;
use hdf5::Group;
use ndarray::Array2;

/// Rows read at once from a dense matrix (bounds the f64 buffer).
const BLOCK_ROWS: usize = 1024;

/// How a matrix element is stored.
pub(crate) enum Layout {
    Dense,
    /// Compressed sparse rows (cells) or columns (genes).
    Sparse {
        by_row: bool,
    },
}

/// The layout and shape (obs x var) of the matrix element at `path`.
pub(crate) fn describe(
    ctx: Ctx<'_>,
    root: &Group,
    path: &str,
) -> Result<(Layout, usize, usize), H5adError> {
    match kind(root, path) {
        Kind::Dataset => {
            let ds = root.dataset(path).map_err(ctx.err(path))?;
            match ds.shape().as_slice() {
                &[n, g] => Ok((Layout::Dense, n, g)),
                other => Err(ctx.unsupported(
                    path,
                    format!("a {}-dimensional array", other.len()),
                    "the counts must be a 2-dimensional cells x genes matrix",
                )),
            }
        }
        Kind::Group => {
            let g = root.group(path).map_err(ctx.err(path))?;
            let by_row = match sparse_format(ctx, &g, path)?.as_deref() {
                Some("csr_matrix" | "csr") => true,
                Some("csc_matrix" | "csc") => false,
                other => {
                    return Err(ctx.unsupported(
                        path,
                        format!("a group with encoding-type {:?}", other.unwrap_or("(none)")),
                        "store the matrix as a dense array or a scipy CSR/CSC sparse matrix",
                    ))
                }
            };
            let shape = shape_attr(ctx, &g, path)?;
            Ok((Layout::Sparse { by_row }, shape.0, shape.1))
        }
        Kind::Absent => Err(H5adError::Missing {
            file: ctx.file.to_string(),
            element: path.to_string(),
            fix: "choose another counts matrix".into(),
        }),
    }
}

/// `encoding-type`, or the `h5sparse_format` of files written before anndata 0.8.
fn sparse_format(ctx: Ctx<'_>, g: &Group, path: &str) -> Result<Option<String>, H5adError> {
    match encoding(ctx, g, path)? {
        Some(e) => Ok(Some(e)),
        None => attr_string(ctx, g, path, "h5sparse_format"),
    }
}

/// The `shape` (or legacy `h5sparse_shape`) attribute of a sparse group.
fn shape_attr(ctx: Ctx<'_>, g: &Group, path: &str) -> Result<(usize, usize), H5adError> {
    let names = g.attr_names().map_err(ctx.err(path))?;
    let name = ["shape", "h5sparse_shape"]
        .into_iter()
        .find(|n| names.iter().any(|m| m == n))
        .ok_or_else(|| {
            ctx.inconsistent(format!("the sparse matrix {path} has no shape attribute"))
        })?;
    let what = format!("attribute {name:?} of {path}");
    let shape: Vec<i64> = g
        .attr(name)
        .and_then(|a| a.read_raw::<i64>())
        .map_err(ctx.err(&what))?;
    match shape.as_slice() {
        &[n, m] if n >= 0 && m >= 0 => Ok((n as usize, m as usize)),
        _ => Err(ctx.inconsistent(format!("{what} is {shape:?}, not two sizes"))),
    }
}

/// Names a matrix and the ids of its cells and genes, for errors.
pub(crate) struct Labels<'a> {
    /// `X`, `layers["counts"]`, `raw.X`.
    pub matrix: &'a str,
    pub cells: &'a [String],
    pub genes: &'a [String],
    /// What to do when a value is not a count.
    pub fix: &'a str,
}

impl Labels<'_> {
    /// A value that is not a count, named by its cell and gene.
    pub(crate) fn not_count(
        &self,
        ctx: Ctx<'_>,
        value: f64,
        cell: usize,
        gene: usize,
        problem: CountProblem,
    ) -> H5adError {
        H5adError::NotCounts {
            file: ctx.file.to_string(),
            matrix: self.matrix.to_string(),
            value,
            at: format!("cell {}, gene {}", self.cells[cell], self.genes[gene]),
            problem,
            fix: self.fix.to_string(),
        }
    }
}

/// As [`describe`], checking the shape against the ids of `labels`.
pub(crate) fn describe_labelled(
    ctx: Ctx<'_>,
    root: &Group,
    path: &str,
    labels: &Labels<'_>,
) -> Result<(Layout, usize, usize), H5adError> {
    let (layout, n, g) = describe(ctx, root, path)?;
    if (n, g) != (labels.cells.len(), labels.genes.len()) {
        return Err(ctx.inconsistent(format!(
            "{path} is {n} x {g} but the file lists {} cells and {} genes for it",
            labels.cells.len(),
            labels.genes.len()
        )));
    }
    Ok((layout, n, g))
}

/// Reads the matrix at `path` as counts, cells x genes; its shape must be the lengths
/// of `labels.cells` x `labels.genes`. Repeated sparse entries are summed, as scipy does.
pub(crate) fn read_counts(
    ctx: Ctx<'_>,
    root: &Group,
    path: &str,
    labels: &Labels<'_>,
) -> Result<Array2<u32>, H5adError> {
    let (layout, n, g) = describe_labelled(ctx, root, path, labels)?;
    let mut counts = Array2::<u32>::zeros((n, g));
    match layout {
        Layout::Dense => {
            let ds = root.dataset(path).map_err(ctx.err(path))?;
            let mut start = 0;
            while start < n {
                let end = (start + BLOCK_ROWS).min(n);
                let block: Array2<f64> =
                    ds.read_slice_2d((start..end, ..)).map_err(ctx.err(path))?;
                for ((i, j), &v) in block.indexed_iter() {
                    counts[[start + i, j]] = crate::value::count_from_f64(v)
                        .map_err(|p| labels.not_count(ctx, v, start + i, j, p))?;
                }
                start = end;
            }
        }
        Layout::Sparse { by_row } => {
            let group = root.group(path).map_err(ctx.err(path))?;
            let read_f64 = |name: &str| {
                let element = format!("{path}/{name}");
                group
                    .dataset(name)
                    .and_then(|d| d.read_raw::<f64>())
                    .map_err(ctx.err(&element))
            };
            let read_i64 = |name: &str| {
                let element = format!("{path}/{name}");
                group
                    .dataset(name)
                    .and_then(|d| d.read_raw::<i64>())
                    .map_err(ctx.err(&element))
            };
            let data = read_f64("data")?;
            let indices = read_i64("indices")?;
            let indptr = read_i64("indptr")?;
            let (major, minor) = if by_row { (n, g) } else { (g, n) };
            check_sparse(ctx, path, &data, &indices, &indptr, major, minor)?;
            for m in 0..major {
                // check_sparse proved the pointers in range and non-decreasing.
                let (lo, hi) = (indptr[m] as usize, indptr[m + 1] as usize);
                for k in lo..hi {
                    let (cell, gene) = if by_row {
                        (m, indices[k] as usize)
                    } else {
                        (indices[k] as usize, m)
                    };
                    let v = data[k];
                    let c = crate::value::count_from_f64(v)
                        .map_err(|p| labels.not_count(ctx, v, cell, gene, p))?;
                    let slot = &mut counts[[cell, gene]];
                    *slot = slot.checked_add(c).ok_or_else(|| {
                        labels.not_count(
                            ctx,
                            f64::from(*slot) + v,
                            cell,
                            gene,
                            CountProblem::TooLarge,
                        )
                    })?;
                }
            }
        }
    }
    Ok(counts)
}

/// Checks a compressed sparse matrix's arrays against each other and its shape.
fn check_sparse(
    ctx: Ctx<'_>,
    path: &str,
    data: &[f64],
    indices: &[i64],
    indptr: &[i64],
    major: usize,
    minor: usize,
) -> Result<(), H5adError> {
    if data.len() != indices.len() {
        return Err(ctx.inconsistent(format!(
            "{path}/data has {} entries but {path}/indices has {}",
            data.len(),
            indices.len()
        )));
    }
    if indptr.len() != major + 1 {
        return Err(ctx.inconsistent(format!(
            "{path}/indptr has {} entries, expected {}",
            indptr.len(),
            major + 1
        )));
    }
    let nnz = data.len() as i64;
    if indptr[0] != 0 || indptr[major] != nnz || indptr.windows(2).any(|w| w[0] > w[1]) {
        return Err(ctx.inconsistent(format!(
            "{path}/indptr does not rise from 0 to the {nnz} stored entries"
        )));
    }
    if let Some(bad) = indices.iter().find(|&&i| i < 0 || i as usize >= minor) {
        return Err(ctx.inconsistent(format!("{path}/indices holds {bad}, outside 0..{minor}")));
    }
    Ok(())
}
