//! The processed tables of `data/`, read by synthbio-io as users' tables are.

use crate::EngineError;
use std::collections::BTreeMap;
use std::path::Path;
use synthbio_core::vocab;
use synthbio_io::{read_metadata, SampleTable};

/// Reads a table whose first column must be `id_column`.
pub(crate) fn read_table(path: &Path, id_column: &str) -> Result<SampleTable, EngineError> {
    let table = read_metadata(path)?;
    if table.id_column() != id_column {
        return Err(EngineError::data(
            path,
            format!(
                "starts with column {:?}, expected {id_column:?}; see ARCHITECTURE.md, processed data layout",
                table.id_column()
            ),
        ));
    }
    Ok(table)
}

/// The position of a column after the id column, or an error naming it.
pub(crate) fn column(table: &SampleTable, path: &Path, name: &str) -> Result<usize, EngineError> {
    table
        .columns()
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| {
            EngineError::data(
                path,
                format!("has no column {name:?}; see ARCHITECTURE.md, processed data layout"),
            )
        })
}

/// Every row's value in a column (`None` for an empty cell).
pub(crate) fn values(table: &SampleTable, column: usize) -> Vec<Option<String>> {
    (0..table.n_rows())
        .map(|r| table.get(r, column).map(str::to_string))
        .collect()
}

/// The protocol metadata columns of a sample or cell table and each row's known values.
pub(crate) fn protocol_metadata(
    table: &SampleTable,
) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let cols: Vec<(usize, &String)> = table
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, h)| vocab::key_spec(h).is_some())
        .collect();
    let keys = cols.iter().map(|(_, h)| (*h).clone()).collect();
    let rows = (0..table.n_rows())
        .map(|r| {
            cols.iter()
                .filter_map(|&(j, h)| table.get(r, j).map(|v| (h.clone(), v.to_string())))
                .collect()
        })
        .collect();
    (keys, rows)
}
