//! How fast a large result leaves the server: the JSON download (submit, poll,
//! download, parse) and the synchronous Arrow stream (predict, decode), for
//! 200 samples x 44,592 genes (the hosted bulk gene count) over loopback.

use arrow::ipc::reader::StreamReader;
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;
use std::sync::Arc;
use std::time::Duration;
use synthbio_core::{
    Dataset, Family, LatentDims, Latents, Modality, ModelId, ModelInfo, ModelSpec, PredictError,
    Predictor, Query,
};
use synthbio_server::{spawn, ServerConfig, ARROW_STREAM_MEDIA_TYPE};

const SAMPLES: usize = 200;
const GENES: usize = 44_592;

/// Returns the same large dataset for every query.
struct Fixed(Dataset);

impl Predictor for Fixed {
    fn models(&self) -> Vec<ModelInfo> {
        vec![ModelInfo {
            model_id: "gem-1-bulk".into(),
            family: Family::Baseline,
            modality: Modality::Bulk,
            model_version: "bench".into(),
            n_genes: GENES,
            latent_dims: LatentDims {
                biological: 64,
                technical: 32,
                perturbation: 32,
            },
            spec: ModelSpec::default(),
        }]
    }
    fn example_query(&self, m: &ModelId) -> Result<Query, PredictError> {
        Err(PredictError::UnknownModel(m.to_string()))
    }
    fn predict(&self, _: &ModelId, _: &Query) -> Result<Dataset, PredictError> {
        Ok(self.0.clone())
    }
}

fn dataset() -> Dataset {
    let counts = Array2::from_shape_fn((SAMPLES, GENES), |(i, g)| {
        ((i * 7919 + g * 104_729) % 5_000) as u32
    });
    let genes = (0..GENES).map(|g| format!("ENSG{g:011}")).collect();
    let block =
        |d: usize| Array2::from_shape_fn((SAMPLES, d), |(i, j)| (i as f64 - j as f64) / 7.0);
    Dataset::new(counts, genes, Dataset::default_sample_ids(SAMPLES))
        .and_then(|d| {
            d.with_latents(Latents {
                biological: block(64),
                technical: block(32),
                perturbation: block(32),
            })
        })
        .expect("consistent shapes")
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let server = rt
        .block_on(spawn(
            Arc::new(Fixed(dataset())),
            ServerConfig::default().with_shutdown_grace(Duration::ZERO),
        ))
        .expect("server starts");
    let http = reqwest::Client::new();
    let url = format!("{}/api/models/gem-1-bulk/predict", server.base_url());
    let query = r#"{"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 200}]}"#;
    let mut group = c.benchmark_group("200 samples x 44592 genes");
    group.sample_size(10);
    group.bench_function("json: submit, poll, download, parse", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r: serde_json::Value = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(query)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let qid = r["modelQueryId"].as_str().unwrap().to_string();
                let status_url = format!("{}/api/model-queries/{qid}/status", server.base_url());
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
                let result: serde_json::Value = http
                    .get(&download)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(result["outputs"].as_array().unwrap().len(), SAMPLES);
            })
        })
    });
    group.bench_function("arrow: predict, decode", |b| {
        b.iter(|| {
            rt.block_on(async {
                let bytes = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("accept", ARROW_STREAM_MEDIA_TYPE)
                    .body(query)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                let reader = StreamReader::try_new(std::io::Cursor::new(bytes), None).unwrap();
                let rows: usize = reader.map(|b| b.unwrap().num_rows()).sum();
                assert_eq!(rows, SAMPLES);
            })
        })
    });
    group.finish();
    rt.block_on(server.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
