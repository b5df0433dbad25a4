//! Server load: requests per second and p50 / p99 latency of small queries,
//! from a load generator on loopback, bounded in count and time.
//!
//! Not a criterion bench (criterion times one routine, not a latency
//! distribution under concurrency): a plain `harness = false` binary. The
//! synthbio server runs the local engine (`Engine::embedded()`) in this
//! process; 8 client tasks (one shared reqwest client, keep-alive) send
//! requests back to back for each scenario, at most 5,000 requests or 10 s,
//! after 50 warm-up requests. Server and load generator share the machine's
//! cores, so the figures are a floor for a server on its own machine.
//!
//! Scenarios: `GET /api/models`; `GET /api/models/gem-1-bulk/example-query`;
//! the bulk model's example query answered synchronously as an Arrow stream
//! (`POST /api/models/gem-1-bulk/predict`, `Accept: application/vnd.apache.arrow.stream`).
//!
//! `cargo bench -p synthbio-bench --bench server_load` (run as a test, without
//! `--bench`, it sends 20 requests per scenario).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use synthbio_core::Predictor;
use synthbio_engine::Engine;
use synthbio_server::{spawn, ServerConfig, ARROW_STREAM_MEDIA_TYPE};

const CONCURRENCY: usize = 8;
const WARM_UP: usize = 50;

struct Scenario {
    name: &'static str,
    path: String,
    /// A JSON body to POST (else GET).
    body: Option<String>,
    arrow: bool,
}

struct Summary {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    /// Sorted latencies of the successful requests.
    latencies: Vec<Duration>,
}

impl Summary {
    fn percentile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
        self.latencies[i]
    }
}

async fn one(http: &reqwest::Client, url: &str, s: &Scenario) -> bool {
    let req = match &s.body {
        Some(b) => http
            .post(url)
            .header("content-type", "application/json")
            .body(b.clone()),
        None => http.get(url),
    };
    let req = if s.arrow {
        req.header("accept", ARROW_STREAM_MEDIA_TYPE)
    } else {
        req
    };
    match req.send().await {
        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
        _ => false,
    }
}

async fn load(
    http: &reqwest::Client,
    url: &str,
    s: Arc<Scenario>,
    max_requests: usize,
    max_time: Duration,
) -> Summary {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (http, url, s, next) = (http.clone(), url.to_string(), s.clone(), next.clone());
            tokio::spawn(async move {
                let (mut lat, mut errors) = (Vec::new(), 0usize);
                while next.fetch_add(1, Ordering::Relaxed) < max_requests
                    && start.elapsed() < max_time
                {
                    let t = Instant::now();
                    if one(&http, &url, &s).await {
                        lat.push(t.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.expect("load task");
        latencies.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed();
    latencies.sort();
    Summary {
        requests: latencies.len() + errors,
        errors,
        elapsed,
        latencies,
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (max_requests, max_time) = if full {
        (5_000, Duration::from_secs(10))
    } else {
        (20, Duration::from_secs(10))
    };
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let engine = Engine::embedded().expect("shipped models");
    let example = engine
        .example_query(&"gem-1-bulk".into())
        .expect("an example query");
    let body = serde_json::to_string(&example).expect("a query serializes");
    let scenarios = [
        Scenario {
            name: "GET /api/models",
            path: "/api/models".into(),
            body: None,
            arrow: false,
        },
        Scenario {
            name: "GET example-query",
            path: "/api/models/gem-1-bulk/example-query".into(),
            body: None,
            arrow: false,
        },
        Scenario {
            name: "POST predict (example query, Arrow)",
            path: "/api/models/gem-1-bulk/predict".into(),
            body: Some(body),
            arrow: true,
        },
    ];
    rt.block_on(async {
        let config = ServerConfig::default()
            .with_bind(([127, 0, 0, 1], 0).into())
            .with_shutdown_grace(Duration::ZERO);
        let server = spawn(Arc::new(engine), config).await.expect("server starts");
        let http = reqwest::Client::new();
        println!(
            "server load, {CONCURRENCY} concurrent clients, at most {max_requests} requests or {} s per scenario",
            max_time.as_secs()
        );
        println!(
            "{:<38} {:>8} {:>6} {:>10} {:>10} {:>10} {:>10}",
            "scenario", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms"
        );
        for s in scenarios {
            let url = format!("{}{}", server.base_url(), s.path);
            let s = Arc::new(s);
            let warm = WARM_UP.min(max_requests);
            load(&http, &url, s.clone(), warm, max_time).await;
            let r = load(&http, &url, s.clone(), max_requests, max_time).await;
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!(
                "{:<38} {:>8} {:>6} {:>10.0} {:>10.2} {:>10.2} {:>10.2}",
                s.name,
                r.requests,
                r.errors,
                r.latencies.len() as f64 / r.elapsed.as_secs_f64(),
                ms(r.percentile(0.5)),
                ms(r.percentile(0.99)),
                ms(r.latencies.last().copied().unwrap_or_default()),
            );
            assert_eq!(r.errors, 0, "{}: failed requests", s.name);
        }
        server.shutdown().await;
    });
}
