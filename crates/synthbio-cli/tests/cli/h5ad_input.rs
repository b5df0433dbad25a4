//! AnnData `.h5ad` input for every command that reads counts (`qc`, `pca`, `normalize`,
//! `de`), `--layer` and `--gene-id-column`, `.h5ad` output of `normalize`, and the
//! errors of bad AnnData inputs. The fixtures were written by Python's anndata
//! (`crates/synthbio-io/tests/anndata/anndata_roundtrip.py`); each command's output on
//! one is compared with its output on the same counts given as a text table.

use crate::real_tables::{qc_calls_every_sample_with, slice_text_of, write_claimed};
use crate::support::{anndata_fixture, fails_with, synthbio, text};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use synthbio::io::{read_counts, CountsOptions};

/// Runs the binary in `dir`, asserts success, and returns the file `out` it wrote.
fn run_ok(dir: &Path, args: &[&str], out: &str) -> String {
    let output = synthbio(args, dir);
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        text(&output.stderr)
    );
    std::fs::read_to_string(dir.join(out)).unwrap_or_else(|e| panic!("{out}: {e}"))
}

/// What anndata's reader made of a fixture (golden.json of synthbio-io's tests).
fn golden(name: &str) -> Value {
    let path = crate::support::repo("crates/synthbio-io/tests/anndata/golden.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all[name].clone()
}

/// A fixture's counts as anndata reads them, written as a genes x samples table.
fn golden_counts_table(dir: &Path, name: &str) -> PathBuf {
    let case = golden(name);
    let genes = case["gene_ids"].as_array().unwrap();
    let samples: Vec<&str> = case["sample_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let counts = case["counts"].as_array().unwrap();
    assert_eq!(counts.len(), samples.len());
    let mut table = format!("gene_id\t{}\n", samples.join("\t"));
    for (j, gene) in genes.iter().enumerate() {
        table.push_str(gene.as_str().unwrap());
        for row in counts {
            table.push_str(&format!("\t{}", row[j]));
        }
        table.push('\n');
    }
    let path = dir.join(format!("{name}.tsv"));
    std::fs::write(&path, table).unwrap();
    path
}

/// A fixture's text obs column as a metadata table (sample_id, column).
fn golden_metadata(dir: &Path, name: &str, column: &str) -> PathBuf {
    let case = golden(name);
    let samples = case["sample_ids"].as_array().unwrap();
    let values = case["obs"][column]["values"].as_array().unwrap();
    let mut table = format!("sample_id\t{column}\n");
    for (s, v) in samples.iter().zip(values) {
        table.push_str(&format!(
            "{}\t{}\n",
            s.as_str().unwrap(),
            v.as_str().unwrap()
        ));
    }
    let path = dir.join(format!("{name}_{column}.tsv"));
    std::fs::write(&path, table).unwrap();
    path
}

/// `qc` and `pca` read the GEUVADIS slice from `.h5ad` (claimed sexes in obs, no
/// --metadata) as from the same counts in a table with the labels beside it: the same
/// output files, every sample's sex called from the Y genes, the swaps flagged.
#[test]
fn qc_and_pca_read_h5ad_as_they_read_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let h5ad = anndata_fixture("geuvadis_slice");
    let (data, _) = read_counts(Path::new(&h5ad), &CountsOptions::default()).unwrap();
    assert_eq!(data.n_samples(), 12);
    let genes: HashSet<String> = data.gene_ids().iter().cloned().collect();
    let table = dir.path().join("slice.tsv");
    std::fs::write(&table, slice_text_of(|g| genes.contains(g), str::to_string)).unwrap();
    write_claimed(dir.path());

    let stderr = qc_calls_every_sample_with(dir.path(), Path::new(&h5ad), &[]);
    assert!(
        stderr.contains(
            "(samples as rows, AnnData); counts from X (detected), gene ids from the var index"
        ),
        "{stderr}"
    );
    let from_h5ad = std::fs::read_to_string(dir.path().join("s.tsv")).unwrap();
    let table_arg = table.to_string_lossy();
    let from_table = run_ok(
        dir.path(),
        &[
            "qc",
            &table_arg,
            "--metadata",
            "claimed.tsv",
            "--out",
            "s.tsv",
        ],
        "s.tsv",
    );
    assert_eq!(from_h5ad, from_table);

    let pca = |input: &str, extra: &[&str]| {
        let mut args = vec!["pca", input, "--components", "3", "--out", "p.tsv"];
        args.extend_from_slice(extra);
        run_ok(dir.path(), &args, "p.tsv")
    };
    let scores = pca(&h5ad, &["--layer", "X", "--gene-id-column", "index"]);
    assert_eq!(scores.lines().count(), 13, "{scores}");
    assert_eq!(
        scores,
        pca(&table_arg, &["--metadata", "claimed.tsv"]),
        "the same PCA scores"
    );
    // A --metadata column replaces obs's of the same name, and says so.
    let output = synthbio(
        &[
            "normalize",
            &h5ad,
            "--metadata",
            "claimed.tsv",
            "--out",
            "n.tsv",
        ],
        dir.path(),
    );
    let stderr = text(&output.stderr);
    assert!(
        output.status.success() && stderr.contains("its column(s) sex replace the input's own"),
        "{stderr}"
    );
}

/// `normalize` reads the counts layer of an `.h5ad` file whose X is log-normalized (as
/// the table of the same counts gives), writes `.h5ad` that anndata reads (checked by
/// the script in CI) and that reads back as the same counts.
#[test]
fn normalize_reads_and_writes_h5ad() {
    let dir = tempfile::tempdir().unwrap();
    let h5ad = anndata_fixture("layers_counts");
    let table = golden_counts_table(dir.path(), "layers_counts");
    let table_arg = table.to_string_lossy();
    let normalize = |input: &str, out: &str, extra: &[&str]| {
        let mut args = vec!["normalize", input, "--out", out];
        args.extend_from_slice(extra);
        let output = synthbio(&args, dir.path());
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stderr)
    };
    let stderr = normalize(&h5ad, "n.tsv", &[]);
    assert!(
        stderr.contains("counts from layers[\"counts\"] (detected)"),
        "{stderr}"
    );
    let from_h5ad = std::fs::read_to_string(dir.path().join("n.tsv")).unwrap();
    normalize(&table_arg, "t.tsv", &[]);
    assert_eq!(
        from_h5ad,
        std::fs::read_to_string(dir.path().join("t.tsv")).unwrap()
    );
    // Asked for by name, the same layer.
    normalize(&h5ad, "l.tsv", &["--layer", "counts"]);
    assert_eq!(
        from_h5ad,
        std::fs::read_to_string(dir.path().join("l.tsv")).unwrap()
    );

    // .h5ad out, into the folder anndata's check reads (with what it must find there).
    let export = Path::new(env!("CARGO_TARGET_TMPDIR")).join("h5ad-roundtrip");
    std::fs::create_dir_all(&export).unwrap();
    let out = export.join("cli_normalized.h5ad");
    normalize(&h5ad, &out.to_string_lossy(), &[]);
    let case = golden("layers_counts");
    std::fs::write(
        export.join("cli_normalized.expected.json"),
        serde_json::to_string_pretty(&json!({
            "sample_ids": case["sample_ids"],
            "gene_ids": case["gene_ids"],
            "x_kind": "values",
            "x_sparse": false,
            "x": samples_by_genes(&from_h5ad),
            "obs_text": { "dex": case["obs"]["dex"]["values"] },
            "obs_number": {},
            "obsm": {},
            "layers": { "counts": case["counts"] },
        }))
        .unwrap(),
    )
    .unwrap();
    // Read back, the counts come from layers["counts"] and normalize the same.
    normalize(&out.to_string_lossy(), "again.tsv", &[]);
    assert_eq!(
        from_h5ad,
        std::fs::read_to_string(dir.path().join("again.tsv")).unwrap()
    );
}

