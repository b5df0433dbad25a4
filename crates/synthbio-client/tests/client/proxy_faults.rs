//! The client against the real `synthbio-server` behind the fault proxy
//! (`support::proxy`): every fault of the reliability checklist is injected
//! on the endpoint where it hurts, and each run ends in either the right
//! result or the right typed error. Every error met after the server accepted
//! the query keeps its `modelQueryId`, and resuming with that id once the
//! fault is gone gives the right result: nothing paid for is lost. Each run is
//! bounded: none hangs past its timeout.

use crate::support::predictor::{TestPredictor, BULK, PREDICT_METADATA};
use crate::support::proxy::{Fault, FaultProxy, Route};
use crate::support::{config, golden, KEY};
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use synthbio_client::{Client, ClientError, LINK_REFRESHES};
use synthbio_core::{metadata, Dataset, ModelId, Predictor, Query, SamplingStrategy};
use synthbio_server::{spawn, ApiKey, ServerConfig, ServerHandle, ARROW_STREAM_MEDIA_TYPE};

/// The client's wait for a connection or the next bytes (faults that are
/// slower than this are timeouts). Generous, because the 40 runs share the
/// machine with the other tests: a healthy answer must never time out.
const REQUEST_TIMEOUT: Duration = Duration::from_millis(3_000);
/// How long a slow answer takes.
const SLOW: Duration = Duration::from_millis(7_500);
/// The client gives up polling after this.
const POLL_TIMEOUT: Duration = Duration::from_millis(6_000);
/// Cases run side by side, each with its own server and proxy.
const RUNS_AT_ONCE: usize = 10;
/// No run may take longer than this.
const BOUND: Duration = Duration::from_secs(45);

const JSON: &str = "application/json";

async fn server() -> ServerHandle {
    // Results a run leaves uncollected do not hold up the shutdown.
    let config = ServerConfig::default()
        .with_api_key(ApiKey::new(KEY).unwrap())
        .with_shutdown_grace(Duration::ZERO);
    spawn(Arc::new(TestPredictor::default()), config)
        .await
        .unwrap()
}

fn query(seed: u64) -> Query {
    Query::baseline(SamplingStrategy::SampleGeneration)
        .with_input(metadata([("sex", "female")]), 2)
        .with_input(metadata([("sex", "male")]), 1)
        .with_seed(seed)
}

/// What the server's predictor gives for the query.
fn expected(model: &str, q: &Query) -> Dataset {
    TestPredictor::default().predict(&model.into(), q).unwrap()
}

fn client(base: &str, self_hosted: bool) -> Client {
    let (cfg, _) = config(base);
    Client::new(
        cfg.with_request_timeout(REQUEST_TIMEOUT)
            .with_poll_timeout(POLL_TIMEOUT)
            .with_poll_interval(Duration::from_millis(1))
            .with_self_hosted(self_hosted),
    )
    .unwrap()
}

/// How a run must end.
#[derive(Clone, Copy)]
enum End {
    /// The right result.
    Result,
    /// This error (tested on [`ClientError::cause`]); `true` when the query
    /// was accepted, so the error must keep its id and a later resume must
    /// give the right result.
    Error(Want, bool),
}

/// One fault injected on one route (faults that are used once, or `always`).
struct Case {
    name: &'static str,
    route: Route,
    faults: Vec<Fault>,
    always: Option<Fault>,
    self_hosted: bool,
    end: End,
}

fn case(name: &'static str, route: Route, faults: Vec<Fault>, end: End) -> Case {
    Case {
        name,
        route,
        faults,
        always: None,
        self_hosted: false,
        end,
    }
}

fn always(name: &'static str, route: Route, fault: Fault, end: End) -> Case {
    Case {
        name,
        route,
        faults: Vec::new(),
        always: Some(fault),
        self_hosted: false,
        end,
    }
}

/// The error a run must end with (matched on [`ClientError::cause`]).
#[derive(Clone, Copy, Debug)]
enum Want {
    Network,
    Decode,
    Timeout,
    Status(u16),
    Expired,
    ResultError,
}

