//! Security: with a key every endpoint but the signed download needs it (with
//! real ids, and against near-miss keys); download tokens are long, random,
//! bound to their query, expiring and refused when tampered with; keys and
//! tokens never reach the logs.

use crate::support::fake::{BULK, PREDICT};
use crate::support::http::{config, start, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use synthbio_server::{ApiKey, ARROW_STREAM_MEDIA_TYPE};

const KEY: &str = "sec-key-2b7e151628aed2a6";

fn query() -> Value {
    json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {"sex": "female"}, "num_samples": 1}]})
}

/// One protected request of the protocol: name, method, path, JSON body, `Accept`.
type Endpoint = (
    &'static str,
    &'static str,
    String,
    Option<Value>,
    &'static str,
);

/// Every protected endpoint, with real ids.
fn protected(qid: &str) -> Vec<Endpoint> {
    let json = "application/json";
    vec![
        ("list", "GET", "/api/models".into(), None, json),
        (
            "example",
            "GET",
            format!("/api/models/{BULK}/example-query"),
            None,
            json,
        ),
        (
            "submit",
            "POST",
            format!("/api/models/{BULK}/predict"),
            Some(query()),
            json,
        ),
        (
            "arrow",
            "POST",
            format!("/api/models/{PREDICT}/predict"),
            Some(json!({"inputs": [{"counts": [1, 2, 3, 4]}]})),
            ARROW_STREAM_MEDIA_TYPE,
        ),
        (
            "status",
            "GET",
            format!("/api/model-queries/{qid}/status"),
            None,
            json,
        ),
    ]
}

