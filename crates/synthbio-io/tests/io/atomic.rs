//! Atomic writes: a failed write leaves no file behind and an existing file untouched.

use crate::support::Dir;
use synthbio_core::{Cell, Table};
use synthbio_io::{write_atomic, write_table, IoError};

#[test]
fn a_writer_failing_midway_leaves_nothing() {
    let dir = Dir::new();
    let path = dir.path("result.tsv");
    let err = write_atomic(&path, |w| {
        w.write_all(&[b'x'; 200_000])?;
        Err(std::io::Error::other("the source went away"))
    })
    .unwrap_err();
    assert!(matches!(err, IoError::Write { .. }));
    assert!(err.to_string().starts_with(&format!(
        "cannot write {}: the source went away;",
        path.display()
    )));
    assert!(dir.listing().is_empty(), "left behind: {:?}", dir.listing());
}

#[test]
fn a_failed_write_keeps_the_previous_file() {
    let dir = Dir::new();
    let path = dir.text("result.tsv", "old\n");
    let result = write_atomic(&path, |w| {
        w.write_all(b"new, half")?;
        Err(std::io::Error::other("interrupted"))
    });
    assert!(result.is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
    assert_eq!(dir.listing(), ["result.tsv"]);
    write_atomic(&path, |w| w.write_all(b"new\n")).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
    assert_eq!(dir.listing(), ["result.tsv"]);
}

#[test]
fn a_table_writer_failing_on_a_bad_row_leaves_nothing() {
    let dir = Dir::new();
    let mut table = Table::new(["gene", "log2fc"]);
    for i in 0..5000 {
        table.push(vec![format!("G{i}").into(), Cell::Float(0.5)]);
    }
    // A row built by hand past `Table::push`'s check.
    table.rows.push(vec!["G_bad".into()]);
    for name in ["de.tsv", "de.csv.gz", "de.parquet"] {
        let path = dir.path(name);
        let err = write_table(&path, &table).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot write {}: table row 5001 has 1 entries but 2 were expected; every row \
                 needs one cell per column (the table was built wrongly)",
                path.display()
            )
        );
    }
    assert!(dir.listing().is_empty(), "left behind: {:?}", dir.listing());
}

#[test]
fn a_missing_folder_is_a_write_error_naming_the_file() {
    let dir = Dir::new();
    let path = dir.path("no/such/folder/out.tsv");
    let err = write_table(&path, &Table::new(["a"])).unwrap_err();
    assert!(matches!(err, IoError::Write { .. }));
    assert!(err
        .to_string()
        .starts_with(&format!("cannot write {}:", path.display())));
}

#[cfg(unix)]
#[test]
fn new_files_get_ordinary_permissions_and_replaced_files_keep_theirs() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = Dir::new();
    // What any new file gets here (0666 less the umask).
    let reference = dir.text("reference.txt", "");
    let path = dir.path("new.tsv");
    write_atomic(&path, |w| w.write_all(b"x\n")).unwrap();
    assert_eq!(mode(&path), mode(&reference));
    let kept = dir.text("kept.tsv", "old\n");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_atomic(&kept, |w| w.write_all(b"new\n")).unwrap();
    assert_eq!(mode(&kept), 0o640);
}