/// A genes x samples table of numbers as samples x genes rows.
fn samples_by_genes(table: &str) -> Vec<Vec<f64>> {
    let rows: Vec<Vec<f64>> = table
        .lines()
        .skip(1)
        .map(|l| l.split('\t').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    let n = rows[0].len();
    (0..n)
        .map(|i| rows.iter().map(|r| r[i]).collect())
        .collect()
}

/// `de` on the `.h5ad` file (groups from obs) gives the table the same counts and
/// labels give as text.
#[test]
fn de_reads_h5ad_as_it_reads_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let h5ad = anndata_fixture("layers_counts");
    let table = golden_counts_table(dir.path(), "layers_counts");
    let meta = golden_metadata(dir.path(), "layers_counts", "dex");
    let de = |input: &str, extra: &[&str]| {
        let mut args = vec![
            "de",
            input,
            "--group-column",
            "dex",
            "--case",
            "trt",
            "--control",
            "untrt",
            "--all-genes",
            "--out",
            "de.tsv",
        ];
        args.extend_from_slice(extra);
        run_ok(dir.path(), &args, "de.tsv")
    };
    let from_h5ad = de(&h5ad, &[]);
    assert_eq!(from_h5ad.lines().count(), 11, "{from_h5ad}");
    assert_eq!(
        from_h5ad,
        de(
            &table.to_string_lossy(),
            &["--metadata", &meta.to_string_lossy()]
        )
    );
}

