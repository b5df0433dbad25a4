//! Errors reading and writing `.h5ad` files: each names the file, the element and the fix.

/// An `.h5ad` file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum H5adError {
    /// The HDF5 library failed on an element.
    #[error("{file}: cannot {action} {element}: {message}; check that the file is a complete AnnData .h5ad file (anndata.read_h5ad opens it)")]
    Hdf5 {
        /// The file.
        file: String,
        /// "read" or "write".
        action: &'static str,
        /// The element (`X`, `obs/cell_type`...).
        element: String,
        /// What HDF5 said.
        message: String,
    },
    /// A required element is missing.
    #[error("{file} has no {element}; {fix}")]
    Missing {
        /// The file.
        file: String,
        /// The element.
        element: String,
        /// What to do.
        fix: String,
    },
    /// The asked-for counts matrix is not in the file.
    #[error("{file} has no {asked}; its matrices are {available}: choose one as the counts matrix (--layer on the command line: X, raw.X or a layer name)")]
    UnknownMatrix {
        /// The file.
        file: String,
        /// What was asked for.
        asked: String,
        /// What the file holds.
        available: String,
    },
    /// A matrix read as counts holds a value that is not a count.
    #[error("{file}: {matrix} holds {value} for {at}, which {problem}; {fix}")]
    NotCounts {
        /// The file.
        file: String,
        /// The matrix (`X`, `layers["counts"]`, `raw.X`).
        matrix: String,
        /// The value found.
        value: f64,
        /// Its cell and gene: "cell AAAC-1, gene ENSG...".
        at: String,
        /// What is wrong with it.
        problem: crate::CountProblem,
        /// What to do.
        fix: String,
    },
    /// The named `var` column with gene ids is not there.
    #[error("{file}: {frame} has no column {column:?} (its columns: {available}); name one of them as the gene id column (--gene-id-column), or use the index")]
    NoGeneIdColumn {
        /// The file.
        file: String,
        /// `var` or `raw/var`.
        frame: String,
        /// The column asked for.
        column: String,
        /// The columns there are.
        available: String,
    },
    /// The gene ids would come from a `var` index of row numbers (anndata's default when
    /// no gene names were set).
    #[error("{file}: the {frame} index holds row numbers ({examples}...), not gene ids; name the {frame} column that holds Ensembl ids or gene symbols with --gene-id-column (its columns: {available}), or set adata.var_names before saving")]
    NoGeneIds {
        /// The file.
        file: String,
        /// `var` or `raw/var`.
        frame: String,
        /// The first index values.
        examples: String,
        /// The columns there are.
        available: String,
    },
    /// An element stored in a way this reader does not know.
    #[error("{file}: {element} is {found}; {fix}")]
    Unsupported {
        /// The file.
        file: String,
        /// The element.
        element: String,
        /// What it is.
        found: String,
        /// What to do.
        fix: String,
    },
    /// Parts of the file disagree in size or hold invalid entries.
    #[error("{file}: {problem}; the file is damaged or was not written by anndata")]
    Inconsistent {
        /// The file.
        file: String,
        /// What disagrees.
        problem: String,
    },
    /// Ids that cannot be used (empty or repeated).
    #[error("{file}: {problem}")]
    Ids {
        /// The file.
        file: String,
        /// What is wrong and what to do.
        problem: String,
    },
    /// The crate was built without the `h5ad` feature.
    #[error("cannot {action} {file}: this build of synthbio has no AnnData support (the synthbio-io feature `h5ad`); rebuild with it, or convert the file to Matrix Market (scipy.io.mmwrite) or TSV")]
    Disabled {
        /// The file.
        file: String,
        /// "read" or "write".
        action: &'static str,
    },
}

impl From<H5adError> for crate::IoError {
    fn from(e: H5adError) -> Self {
        crate::IoError::H5ad(Box::new(e))
    }
}
