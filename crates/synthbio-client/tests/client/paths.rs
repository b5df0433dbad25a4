//! Protocol paths no other test takes: a self-hosted Arrow request that the
//! server answers with a `modelQueryId` instead, a relative `downloadUrl`, and
//! download links that follow the server's public base URL (behind a proxy).

use crate::golden::check;
use crate::support::fault::{FaultServer, Reply, Route};
use crate::support::predictor::{TestPredictor, BULK};
use crate::support::proxy::FaultProxy;
use crate::support::{config, golden, KEY};
use serde_json::{json, Value};
use std::sync::Arc;
use synthbio_client::{Client, ARROW_STREAM};
use synthbio_core::{metadata, ModelId, Predictor, Query, SamplingStrategy};
use synthbio_server::{spawn, ApiKey, ServerConfig};

fn expected(part: &str) -> Value {
    let v: Value =
        serde_json::from_slice(&std::fs::read(golden("expected.json")).unwrap()).unwrap();
    v[part].clone()
}

fn query() -> Query {
    Query::baseline(SamplingStrategy::SampleGeneration)
        .with_input(metadata([("sex", "female")]), 7)
        .with_seed(7)
}

fn result_reply() -> Reply {
    Reply::bytes(
        200,
        std::fs::read(golden("result_list.json")).unwrap(),
        "application/json",
    )
}

#[tokio::test]
async fn an_arrow_request_answered_with_a_model_query_id_is_followed_up() {
    let server = FaultServer::start().await;
    server.script(
        Route::Predict,
        [Reply::json(200, json!({"modelQueryId": "queued-1"}))],
    );
    server.result("*", result_reply());
    let (cfg, _events) = config(&server.base);
    let client = Client::new(cfg.with_self_hosted(true)).unwrap();
    let ds = client
        .predict(&ModelId::from("gem-1-bulk"), &query())
        .await
        .unwrap();
    check(&ds, &expected("expression"));
    assert_eq!(ds.input_index(), [0; 7]);
    let predict = &server.requests_to(Route::Predict)[0];
    assert_eq!(
        predict.headers.get("accept").unwrap().to_str().unwrap(),
        ARROW_STREAM
    );
    let status = &server.requests_to(Route::Status)[0];
    assert_eq!(status.path, "/api/model-queries/queued-1/status");
    assert_eq!(server.requests_to(Route::Download).len(), 1);
}

#[tokio::test]
async fn a_relative_download_url_is_taken_relative_to_the_base_url() {
    let server = FaultServer::start().await;
    server.script(
        Route::Status,
        [Reply::json(
            200,
            json!({"status": "ready", "downloadUrl": "/dl/relative-result"}),
        )],
    );
    server.result("relative-result", result_reply());
    let (cfg, _events) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let ds = client
        .predict(&ModelId::from("gem-1-bulk"), &query())
        .await
        .unwrap();
    check(&ds, &expected("expression"));
    let dl = &server.requests_to(Route::Download)[0];
    assert_eq!(dl.path, "/dl/relative-result");
    // The pre-signed link carries no key.
    assert!(dl.headers.get("authorization").is_none());
}

#[tokio::test]
async fn download_links_follow_the_public_base_url() {
    // The public address (a proxy, as TLS termination would be) is known
    // before the server starts; the client reaches the server directly, and
    // only the link it is handed leads through the proxy.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public = format!("http://{}/", listener.local_addr().unwrap());
    let server = spawn(
        Arc::new(TestPredictor::default()),
        ServerConfig::default()
            .with_api_key(ApiKey::new(KEY).unwrap())
            .with_public_base_url(public.as_str()),
    )
    .await
    .unwrap();
    let proxy = FaultProxy::start_on(listener, &server.base_url());
    let (cfg, _events) = config(&server.base_url());
    let client = Client::new(cfg).unwrap();
    let handle = client.submit(&ModelId::from(BULK), &query()).await.unwrap();
    let url = client.wait_download_url(&handle).await.unwrap();
    assert!(url.starts_with(&format!("{public}api/downloads/")), "{url}");
    let ds = client.wait(&handle).await.unwrap();
    let want = TestPredictor::default()
        .predict(&BULK.into(), &query())
        .unwrap();
    assert_eq!(ds.counts(), want.counts());
    assert_eq!(proxy.seen(Route::Download), 1);
    assert_eq!(proxy.seen(Route::Status), 0);
    server.shutdown().await;
}