/// `--gene-id-column index` takes the symbols of var_names (mapped to Ensembl ids, an
/// ambiguous one left out and listed); by default the Ensembl ids of var["gene_ids"]
/// are found.
#[test]
fn gene_id_column_chooses_the_ids() {
    let dir = tempfile::tempdir().unwrap();
    let h5ad = anndata_fixture("csr_symbols");
    let gene_column = |table: &str| -> Vec<String> {
        table
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    let detected = run_ok(
        dir.path(),
        &["normalize", &h5ad, "--out", "auto.tsv"],
        "auto.tsv",
    );
    let output = synthbio(
        &[
            "normalize",
            &h5ad,
            "--gene-id-column",
            "index",
            "--out",
            "index.tsv",
        ],
        dir.path(),
    );
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("gene ids from the var index")
            && stderr.contains("mapped 9 gene symbol(s) to Ensembl ids"),
        "{stderr}"
    );
    // CFH names two Ensembl genes in org.Hs.eg.db: left out, listed with both.
    let side =
        std::fs::read_to_string(dir.path().join("csr_symbols.h5ad.unmapped_genes.tsv")).unwrap();
    assert_eq!(
        side.lines().nth(1),
        Some("CFH\tambiguous\tENSG00000000971;ENSG00000289697")
    );
    let mut expected = gene_column(&detected);
    assert_eq!(expected.len(), 10);
    expected.retain(|g| g != "ENSG00000000971");
    let by_symbol = std::fs::read_to_string(dir.path().join("index.tsv")).unwrap();
    assert_eq!(gene_column(&by_symbol), expected);
}

/// Every bad AnnData input is one error line naming the fix.
#[test]
fn bad_h5ad_inputs_are_one_sentence_naming_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| synthbio(args, dir.path());
    let layered = anndata_fixture("layers_counts");
    // X is log-normalized: not counts.
    fails_with(
        &run(&["normalize", &layered, "--layer", "X", "--out", "n.tsv"]),
        &[
            ": X holds ",
            "which is not a whole number",
            "--layer (this file has: X, layers[\"counts\"])",
        ],
    );
    // An unknown layer lists the matrices there are.
    fails_with(
        &run(&["qc", &layered, "--layer", "spliced", "--out", "s.tsv"]),
        &["has no layers[\"spliced\"]; its matrices are X, layers[\"counts\"]"],
    );
    // No gene ids: anndata's row-number var index.
    let numbered = anndata_fixture("row_numbers");
    fails_with(
        &run(&["pca", &numbered, "--out", "p.tsv"]),
        &[
            "the var index holds row numbers (0, 1, 2...), not gene ids",
            "--gene-id-column (its columns: probe)",
        ],
    );
    // A column of ids that are no gene ids: all unmapped.
    fails_with(
        &run(&[
            "normalize",
            &numbered,
            "--gene-id-column",
            "probe",
            "--out",
            "n.tsv",
        ]),
        &[
            "none of the 10 gene ids (such as probe_1",
            "gene ids from var column \"probe\"",
            "name the var column that holds gene ids with --gene-id-column",
        ],
    );
    // A column that is not there.
    fails_with(
        &run(&[
            "de",
            &anndata_fixture("csr_symbols"),
            "--gene-id-column",
            "ensembl",
            "--group-column",
            "dex",
            "--case",
            "trt",
            "--control",
            "untrt",
            "--out",
            "d.tsv",
        ]),
        &["var has no column \"ensembl\" (its columns: gene_ids)"],
    );
    // The AnnData flags on a table.
    std::fs::write(
        dir.path().join("t.tsv"),
        "gene_id\tS1\tS2\nENSG00000000003\t1\t2\n",
    )
    .unwrap();
    fails_with(
        &run(&["normalize", "t.tsv", "--layer", "counts", "--out", "n.tsv"]),
        &["--layer chooses what to read from an AnnData .h5ad file, but t.tsv is a counts table; drop --layer"],
    );
    fails_with(
        &run(&[
            "normalize",
            &layered,
            "--layout",
            "genes-as-rows",
            "--out",
            "n.tsv",
        ]),
        &[
            "--layout states how a counts table lies",
            "is an AnnData file",
        ],
    );
    for out in ["n.tsv", "s.tsv", "p.tsv", "d.tsv"] {
        assert!(!dir.path().join(out).exists(), "{out} written");
    }
}

