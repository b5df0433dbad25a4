//! Hostile and malformed requests over HTTP: oversize and endless bodies,
//! deeply nested JSON, huge `num_samples`, NaN and 1e308 counts, wrong content
//! types, unknown model ids and path traversal in ids. Each is answered with a
//! JSON error of the right status, and the server keeps serving.

use crate::support::fake::{BULK, PREDICT, REFERENCE};
use crate::support::http::{config, start, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Posts raw bytes to a model's predict endpoint.
async fn post_raw(
    api: &Api,
    model: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut r = api
        .client
        .post(format!("{}/api/models/{model}/predict", api.base))
        .body(body);
    if let Some(ct) = content_type {
        r = r.header("content-type", ct);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, body)
}

/// The problem paths of an error body (which must have the protocol's shape).
fn paths(body: &Value) -> Vec<String> {
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors list: {body}"))
        .iter()
        .map(|p| {
            assert!(
                p["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{body}"
            );
            p["path"].as_str().unwrap().to_string()
        })
        .collect()
}

/// A server that still answers a good query (checked after each bad one).
async fn still_serves(api: &Api) {
    let ok = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}]});
    let result = api.run(BULK, &ok).await;
    assert_eq!(result["outputs"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn deeply_nested_json_is_400_not_a_stack_overflow() {
    let (server, api, _) = start(config()).await;
    for depth in [129, 10_000, 200_000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let body = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let (status, body) =
                post_raw(&api, BULK, Some("application/json"), body.into_bytes()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "depth {depth}: {body}");
            assert_eq!(paths(&body), [""]);
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("recursion limit"),
                "{body}"
            );
        }
    }
    // Nesting inside a field the query passes through, within a valid query.
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let body = format!(
        r#"{{"sampling_strategy": "mean estimation", "inputs": [{{"num_samples": 1}}], "extra": {deep}}}"#
    );
    let (status, _) = post_raw(&api, BULK, None, body.into_bytes()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    still_serves(&api).await;
    server.shutdown().await;
}

#[tokio::test]
async fn huge_num_samples_are_422_at_their_path() {
    let (server, api, _) = start(config().with_max_total_samples(100)).await;
    let cases: [(&str, &str); 7] = [
        ("101", "inputs"),
        ("1e18", "inputs"),
        ("18446744073709551615", "inputs"),
        ("1e20", "inputs[0].num_samples"),
        ("18446744073709551616", "inputs[0].num_samples"),
        ("-1", "inputs[0].num_samples"),
        ("\"NaN\"", "inputs[0].num_samples"),
    ];
    for (n, path) in cases {
        let body = format!(
            r#"{{"sampling_strategy": "mean estimation", "inputs": [{{"metadata": {{}}, "num_samples": {n}}}]}}"#
        );
        let (status, body) =
            post_raw(&api, BULK, Some("application/json"), body.into_bytes()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{n}: {body}");
        assert_eq!(paths(&body), [path], "{n}: {body}");
    }
    // Two inputs whose sum overflows u64 are still over the limit (no wrap-around).
    let body = br#"{"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 18446744073709551615}, {"metadata": {}, "num_samples": 2}]}"#;
    let (status, body) = post_raw(&api, BULK, None, body.to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(paths(&body), ["inputs"]);
    still_serves(&api).await;
    server.shutdown().await;
}

#[tokio::test]
async fn nan_infinite_and_1e308_counts_are_rejected() {
    let (server, api, _) = start(config()).await;
    // Not JSON at all: 400.
    for counts in [
        "[NaN, 1, 2, 3]",
        "[Infinity, 1, 2, 3]",
        "[1e309, 1, 2, 3]",
        "[-1e400, 1, 2, 3]",
    ] {
        let body = format!(r#"{{"inputs": [{{"counts": {counts}}}]}}"#);
        let (status, body) = post_raw(&api, PREDICT, None, body.into_bytes()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{counts}: {body}");
        assert_eq!(paths(&body), [""]);
    }
    // JSON, but not counts: 422 at the value.
    let cases: [(&str, &[&str]); 5] = [
        ("[1e308, 1, 2, 3]", &["inputs[0].counts[0]"]),
        ("[1, -1e308, 2, 3]", &["inputs[0].counts[1]"]),
        ("[1, 2, 4294967296, 3]", &["inputs[0].counts[2]"]),
        ("[1, 2, 3, 0.5]", &["inputs[0].counts[3]"]),
        ("[\"NaN\", 1, 2, 3]", &["inputs[0].counts[0]"]),
    ];
    for (model, (counts, want)) in [PREDICT, REFERENCE]
        .into_iter()
        .flat_map(|m| cases.map(|c| (m, c)))
    {
        let extra = if model == REFERENCE {
            r#", "metadata": {"perturbation_type": "control"}, "num_samples": 1"#
        } else {
            ""
        };
        let mode = if model == REFERENCE {
            r#""sampling_strategy": "mean estimation", "#
        } else {
            ""
        };
        let body = format!(r#"{{{mode}"inputs": [{{"counts": {counts}{extra}}}]}}"#);
        let (status, body) = post_raw(&api, model, None, body.into_bytes()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{model} {counts}: {body}"
        );
        assert_eq!(paths(&body), *want, "{model} {counts}: {body}");
    }
    still_serves(&api).await;
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_content_types_are_400_and_json_ones_are_read() {
    let (server, api, _) = start(config()).await;
    let query = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}]});
    let bytes = query.to_string().into_bytes();
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/octet-stream",
        "application/jsonx",
        "json",
        "",
    ] {
        let (status, body) = post_raw(&api, BULK, Some(ct), bytes.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{ct:?}: {body}");
        assert_eq!(paths(&body), [""]);
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{body}"
        );
    }
    for ct in [
        Some("application/json"),
        Some("Application/JSON; charset=utf-8"),
        Some("application/vnd.api+json"),
        None,
    ] {
        let (status, body) = post_raw(&api, BULK, ct, bytes.clone()).await;
        assert_eq!(status, StatusCode::OK, "{ct:?}: {body}");
        assert!(body["modelQueryId"].is_string());
    }
    // Bodies that are not JSON text: 400 with the reason.
    for bad in [
        &b""[..],
        b"\xff\xfe{}",
        b"{\"inputs\": [}",
        b"{} {}",
        b"null x",
    ] {
        let (status, body) = post_raw(&api, BULK, Some("application/json"), bad.to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {body}");
        assert_eq!(paths(&body), [""]);
    }
    still_serves(&api).await;
    server.shutdown().await;
}

#[tokio::test]
async fn oversize_bodies_are_413_with_or_without_a_length() {
    let limit = 4096;
    let (server, api, _) = start(config().with_max_body_bytes(limit)).await;
    let big = vec![b' '; limit + 1];
    let (status, body) = post_raw(&api, BULK, Some("application/json"), big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("4096 bytes"),
        "{body}"
    );
    // A chunked body with no Content-Length that never stops is cut at the limit.
    let endless = futures::stream::repeat_with(|| {
        Ok::<_, std::io::Error>(bytes::Bytes::from_static(&[b' '; 1024]))
    });
    let r = api
        .client
        .post(format!("{}/api/models/{BULK}/predict", api.base))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(endless))
        .send()
        .await;
    // The server answers 413 as soon as the limit is crossed; the client may
    // see the answer or, still sending, a closed connection.
    if let Ok(r) = r {
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    still_serves(&api).await;
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_model_ids_and_path_traversal_are_404() {
    let (server, api, _) = start(config()).await;
    let query = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}]});
    let long = "x".repeat(4000);
    let ids = [
        "gem-9-nope",
        "GEM-1-BULK",
        "gem-1-bulk%00",
        "gem-1-bulk%20",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "..%5C..%5Cwindows%5Cwin.ini",
        "%252e%252e%252f",
        "%E2%80%AE",
        long.as_str(),
    ];
    for id in ids {
        for r in [
            api.predict(id, &query).send().await.unwrap(),
            api.get(&format!("/api/models/{id}/example-query"))
                .send()
                .await
                .unwrap(),
            api.get(&format!("/api/model-queries/{id}/status"))
                .send()
                .await
                .unwrap(),
            api.get(&format!("/api/downloads/{id}?token={id}"))
                .send()
                .await
                .unwrap(),
        ] {
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{id}");
            let body: Value = r.json().await.unwrap();
            assert!(body["error"].is_string(), "{body}");
        }
    }
    // Dot segments sent as they are (an HTTP client would resolve them first).
    for path in [
        "/api/models/../../../../etc/passwd",
        "/api/models/gem-1-bulk/../../../etc/passwd/predict",
        "/api/downloads/../../etc/passwd?token=x",
        "/api/model-queries/../models/status",
        "/../../etc/passwd",
    ] {
        let (status, body) = raw_get(&server.addr(), path).await;
        assert!(status == 404 || status == 400, "{path}: {status} {body}");
        assert!(!body.contains("root:"), "{body}");
    }
    still_serves(&api).await;
    server.shutdown().await;
}

/// A GET sent over a bare TCP connection, path bytes untouched; returns the
/// status code and the body text.
async fn raw_get(addr: &std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text}"));
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}
