//! What to read from an `.h5ad` file: which matrix holds the counts, which `var`
//! column holds the gene ids.

use std::fmt;
use std::str::FromStr;

/// The matrix of an `.h5ad` file that holds the raw counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CountsMatrix {
    /// `layers["counts"]` if present, else `raw.X`, else `X` if every value is a count.
    #[default]
    Auto,
    /// `X`.
    X,
    /// `raw.X` (with `raw.var`'s genes).
    RawX,
    /// A layer by name (`layers[name]`).
    Layer(String),
}

impl fmt::Display for CountsMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountsMatrix::Auto => f.write_str("auto"),
            CountsMatrix::X => f.write_str("X"),
            CountsMatrix::RawX => f.write_str("raw.X"),
            CountsMatrix::Layer(name) => write!(f, "layers[{name:?}]"),
        }
    }
}

impl FromStr for CountsMatrix {
    type Err = std::convert::Infallible;

    /// `auto`, `X`, `raw.X` (or `raw/X`, `raw`), `layers/NAME`, `layers[NAME]`, or a
    /// bare layer name (`counts`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Ok(match s {
            "auto" | "" => CountsMatrix::Auto,
            "X" | "x" => CountsMatrix::X,
            "raw.X" | "raw/X" | "raw" | "raw.x" | "raw/x" => CountsMatrix::RawX,
            _ => {
                let name = s
                    .strip_prefix("layers/")
                    .or_else(|| {
                        s.strip_prefix("layers[")
                            .and_then(|r| r.strip_suffix(']'))
                            .map(|r| r.trim_matches(|c| c == '"' || c == '\''))
                    })
                    .unwrap_or(s);
                CountsMatrix::Layer(name.to_string())
            }
        })
    }
}

/// Where the gene ids of an `.h5ad` file are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GeneIdColumn {
    /// The `var` index, unless it holds few Ensembl ids and one column (`gene_ids`,
    /// `gene_id`, `ensembl_id`...) holds mostly Ensembl ids: then that column (stated in
    /// what is detected).
    #[default]
    Auto,
    /// The `var` index (`var_names`).
    Index,
    /// A named `var` column.
    Column(String),
}

impl fmt::Display for GeneIdColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeneIdColumn::Auto => f.write_str("auto"),
            GeneIdColumn::Index => f.write_str("index"),
            GeneIdColumn::Column(name) => write!(f, "{name:?}"),
        }
    }
}

impl FromStr for GeneIdColumn {
    type Err = std::convert::Infallible;

    /// `auto`, `index` (the `var` index), or a `var` column name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "auto" | "" => GeneIdColumn::Auto,
            "index" | "var_names" => GeneIdColumn::Index,
            name => GeneIdColumn::Column(name.to_string()),
        })
    }
}

/// Options for reading an `.h5ad` file; the default detects both choices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct H5adOptions {
    /// Which matrix holds the raw counts.
    pub matrix: CountsMatrix,
    /// Where the gene ids are.
    pub gene_ids: GeneIdColumn,
}

impl H5adOptions {
    /// Reads the counts from `matrix` instead of detecting it.
    pub fn with_matrix(mut self, matrix: CountsMatrix) -> Self {
        self.matrix = matrix;
        self
    }

    /// Takes the gene ids from the `var` index or a named `var` column.
    pub fn with_gene_ids(mut self, gene_ids: GeneIdColumn) -> Self {
        self.gene_ids = gene_ids;
        self
    }
}
