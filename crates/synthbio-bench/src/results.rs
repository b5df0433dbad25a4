//! Result bytes as a user downloads them: a [`Fixed`] predictor behind the real
//! synthbio server on loopback, asked once for the result JSON (submit, poll,
//! download) and once for the Arrow IPC stream (self-hosted synchronous mode).

use crate::{BenchError, HOSTED_LATENT_DIMS};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;
use synthbio_core::{
    Dataset, Family, LatentDims, ListedModel, Modality, ModelId, ModelInfo, ModelSpec,
    PredictError, Predictor, Query,
};
use synthbio_server::{spawn, ServerConfig, ServerHandle, ARROW_STREAM_MEDIA_TYPE};

/// The model id [`Fixed`] serves.
pub const MODEL: &str = "gem-1-bulk";

/// A predictor that answers every query with the same dataset.
#[derive(Debug, Clone)]
pub struct Fixed(pub Arc<Dataset>);

impl Predictor for Fixed {
    fn models(&self) -> Result<Vec<ListedModel>, PredictError> {
        let [biological, technical, perturbation] = HOSTED_LATENT_DIMS;
        Ok(vec![ListedModel::from(ModelInfo {
            model_id: MODEL.into(),
            family: Family::Baseline,
            modality: Modality::Bulk,
            model_version: "bench".into(),
            n_genes: self.0.n_genes(),
            latent_dims: LatentDims {
                biological,
                technical,
                perturbation,
            },
            spec: ModelSpec::default(),
        })])
    }
    fn example_query(&self, m: &ModelId) -> Result<Query, PredictError> {
        Err(PredictError::UnknownModel(m.to_string()))
    }
    fn predict(&self, _: &ModelId, _: &Query) -> Result<Dataset, PredictError> {
        Ok((*self.0).clone())
    }
}

/// The query that asks [`Fixed`] for its dataset (`n` samples).
pub fn query_json(n: usize) -> String {
    format!(
        r#"{{"sampling_strategy": "mean estimation", "inputs": [{{"metadata": {{}}, "num_samples": {n}}}]}}"#
    )
}

/// A loopback server in front of [`Fixed`], accepting queries of up to `max_samples`.
pub async fn serve_fixed(dataset: Dataset, max_samples: u64) -> Result<ServerHandle, BenchError> {
    let config = ServerConfig::default()
        .with_bind(([127, 0, 0, 1], 0).into())
        .with_max_total_samples(max_samples.max(1))
        .with_shutdown_grace(Duration::ZERO);
    spawn(Arc::new(Fixed(Arc::new(dataset))), config)
        .await
        .map_err(|e| BenchError::Server(e.to_string()))
}

/// The two encodings of one result.
#[derive(Debug, Clone)]
pub struct ResultBytes {
    /// The result JSON a download gives.
    pub json: Vec<u8>,
    /// The Arrow IPC stream the synchronous self-hosted mode gives.
    pub arrow: Vec<u8>,
}

/// Serves `dataset` on loopback and downloads it as JSON and as Arrow.
pub fn fetch(dataset: Dataset) -> Result<ResultBytes, BenchError> {
    let rt = tokio::runtime::Runtime::new().map_err(|e| BenchError::Server(e.to_string()))?;
    rt.block_on(async {
        let n = dataset.n_samples();
        let server = serve_fixed(dataset, n as u64).await?;
        let out = fetch_from(&server.base_url(), n).await;
        server.shutdown().await;
        out
    })
}

fn http_err(e: reqwest::Error) -> BenchError {
    BenchError::Server(e.to_string())
}

async fn fetch_from(base: &str, n: usize) -> Result<ResultBytes, BenchError> {
    let http = reqwest::Client::new();
    let arrow = download_arrow(&http, base, n).await?.to_vec();
    let json = download_json(&http, base, n).await?.to_vec();
    Ok(ResultBytes { json, arrow })
}

/// Asks the server at `base` for [`Fixed`]'s `n` samples as an Arrow IPC
/// stream (the synchronous self-hosted mode) and returns the stream's bytes.
pub async fn download_arrow(
    http: &reqwest::Client,
    base: &str,
    n: usize,
) -> Result<Bytes, BenchError> {
    http.post(format!("{base}/api/models/{MODEL}/predict"))
        .header("content-type", "application/json")
        .header("accept", ARROW_STREAM_MEDIA_TYPE)
        .body(query_json(n))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(http_err)?
        .bytes()
        .await
        .map_err(http_err)
}

/// Asks the server at `base` for [`Fixed`]'s `n` samples as a user of the
/// hosted protocol does (submit, poll every 5 ms, download) and returns the
/// result JSON's bytes.
pub async fn download_json(
    http: &reqwest::Client,
    base: &str,
    n: usize,
) -> Result<Bytes, BenchError> {
    let submitted: serde_json::Value = http
        .post(format!("{base}/api/models/{MODEL}/predict"))
        .header("content-type", "application/json")
        .body(query_json(n))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(http_err)?
        .json()
        .await
        .map_err(http_err)?;
    let qid = submitted["modelQueryId"]
        .as_str()
        .ok_or_else(|| BenchError::Server(format!("no modelQueryId in {submitted}")))?;
    let status_url = format!("{base}/api/model-queries/{qid}/status");
    let download = loop {
        let s: serde_json::Value = http
            .get(&status_url)
            .send()
            .await
            .map_err(http_err)?
            .json()
            .await
            .map_err(http_err)?;
        match s["status"].as_str() {
            Some("ready") => break s["downloadUrl"].as_str().unwrap_or_default().to_string(),
            Some("failed") => return Err(BenchError::Server(format!("query failed: {s}"))),
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    };
    http.get(&download)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(http_err)?
        .bytes()
        .await
        .map_err(http_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen;

    #[test]
    fn both_encodings_decode_to_the_served_dataset() {
        let ds = Dataset::new(
            gen::counts(3, 50, 1),
            gen::gene_ids(50),
            Dataset::default_sample_ids(3),
        )
        .unwrap();
        let bytes = fetch(ds.clone()).unwrap();
        let from_json = synthbio_client::decode_json(bytes.json.as_slice(), None).unwrap();
        let from_arrow = synthbio_client::decode_arrow(bytes.arrow.as_slice(), None).unwrap();
        assert_eq!(from_json.counts(), ds.counts());
        assert_eq!(from_arrow.counts(), ds.counts());
        assert_eq!(from_json.gene_ids(), ds.gene_ids());
    }
}
