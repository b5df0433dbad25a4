//! The analysis plug-in trait: a name, typed parameters with documented
//! defaults, and a typed result that renders itself as a table and a report section.
//!
//! A new analysis is a new crate implementing [`Analysis`]; [`DynAnalysis`] lets a
//! registry (the facade) list and run analyses it does not know by type.

use crate::dataset::Dataset;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// An error from any analysis, boxed so plug-ins keep their own error enums.
pub type AnalysisError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One analysis over a [`Dataset`].
pub trait Analysis {
    /// Parameters; `Default` gives the documented defaults.
    type Params: Default + Serialize + DeserializeOwned;
    /// The result.
    type Output: Report;
    /// The crate's error type.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Short name, as listed by the facade and the CLI (`normalize`, `de`, `qc`, `pca`).
    fn name(&self) -> &'static str;

    /// One line on what it does.
    fn description(&self) -> &'static str;

    /// Runs the analysis.
    fn run(&self, data: &Dataset, params: &Self::Params) -> Result<Self::Output, Self::Error>;
}

/// A result that can show itself.
pub trait Report {
    /// The main result table.
    fn table(&self) -> Table;
    /// A report section: title, text, tables and figures.
    fn section(&self) -> ReportSection;
}

/// An analysis with its types erased, so that a registry can list and run it
/// with parameters given as JSON.
pub trait DynAnalysis: Send + Sync {
    /// See [`Analysis::name`].
    fn name(&self) -> &'static str;
    /// See [`Analysis::description`].
    fn description(&self) -> &'static str;
    /// The default parameters as JSON.
    fn default_params(&self) -> serde_json::Value;
    /// Runs with JSON parameters (missing fields take their defaults where the
    /// parameter type says so).
    fn run_json(
        &self,
        data: &Dataset,
        params: serde_json::Value,
    ) -> Result<Box<dyn Report>, AnalysisError>;
}

impl<A> DynAnalysis for A
where
    A: Analysis + Send + Sync,
    A::Output: 'static,
{
    fn name(&self) -> &'static str {
        Analysis::name(self)
    }
    fn description(&self) -> &'static str {
        Analysis::description(self)
    }
    fn default_params(&self) -> serde_json::Value {
        serde_json::to_value(A::Params::default()).unwrap_or(serde_json::Value::Null)
    }
    fn run_json(
        &self,
        data: &Dataset,
        params: serde_json::Value,
    ) -> Result<Box<dyn Report>, AnalysisError> {
        let params: A::Params = if params.is_null() {
            A::Params::default()
        } else {
            serde_path_to_error::deserialize(params)
                .map_err(|e| format!("parameter {}: {}", e.path(), e.inner()))?
        };
        Ok(Box::new(self.run(data, &params)?))
    }
}

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A real number.
    Float(f64),
    /// No value.
    Empty,
}

impl Cell {
    /// The cell as TSV text (floats with up to 6 significant digits kept exactly via `{}`).
    pub fn to_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Float(v)
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}
impl From<usize> for Cell {
    fn from(v: usize) -> Self {
        Cell::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A rectangular table with named columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; it must be as long as the header.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(
            row.len(),
            self.columns.len(),
            "row length must match the header"
        );
        self.rows.push(row);
    }

    /// Writes the table as text with the given separator (`'\t'` for TSV).
    pub fn to_delimited(&self, sep: char) -> String {
        let mut out = String::new();
        let line = |cells: Vec<String>| cells.join(&sep.to_string());
        let _ = writeln!(out, "{}", line(self.columns.clone()));
        for row in &self.rows {
            let _ = writeln!(out, "{}", line(row.iter().map(Cell::to_text).collect()));
        }
        out
    }
}

/// A figure, as data: the report layer draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Figure {
    /// Points, optionally grouped by label and with some marked.
    Scatter {
        /// Figure title.
        title: String,
        /// X axis label.
        x_label: String,
        /// Y axis label.
        y_label: String,
        /// X values.
        x: Vec<f64>,
        /// Y values.
        y: Vec<f64>,
        /// Group of each point (colour), if any.
        groups: Option<Vec<String>>,
        /// Points to mark (flagged samples, significant genes).
        marked: Vec<bool>,
    },
    /// Bars with labels.
    Bar {
        /// Figure title.
        title: String,
        /// Y axis label.
        y_label: String,
        /// Bar labels.
        labels: Vec<String>,
        /// Bar heights.
        values: Vec<f64>,
    },
}

/// A section of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportSection {
    /// Heading.
    pub title: String,
    /// Short findings, one paragraph per entry (plain text).
    pub paragraphs: Vec<String>,
    /// Tables, each with a caption.
    pub tables: Vec<(String, Table)>,
    /// Figures.
    pub figures: Vec<Figure>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_render_as_tsv() {
        let mut t = Table::new(["gene", "log2fc", "n"]);
        t.push(vec!["ENSG1".into(), 1.5.into(), 3usize.into()]);
        t.push(vec![
            "ENSG2".into(),
            Cell::Empty,
            Option::<i64>::None.into(),
        ]);
        assert_eq!(
            t.to_delimited('\t'),
            "gene\tlog2fc\tn\nENSG1\t1.5\t3\nENSG2\t\t\n"
        );
    }
}
