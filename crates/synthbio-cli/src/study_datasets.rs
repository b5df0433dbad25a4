//! A study's tables as Hive-partitioned Parquet datasets, for engines that
//! read a folder of Parquet files as one table (Spark, DataFusion, Polars,
//! DuckDB, `pyarrow.dataset`).

use std::path::{Path, PathBuf};
use synthbio::core::ReportSection;

/// The column a study's per-donor tables are partitioned by.
const DONOR: &str = "donor";

/// Writes every table of a report named `name` as a dataset folder
/// `<dir>/<table file stem>/study=<name>/[donor=<donor>/]part-0.parquet`
/// (the stems of the report's TSV tables; tables with a `donor` column are
/// partitioned by it). Returns the dataset folders, in report order.
pub fn write_study_datasets(
    dir: &Path,
    name: &str,
    sections: &[ReportSection],
) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let names = synthbio::report::table_file_names(name, sections)?;
    let mut written = Vec::new();
    for (section, files) in sections.iter().zip(&names) {
        for ((_, table), file) in section.tables.iter().zip(files) {
            let stem = file.strip_suffix(".tsv").unwrap_or(file);
            let root = dir.join(stem);
            let by_donor: &[&str] = if table.columns.iter().any(|c| c == DONOR) {
                &[DONOR]
            } else {
                &[]
            };
            synthbio::io::write_hive_dataset(&root, table, &[("study", name)], by_donor)?;
            written.push(root);
        }
    }
    Ok(written)
}
