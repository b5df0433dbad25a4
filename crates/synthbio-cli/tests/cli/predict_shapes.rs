//! `synthbio predict` against a loopback server that answers with the result
//! files of the official client's test shapes (the client crate's
//! `tests/golden/shapes/`, written by pyarrow): every part of the result is
//! written, and stderr says which backend answered.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;

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
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
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
