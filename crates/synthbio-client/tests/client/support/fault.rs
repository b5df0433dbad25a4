//! A small protocol server (axum, loopback) whose answers a test scripts, to
//! inject what a real server will not produce on demand: 429/503 with
//! `Retry-After`, dropped connections, bodies that break off, statuses that
//! never become ready, failures with tracebacks, results with an `error` key.
//! Unscripted requests get protocol-conforming default answers.

use axum::body::Body as AxumBody;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

pub use super::Route;

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Wait this long before answering.
    pub delay: std::time::Duration,
}

/// A scripted body.
#[derive(Debug, Clone)]
pub enum Body {
    Json(Value),
    Bytes(Vec<u8>, &'static str),
    /// These bytes, then the connection breaks.
    BreakAfter(Vec<u8>),
}

impl Reply {
    pub fn json(status: u16, v: Value) -> Self {
        Reply {
            status,
            headers: vec![],
            body: Body::Json(v),
            delay: std::time::Duration::ZERO,
        }
    }
    pub fn bytes(status: u16, b: Vec<u8>, content_type: &'static str) -> Self {
        Reply {
            status,
            headers: vec![],
            body: Body::Bytes(b, content_type),
            delay: std::time::Duration::ZERO,
        }
    }
    pub fn delayed(mut self, d: std::time::Duration) -> Self {
        self.delay = d;
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub route: Route,
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Default)]
pub struct State {
    script: Mutex<HashMap<Route, VecDeque<Reply>>>,
    defaults: Mutex<HashMap<Route, Reply>>,
    results: Mutex<HashMap<String, Reply>>,
    requests: Mutex<Vec<Recorded>>,
    /// Connections to close at once, without an answer.
    pub drops: Arc<AtomicUsize>,
    /// Notified at every status poll.
    pub polled: Notify,
    next_id: AtomicUsize,
}

pub struct FaultServer {
    pub base: String,
    pub state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State::default());
        let st = Arc::clone(&state);
        let app = Router::new().fallback(move |m: Method, u: Uri, h: HeaderMap, b: Bytes| {
            let st = Arc::clone(&st);
            async move { handle(st, m, u, h, b).await }
        });
        let dropping = DroppingListener {
            inner: listener,
            drops: Arc::clone(&state.drops),
        };
        let task = tokio::spawn(async move {
            axum::serve(dropping, app).await.unwrap();
        });
        FaultServer { base, state, task }
    }

    /// Queues answers for a route, used before its default.
    pub fn script(&self, route: Route, replies: impl IntoIterator<Item = Reply>) {
        self.state
            .script
            .lock()
            .unwrap()
            .entry(route)
            .or_default()
            .extend(replies);
    }

    /// Sets a route's answer once its script is used up.
    pub fn default_reply(&self, route: Route, reply: Reply) {
        self.state.defaults.lock().unwrap().insert(route, reply);
    }

    /// Sets the result served at `/dl/{qid}` (`"*"`: for every query). For
    /// `Route::Predict` with `Accept: application/vnd.apache.arrow.stream`, the
    /// result under `"arrow"` is served.
    pub fn result(&self, qid: &str, reply: Reply) {
        self.state.results.lock().unwrap().insert(qid.into(), reply);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn requests_to(&self, route: Route) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.route == route)
            .collect()
    }
}

async fn handle(
    st: Arc<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let route = Route::of(&path);
    st.requests.lock().unwrap().push(Recorded {
        route,
        method,
        path: path.clone(),
        headers: headers.clone(),
        body,
    });
    let segment = |i: usize| {
        path.trim_matches('/')
            .split('/')
            .nth(i)
            .unwrap_or("")
            .to_string()
    };
    let scripted = st
        .script
        .lock()
        .unwrap()
        .get_mut(&route)
        .and_then(VecDeque::pop_front);
    if route == Route::Status {
        st.polled.notify_waiters();
    }
    let reply = scripted
        .or_else(|| st.defaults.lock().unwrap().get(&route).cloned())
        .unwrap_or_else(|| match route {
            Route::Models => Reply::json(
                200,
                json!({"models": [{"model_id": "gem-1-bulk", "family": "baseline"}]}),
            ),
            Route::Example => Reply::json(
                200,
                json!({"example_query": {
                "sampling_strategy": "mean estimation",
                "inputs": [{"metadata": {"sex": "female"}, "num_samples": 2}], "seed": 1}}),
            ),
            Route::Predict => {
                let arrow = headers.get("accept").is_some_and(|v| {
                    v.as_bytes()
                        .starts_with(b"application/vnd.apache.arrow.stream")
                });
                if arrow {
                    st.results
                        .lock()
                        .unwrap()
                        .get("arrow")
                        .cloned()
                        .unwrap_or_else(|| {
                            Reply::json(500, json!({"error": "no arrow result scripted"}))
                        })
                } else {
                    let n = st.next_id.fetch_add(1, Ordering::SeqCst);
                    Reply::json(200, json!({"modelQueryId": format!("q{n}")}))
                }
            }
            Route::Status => {
                let host = headers
                    .get("host")
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("");
                Reply::json(
                    200,
                    json!({"status": "ready",
                    "downloadUrl": format!("http://{host}/dl/{}", segment(2))}),
                )
            }
            Route::Download => {
                let results = st.results.lock().unwrap();
                results
                    .get(&segment(1))
                    .or_else(|| results.get("*"))
                    .cloned()
                    .unwrap_or_else(|| Reply::json(404, json!({"error": "no such result"})))
            }
            Route::Other => Reply::json(404, json!({"error": "no such path"})),
        });
    tokio::time::sleep(reply.delay).await;
    let mut builder = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let body = match reply.body {
        Body::Json(v) => {
            builder = builder.header("content-type", "application/json");
            AxumBody::from(serde_json::to_vec(&v).unwrap())
        }
        Body::Bytes(b, ct) => {
            builder = builder.header("content-type", ct);
            AxumBody::from(b)
        }
        Body::BreakAfter(b) => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from(b)),
                Err(std::io::Error::other("connection broken on purpose")),
            ];
            AxumBody::from_stream(futures::stream::iter(chunks))
        }
    };
    builder.body(body).unwrap()
}

/// Accepts connections and closes the first `drops` of them at once.
struct DroppingListener {
    inner: TcpListener,
    drops: Arc<AtomicUsize>,
}

impl axum::serve::Listener for DroppingListener {
    type Io = TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (TcpStream, std::net::SocketAddr) {
        loop {
            let Ok((stream, addr)) = self.inner.accept().await else {
                continue;
            };
            let dropped = self
                .drops
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |d| d.checked_sub(1))
                .is_ok();
            if dropped {
                drop(stream);
                continue;
            }
            return (stream, addr);
        }
    }

    fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.local_addr()
    }
}
