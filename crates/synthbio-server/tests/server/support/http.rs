//! A tiny protocol client for the tests: submit, poll, download.

use super::fake::FakePredictor;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use synthbio_core::Predictor;
use synthbio_server::{spawn, ServerConfig, ServerHandle};

/// Pause between status polls.
const POLL: Duration = Duration::from_millis(10);

/// Talks to one server, with or without a key.
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub key: Option<String>,
}

impl Api {
    pub fn new(base: String) -> Self {
        Api {
            client: reqwest::Client::new(),
            base,
            key: None,
        }
    }

    pub fn with_key(mut self, key: &str) -> Self {
        self.key = Some(key.to_string());
        self
    }

    fn auth(&self, r: RequestBuilder) -> RequestBuilder {
        match &self.key {
            Some(k) => r.bearer_auth(k),
            None => r,
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.auth(self.client.get(format!("{}{path}", self.base)))
    }

    pub fn post_json(&self, path: &str, body: &Value) -> RequestBuilder {
        self.auth(self.client.post(format!("{}{path}", self.base)))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body.to_string())
    }

    pub fn predict(&self, model: &str, query: &Value) -> RequestBuilder {
        self.post_json(&format!("/api/models/{model}/predict"), query)
    }

    /// Submits and returns the query id (the submission must succeed).
    pub async fn submit(&self, model: &str, query: &Value) -> String {
        let r = self.predict(model, query).send().await.unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        body["modelQueryId"].as_str().unwrap().to_string()
    }

    pub async fn status(&self, qid: &str) -> (StatusCode, Value) {
        let r = self
            .get(&format!("/api/model-queries/{qid}/status"))
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap())
    }

    /// Polls until the status is no longer `running`; returns the last status body.
    pub async fn wait(&self, qid: &str) -> Value {
        loop {
            let (code, body) = self.status(qid).await;
            assert_eq!(code, StatusCode::OK, "{body}");
            if body["status"] != "running" {
                return body;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Submits, waits for `ready`, downloads with a bare request; returns the result JSON.
    pub async fn run(&self, model: &str, query: &Value) -> Value {
        let qid = self.submit(model, query).await;
        self.collect(&qid).await
    }

    /// Waits for `ready`, downloads with a bare request; returns the result JSON.
    pub async fn collect(&self, qid: &str) -> Value {
        let status = self.wait(qid).await;
        assert_eq!(status["status"], "ready", "{status}");
        let url = status["downloadUrl"].as_str().unwrap();
        let r = reqwest::get(url).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }
}

/// The default settings, except that shutdown does not wait for uncollected
/// results (tests that check that wait set their own grace).
pub fn config() -> ServerConfig {
    ServerConfig::default().with_shutdown_grace(Duration::ZERO)
}

/// A fresh server with the fake predictor behind it.
pub async fn start(config: ServerConfig) -> (ServerHandle, Api, Arc<FakePredictor>) {
    let fake = FakePredictor::new();
    let (handle, api) = start_with(fake.clone(), config).await;
    (handle, api, fake)
}

/// A fresh server with any predictor behind it.
pub async fn start_with(
    predictor: Arc<dyn Predictor>,
    config: ServerConfig,
) -> (ServerHandle, Api) {
    let handle = spawn(predictor, config).await.unwrap();
    let api = Api::new(handle.base_url());
    (handle, api)
}
