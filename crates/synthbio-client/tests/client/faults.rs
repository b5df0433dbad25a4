//! The client against the scriptable fault server: headers, retries and
//! `Retry-After`, dropped connections, every error class, raw JSON and
//! download-URL-only results, self-hosted Arrow answers.

use crate::golden::check;
use crate::support::fault::{Body, FaultServer, Reply, Route};
use crate::support::{config, golden, KEY};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};
use synthbio_client::{Client, ClientConfig, ClientError, Progress, RetryReason, ARROW_STREAM};
use synthbio_core::{metadata, ModelId, Query, SamplingStrategy};

fn query(n: u64) -> Query {
    Query::baseline(SamplingStrategy::SampleGeneration)
        .with_input(metadata([("sex", "female")]), n)
        .with_seed(7)
}

fn golden_reply(name: &str) -> Reply {
    Reply::bytes(
        200,
        std::fs::read(golden(name)).unwrap(),
        "application/json",
    )
}

fn expected(part: &str) -> Value {
    let v: Value =
        serde_json::from_slice(&std::fs::read(golden("expected.json")).unwrap()).unwrap();
    v[part].clone()
}

fn header<'a>(r: &'a crate::support::fault::Recorded, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn submit_poll_download_with_the_protocol_headers() {
    let server = FaultServer::start().await;
    server.result("*", golden_reply("result_list.json"));
    server.script(
        Route::Status,
        [Reply::json(200, json!({"status": "running"}))],
    );
    let (cfg, events) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let model = ModelId::from("gem-1-bulk");
    let mut q = query(7);
    q.extra.insert("custom_option".into(), json!({"a": 1}));
    let ds = client.predict(&model, &q).await.unwrap();
    check(&ds, &expected("expression"));
    assert_eq!(ds.input_index(), [0; 7]);

    let submit = &server.requests_to(Route::Predict)[0];
    assert_eq!(submit.path, "/api/models/gem-1-bulk/predict");
    assert_eq!(submit.method, "POST");
    assert_eq!(
        header(submit, "authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(header(submit, "accept"), Some("application/json"));
    assert_eq!(header(submit, "content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(&submit.body).unwrap();
    assert_eq!(body["source"], "synthbio-rs");
    assert_eq!(body["custom_option"], json!({"a": 1}));
    assert_eq!(body["inputs"][0]["num_samples"], 7);

    let polls = server.requests_to(Route::Status);
    assert_eq!(polls.len(), 2, "one running, one ready");
    assert_eq!(polls[0].path, "/api/model-queries/q0/status");
    assert_eq!(polls[0].method, "GET");
    assert_eq!(
        header(&polls[0], "authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(header(&polls[0], "accept"), Some("application/json"));
    assert_eq!(header(&polls[0], "content-type"), None);

    let download = &server.requests_to(Route::Download)[0];
    assert_eq!(download.path, "/dl/q0");
    for h in ["authorization", "content-type"] {
        assert_eq!(header(download, h), None, "{h} sent to the download URL");
    }
    assert_ne!(header(download, "accept"), Some("application/json"));

    let steps = events.all();
    assert!(
        matches!(&steps[0], Progress::Submitted { model_query_id, .. } if model_query_id == "q0")
    );
    assert!(steps
        .iter()
        .any(|p| matches!(p, Progress::Polled { status, .. } if status == "running")));
    // The model's gene count is remembered for validating later queries.
    assert_eq!(client.model_spec(&model).unwrap().n_genes, Some(37));
}

#[tokio::test]
async fn a_query_that_names_its_source_keeps_it() {
    let server = FaultServer::start().await;
    let (cfg, _) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let mut q = query(1);
    q.source = Some("my-pipeline".into());
    client
        .submit(&ModelId::from("gem-1-bulk"), &q)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&server.requests_to(Route::Predict)[0].body).unwrap();
    assert_eq!(body["source"], "my-pipeline");
}

#[tokio::test]
async fn raw_json_and_download_url_only() {
    let server = FaultServer::start().await;
    server.result("*", golden_reply("result_map.json"));
    let (cfg, _) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let model = ModelId::from("gem-1-bulk");
    let url = client
        .predict_download_url(&model, &query(7))
        .await
        .unwrap();
    assert_eq!(url, format!("{}/dl/q0", server.base));
    assert!(server.requests_to(Route::Download).is_empty());
    let raw = client.predict_json(&model, &query(7)).await.unwrap();
    let file: Value =
        serde_json::from_slice(&std::fs::read(golden("result_map.json")).unwrap()).unwrap();
    assert_eq!(raw, file);
}

#[tokio::test]
async fn all_three_counts_encodings_over_http() {
    let server = FaultServer::start().await;
    server.result("q0", golden_reply("result_list.json"));
    server.result("q1", golden_reply("result_nested.json"));
    server.result("q2", golden_reply("result_map.json"));
    let (cfg, _) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let model = ModelId::from("gem-1-bulk");
    let queries = [query(7), query(7), query(7)];
    let out = client.predict_many(&model, &queries).await;
    let exp = expected("expression");
    let mut downloaded: Vec<String> = server
        .requests_to(Route::Download)
        .into_iter()
        .map(|r| r.path)
        .collect();
    downloaded.sort();
    assert_eq!(downloaded, ["/dl/q0", "/dl/q1", "/dl/q2"]);
    for ds in out {
        check(&ds.unwrap(), &exp);
    }
}

#[tokio::test]
async fn unknown_models_pass_through() {
    let server = FaultServer::start().await;
    server.result("*", golden_reply("result_list.json"));
    let (cfg, _) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let model = ModelId::from("gem-2-future-model");
    let q =
        Query::from_value(json!({"inputs": [{"anything": "goes", "num_samples": 3}], "mode_x": 1}))
            .unwrap();
    let raw = client.predict_json(&model, &q).await.unwrap();
    assert_eq!(raw["model_version"], "golden-1");
    // Decoding works too; the input index is not inferred for unknown families.
    let ds = client.predict(&model, &q).await.unwrap();
    assert_eq!(ds.n_samples(), 7);
    assert_eq!(ds.input_index(), [0; 7]);
    let body: Value = serde_json::from_slice(&server.requests_to(Route::Predict)[0].body).unwrap();
    assert_eq!(body["mode_x"], 1);
    assert_eq!(
        server.requests_to(Route::Predict)[0].path,
        "/api/models/gem-2-future-model/predict"
    );
}

#[tokio::test]
async fn retry_after_seconds_is_honoured_on_idempotent_calls() {
    let server = FaultServer::start().await;
    server.script(
        Route::Models,
        [
            Reply::json(429, json!({"error": "slow down"})).header("retry-after", "1"),
            Reply::json(503, json!({"error": "starting"})).header("retry-after", "0"),
            Reply::json(502, json!({"error": "bad gateway"})),
            Reply::json(504, json!({"error": "gateway timeout"})),
        ],
    );
    let (cfg, events) = config(&server.base);
    let retry = synthbio_client::RetryConfig {
        max_retries: 4,
        ..cfg.retry.clone()
    };
    let client = Client::new(cfg.with_retry(retry)).unwrap();
    let models = client.list_models().await.unwrap();
    assert_eq!(models[0].model_id, "gem-1-bulk");
    assert_eq!(
        events.retries(),
        [
            (RetryReason::Status(429), Duration::from_secs(1)),
            (RetryReason::Status(503), Duration::ZERO),
            // Backoff doubles from 10 ms with each attempt: the 3rd and 4th wait 40 and 80 ms.
            (RetryReason::Status(502), Duration::from_millis(40)),
            (RetryReason::Status(504), Duration::from_millis(80)),
        ]
    );
    assert_eq!(server.requests_to(Route::Models).len(), 5);
    let msg = events
        .all()
        .iter()
        .find(|p| {
            matches!(
                p,
                Progress::Retrying {
                    reason: RetryReason::Status(503),
                    ..
                }
            )
        })
        .unwrap()
        .to_string();
    assert!(msg.contains("cold start"), "{msg}");
}

#[tokio::test]
async fn retry_after_as_an_http_date() {
    let server = FaultServer::start().await;
    let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    server.script(
        Route::Example,
        [Reply::json(503, json!({})).header("retry-after", &when)],
    );
    let (cfg, events) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    client
        .example_query(&ModelId::from("gem-1-bulk"))
        .await
        .unwrap();
    let retries = events.retries();
    assert_eq!(retries.len(), 1);
    let d = retries[0].1;
    assert!(d > Duration::ZERO && d <= Duration::from_secs(2), "{d:?}");
}

#[tokio::test]
async fn retries_end_with_the_error() {
    let server = FaultServer::start().await;
    server.default_reply(Route::Models, Reply::json(503, json!({"error": "down"})));
    let (cfg, events) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let err = client.list_models().await.unwrap_err();
    assert!(
        matches!(err, ClientError::Api { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("try again later"), "{err}");
    assert_eq!(
        server.requests_to(Route::Models).len(),
        4,
        "1 try + 3 retries"
    );
    assert_eq!(events.retries().len(), 3);
    // A Retry-After beyond the limit stops at once.
    let server = FaultServer::start().await;
    server.default_reply(
        Route::Models,
        Reply::json(429, json!({})).header("retry-after", "100000"),
    );
    let (cfg, _) = config(&server.base);
    let err = Client::new(cfg).unwrap().list_models().await.unwrap_err();
    assert!(matches!(err, ClientError::Api { status: 429, .. }));
    assert_eq!(server.requests_to(Route::Models).len(), 1);
}

#[tokio::test]
async fn submits_are_retried_only_when_not_accepted() {
    let server = FaultServer::start().await;
    server.script(
        Route::Predict,
        [
            Reply::json(503, json!({})).header("retry-after", "0"),
            Reply::json(429, json!({})).header("retry-after", "0"),
        ],
    );
    let (cfg, _) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let h = client
        .submit(&ModelId::from("gem-1-bulk"), &query(1))
        .await
        .unwrap();
    assert_eq!(h.model_query_id, "q0");
    assert_eq!(server.requests_to(Route::Predict).len(), 3);

    for status in [502, 504, 500] {
        let server = FaultServer::start().await;
        server.script(Route::Predict, [Reply::json(status, json!({"error": "?"}))]);
        let (cfg, events) = config(&server.base);
        let err = Client::new(cfg)
            .unwrap()
            .submit(&ModelId::from("gem-1-bulk"), &query(1))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ClientError::Api { status: s, .. } if s == status),
            "{err:?}"
        );
        assert_eq!(
            server.requests_to(Route::Predict).len(),
            1,
            "{status} may have been accepted"
        );
        assert!(events.retries().is_empty());
    }
}

#[tokio::test]
async fn dropped_connections() {
    // An idempotent call is tried again.
    let server = FaultServer::start().await;
    server
        .state
        .drops
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let (cfg, events) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    client.list_models().await.unwrap();
    assert_eq!(events.retries().len(), 1);
    assert_eq!(events.retries()[0].0, RetryReason::Connection);

    // A submit on a connection that broke may have been taken: not sent again.
    let server = FaultServer::start().await;
    server
        .state
        .drops
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let (cfg, events) = config(&server.base);
    let err = Client::new(cfg)
        .unwrap()
        .submit(&ModelId::from("gem-1-bulk"), &query(1))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Network { .. }), "{err:?}");
    assert!(events.retries().is_empty());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn refused_connections_are_retried_even_for_submits() {
    // A port with nothing listening: the submit provably never left.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (cfg, events) = config(&format!("http://127.0.0.1:{port}"));
    let err = Client::new(cfg)
        .unwrap()
        .submit(&ModelId::from("gem-1-bulk"), &query(1))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Network { .. }), "{err:?}");
    assert_eq!(
        events
            .retries()
            .iter()
            .map(|r| r.0.clone())
            .collect::<Vec<_>>(),
        [
            RetryReason::Connect,
            RetryReason::Connect,
            RetryReason::Connect
        ]
    );
}

#[tokio::test]
async fn a_download_that_breaks_off_is_downloaded_again() {
    let server = FaultServer::start().await;
    let full = std::fs::read(golden("result_list.json")).unwrap();
    server.script(
        Route::Download,
        [Reply {
            status: 200,
            headers: vec![],
            body: Body::BreakAfter(full[..full.len() / 2].to_vec()),
            delay: Duration::ZERO,
        }],
    );
    server.result("*", Reply::bytes(200, full, "application/json"));
    let (cfg, events) = config(&server.base);
    let ds = Client::new(cfg)
        .unwrap()
        .predict(&ModelId::from("gem-1-bulk"), &query(7))
        .await
        .unwrap();
    check(&ds, &expected("expression"));
    assert_eq!(server.requests_to(Route::Download).len(), 2);
    assert_eq!(events.retries().len(), 1);
}

/// Whether an error is of the expected class.
type IsError = fn(&ClientError) -> bool;

#[tokio::test]
async fn every_error_class() {
    let model = ModelId::from("gem-1-bulk");
    let cases: Vec<(Reply, IsError, &str)> = vec![
        (
            Reply::json(401, json!({"error": "bad key"})),
            |e| matches!(e, ClientError::Authentication { status: 401, .. }),
            "SYNTHESIZE_API_KEY",
        ),
        (
            Reply::json(403, json!({"error": "forbidden"})),
            |e| matches!(e, ClientError::Authentication { status: 403, .. }),
            "SYNTHESIZE_API_KEY",
        ),
        (
            Reply::json(404, json!({"error": "no model"})),
            |e| matches!(e, ClientError::NotFound { .. }),
            "list_models",
        ),
        (
            Reply::json(
                422,
                json!({"error": "Query validation failed: 2 problems", "errors": [
            {"path": "inputs[0].metadata.sex", "message": "use male or female"},
            {"path": "total_count", "message": "too big"}]}),
            ),
            |e| matches!(e, ClientError::Validation { status: Some(422), errors } if errors.errors.len() == 2 && errors.errors[1].path == "total_count"),
            "inputs[0].metadata.sex",
        ),
        (
            Reply::bytes(400, b"not json".to_vec(), "text/plain"),
            |e| {
                matches!(
                    e,
                    ClientError::Validation {
                        status: Some(400),
                        ..
                    }
                )
            },
            "not json",
        ),
        (
            Reply::json(500, json!({"error": "internal"})),
            |e| matches!(e, ClientError::Api { status: 500, .. }),
            "try again later",
        ),
        (
            Reply::json(200, json!({"unexpected": true})),
            |e| matches!(e, ClientError::Decode { .. }),
            "modelQueryId",
        ),
    ];
    for (reply, is, text) in cases {
        let server = FaultServer::start().await;
        server.script(Route::Predict, [reply.clone()]);
        let (cfg, _) = config(&server.base);
        let err = Client::new(cfg)
            .unwrap()
            .predict(&model, &query(1))
            .await
            .unwrap_err();
        assert!(is(&err), "{reply:?} gave {err:?}");
        let msg = err.to_string();
        assert!(msg.contains(text), "{msg}");
        assert!(!msg.contains(KEY) && !format!("{err:?}").contains(KEY));
    }
}

#[tokio::test]
async fn failed_status_has_its_traceback_cut() {
    let server = FaultServer::start().await;
    server.script(Route::Status, [Reply::json(200, json!({"status": "failed",
        "message": "Metadata validation failed: [\"Query 1 has bad values.\"]\nTraceback (most recent call last):\n  File \"x.py\", line 1"}))]);
    let (cfg, _) = config(&server.base);
    let err = Client::new(cfg)
        .unwrap()
        .predict(&ModelId::from("gem-1-bulk"), &query(1))
        .await
        .unwrap_err();
    let ClientError::ModelFailed {
        model_query_id,
        message,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(model_query_id, "q0");
    assert_eq!(
        message,
        "Metadata validation failed: [\"Query 1 has bad values.\"]"
    );
    assert!(!err.to_string().contains("Traceback"));
}

#[tokio::test]
async fn a_query_that_never_finishes_times_out_with_its_id() {
    let server = FaultServer::start().await;
    server.default_reply(
        Route::Status,
        Reply::json(200, json!({"status": "running"})),
    );
    let (cfg, _) = config(&server.base);
    let cfg = cfg
        .with_poll_timeout(Duration::from_millis(1500))
        .with_poll_interval(Duration::from_millis(1));
    let err = Client::new(cfg)
        .unwrap()
        .predict(&ModelId::from("gem-1-bulk"), &query(1))
        .await
        .unwrap_err();
    let ClientError::Timeout {
        model_query_id,
        last_status,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(model_query_id, "q0");
    assert_eq!(last_status, "running");
    assert_eq!(err.model_query_id(), Some("q0"));
    assert!(
        err.to_string()
            .contains("Client::resume(\"gem-1-bulk\", \"q0\")"),
        "{err}"
    );
    // The interval is never under 1 s: at most two polls fit in 1.5 s.
    let polls = server.requests_to(Route::Status).len();
    assert!((1..=3).contains(&polls), "{polls} polls");
}

#[tokio::test]
async fn a_result_with_an_error_key_is_an_error() {
    let server = FaultServer::start().await;
    server.result(
        "*",
        Reply::json(200, json!({"error": "the model crashed", "outputs": []})),
    );
    let (cfg, _) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let model = ModelId::from("gem-1-bulk");
    let err = client.predict(&model, &query(1)).await.unwrap_err();
    assert!(
        matches!(err.cause(), ClientError::ResultError { message } if message == "the model crashed"),
        "{err:?}"
    );
    assert_eq!(err.model_query_id(), Some("q0"));
    let err = client.predict_json(&model, &query(1)).await.unwrap_err();
    assert!(matches!(err.cause(), ClientError::ResultError { .. }));
    assert_eq!(err.model_query_id(), Some("q1"));
}

#[tokio::test]
async fn the_hosted_service_needs_a_key_but_self_hosted_does_not() {
    let server = FaultServer::start().await;
    let cfg = ClientConfig::default().with_base_url(&server.base);
    let client = Client::new(cfg.clone()).unwrap();
    let err = client.list_models().await.unwrap_err();
    assert!(matches!(err, ClientError::MissingApiKey));
    assert!(err.to_string().contains("SYNTHESIZE_API_KEY"));
    assert!(server.requests().is_empty());

    server.result(
        "arrow",
        Reply::bytes(
            200,
            std::fs::read(golden("result_baseline.arrow")).unwrap(),
            ARROW_STREAM,
        ),
    );
    let client = Client::new(cfg.with_self_hosted(true)).unwrap();
    client.list_models().await.unwrap();
    let ds = client
        .predict(&ModelId::from("gem-1-bulk"), &query(7))
        .await
        .unwrap();
    check(&ds, &expected("expression"));
    let predict = &server.requests_to(Route::Predict)[0];
    assert_eq!(header(predict, "accept"), Some(ARROW_STREAM));
    assert_eq!(header(predict, "content-type"), Some("application/json"));
    assert_eq!(header(predict, "authorization"), None);
    let body: Value = serde_json::from_slice(&predict.body).unwrap();
    assert_eq!(body["source"], "synthbio-rs");
    for r in server.requests() {
        assert_eq!(header(&r, "authorization"), None);
    }
    // Self-hosted with a key sends it.
    let (cfg, _) = config(&server.base);
    Client::new(cfg.with_self_hosted(true))
        .unwrap()
        .list_models()
        .await
        .unwrap();
    let last = server.requests().pop().unwrap();
    assert_eq!(
        header(&last, "authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    // Raw JSON and submit do not exist in self-hosted mode.
    let (cfg, _) = config(&server.base);
    let client = Client::new(cfg.with_self_hosted(true)).unwrap();
    assert!(matches!(
        client.submit(&ModelId::from("gem-1-bulk"), &query(1)).await,
        Err(ClientError::Config(_))
    ));
}

#[tokio::test]
async fn per_model_base_urls_from_the_environment() {
    let server = FaultServer::start().await;
    server.result("*", golden_reply("result_metadata.json"));
    let dead = "http://127.0.0.1:9";
    let vars = [
        (
            "SYNTHESIZE_API_BASE_URL__GEM_1_BULK".to_string(),
            server.base.clone(),
        ),
        ("SYNTHESIZE_API_BASE_URL".to_string(), dead.to_string()),
        ("SYNTHESIZE_API_KEY".to_string(), KEY.to_string()),
    ];
    let lookup = vars.clone();
    let cfg = ClientConfig::from_lookup(
        move |k| lookup.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
        vars,
    );
    let client = Client::new(cfg).unwrap();
    let model = ModelId::from("gem-1-bulk_predict-metadata");
    let genes = expected("metadata_prediction")["gene_order"]
        .as_array()
        .unwrap()
        .len();
    let q = Query::metadata_prediction((0..4).map(|_| (0..genes).map(|g| g as f64)));
    let ds = client.predict(&model, &q).await.unwrap();
    check(&ds, &expected("metadata_prediction"));
    assert_eq!(ds.input_index(), [0, 1, 2, 3]);
    assert_eq!(
        server.requests_to(Route::Predict)[0].path,
        "/api/models/gem-1-bulk_predict-metadata/predict"
    );
}

#[test]
fn the_blocking_client() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(FaultServer::start());
    server.result("*", golden_reply("result_nested.json"));
    let (cfg, _) = config(&server.base);
    let client = synthbio_client::BlockingClient::new(cfg).unwrap();
    let model = ModelId::from("gem-1-bulk");
    assert_eq!(client.list_models().unwrap()[0].model_id, "gem-1-bulk");
    let q = client.example_query(&model).unwrap();
    assert_eq!(q.inputs[0].num_samples, Some(2));
    let handle = client.submit(&model, &query(7)).unwrap();
    let ds = client.wait(&handle).unwrap();
    check(&ds, &expected("expression"));
    drop(server);
}

#[tokio::test]
async fn answers_slower_than_the_request_timeout() {
    // A slow idempotent answer (as on a cold start) is waited out by retrying.
    let server = FaultServer::start().await;
    server.script(
        Route::Models,
        [Reply::json(200, json!({"models": []})).delayed(Duration::from_secs(3))],
    );
    let (cfg, events) = config(&server.base);
    let cfg = cfg.with_request_timeout(Duration::from_millis(1_000));
    let client = Client::new(cfg.clone()).unwrap();
    assert_eq!(
        client.list_models().await.unwrap()[0].model_id,
        "gem-1-bulk"
    );
    assert_eq!(events.retries()[0].0, RetryReason::Timeout);
    // A submit that timed out may have been taken: it is not sent again.
    server.script(
        Route::Predict,
        [Reply::json(200, json!({"modelQueryId": "slow"})).delayed(Duration::from_secs(3))],
    );
    let err = Client::new(cfg)
        .unwrap()
        .submit(&ModelId::from("gem-1-bulk"), &query(1))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Network { .. }), "{err:?}");
    assert_eq!(server.requests_to(Route::Predict).len(), 1);
}