impl Want {
    fn matches(self, e: &ClientError) -> bool {
        match self {
            Want::Network => matches!(e, ClientError::Network { .. }),
            Want::Decode => matches!(e, ClientError::Decode { .. }),
            Want::Timeout => matches!(e, ClientError::Timeout { .. }),
            Want::Status(code) => matches!(e, ClientError::Api { status, .. } if *status == code),
            Want::Expired => matches!(e, ClientError::Authentication { status: 403, .. }),
            Want::ResultError => {
                matches!(e, ClientError::ResultError { message } if message == "injected failure")
            }
        }
    }
}

fn cases() -> Vec<Case> {
    use End::{Error, Result};
    use Fault::*;
    let (network, decode, timeout, expired, result_error, status) = (
        Want::Network,
        Want::Decode,
        Want::Timeout,
        Want::Expired,
        Want::ResultError,
        Want::Status,
    );
    let garbage = b"{\"status\": \"ready\", \"downloadUrl\": ".to_vec();
    let ragged = std::fs::read(golden("result_ragged.arrow")).unwrap();
    let mut v = vec![
        // Connections reset before any byte of the answer, then mid-body.
        case(
            "reset before any body byte, status",
            Route::Status,
            vec![Reset, Reset],
            Result,
        ),
        case(
            "reset before any body byte, download",
            Route::Download,
            vec![Reset],
            Result,
        ),
        case(
            "reset mid-body, status",
            Route::Status,
            vec![ResetMidBody(0.5)],
            Result,
        ),
        case(
            "reset mid-body, download",
            Route::Download,
            vec![ResetMidBody(0.5), ResetMidBody(0.9)],
            Result,
        ),
        always(
            "reset mid-body, every download",
            Route::Download,
            ResetMidBody(0.5),
            Error(network, true),
        ),
        case(
            "reset before any body byte, submit",
            Route::Predict,
            vec![Reset],
            Error(network, false),
        ),
        // Answers slower than the request timeout.
        case("slow status", Route::Status, vec![Slow(SLOW)], Result),
        case(
            "slow download",
            Route::Download,
            vec![Slow(SLOW), Slow(SLOW)],
            Result,
        ),
        always(
            "slow status, always",
            Route::Status,
            Slow(SLOW),
            Error(network, true),
        ),
        case(
            "slow submit",
            Route::Predict,
            vec![Slow(SLOW)],
            Error(network, false),
        ),
        // 429 with and without Retry-After, on submit and status.
        case(
            "429 with Retry-After, submit",
            Route::Predict,
            vec![Status(429, Some("1"))],
            Result,
        ),
        case(
            "429 without Retry-After, submit",
            Route::Predict,
            vec![Status(429, None), Status(429, None)],
            Result,
        ),
        case(
            "429 with Retry-After, status",
            Route::Status,
            vec![Status(429, Some("0"))],
            Result,
        ),
        case(
            "429 without Retry-After, status",
            Route::Status,
            vec![Status(429, None)],
            Result,
        ),
        always(
            "429 for ever, status",
            Route::Status,
            Status(429, None),
            Error(status(429), true),
        ),
        // 5xx: retried where safe, a typed error where the submit may have been taken.
        case(
            "500, status",
            Route::Status,
            vec![Status(500, None)],
            Error(status(500), true),
        ),
        case(
            "500, submit",
            Route::Predict,
            vec![Status(500, None)],
            Error(status(500), false),
        ),
        case(
            "500, download",
            Route::Download,
            vec![Status(500, None)],
            Error(status(500), true),
        ),
        case(
            "503 with Retry-After, submit",
            Route::Predict,
            vec![Status(503, Some("0"))],
            Result,
        ),
        case(
            "502, submit",
            Route::Predict,
            vec![Status(502, None)],
            Error(status(502), false),
        ),
        case(
            "504, submit",
            Route::Predict,
            vec![Status(504, None)],
            Error(status(504), false),
        ),
    ];
    for code in [502, 503, 504] {
        v.push(case(
            "502/503/504, status",
            Route::Status,
            vec![Status(code, None)],
            Result,
        ));
        v.push(case(
            "502/503/504, download",
            Route::Download,
            vec![Status(code, None)],
            Result,
        ));
    }
    v.extend([
        // A status that never becomes ready.
        always(
            "never ready",
            Route::Status,
            Replace(200, JSON, br#"{"status": "running"}"#.to_vec()),
            Error(timeout, true),
        ),
        // A download link that expired: refreshed by polling again.
        case(
            "expired link",
            Route::Download,
            vec![Status(403, None)],
            Result,
        ),
        case(
            "expired link, twice",
            Route::Download,
            vec![Status(403, None), Status(403, None)],
            Result,
        ),
        always(
            "expired link, always",
            Route::Download,
            Status(403, None),
            Error(expired, true),
        ),
        // A result cut short, with an error key, not JSON.
        case(
            "result cut short",
            Route::Download,
            vec![CutShort(0.6)],
            Error(decode, true),
        ),
        case(
            "result with an error key",
            Route::Download,
            vec![Replace(
                200,
                JSON,
                br#"{"error": "injected failure", "outputs": []}"#.to_vec(),
            )],
            Error(result_error, true),
        ),
        case(
            "result not JSON",
            Route::Download,
            vec![Replace(200, JSON, b"<html>oops".to_vec())],
            Error(decode, true),
        ),
        case(
            "status not JSON",
            Route::Status,
            vec![Replace(200, JSON, garbage)],
            Error(decode, true),
        ),
        case(
            "submit answer not JSON",
            Route::Predict,
            vec![Replace(200, JSON, b"{".to_vec())],
            Error(decode, false),
        ),
    ]);
    // Self-hosted Arrow answers: non-rectangular, cut short, broken.
    for (name, fault, end) in [
        (
            "non-rectangular Arrow stream",
            Replace(200, ARROW_STREAM_MEDIA_TYPE, ragged),
            Error(decode, false),
        ),
        (
            "Arrow stream cut short",
            CutShort(0.5),
            Error(decode, false),
        ),
        (
            "Arrow stream reset mid-body",
            ResetMidBody(0.5),
            Error(network, false),
        ),
        ("Arrow 503 with Retry-After", Status(503, Some("0")), Result),
    ] {
        let mut c = case(name, Route::Predict, vec![fault], end);
        c.self_hosted = true;
        v.push(c);
    }
    v
}

/// Runs one case on its own server and proxy; returns how many faults were injected.
async fn run(case: Case, seed: u64) -> usize {
    let server = server().await;
    let proxy = FaultProxy::start(&server.base_url()).await;
    let planned = case.faults.len();
    proxy.script(case.route, case.faults);
    if let Some(f) = case.always {
        proxy.always(case.route, f);
    }
    let client = client(&proxy.base, case.self_hosted);
    let model = ModelId::from(BULK);
    let q = query(seed);
    let want = expected(BULK, &q);
    let started = Instant::now();
    let outcome = tokio::time::timeout(BOUND, client.predict(&model, &q))
        .await
        .unwrap_or_else(|_| panic!("{}: still running after {BOUND:?}", case.name));
    let injected = proxy.faulted();
    assert!(
        injected >= planned.max(1),
        "{}: {injected} faults met; the run ended in {:?}",
        case.name,
        outcome.as_ref().map(Dataset::n_samples)
    );
    match (case.end, outcome) {
        (End::Result, Ok(ds)) => {
            assert_eq!(ds.counts(), want.counts(), "{}", case.name);
            assert_eq!(ds.input_index(), want.input_index(), "{}", case.name);
        }
        (End::Error(is, accepted), Err(e)) => {
            assert!(is.matches(e.cause()), "{}: {e:?}", case.name);
            if accepted {
                let qid = e
                    .model_query_id()
                    .unwrap_or_else(|| panic!("{}: the id is lost: {e:?}", case.name))
                    .to_string();
                assert!(e.to_string().contains(&qid), "{}: {e}", case.name);
                proxy.heal();
                let again = tokio::time::timeout(BOUND, client.resume(&model, &qid))
                    .await
                    .unwrap()
                    .unwrap_or_else(|e| panic!("{}: resume failed: {e:?}", case.name));
                assert_eq!(again.counts(), want.counts(), "{}", case.name);
            } else {
                assert_eq!(e.model_query_id(), None, "{}", case.name);
            }
        }
        (_, Ok(_)) => panic!("{}: succeeded, expected an error", case.name),
        (_, Err(e)) => panic!("{}: {e:?}", case.name),
    }
    assert!(started.elapsed() < BOUND);
    server.shutdown().await;
    injected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_ends_in_the_result_or_a_typed_error_keeping_the_id() {
    let cases = cases();
    let n = cases.len();
    // At most RUNS_AT_ONCE servers at a time: all 40 at once loaded the 2 test
    // threads enough that a healthy submit sometimes timed out before its fault.
    let runs = cases.into_iter().enumerate().map(|(i, c)| run(c, i as u64));
    let injected: usize = futures::stream::iter(runs)
        .buffer_unordered(RUNS_AT_ONCE)
        .collect::<Vec<usize>>()
        .await
        .into_iter()
        .sum();
    assert!(n >= 35, "{n} cases");
    println!("fault proxy: {n} runs, {injected} requests met a fault, every run ended as expected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submit_that_is_refused_or_slow_is_never_sent_twice() {
    // 429 and 503 never reached the server: sent again; a slow answer did: not.
    let server = server().await;
    let proxy = FaultProxy::start(&server.base_url()).await;
    proxy.script(
        Route::Predict,
        [Fault::Status(429, None), Fault::Status(503, Some("0"))],
    );
    let client = client(&proxy.base, false);
    let q = query(1);
    let ds = client.predict(&ModelId::from(BULK), &q).await.unwrap();
    assert_eq!(ds.counts(), expected(BULK, &q).counts());
    assert_eq!(proxy.seen(Route::Predict), 3);
    proxy.script(Route::Predict, [Fault::Slow(SLOW)]);
    let err = client.submit(&ModelId::from(BULK), &q).await.unwrap_err();
    assert!(matches!(err, ClientError::Network { .. }), "{err:?}");
    assert_eq!(proxy.seen(Route::Predict), 4, "sent once");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_before_and_after_the_submit() {
    let server = server().await;
    let proxy = FaultProxy::start(&server.base_url()).await;
    let client = client(&proxy.base, false);
    let model = ModelId::from(BULK);
    let q = query(5);
    let want = expected(BULK, &q);

    // Refused before the submit: nothing was sent, nothing to keep.
    proxy.stop().await;
    let err = tokio::time::timeout(BOUND, client.predict(&model, &q))
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, ClientError::Network { .. }), "{err:?}");
    assert_eq!(err.model_query_id(), None);

    // Accepted, then the server goes away while the client polls.
    proxy.resume().await;
    let handle = client.submit(&model, &q).await.unwrap();
    proxy.stop().await;
    let err = tokio::time::timeout(BOUND, client.wait(&handle))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err.cause(), ClientError::Network { .. }),
        "{err:?}"
    );
    assert_eq!(err.model_query_id(), Some(handle.model_query_id.as_str()));
    assert!(err.to_string().contains("Client::resume"), "{err}");
    // Back up: the same query is collected, not submitted again.
    proxy.resume().await;
    let submits = proxy.seen(Route::Predict);
    let ds = client.wait(&handle).await.unwrap();
    assert_eq!(ds.counts(), want.counts());
    assert_eq!(ds.input_index(), want.input_index());
    assert_eq!(proxy.seen(Route::Predict), submits);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_that_always_expire_end_after_a_bounded_number_of_refreshes() {
    // The real server with links that expire at once: every download is 403.
    let config = ServerConfig::default()
        .with_api_key(ApiKey::new(KEY).unwrap())
        .with_shutdown_grace(Duration::ZERO)
        .with_download_link_ttl(Duration::ZERO);
    let server = spawn(Arc::new(TestPredictor::default()), config)
        .await
        .unwrap();
    let proxy = FaultProxy::start(&server.base_url()).await;
    let client = client(&proxy.base, false);
    let model = ModelId::from(PREDICT_METADATA);
    let q = Query::metadata_prediction([vec![3.0, 1.0, 0.0, 7.0]]);
    let err = tokio::time::timeout(BOUND, client.predict(&model, &q))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err.cause(), ClientError::Authentication { status: 403, .. }),
        "{err:?}"
    );
    assert!(err.model_query_id().is_some());
    assert_eq!(proxy.seen(Route::Download), 1 + LINK_REFRESHES as usize);
    server.shutdown().await;
}
