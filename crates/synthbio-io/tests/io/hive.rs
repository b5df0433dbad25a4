//! Hive-partitioned Parquet datasets: folder layout, partition columns taken
//! out of the files, one schema for all parts, and replacement as a whole.

use crate::support::{read_parquet, Dir};
use arrow::array::{Array, Float64Array, StringArray};
use arrow::datatypes::DataType;
use synthbio_core::{Cell, Table};
use synthbio_io::{write_hive_dataset, IoError, HIVE_NULL_PARTITION};

fn per_donor() -> Table {
    let mut t = Table::new(["donor", "predictor", "pearson_delta"]);
    for (d, p, v) in [
        ("N61311", "model", Cell::Float(0.86)),
        ("N61311", "other_donors", Cell::Int(1)),
        ("N052611", "model", Cell::Float(0.81)),
        ("", "model", Cell::Empty),
    ] {
        t.push(vec![Cell::from(d), Cell::from(p), v]);
    }
    t
}

#[test]
fn a_table_becomes_one_folder_per_partition_sharing_one_schema() {
    let dir = Dir::new();
    let root = dir.path("per_donor");
    let files = write_hive_dataset(
        &root,
        &per_donor(),
        &[("study", "perturbation-study")],
        &["donor"],
    )
    .unwrap();
    let rel: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert_eq!(
        rel,
        [
            "study=perturbation-study/donor=N052611/part-0.parquet".to_string(),
            "study=perturbation-study/donor=N61311/part-0.parquet".to_string(),
            format!("study=perturbation-study/donor={HIVE_NULL_PARTITION}/part-0.parquet"),
        ]
    );
    // the partition column is in the path, not the file; a whole number in
    // one part does not make its column Int64 there
    let (batches, _) = read_parquet(&root.join(&rel[1]));
    let b = &batches[0];
    let schema = b.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["predictor", "pearson_delta"]);
    assert_eq!(b.schema().field(1).data_type(), &DataType::Float64);
    let predictors = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
    let values = b.column(1).as_any().downcast_ref::<Float64Array>().unwrap();
    assert_eq!(predictors.value(1), "other_donors");
    assert_eq!((values.value(0), values.value(1)), (0.86, 1.0));
    let (null_part, _) = read_parquet(&root.join(&rel[2]));
    assert!(null_part[0].column(1).is_null(0));
}

#[test]
fn a_rewrite_replaces_the_dataset_and_bad_columns_are_named() {
    let dir = Dir::new();
    let root = dir.path("per_donor");
    write_hive_dataset(&root, &per_donor(), &[], &["donor"]).unwrap();
    let mut one = Table::new(["donor", "predictor", "pearson_delta"]);
    one.push(vec![
        Cell::from("N61311"),
        Cell::from("model"),
        Cell::Float(0.9),
    ]);
    write_hive_dataset(&root, &one, &[], &["donor"]).unwrap();
    let parts: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(parts, ["donor=N61311"], "no part of the first run is left");

    let err = write_hive_dataset(&dir.path("x"), &one, &[], &["unit"]).unwrap_err();
    assert!(matches!(err, IoError::Partition { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("\"unit\"") && msg.contains("donor, predictor, pearson_delta"),
        "{msg}"
    );
    assert!(!dir.path("x").exists());
    let mut short = one.clone();
    short.rows.push(vec![Cell::from("N080611")]);
    let err = write_hive_dataset(&dir.path("y"), &short, &[], &["donor"]).unwrap_err();
    assert!(matches!(err, IoError::Shape { .. }), "{err}");
    assert!(!dir.path("y").exists());

    // no rows: one file, so readers still see the columns
    let empty = Table::new(["donor", "value"]);
    let files = write_hive_dataset(&dir.path("e"), &empty, &[("study", "s")], &["donor"]).unwrap();
    assert_eq!(files, [dir.path("e").join("study=s/part-0.parquet")]);
}
