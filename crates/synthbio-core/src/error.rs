//! Validation errors in the service's `{error, errors: [{path, message}]}` shape.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem in a query: where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// JSON path of the offending value, e.g. `inputs[0].metadata.sex`.
    pub path: String,
    /// What is wrong and the fix.
    pub message: String,
}

/// Every problem found in a query, in the shape the service answers 400/422 with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct ValidationErrors {
    /// One-line summary.
    pub error: String,
    /// The problems, each with its path.
    #[serde(default)]
    pub errors: Vec<Problem>,
}

impl ValidationErrors {
    /// Collects problems; the summary counts them.
    pub fn new(errors: Vec<Problem>) -> Self {
        let error = match errors.len() {
            1 => "Query validation failed: 1 problem".to_string(),
            n => format!("Query validation failed: {n} problems"),
        };
        ValidationErrors { error, errors }
    }

    /// Turns a JSON shape error (wrong type, unknown enum value) into one problem at its path.
    pub fn from_shape_error(err: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = err.path().to_string();
        let path = if path == "." { String::new() } else { path };
        ValidationErrors::new(vec![Problem {
            path,
            message: format!(
                "{}; see docs/protocol.md section 3 for the query shape",
                err.inner()
            ),
        }])
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        for p in &self.errors {
            if p.path.is_empty() {
                write!(f, "\n  - {}", p.message)?;
            } else {
                write!(f, "\n  - {}: {}", p.path, p.message)?;
            }
        }
        Ok(())
    }
}
