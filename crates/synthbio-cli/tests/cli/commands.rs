//! Commands end to end: analyses on a real counts table, the demo, and one
//! clear sentence with a non-zero exit for bad input.

use crate::support::{fails_with, fixture, synthbio, text};
use approx::assert_relative_eq;
use std::path::{Path, PathBuf};

#[test]
fn normalize_writes_cpm_that_sums_to_a_million_per_sample() {
    let dir = tempfile::tempdir().unwrap();
    let out = synthbio(
        &[
            "normalize",
            &fixture("airway_50genes.tsv.gz"),
            "--method",
            "cpm",
            "--out",
            "cpm.tsv",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("50 genes x 8 samples (genes as rows"));
    let table = std::fs::read_to_string(dir.path().join("cpm.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 51, "header and 50 genes");
    assert_eq!(rows[0][0], "gene_id");
    for s in 1..=8 {
        let total: f64 = rows[1..].iter().map(|r| r[s].parse::<f64>().unwrap()).sum();
        assert_relative_eq!(total, 1e6, max_relative = 1e-9);
    }
}

#[test]
fn de_writes_a_volcano_table_for_two_metadata_groups() {
    let dir = tempfile::tempdir().unwrap();
    let out = synthbio(
        &[
            "de",
            &fixture("airway_50genes.tsv.gz"),
            "--metadata",
            &fixture("airway_samples.tsv.gz"),
            "--group-column",
            "dex",
            "--case",
            "trt",
            "--control",
            "untrt",
            "--out",
            "de.csv",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = std::fs::read_to_string(dir.path().join("de.csv")).unwrap();
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some("gene_id,log2_fc,mean_expression,t,p_value,adj_p_value")
    );
    assert_eq!(lines.count(), 50);
}

#[test]
fn demo_writes_both_reports_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    // Run from a folder without data/: the repository's data/ is found anyway.
    let out = synthbio(&["demo", "--out", "reports"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("6 of the 6 swapped among them"), "{stdout}");
    let reports = dir.path().join("reports");
    for name in ["perturbation-study.html", "label-qc.html"] {
        assert!(stdout.contains(name), "{stdout}");
        let html = std::fs::read_to_string(reports.join(name)).unwrap();
        assert!(html.contains("<svg"));
        // .ci/run keeps the reports for its render check in headless Chromium.
        if let Some(keep) = std::env::var_os("SYNTHBIO_KEEP_DEMO_REPORTS") {
            std::fs::write(Path::new(&keep).join(name), &html).unwrap();
        }
    }
}

#[test]
fn a_missing_counts_file_is_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let out = synthbio(
        &["normalize", "no-such-counts.tsv", "--out", "x.tsv"],
        dir.path(),
    );
    fails_with(&out, &["no-such-counts.tsv"]);
    assert!(!dir.path().join("x.tsv").exists(), "nothing written");
}

#[test]
fn genes_that_are_not_the_models_are_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let out = synthbio(
        &["qc", &fixture("airway_50genes.tsv.gz"), "--out", "qc.tsv"],
        dir.path(),
    );
    fails_with(&out, &["genes"]);
    assert!(!dir.path().join("qc.tsv").exists(), "nothing written");
}

#[test]
fn an_unknown_model_is_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let q = synthbio(&["example-query", "gem-1-bulk"], dir.path());
    assert!(q.status.success());
    std::fs::write(dir.path().join("q.json"), &q.stdout).unwrap();
    let out = synthbio(
        &["predict", "gem-9-bulk", "--query", "q.json", "--out", "out"],
        dir.path(),
    );
    fails_with(&out, &["gem-9-bulk"]);
}

#[test]
fn a_malformed_query_is_one_sentence_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"inputs\": [ {\"metadata\": ",
    )
    .unwrap();
    let out = synthbio(
        &[
            "predict",
            "gem-1-bulk",
            "--query",
            "bad.json",
            "--out",
            "out",
        ],
        dir.path(),
    );
    fails_with(&out, &["bad.json"]);
    let out: PathBuf = dir.path().join("out");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_server_limit_of_zero_is_one_sentence_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = synthbio(
        &["serve", "--bind", "127.0.0.1:0", "--max-inputs", "0"],
        dir.path(),
    );
    fails_with(&out, &["max_inputs"]);
}

/// A reader that stops early (`synthbio example-query ... | head`) ends the program
/// quietly: exit status 0, no panic. The query (19393 counts) is larger than a pipe's
/// buffer, so the write after the reader left always fails.
#[test]
fn a_closed_stdout_ends_the_program_quietly() {
    use std::io::Read;
    let mut child = crate::support::offline()
        .args(["example-query", "gem-1-bulk_reference-conditioning"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `de --design ... --robust --winsor-tail-p` gives limma's numbers (the golden file of
/// synthbio-de, written by limma's eBayes(trend = TRUE, robust = TRUE,
/// winsor.tail.p = c(0.1, 0.2)) on the airway slice), and the tails need --robust.
#[test]
fn de_with_a_design_and_winsorizing_tails_matches_limma() {
    let dir = tempfile::tempdir().unwrap();
    let counts = crate::support::repo("crates/synthbio-normalize/tests/golden/airway_slice.tsv");
    let samples = crate::support::repo("crates/synthbio-de/tests/golden/airway_samples.tsv");
    let (counts, samples) = (counts.to_string_lossy(), samples.to_string_lossy());
    let mut args = vec![
        "de",
        &counts,
        "--metadata",
        &samples,
        "--design",
        "~ cell + dex",
        "--reference-level",
        "dex=untrt",
        "--coef",
        "dextrt",
        "--trend",
        "--winsor-tail-p",
        "0.1,0.2",
        "--out",
        "de.tsv",
    ];
    let without_robust = synthbio(&args, dir.path());
    assert!(!without_robust.status.success());
    assert!(text(&without_robust.stderr).contains("required arguments were not provided"));
    assert!(text(&without_robust.stderr).contains("--robust"));
    args.push("--robust");
    let out = synthbio(&args, dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("(trend, robust, winsor.tail.p 0.1, 0.2)"));
    let table = |path: &Path| -> Vec<Vec<String>> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').map(String::from).collect())
            .collect()
    };
    let got = table(&dir.path().join("de.tsv"));
    let want = table(&crate::support::repo(
        "crates/synthbio-de/tests/golden/limma_paired_trend_robust_winsor.tsv",
    ));
    assert_eq!(got.len(), want.len());
    for column in ["logFC", "t", "P.Value", "adj.P.Val"] {
        let at = |t: &[Vec<String>]| t[0].iter().position(|h| h == column).unwrap();
        let (g, w) = (at(&got), at(&want));
        for (a, b) in got[1..].iter().zip(&want[1..]) {
            assert_eq!(a[0], b[0], "gene order");
            let (a, b): (f64, f64) = (a[g].parse().unwrap(), b[w].parse().unwrap());
            assert_relative_eq!(a, b, max_relative = 1e-8);
        }
    }
}
