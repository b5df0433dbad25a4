//! `qc` on a published counts table as it is (GEUVADIS, 10,101
//! of the bulk model's genes, no XIST row), with claimed labels swapped in both
//! directions, runs without padding; the marker check calls every sample from the Y
//! genes alone and flags exactly the swapped labels. The same holds with versioned
//! Ensembl ids and with gene symbols. The data: 12 samples of the table, see
//! `crates/synthbio-qc/tests/data/SOURCE.md`.

use crate::support::{repo, synthbio};
use std::collections::BTreeMap;
use std::path::Path;
use synthbio::io::{read_counts, CountsOptions};

/// The slice as genes x samples text, each gene id passed through `rename`.
fn slice_text(rename: impl FnMut(&str) -> String) -> String {
    slice_text_of(|_| true, rename)
}

/// The genes of the slice that `keep` keeps, as genes x samples text, each gene id
/// passed through `rename`.
pub(crate) fn slice_text_of(
    keep: impl Fn(&str) -> bool,
    mut rename: impl FnMut(&str) -> String,
) -> String {
    let path = repo("crates/synthbio-qc/tests/data/geuvadis_slice_counts.tsv.gz");
    let (data, _) = read_counts(&path, &CountsOptions::default()).expect("the slice reads");
    let mut text = format!("gene_id\t{}\n", data.sample_ids().join("\t"));
    for (j, gene) in data.gene_ids().iter().enumerate() {
        if !keep(gene) {
            continue;
        }
        text.push_str(&rename(gene));
        for i in 0..data.n_samples() {
            text.push_str(&format!("\t{}", data.counts()[[i, j]]));
        }
        text.push('\n');
    }
    text
}

/// (sample -> claimed sex, sample -> true sex) from the claimed-labels file.
fn labels() -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let text = std::fs::read_to_string(repo(
        "crates/synthbio-qc/tests/data/geuvadis_slice_claimed.tsv",
    ))
    .unwrap();
    let (mut claimed, mut truth) = (BTreeMap::new(), BTreeMap::new());
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        claimed.insert(f[0].to_string(), f[1].to_string());
        truth.insert(f[0].to_string(), f[2].to_string());
    }
    (claimed, truth)
}

/// Writes the claimed labels as `claimed.tsv` (sample_id, sex) in `dir`.
pub(crate) fn write_claimed(dir: &Path) {
    let (claimed, _) = labels();
    let meta: String = std::iter::once("sample_id\tsex\n".to_string())
        .chain(claimed.iter().map(|(s, x)| format!("{s}\t{x}\n")))
        .collect();
    std::fs::write(dir.join("claimed.tsv"), meta).unwrap();
}

/// Runs `qc` on `counts` in `dir` with the claimed labels as --metadata and checks the
/// marker columns of its table against the true sexes and the swaps; returns stderr.
fn qc_calls_every_sample(dir: &Path, counts: &Path) -> String {
    write_claimed(dir);
    qc_calls_every_sample_with(dir, counts, &["--metadata", "claimed.tsv"])
}

/// Runs `qc` on `counts` in `dir` with `args` (the claimed labels must come from them
/// or from the input) into `s.tsv` and checks the marker columns of its table against
/// the true sexes and the swaps; returns stderr.
pub(crate) fn qc_calls_every_sample_with(dir: &Path, counts: &Path, args: &[&str]) -> String {
    let (claimed, truth) = labels();
    let counts = counts.to_string_lossy();
    let mut all = vec!["qc", &counts, "--out", "s.tsv"];
    all.extend_from_slice(args);
    let out = synthbio(&all, dir);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "qc failed: {stderr}");
    let table = std::fs::read_to_string(dir.join("s.tsv")).unwrap();
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, call, vs) = (
        col("sample_id"),
        col("marker_call"),
        col("marker_vs_claimed"),
    );
    let mut seen = 0;
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        let sample = f[id];
        assert_eq!(f[call], truth[sample], "marker call of {sample}: {stderr}");
        let swapped = claimed[sample] != truth[sample];
        let expected = if swapped { "disagrees" } else { "agrees" };
        assert_eq!(f[vs], expected, "{sample}");
        seen += 1;
    }
    assert_eq!(seen, truth.len());
    stderr
}

#[test]
fn a_published_table_runs_as_is_and_swaps_are_flagged_both_ways() {
    let (claimed, truth) = labels();
    let directions: Vec<(&String, &String)> = claimed
        .iter()
        .filter(|(s, c)| truth[*s] != **c)
        .map(|(s, c)| (c, &truth[s]))
        .collect();
    assert!(directions.iter().any(|(c, _)| *c == "male"));
    assert!(directions.iter().any(|(c, _)| *c == "female"));
    let dir = tempfile::tempdir().unwrap();
    let counts = repo("crates/synthbio-qc/tests/data/geuvadis_slice_counts.tsv.gz");
    let stderr = qc_calls_every_sample(dir.path(), &counts);
    // One line counts the absent genes and says how they are treated.
    let line = stderr
        .lines()
        .find(|l| l.contains("absent genes are treated as unmeasured, not as zero"))
        .unwrap_or_else(|| panic!("no line on absent genes: {stderr}"));
    assert!(
        line.contains("of the model's 19393 genes are in the table"),
        "{line}"
    );
}

#[test]
fn versioned_ensembl_ids_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let text = slice_text(|id| format!("{id}.15"));
    let path = dir.path().join("versioned.tsv");
    std::fs::write(&path, text).unwrap();
    let stderr = qc_calls_every_sample(dir.path(), &path);
    assert!(
        stderr.contains("stripped the version suffix of 10101 Ensembl id(s) (ENSG00000000419.15 -> ENSG00000000419)"),
        "{stderr}"
    );
}

#[test]
fn gene_symbols_are_mapped() {
    let dir = tempfile::tempdir().unwrap();
    // Symbols of data/genes.tsv where it has one (Ensembl ids elsewhere).
    let genes = std::fs::read_to_string(repo("data/genes.tsv")).unwrap();
    let mut symbol: BTreeMap<&str, &str> = genes
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() > 1 && !f[1].is_empty()).then(|| (f[0], f[1]))
        })
        .collect();
    // A symbol that several Ensembl ids share stays an Ensembl id: the reader refuses
    // a table whose row ids repeat.
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for s in symbol.values() {
        *uses.entry(*s).or_default() += 1;
    }
    symbol.retain(|_, s| uses[*s] == 1);
    let mut n_symbols = 0;
    let text = slice_text(|id| match symbol.get(id) {
        Some(s) => {
            n_symbols += 1;
            s.to_string()
        }
        None => id.to_string(),
    });
    assert!(n_symbols > 9_000, "{n_symbols} symbols");
    let path = dir.path().join("symbols.tsv");
    std::fs::write(&path, text).unwrap();
    let stderr = qc_calls_every_sample(dir.path(), &path);
    assert!(
        stderr.contains("gene symbol(s) to Ensembl ids (org.Hs.eg.db)"),
        "{stderr}"
    );
}

#[test]
fn a_table_whose_ids_all_fail_to_map_is_one_sentence_naming_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("odd.tsv"),
        "gene\tS1\tS2\nfoo\t1\t2\nbar\t3\t4\n",
    )
    .unwrap();
    let out = synthbio(&["qc", "odd.tsv", "--out", "s.tsv"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ")
            && last.contains("none of the 2 gene ids (such as foo, bar)")
            && last.contains("give human gene ids"),
        "{stderr}"
    );
    assert!(!dir.path().join("s.tsv").exists());
}
