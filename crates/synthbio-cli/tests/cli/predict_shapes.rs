//! `synthbio predict` against a loopback server that answers with the result
//! files of the official client's test shapes (the client crate's
//! `tests/golden/shapes/`, written by pyarrow): every part of the result is
//! written, and stderr says which backend answered.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use synthbio::io::{read_counts, CountsOptions};

fn shape(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../synthbio-client/tests/golden/shapes")
        .join(name)
}

/// A hosted-protocol server on 127.0.0.1 answering every query with `result`:
/// submit -> `modelQueryId`, status -> ready with a relative download link,
/// download -> the file. Hand-written on std (one thread, one request per
/// connection) so the test needs no HTTP server crate.
fn serve(result: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let path = request_line.split_whitespace().nth(1).unwrap_or("");
            let (status, content) = if path.ends_with("/predict") {
                ("200 OK", br#"{"modelQueryId": "q1"}"#.to_vec())
            } else if path.ends_with("/status") {
                (
                    "200 OK",
                    br#"{"status": "ready", "downloadUrl": "/dl/q1"}"#.to_vec(),
                )
            } else if path == "/dl/q1" {
                ("200 OK", std::fs::read(&result).unwrap())
            } else {
                ("404 Not Found", br#"{"error": "no such path"}"#.to_vec())
            };
            let content_type = if path == "/dl/q1" && result.extension() == Some("arrow".as_ref()) {
                "application/vnd.apache.arrow.stream"
            } else {
                "application/json"
            };
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                content.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&content);
        }
    });
    format!("http://{addr}")
}