/// `predict` takes the counts of an `.h5ad` file for a metadata-prediction model and
/// writes the whole result as one `result.h5ad`, holding what the per-part tables of the
/// same query and seed on the same counts as a text table hold; a baseline model refuses
/// counts.
#[test]
fn predict_reads_h5ad_counts_and_writes_one_h5ad_result() {
    let dir = tempfile::tempdir().unwrap();
    let h5ad = anndata_fixture("geuvadis_slice");
    let (data, _) = read_counts(Path::new(&h5ad), &CountsOptions::default()).unwrap();
    let genes: HashSet<String> = data.gene_ids().iter().cloned().collect();
    let table = dir.path().join("slice.tsv");
    std::fs::write(&table, slice_text_of(|g| genes.contains(g), str::to_string)).unwrap();
    let table_arg = table.to_string_lossy();
    let model = "gem-1-bulk_predict-metadata";
    let tsv_meta = run_ok(
        dir.path(),
        &[
            "predict", model, &table_arg, "--seed", "7", "--out", "as_tsv",
        ],
        "as_tsv/metadata.tsv",
    );
    let as_h5ad = synthbio(
        &[
            "predict", model, &h5ad, "--seed", "7", "--format", "h5ad", "--out", "as_h5ad",
        ],
        dir.path(),
    );
    assert!(as_h5ad.status.success(), "{}", text(&as_h5ad.stderr));
    assert!(!dir.path().join("as_h5ad/metadata.tsv").exists());

    let (result, _) = read_counts(
        &dir.path().join("as_h5ad/result.h5ad"),
        &CountsOptions::default(),
    )
    .unwrap();
    let (from_tsv, _) = read_counts(
        &dir.path().join("as_tsv/decoder_sample.tsv"),
        &CountsOptions::default(),
    )
    .unwrap();
    assert_eq!(result.sample_ids(), from_tsv.sample_ids());
    assert_eq!(result.gene_ids(), from_tsv.gene_ids());
    assert_eq!(result.counts(), from_tsv.counts());

    let mut lines = tsv_meta.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), result.n_samples());
    assert!(header.contains(&"sex"), "{header:?}");
    for (k, key) in header.iter().enumerate().skip(1) {
        let column = result
            .metadata()
            .column(key)
            .unwrap_or_else(|| panic!("result.h5ad has no obs column {key}"));
        assert_eq!(column.len(), rows.len());
        for (row, value) in rows.iter().zip(column) {
            assert_eq!(row[k], value.as_deref().unwrap_or(""), "{key}");
        }
    }

    fails_with(
        &synthbio(&["predict", "gem-1-bulk", &h5ad, "--out", "x"], dir.path()),
        &[
            "gem-1-bulk takes metadata, not counts",
            "gem-1-bulk_predict-metadata",
        ],
    );
}

/// A reference-conditioning model applies the perturbation of --query to every sample
/// of the table: each sample gives num_samples outputs named `<sample id>_<k>`, which
/// keep the measured-gene mask of their sample; the query must leave counts out.
#[test]
fn predict_conditions_each_table_sample_on_the_query() {
    let dir = tempfile::tempdir().unwrap();
    let h5ad = anndata_fixture("geuvadis_slice");
    let (data, _) = read_counts(Path::new(&h5ad), &CountsOptions::default()).unwrap();
    let model = "gem-1-bulk_reference-conditioning";
    let template = json!({
        "sampling_strategy": "mean estimation",
        "inputs": [{
            "metadata": {"perturbation_type": "compound", "perturbation_ontology_id": "CHEBI:41879",
                         "perturbation_dose": "1 um", "perturbation_time": "18 hours"},
            "num_samples": 2
        }]
    });
    std::fs::write(dir.path().join("q.json"), template.to_string()).unwrap();
    let meta = run_ok(
        dir.path(),
        &["predict", model, &h5ad, "--query", "q.json", "--out", "o"],
        "o/metadata.tsv",
    );
    let ids: Vec<&str> = meta
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    let expected: Vec<String> = data
        .sample_ids()
        .iter()
        .flat_map(|s| [format!("{s}_1"), format!("{s}_2")])
        .collect();
    assert_eq!(ids, expected);

    let mut with_counts = template.clone();
    with_counts["inputs"][0]["counts"] = json!([1, 2, 3]);
    std::fs::write(dir.path().join("bad.json"), with_counts.to_string()).unwrap();
    fails_with(
        &synthbio(
            &["predict", model, &h5ad, "--query", "bad.json", "--out", "x"],
            dir.path(),
        ),
        &["inputs[0] of --query has counts", "remove them"],
    );
    fails_with(
        &synthbio(&["predict", model, &h5ad, "--out", "x"], dir.path()),
        &["needs --query too"],
    );
}
