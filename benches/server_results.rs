//! How fast a large result leaves the server and is parsed, over loopback, for
//! 200 samples x 44,592 genes with latents: the JSON path (submit, poll,
//! download, decode) and the synchronous Arrow stream (predict, decode), both
//! decoded by synthbio's client decoders into the dataset type.
//!
//! `cargo bench -p synthbio-bench --bench server_results`

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;
use synthbio_bench::{gen, results};
use synthbio_client::{decode_arrow, decode_json};
use synthbio_server::ARROW_STREAM_MEDIA_TYPE;

const SAMPLES: usize = 200;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let server = rt
        .block_on(results::serve_fixed(
            gen::hosted_result(SAMPLES, 11),
            SAMPLES as u64,
        ))
        .expect("server starts");
    let http = reqwest::Client::new();
    let base = server.base_url();
    let url = format!("{base}/api/models/{}/predict", results::MODEL);
    let query = results::query_json(SAMPLES);
    let mut group = c.benchmark_group("server 200 samples x 44592 genes");
    group.bench_function("json: submit, poll, download, decode", |b| {
        b.iter(|| {
            let body = rt.block_on(async {
                let r: serde_json::Value = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(query.clone())
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let qid = r["modelQueryId"].as_str().unwrap().to_string();
                let status_url = format!("{base}/api/model-queries/{qid}/status");
                let download = loop {
                    let s: serde_json::Value = http
                        .get(&status_url)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    if s["status"] == "ready" {
                        break s["downloadUrl"].as_str().unwrap().to_string();
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                };
                http.get(&download)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap()
            });
            let d = decode_json(body.as_ref(), None).unwrap();
            assert_eq!(d.n_samples(), SAMPLES);
        })
    });
    group.bench_function("arrow: predict, decode", |b| {
        b.iter(|| {
            let body = rt.block_on(async {
                http.post(&url)
                    .header("content-type", "application/json")
                    .header("accept", ARROW_STREAM_MEDIA_TYPE)
                    .body(query.clone())
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap()
            });
            let d = decode_arrow(body.as_ref(), None).unwrap();
            assert_eq!(d.n_samples(), SAMPLES);
        })
    });
    group.finish();
    rt.block_on(server.shutdown());
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