fn predict(model: &str, result: &str, query: &str, dir: &Path, extra: &[&str]) -> Output {
    std::fs::write(dir.join("q.json"), query).unwrap();
    let url = serve(shape(result));
    crate::support::offline()
        .args([
            "predict", model, "--query", "q.json", "--out", "out", "--url", &url,
        ])
        .args(extra)
        .current_dir(dir)
        .env("SYNTHESIZE_API_KEY", "test-key-not-secret")
        .output()
        .expect("the binary runs")
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn metadata_prediction_without_gene_order_writes_every_part() {
    let dir = tempfile::tempdir().unwrap();
    let out = predict(
        "gem-1-bulk_predict-metadata",
        "metadata_no_genes.json",
        r#"{"inputs": [{"counts": [10, 20, 5]}, {"counts": [30, 40, 1]}]}"#,
        dir.path(),
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("backend: server at http://127.0.0.1"), "{err}");
    assert!(err.contains("no gene_order"), "{err}");
    let o = dir.path().join("out");
    let probs = lines(&o.join("classifier_probs.tsv"));
    assert_eq!(probs[0], "sample_id\tfield\tlabel\tprobability");
    // 2 samples x (sex: 2 labels + tissue: 2 labels).
    assert_eq!(probs.len(), 1 + 8);
    assert!(
        probs.contains(&"sample_1\ttissue\tbrain\t0.9".to_string()),
        "{probs:?}"
    );
    let meta = lines(&o.join("metadata.tsv"));
    assert!(
        meta[1].contains("brain") && meta[2].contains("liver"),
        "{meta:?}"
    );
    let bio = lines(&o.join("latents_biological.tsv"));
    assert_eq!(bio, ["sample_id\tdim_1", "sample_1\t0.1", "sample_2\t0.4"]);
    assert!(o.join("decoder_sample.tsv").exists());
    assert_eq!(
        lines(&o.join("gene_order.txt")),
        ["position_1", "position_2", "position_3"]
    );
}

#[test]
fn gem2_metadata_keeps_predicted_values_and_parquet_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = predict(
        "gem-2-bulk_predict-metadata",
        "gem2_metadata.json",
        r#"{"inputs": [{"counts": [1, 2, 3], "sample_ids": ["a"]}], "operation": "predict-metadata"}"#,
        dir.path(),
        &["--format", "parquet"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("GEM-2 model gem-2-bulk_predict-metadata"),
        "{err}"
    );
    let o = dir.path().join("out");
    for f in [
        "metadata.parquet",
        "classifier_probs.parquet",
        "latents_biological.parquet",
    ] {
        assert!(o.join(f).exists(), "{f}");
    }
    assert_eq!(lines(&o.join("model_version.txt")), ["gem-2.0"]);
}

/// The model a shape answers, and a query that asks for its samples.
fn model_and_query(name: &str, exp: &Value) -> (String, String) {
    let n = exp["metadata"].as_array().unwrap().len();
    let counts_inputs = || {
        let inputs = vec![r#"{"counts": [10, 20, 5]}"#; n].join(", ");
        format!(r#"{{"inputs": [{inputs}]}}"#)
    };
    match exp["model"].as_str() {
        Some(model) if model.starts_with("gem-2") => {
            let operation = exp["operation"].as_str().unwrap_or("generate");
            let inputs = vec![r#"{"counts": [1, 2, 3]}"#; n].join(", ");
            let query = format!(r#"{{"inputs": [{inputs}], "operation": "{operation}"}}"#);
            (model.to_string(), query)
        }
        _ if !exp["classifier_probs"].as_array().unwrap().is_empty()
            || name.contains("metadata") =>
        {
            ("gem-1-bulk_predict-metadata".into(), counts_inputs())
        }
        _ => (
            "gem-1-bulk".into(),
            format!(
                r#"{{"sampling_strategy": "sample generation", "inputs": [{{"metadata": {{"sex": "female", "sample_type": "primary tissue"}}, "num_samples": {n}}}]}}"#
            ),
        ),
    }
}

/// Every answer shape of the official client's tests goes through `synthbio predict`
/// (hosted protocol, loopback): the files hold what pysynthbio's transformers make of
/// it (golden `expected.json`): the metadata values, every classifier probability, the
/// latents, the counts, and the decoder sample's other fields in raw.json.
#[test]
fn every_official_answer_shape_is_written_whole() {
    let all: Value =
        serde_json::from_str(&std::fs::read_to_string(shape("expected.json")).unwrap()).unwrap();
    let all = all.as_object().unwrap();
    assert_eq!(all.len(), 15, "the shapes of make_shapes.py");
    for (name, exp) in all {
        let dir = tempfile::tempdir().unwrap();
        let (model, query) = model_and_query(name, exp);
        let out = predict(&model, name, &query, dir.path(), &["--validation", "warn"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name} ({model}): {err}");
        let o = dir.path().join("out");
        // Metadata: one row per sample, every value the official client has.
        let meta = lines(&o.join("metadata.tsv"));
        let header: Vec<&str> = meta[0].split('\t').collect();
        let rows = exp["metadata"].as_array().unwrap();
        assert_eq!(meta.len(), 1 + rows.len(), "{name}: {meta:?}");
        for (line, want) in meta[1..].iter().zip(rows) {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), header.len(), "{name}: {line}");
            for (key, value) in want.as_object().unwrap() {
                let k = header.iter().position(|h| h == key);
                let k = k.unwrap_or_else(|| panic!("{name}: no column {key} in {header:?}"));
                let value = value
                    .as_str()
                    .map_or_else(|| value.to_string(), String::from);
                assert_eq!(cells[k], value, "{name}: {key}");
            }
        }
        // Classifier probabilities: every one, as the long table.
        let long = exp["classifier_probs"].as_array().unwrap();
        let probs_file = o.join("classifier_probs.tsv");
        if long.is_empty() {
            assert!(!probs_file.exists(), "{name}");
        } else {
            assert_eq!(lines(&probs_file).len(), 1 + long.len(), "{name}");
        }
        // Latents: a table per block with values.
        for (block, rows) in exp["latents"].as_object().unwrap() {
            let width = rows
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r.as_array().map(Vec::len))
                .max()
                .unwrap_or(0);
            let file = o.join(format!("latents_{block}.tsv"));
            assert_eq!(file.exists(), width > 0, "{name}: {block}");
            if width > 0 {
                let table = lines(&file);
                assert_eq!(table.len(), 1 + rows.as_array().unwrap().len(), "{name}");
                assert_eq!(table[0].split('\t').count(), 1 + width, "{name}: {block}");
            }
        }
        // Counts: the expression (or decoder sample) as genes x samples text.
        if let Some(want) = exp["expression"].as_array() {
            let file = ["expression.tsv", "decoder_sample.tsv"]
                .iter()
                .map(|f| o.join(f))
                .find(|f| f.exists())
                .unwrap_or_else(|| panic!("{name}: no counts file"));
            let (ds, _) = read_counts(&file, &CountsOptions::default()).unwrap();
            assert_eq!(ds.n_samples(), want.len(), "{name}");
            for (i, row) in want.iter().enumerate() {
                let row: Vec<u32> = serde_json::from_value(row.clone()).unwrap();
                assert_eq!(ds.counts().row(i).to_vec(), row, "{name} sample {i}");
            }
        }
        if !exp["decoder_sample_rest"].is_null() {
            let raw = std::fs::read_to_string(o.join("raw.json")).unwrap();
            assert!(raw.contains("decoder_sample"), "{name}: {raw}");
        }
    }
}
