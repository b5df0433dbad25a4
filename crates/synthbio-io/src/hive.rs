//! A table as one partitioned Parquet dataset in the Hive layout
//! (`study=.../donor=.../part-0.parquet`), which Spark, DataFusion, Polars,
//! DuckDB and `pyarrow.dataset` read as one table, the partition values
//! coming back as columns.
//!
//! arrow-rs writes single Parquet files only (its partitioned writer lives in
//! DataFusion, far too heavy a dependency for this), so the split into
//! partition folders is done here; each file goes through the crate's Parquet
//! table writer, all with the column types of the whole table so that the
//! parts share one schema.

use crate::atomic::atomic;
use crate::error::{write_err, IoError};
use crate::write_parquet::{column_types, write_table_typed};
use crate::write_text::check_row;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use synthbio_core::{Cell, Table};

/// The folder name Hive gives an empty (null) partition value.
pub const HIVE_NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// Writes `table` as a Hive-partitioned Parquet dataset in `dir`: first one
/// folder level per `fixed` key and value (the same for every row, such as
/// `study=perturbation-study`), then one per `partition_by` column (its
/// values, taken out of the files as Hive readers expect), then
/// `part-0.parquet`. Returns the files written, in partition order.
///
/// `dir` is replaced as a whole: the dataset is built in a sibling folder
/// and renamed into place, so a reader never mixes parts of two runs. A table
/// without rows still gets one file, so readers see its columns.
pub fn write_hive_dataset(
    dir: &Path,
    table: &Table,
    fixed: &[(&str, &str)],
    partition_by: &[&str],
) -> Result<Vec<PathBuf>, IoError> {
    let shown = dir.display().to_string();
    for i in 0..table.rows.len() {
        check_row(&shown, table, i)?;
    }
    let keys: Vec<usize> = partition_by
        .iter()
        .map(|&c| {
            table
                .columns
                .iter()
                .position(|x| x == c)
                .ok_or_else(|| IoError::Partition {
                    dir: shown.clone(),
                    column: c.to_string(),
                    columns: table.columns.clone(),
                })
        })
        .collect::<Result<_, _>>()?;
    let kept: Vec<usize> = (0..table.columns.len())
        .filter(|j| !keys.contains(j))
        .collect();
    let project = |rows: &[&Vec<Cell>]| {
        let mut t = Table::new(kept.iter().map(|&j| table.columns[j].clone()));
        for row in rows {
            t.push(kept.iter().map(|&j| row[j].clone()).collect());
        }
        t
    };
    let types = column_types(&project(&table.rows.iter().collect::<Vec<_>>()));

    // rows per partition path, in order of the partition values
    let mut parts: BTreeMap<Vec<String>, Vec<&Vec<Cell>>> = BTreeMap::new();
    for row in &table.rows {
        let values = keys.iter().map(|&j| partition_value(&row[j])).collect();
        parts.entry(values).or_default().push(row);
    }
    if parts.is_empty() {
        parts.insert(Vec::new(), Vec::new());
    }

    let name = dir
        .file_name()
        .map_or_else(|| "dataset".into(), |n| n.to_string_lossy().into_owned());
    let staging = dir.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let result = (|| {
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(write_err(&shown))?;
        }
        let mut written = Vec::with_capacity(parts.len());
        for (values, rows) in &parts {
            let mut rel = PathBuf::new();
            for (k, v) in fixed {
                rel.push(format!("{k}={}", escape(v)));
            }
            for (k, v) in partition_by.iter().zip(values) {
                rel.push(format!("{k}={v}"));
            }
            rel.push("part-0.parquet");
            let path = staging.join(&rel);
            let parent = path.parent().unwrap_or(&staging);
            std::fs::create_dir_all(parent).map_err(write_err(&shown))?;
            let file = dir.join(&rel).display().to_string();
            atomic(&path, |w| {
                write_table_typed(w, &file, &project(rows), &types)
            })?;
            written.push(dir.join(rel));
        }
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(write_err(&shown))?;
        }
        std::fs::rename(&staging, dir).map_err(write_err(&shown))?;
        Ok(written)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// A cell as a partition folder value (escaped; empty as Hive's null).
fn partition_value(cell: &Cell) -> String {
    match cell {
        Cell::Empty => HIVE_NULL_PARTITION.to_string(),
        other => escape(&other.to_text()),
    }
}

/// Hive's escaping of partition values: `%XX` for the characters that would
/// break a path or a `key=value` pair, and for control characters.
fn escape(value: &str) -> String {
    if value.is_empty() {
        return HIVE_NULL_PARTITION.to_string();
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_control() || "\"#%'*/:=?\\{[]^".contains(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_are_escaped_as_hive_does() {
        assert_eq!(escape("N61311"), "N61311");
        assert_eq!(escape("a/b=c"), "a%2Fb%3Dc");
        assert_eq!(escape("50%"), "50%25");
        assert_eq!(escape(""), HIVE_NULL_PARTITION);
        assert_eq!(partition_value(&Cell::Empty), HIVE_NULL_PARTITION);
        assert_eq!(partition_value(&Cell::Int(3)), "3");
    }
}
