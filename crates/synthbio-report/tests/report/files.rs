//! Writing the report folder.

use crate::common::{scatter, section, table};
use synthbio_core::Table;
use synthbio_report::{table_file_names, write_report, ReportError};

#[test]
fn writes_html_and_one_tsv_per_table_equal_to_to_delimited() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut odd = Table::new(["a b", "c"]);
    odd.push(vec!["x\ty?".into(), 1.5.into()]);
    let sections = vec![
        section(
            "Quality control",
            vec![scatter(vec![1.0], vec![2.0])],
            vec![("Flagged samples", table(3))],
        ),
        section(
            "DE: lung vs liver",
            vec![],
            vec![("All genes", table(80)), ("¿?", odd.clone())],
        ),
    ];
    let files = write_report(dir.path(), "run1", "Title", &[], &sections).expect("written");
    assert_eq!(files.html, dir.path().join("run1.html"));
    let expected = [
        ("run1_quality-control_flagged-samples.tsv", table(3)),
        ("run1_de-lung-vs-liver_all-genes.tsv", table(80)),
        ("run1_de-lung-vs-liver_table-2.tsv", odd),
    ];
    assert_eq!(files.tables.len(), expected.len());
    for (path, (name, t)) in files.tables.iter().zip(&expected) {
        assert_eq!(path, &dir.path().join(name));
        let written = std::fs::read_to_string(path).expect("tsv readable");
        assert_eq!(written, t.to_delimited('\t'));
    }
    let html = std::fs::read_to_string(&files.html).expect("html readable");
    assert_eq!(html.matches("<svg").count(), 1);
    assert!(html.contains("<a href=\"run1_de-lung-vs-liver_all-genes.tsv\">"));
    assert!(html.contains("Showing the first 25 of 80 rows"));

    // Only the report's files are left: no temporary files.
    let mut listed: Vec<String> = std::fs::read_dir(dir.path())
        .expect("listable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    let mut want: Vec<String> = expected.iter().map(|(n, _)| n.to_string()).collect();
    want.push("run1.html".into());
    want.sort();
    assert_eq!(listed, want);
}

#[test]
fn rewriting_replaces_files_and_creates_missing_folders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let nested = dir.path().join("a/b");
    let first = vec![section("S", vec![], vec![("t", table(2))])];
    write_report(&nested, "r", "T", &[], &first).expect("first write");
    let second = vec![section("S", vec![], vec![("t", table(5))])];
    let files = write_report(&nested, "r", "T", &[], &second).expect("second write");
    let written = std::fs::read_to_string(&files.tables[0]).expect("readable");
    assert_eq!(written, table(5).to_delimited('\t'));
}

#[test]
fn colliding_slugs_get_suffixes() {
    let sections = vec![section(
        "S",
        vec![],
        vec![("t!", table(1)), ("t?", table(1)), ("t", table(1))],
    )];
    let names = table_file_names("r", &sections).expect("valid name");
    assert_eq!(names, vec![vec!["r_s_t.tsv", "r_s_t-2.tsv", "r_s_t-3.tsv"]]);
}

#[test]
fn bad_names_are_rejected_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sections = vec![section("S", vec![], vec![("t", table(1))])];
    let err = write_report(dir.path(), "../escape", "T", &[], &sections).expect_err("rejected");
    assert!(matches!(err, ReportError::InvalidName { .. }));
    assert!(err.to_string().contains("\"../escape\""));
    assert_eq!(std::fs::read_dir(dir.path()).expect("listable").count(), 0);
}

#[cfg(unix)]
#[test]
fn written_files_are_readable_by_others() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let files = write_report(dir.path(), "r", "T", &[], &[]).expect("written");
    let mode = std::fs::metadata(&files.html)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o044, 0o044, "mode {mode:o}");
}

#[cfg(unix)]
#[test]
fn an_unwritable_folder_is_a_typed_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A regular file where the folder should be.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").expect("write");
    let err = write_report(&blocker, "r", "T", &[], &[]).expect_err("fails");
    assert!(matches!(err, ReportError::CreateDir { .. }), "{err}");
}
