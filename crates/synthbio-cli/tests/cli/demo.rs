//! End-to-end: both workflows on the local engine and the real data of
//! `data/`, written into a temporary folder, with the outputs' content checked
//! against the analysis crates.

use approx::assert_abs_diff_eq;
use std::path::Path;
use std::sync::OnceLock;
use synthbio::de::{log2_fold_change, perturbation_benchmark};
use synthbio::workflows::Scored;
use synthbio_cli::demo::{run_demo, DemoOutput};

/// The demo runs once for all tests of this file.
fn demo() -> &'static (tempfile::TempDir, DemoOutput) {
    static DEMO: OnceLock<(tempfile::TempDir, DemoOutput)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let out = run_demo(&data, &dir.path().join("reports"), |_| {}).expect("the demo runs");
        (dir, out)
    })
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_study_report_has_its_figures_and_tables() {
    let (_, out) = demo();
    let html = read(&out.study_files.html);
    for needle in [
        "Predicted vs observed fold changes (Pearson r = ",
        "MSE of fold changes, mean over held-out donors",
        "Volcano plot",
        "Generated vs observed DE calls",
    ] {
        assert!(
            html.contains(needle),
            "{needle:?} missing from the study report"
        );
    }
    assert!(html.matches("<svg").count() >= 7, "figures missing");
    // Self-contained: nothing to fetch, nothing to run.
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    // Every table is also a TSV with a header and rows.
    for tsv in &out.study_files.tables {
        let text = read(tsv);
        assert!(text.lines().count() >= 2, "{} is empty", tsv.display());
    }
}

#[test]
fn the_study_scores_every_held_out_donor_with_the_analysis_crates() {
    let (_, out) = demo();
    let s = &out.study;
    assert_eq!(s.units.len(), 4, "the four airway donors");
    for u in &s.units {
        assert!(u.backend.contains("local engine"));
        // The benchmark is exactly synthbio-de's on the stored fold changes.
        let again = perturbation_benchmark(
            &u.predicted,
            &u.observed,
            u.mean_effect.as_deref(),
            s.study.top_n,
        )
        .expect("benchmark");
        assert_eq!(again, u.benchmark);
        // The mean-effect baseline is the mean observed effect of the other donors.
        let others: Vec<&Vec<f64>> = s
            .units
            .iter()
            .filter(|v| v.pair.unit != u.pair.unit)
            .map(|v| &v.observed)
            .collect();
        let me = u
            .mean_effect
            .as_ref()
            .expect("four donors give a mean effect");
        for g in [0, 100, 5000] {
            let mean = others.iter().map(|o| o[g]).sum::<f64>() / 3.0;
            assert_abs_diff_eq!(me[g], mean, epsilon = 1e-12);
        }
        // The model beats no change on every donor.
        assert!(
            u.benchmark.model.all.mse < u.benchmark.no_change.all.mse,
            "{}",
            u.pair.unit
        );
    }
    let r = s.mean_metrics(Scored::Model).pearson;
    assert!(r.expect("defined") > 0.5, "mean Pearson r {r:?}");
    // DE of generated replicates: 3 replicates x 4 donors per condition.
    assert_eq!(s.generated.n_samples(), 24);
    assert_eq!(s.generated_de.groups.case.len(), 12);
    assert!(!s.generated_de.significant(0.05).is_empty());
    let a = s.agreement.expect("four donors give an observed DE");
    assert!(a.n_both > 0 && a.n_same_direction <= a.n_both);
}

#[test]
fn observed_fold_changes_are_recomputed_from_the_real_counts() {
    let (_, out) = demo();
    let engine = synthbio::engine::Engine::embedded().expect("engine");
    let data = synthbio_cli::demo::read_bulk_samples(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data"),
        &engine,
    )
    .expect("data");
    let u = &out.study.units[0];
    let r = data.sample_position(&u.pair.reference).expect("reference");
    let o = data.sample_position(&u.pair.observed).expect("observed");
    let lfc = log2_fold_change(data.sample_counts(o), data.sample_counts(r)).expect("lfc");
    assert_eq!(lfc, u.observed);
}

#[test]
fn the_qc_flags_every_swapped_label_and_writes_its_report() {
    let (_, out) = demo();
    let flagged = out.qc.flagged();
    assert_eq!(out.cohort.swapped.len(), 6);
    for id in &out.cohort.swapped {
        assert!(
            flagged.contains(id),
            "swapped {id} not flagged; flagged: {flagged:?}"
        );
    }
    // The suspects table is sorted by suspicion: the swapped samples come first.
    let suspects = out.qc.suspects();
    let top: Vec<&str> = suspects
        .iter()
        .take(6)
        .map(|s| s.sample_id.as_str())
        .collect();
    for id in &out.cohort.swapped {
        assert!(
            top.contains(&id.as_str()),
            "{id} not among the 6 most suspect: {top:?}"
        );
    }
    let html = read(&out.qc_files.html);
    for needle in [
        "Samples sorted by suspicion",
        "PCA of",
        "Explained variance",
        "flagged",
    ] {
        assert!(
            html.contains(needle),
            "{needle:?} missing from the QC report"
        );
    }
    let tsv = out
        .qc_files
        .tables
        .iter()
        .find(|p| p.to_string_lossy().contains("sorted-by-suspicion"))
        .expect("suspects TSV");
    let text = read(tsv);
    let first = text.lines().nth(1).expect("a row");
    assert!(
        out.cohort
            .swapped
            .iter()
            .any(|id| first.starts_with(id.as_str())),
        "first row {first:?}"
    );
}

#[test]
fn every_study_table_is_also_a_parquet_dataset_partitioned_by_donor() {
    let (dir, out) = demo();
    let root = dir.path().join("parquet");
    let written = synthbio_cli::study_datasets::write_study_datasets(
        &root,
        "perturbation-study",
        &out.study.sections(),
    )
    .expect("the datasets are written");
    assert_eq!(
        written.len(),
        out.study_files.tables.len(),
        "one per TSV table"
    );
    let mut partitioned = 0;
    for (dataset, tsv) in written.iter().zip(&out.study_files.tables) {
        assert_eq!(
            dataset
                .file_name()
                .map(|n| n.to_string_lossy().into_owned() + ".tsv"),
            tsv.file_name().map(|n| n.to_string_lossy().into_owned()),
        );
        let study = dataset.join("study=perturbation-study");
        let text = read(tsv);
        let header: Vec<&str> = text.lines().next().unwrap_or("").split('\t').collect();
        let parts: Vec<std::path::PathBuf> = if header.first() == Some(&"donor") {
            partitioned += 1;
            let mut donors: Vec<&str> = text
                .lines()
                .skip(1)
                .filter_map(|l| l.split('\t').next())
                .collect();
            donors.sort_unstable();
            donors.dedup();
            donors
                .iter()
                .map(|d| study.join(format!("donor={d}/part-0.parquet")))
                .collect()
        } else {
            vec![study.join("part-0.parquet")]
        };
        for part in parts {
            let bytes = std::fs::read(&part).unwrap_or_else(|e| panic!("{}: {e}", part.display()));
            assert!(
                bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
                "{}",
                part.display()
            );
        }
    }
    assert!(
        partitioned >= 2,
        "the per-donor tables are partitioned by donor"
    );
}