/// Sends one request with this `Authorization` header (none for `None`).
async fn send(base: &str, e: &Endpoint, authorization: Option<&str>) -> reqwest::Response {
    let (_, method, path, body, accept) = e;
    let mut r = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{base}{path}"))
        .header("accept", *accept);
    if let Some(a) = authorization {
        r = r.header("authorization", a);
    }
    if let Some(b) = body {
        r = r
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    r.send().await.unwrap()
}

#[tokio::test]
async fn near_miss_keys_are_refused_on_every_endpoint_and_the_download_needs_none() {
    let config = config().with_api_key(ApiKey::new(KEY).unwrap());
    let (server, _, _) = start(config).await;
    let keyed = Api::new(server.base_url()).with_key(KEY);
    let qid = keyed.submit(BULK, &query()).await;
    let url = keyed.wait(&qid).await["downloadUrl"]
        .as_str()
        .unwrap()
        .to_string();

    let truncated = &KEY[..KEY.len() - 1];
    let headers: Vec<Option<String>> = vec![
        None,
        Some(String::new()),
        Some("Bearer".into()),
        Some("Bearer ".into()),
        Some(format!("Basic {KEY}")),
        Some(format!("Token {KEY}")),
        Some(KEY.into()),
        Some(format!("Bearer {truncated}")),
        Some(format!("Bearer {KEY}x")),
        Some(format!("Bearer {}", KEY.to_uppercase())),
        Some(format!("Bearer {KEY} {KEY}")),
        Some(format!("Bearer\t{KEY}")),
    ];
    let base = server.base_url();
    let plain = Api::new(base.clone());
    for header in &headers {
        for e in protected(&qid) {
            let r = send(&base, &e, header.as_deref()).await;
            assert_eq!(
                r.status(),
                StatusCode::UNAUTHORIZED,
                "{} with {header:?}",
                e.0
            );
            assert_eq!(r.headers()["www-authenticate"], "Bearer");
            let text = r.text().await.unwrap();
            assert!(!text.contains(KEY) && !text.contains(truncated), "{text}");
        }
    }
    // The key in the URL is not a key.
    let r = plain
        .get(&format!("/api/models?api_key={KEY}&key={KEY}&token={KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // With the key, every endpoint answers (the submit and Arrow ones run jobs).
    let bearer = format!("Bearer {KEY}");
    for e in protected(&qid) {
        assert_eq!(
            send(&base, &e, Some(&bearer)).await.status(),
            StatusCode::OK,
            "{}",
            e.0
        );
    }
    // The download needs no key, and a wrong one does not get in the way.
    assert_eq!(reqwest::get(&url).await.unwrap().status(), StatusCode::OK);
    let r = plain
        .client
        .get(&url)
        .bearer_auth("not-the-key")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    server.shutdown().await;
}

/// The token of a download URL.
fn token_of(url: &str) -> &str {
    url.split_once("?token=").unwrap().1
}

#[tokio::test]
async fn tokens_are_random_bound_to_their_query_and_tamper_proof() {
    let (server, api, _) = start(config()).await;
    let mut urls = Vec::new();
    for _ in 0..12 {
        let qid = api.submit(BULK, &query()).await;
        let url = api.wait(&qid).await["downloadUrl"]
            .as_str()
            .unwrap()
            .to_string();
        urls.push((qid, url));
    }
    let mut seen = HashSet::new();
    for (qid, url) in &urls {
        let token = token_of(url);
        assert_eq!(token.len(), 64, "256 random bits as hex");
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert!(seen.insert(token.to_string()), "a token came twice");
        assert!(seen.insert(qid.clone()), "a query id equals a token");
    }
    let (qid, url) = &urls[0];
    let token = token_of(url);
    let base = url.split_once("?token=").unwrap().0;
    let flip = |t: &str, at: usize| {
        let mut b = t.as_bytes().to_vec();
        b[at] = if b[at] == b'0' { b'1' } else { b'0' };
        String::from_utf8(b).unwrap()
    };
    let tampered = [
        flip(token, 0),
        flip(token, 63),
        token[..63].to_string(),
        format!("{token}0"),
        token.to_uppercase(),
        String::new(),
        format!("{token}%00"),
        token_of(&urls[1].1).to_string(),
    ];
    for t in &tampered {
        let r = reqwest::get(format!("{base}?token={t}")).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "token {t:?}");
    }
    // Another query's link with this query's token, and the token without its query.
    let other_base = urls[1].1.split_once("?token=").unwrap().0;
    let r = reqwest::get(format!("{other_base}?token={token}"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = reqwest::get(format!(
        "{}/api/downloads/?token={token}",
        server.base_url()
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The genuine link still works after all of that, and the query id alone is no token.
    assert_eq!(reqwest::get(url).await.unwrap().status(), StatusCode::OK);
    let r = reqwest::get(format!("{base}?token={qid}")).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    server.shutdown().await;
}

#[tokio::test]
async fn expired_links_are_refused_and_a_poll_hands_out_a_new_token() {
    let (server, api, _) = start(config().with_download_link_ttl(Duration::ZERO)).await;
    let qid = api.submit(BULK, &query()).await;
    let mut tokens = HashSet::new();
    for _ in 0..3 {
        let url = api.wait(&qid).await["downloadUrl"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            tokens.insert(token_of(&url).to_string()),
            "a fresh token each time"
        );
        let r = reqwest::get(&url).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("expired"),
            "{body}"
        );
    }
    server.shutdown().await;

    // Within its lifetime the link is stable and reusable.
    let (server, api, _) = start(config().with_download_link_ttl(Duration::from_secs(600))).await;
    let qid = api.submit(BULK, &query()).await;
    let first = api.wait(&qid).await["downloadUrl"].clone();
    assert_eq!(api.wait(&qid).await["downloadUrl"], first);
    for _ in 0..2 {
        let r = reqwest::get(first.as_str().unwrap()).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    server.shutdown().await;
}

/// Everything logged by this test binary, at every level, from the first call on.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn logs() -> &'static Logs {
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(logs.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other test of this binary sets a subscriber");
        logs
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_tokens_never_reach_the_logs() {
    let logs = logs();
    let key = "log-key-6bc1bee22e409f96";
    let wrong = "log-wrong-ae2d8a571e03ac9c";
    let config = config().with_api_key(ApiKey::new(key).unwrap());
    let (server, _, fake) = start(config).await;
    let keyed = Api::new(server.base_url()).with_key(key);
    let qid = keyed.submit(BULK, &query()).await;
    let url = keyed.wait(&qid).await["downloadUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let base = server.base_url();
    for auth in [
        Some(format!("Bearer {key}")),
        Some(format!("Bearer {wrong}")),
        None,
    ] {
        for e in protected(&qid) {
            send(&base, &e, auth.as_deref())
                .await
                .bytes()
                .await
                .unwrap();
        }
    }
    // A failing job and a panicking one log their messages, not the key.
    let mut failing = query();
    failing["fail"] = json!("model said no");
    let failed = keyed.submit(BULK, &failing).await;
    assert_eq!(keyed.wait(&failed).await["status"], "failed");
    reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    let r = reqwest::get(format!("{url}0")).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    drop(fake);
    server.shutdown().await;

    let text = logs.text();
    // The capture works: the refusals and the failed job were logged.
    assert!(text.contains("refused a request: wrong API key"), "{text}");
    assert!(text.contains("refused a request: no API key"), "{text}");
    assert!(text.contains("model said no"), "{text}");
    for secret in [key, wrong, token_of(&url)] {
        assert!(!text.contains(secret), "a secret was logged:\n{text}");
    }
}
