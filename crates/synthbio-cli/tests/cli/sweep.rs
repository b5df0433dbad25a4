//! The sweep end to end: every perturbation of `data/` held out by donor or cell
//! type on refitted local engines, one table.

use crate::support::{fails_with, synthbio};
use std::path::Path;
use std::sync::OnceLock;
use synthbio::workflows::{Sweep, SWEEP_PREDICTORS};
use synthbio_cli::sweep::{run_sweep, SweepOptions};

const DEXAMETHASONE: &str = "CHEBI:41879";
const IFN_BETA: &str = "ENSG00000171855";

/// The contexts held out in the tests, to keep them short (the others still train
/// the models and make the other-contexts baseline): two airway donors and
/// classical monocytes.
const DONORS: [&str; 2] = ["airway_N061011", "airway_N61311"];
const CELL_TYPES: [&str; 1] = ["CL:0000860"];

/// The sweep runs once for all tests of this file (few cells per cell type).
fn sweep() -> &'static Sweep {
    static SWEEP: OnceLock<Sweep> = OnceLock::new();
    SWEEP.get_or_init(|| {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let options = SweepOptions {
            max_cells: 60,
            held_out: DONORS
                .into_iter()
                .chain(CELL_TYPES)
                .map(String::from)
                .collect(),
            ..SweepOptions::default()
        };
        run_sweep(&data, &options, |_| {}).expect("the sweep runs")
    })
}

#[test]
fn every_perturbation_of_the_data_is_held_out_or_its_exclusion_stated() {
    let s = sweep();
    let scored: Vec<(&str, &str, usize)> = s
        .perturbations
        .iter()
        .map(|p| {
            (
                p.perturbation.as_str(),
                p.held_out_by.as_str(),
                p.contexts.len(),
            )
        })
        .collect();
    assert_eq!(
        scored,
        [
            (DEXAMETHASONE, "donor", 2),
            (IFN_BETA, "cell_type_ontology_id", 1)
        ]
    );
    let held_out: Vec<&str> = s.perturbations[1]
        .contexts
        .iter()
        .map(|c| c.context.as_str())
        .collect();
    assert_eq!(held_out, CELL_TYPES);
    // LNCaP's androgen lanes come from one cell line: held out, nothing is left to learn from
    assert!(
        s.notes
            .iter()
            .any(|n| n.starts_with("compound (bulk): 1 donor(s)") && n.contains("not scored")),
        "{:?}",
        s.notes
    );
}

#[test]
fn each_context_is_scored_beside_its_baselines() {
    let s = sweep();
    let col = |name: &str| SWEEP_PREDICTORS.iter().position(|p| *p == name).unwrap();
    for p in &s.perturbations {
        for c in &p.contexts {
            let v = |metric: &str, predictor: &str| c.value(metric, col(predictor));
            let what = format!("{} {}", p.perturbation, c.context);
            assert!(v("pearson_delta", "model").is_some(), "{what}");
            assert!(v("pearson_delta", "other_contexts").is_some(), "{what}");
            // no change has no delta: its correlation is undefined, never 0
            assert_eq!(v("pearson_delta", "no_change"), None, "{what}");
            let direction = v("direction_nonzero", "model").unwrap();
            assert!((0.0..=1.0).contains(&direction), "{what}: {direction}");
        }
    }
    let cells = &s.perturbations[1];
    for c in &cells.contexts {
        assert!(c.n_control >= 10 && c.n_control <= 60, "{}", c.n_control);
        // cell-eval's DE metrics exist for cells, and the positive baseline is scored
        assert!(c.value("de_nsig_counts_real", col("model")).is_some());
        assert!(c.value("pearson_delta", col("split_halves")).is_some());
    }
    // The engine's prediction and the positive baseline are closer to the real treated
    // cells than no change is, in every cell type.
    for c in &cells.contexts {
        let mse = |predictor: &str| c.value("mse", col(predictor)).unwrap();
        assert!(
            mse("model") < mse("no_change"),
            "{}: {} vs {}",
            c.context,
            mse("model"),
            mse("no_change")
        );
        assert!(mse("split_halves") < mse("no_change"), "{}", c.context);
    }
}

#[test]
fn the_table_has_a_row_per_context_and_metric_then_the_means() {
    let s = sweep();
    let tsv = s.to_tsv();
    let lines: Vec<Vec<&str>> = tsv.lines().map(|l| l.split('\t').collect()).collect();
    let header = &lines[0];
    assert!(lines.iter().all(|l| l.len() == header.len()));
    let expected: usize = s
        .perturbations
        .iter()
        .map(|p| (p.contexts.len() + 1) * p.contexts[0].metrics.len())
        .sum();
    assert_eq!(lines.len() - 1, expected);
    // a value read back from the table is the one scored
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = lines
        .iter()
        .find(|l| {
            l[at("perturbation")] == IFN_BETA
                && l[at("held_out")] == "all"
                && l[at("metric")] == "mse"
        })
        .expect("the mean mse row of IFN-beta");
    let mean_mse = s.perturbations[1]
        .means()
        .into_iter()
        .find(|m| m.metric == "mse")
        .unwrap();
    assert_eq!(
        row[at("model")].parse::<f64>().unwrap(),
        mean_mse.values[0].unwrap()
    );
    assert_eq!(row[at("n_held_out")], "1");
}

#[test]
fn the_report_has_a_section_per_perturbation_with_its_figures() {
    let s = sweep();
    let dir = tempfile::tempdir().unwrap();
    let files = s.write_report(dir.path(), "sweep").unwrap();
    let html = std::fs::read_to_string(&files.html).unwrap();
    for needle in [
        "CHEBI:41879 held out by donor",
        "ENSG00000171855 held out by cell_type_ontology_id",
        "model minus the other-contexts baseline, pearson_delta per held-out donor",
        "model minus the other-contexts baseline, mse per held-out cell_type_ontology_id",
        "compound (bulk): 1 donor(s)",
    ] {
        assert!(html.contains(needle), "{needle:?} missing");
    }
    // pearson_delta and mse for both; overlap_at_N where the cells' DE gives one
    assert!(html.matches("<svg").count() >= 4, "figures missing");
    assert_eq!(files.tables.len(), 2 * s.perturbations.len());
}

#[test]
fn a_perturbation_the_data_lacks_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = synthbio(
        &["sweep", "--perturbation", "CHEBI:0", "--out", "s.tsv"],
        dir.path(),
    );
    fails_with(&out, &["no perturbation was scored", "CHEBI:0"]);
    assert!(!dir.path().join("s.tsv").exists(), "nothing is written");
}
