//! A fault-injecting HTTP proxy of the project's own, on loopback in front of
//! the real `synthbio-server`: requests pass through untouched unless a fault
//! is scripted for their endpoint. It can also stop listening and start again
//! on the same port (connection refused in between).
//!
//! The proxy forwards the client's `Host` header, so the server's download
//! links point back at the proxy and downloads go through it too.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use super::Route;

/// What the proxy does to one request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Breaks the connection before any byte of the body (the request never
    /// reaches the server; closing at accept is `support::fault`'s job).
    Reset,
    /// Answers this status with a JSON error (and `Retry-After` if given);
    /// the request never reaches the server.
    Status(u16, Option<&'static str>),
    /// Forwards, then waits this long before answering.
    Slow(Duration),
    /// Forwards, then sends this share of the answer's body and breaks the connection.
    ResetMidBody(f64),
    /// Forwards, then sends this share of the answer's body as if it were all
    /// of it (a matching `Content-Length`): a result cut short.
    CutShort(f64),
    /// Forwards (the server sees the request), then answers this instead.
    Replace(u16, &'static str, Vec<u8>),
}

#[derive(Default)]
struct State {
    /// Faults used once each, in order, before the default.
    script: HashMap<Route, VecDeque<Fault>>,
    /// A fault applied to every request of a route once its script is used up.
    always: HashMap<Route, Fault>,
    /// Requests seen per route.
    seen: HashMap<Route, usize>,
    /// Requests that met a fault.
    faulted: usize,
}

/// The proxy.
pub struct FaultProxy {
    pub base: String,
    addr: SocketAddr,
    upstream: String,
    state: Arc<Mutex<State>>,
    /// The serving task and the signal that stops it.
    task: Mutex<Option<(JoinHandle<()>, oneshot::Sender<()>)>>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some((t, _)) = self.task.lock().unwrap().take() {
            t.abort();
        }
    }
}

impl FaultProxy {
    /// A proxy in front of the server at `upstream` (`http://127.0.0.1:port`).
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::start_on(listener, upstream)
    }

    /// A proxy on a listener bound beforehand (its address can be handed to
    /// the server as its public base URL before the server starts).
    pub fn start_on(listener: TcpListener, upstream: &str) -> Self {
        let addr = listener.local_addr().unwrap();
        let proxy = FaultProxy {
            base: format!("http://{addr}"),
            addr,
            upstream: upstream.trim_end_matches('/').to_string(),
            state: Arc::new(Mutex::new(State::default())),
            task: Mutex::new(None),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let state = Arc::clone(&self.state);
        let upstream = self.upstream.clone();
        let client = reqwest::Client::new();
        let app = Router::new().fallback(move |request: Request| {
            let state = Arc::clone(&state);
            let upstream = upstream.clone();
            let client = client.clone();
            async move { handle(state, client, upstream, request).await }
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        *self.task.lock().unwrap() = Some((task, stop));
    }

    /// Stops listening and closes its connections: connections are refused
    /// until [`FaultProxy::resume`].
    pub async fn stop(&self) {
        let running = self.task.lock().unwrap().take();
        if let Some((task, stop)) = running {
            let _ = stop.send(());
            task.await.unwrap();
        }
        // Refused from here on: nothing listens at the address any more.
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(self.addr).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the proxy still accepts connections");
    }

    /// Listens again on the same port.
    pub async fn resume(&self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }

    /// Queues faults for a route, each used once.
    pub fn script(&self, route: Route, faults: impl IntoIterator<Item = Fault>) {
        self.state
            .lock()
            .unwrap()
            .script
            .entry(route)
            .or_default()
            .extend(faults);
    }

    /// Applies a fault to every later request of a route (after its script).
    pub fn always(&self, route: Route, fault: Fault) {
        self.state.lock().unwrap().always.insert(route, fault);
    }

    /// Clears every fault: requests pass through again.
    pub fn heal(&self) {
        let mut s = self.state.lock().unwrap();
        s.script.clear();
        s.always.clear();
    }

    /// Requests that met a fault so far.
    pub fn faulted(&self) -> usize {
        self.state.lock().unwrap().faulted
    }

    /// Requests seen on a route (those reset included).
    pub fn seen(&self, route: Route) -> usize {
        self.state
            .lock()
            .unwrap()
            .seen
            .get(&route)
            .copied()
            .unwrap_or(0)
    }
}

async fn handle(
    state: Arc<Mutex<State>>,
    client: reqwest::Client,
    upstream: String,
    request: Request,
) -> Response {
    let route = Route::of(request.uri().path());
    let fault = {
        let mut s = state.lock().unwrap();
        *s.seen.entry(route).or_default() += 1;
        let scripted = s.script.get_mut(&route).and_then(VecDeque::pop_front);
        let fault = scripted.or_else(|| s.always.get(&route).cloned());
        s.faulted += usize::from(fault.is_some());
        fault
    };
    match fault {
        Some(Fault::Reset) => return broken(StatusCode::OK, &HeaderMap::new(), Bytes::new()),
        Some(Fault::Status(code, retry_after)) => {
            let mut r = json_answer(code, format!("{{\"error\": \"injected {code}\"}}"));
            if let Some(secs) = retry_after {
                r.headers_mut()
                    .insert("retry-after", HeaderValue::from_static(secs));
            }
            return r;
        }
        _ => {}
    }
    let (status, headers, body) = forward(&client, &upstream, request).await;
    match fault {
        Some(Fault::Slow(d)) => tokio::time::sleep(d).await,
        Some(Fault::ResetMidBody(share)) => return broken(status, &headers, part(&body, share)),
        Some(Fault::CutShort(share)) => {
            return answer(status, &headers, part(&body, share));
        }
        Some(Fault::Replace(code, content_type, bytes)) => {
            let mut r = answer(
                StatusCode::from_u16(code).unwrap(),
                &HeaderMap::new(),
                bytes.into(),
            );
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static(content_type));
            return r;
        }
        _ => {}
    }
    answer(status, &headers, body)
}

/// Sends the request on to the server, `Host` header included; reads the whole answer.
async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    request: Request,
) -> (StatusCode, HeaderMap, Bytes) {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = parts.headers.clone();
    headers.remove("content-length");
    let r = client
        .request(parts.method.clone(), format!("{upstream}{path}"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .expect("the server behind the proxy answers");
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = r.bytes().await.unwrap();
    (status, headers, bytes)
}

fn part(body: &Bytes, share: f64) -> Bytes {
    body.slice(..((body.len() as f64 * share) as usize).min(body.len()))
}

/// An answer with the server's headers (its length fitted to the body given).
fn answer(status: StatusCode, headers: &HeaderMap, body: Bytes) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    for (k, v) in headers {
        if k != "content-length" && k != "transfer-encoding" && k != "connection" {
            r.headers_mut().append(k, v.clone());
        }
    }
    r
}

fn json_answer(code: u16, text: String) -> Response {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = StatusCode::from_u16(code).unwrap();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

/// An answer whose body sends these bytes, then breaks the connection.
fn broken(status: StatusCode, headers: &HeaderMap, first: Bytes) -> Response {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(first),
        Err(std::io::Error::other("connection reset by the fault proxy")),
    ];
    let mut r = answer(status, headers, Bytes::new());
    *r.body_mut() = Body::from_stream(futures::stream::iter(chunks));
    r
}
