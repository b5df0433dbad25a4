//! `synthbio serve` survives `kill -9` and keeps its memory within the budget:
//! the real binary on a loopback port and a state directory in a tempdir.
//!
//! The HTTP client is a few lines over `std::net::TcpStream` (HTTP/1.1,
//! `Connection: close`), so this test needs no client crate.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const MODEL: &str = "gem-1-bulk";
const POLL: Duration = Duration::from_millis(50);

/// A running `synthbio serve`.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    /// Starts the binary on a free loopback port with `state` and extra flags,
    /// and waits until it answers.
    fn start(state: &Path, extra: &[&str]) -> Server {
        // A free port: bound, read, released, then given to the server.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let log = std::fs::File::create(state.with_extension("log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_synthbio"))
            .args(["serve", "--bind", &addr, "--state-dir"])
            .arg(state)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = Server { child, addr };
        loop {
            if let Some(exit) = server.child.try_wait().unwrap() {
                let log = std::fs::read_to_string(state.with_extension("log")).unwrap();
                panic!("synthbio serve exited at start ({exit}): {log}");
            }
            if TcpStream::connect(&server.addr).is_ok() {
                break;
            }
            std::thread::sleep(POLL);
        }
        server
    }

    /// `kill -9` (`Child::kill` sends SIGKILL on Unix), then reaps the process.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Vec<u8>) {
        request(&self.addr, method, path, body)
    }

    /// The model's example query.
    fn example(&self) -> Value {
        let path = format!("/api/models/{MODEL}/example-query");
        let (code, body) = self.request("GET", &path, None);
        assert_eq!(code, 200);
        serde_json::from_slice::<Value>(&body).unwrap()["example_query"].clone()
    }

    /// Submits a query; its id.
    fn submit(&self, query: &Value) -> String {
        let path = format!("/api/models/{MODEL}/predict");
        let (code, body) = self.request("POST", &path, Some(query));
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(code, 200, "{body}");
        body["modelQueryId"].as_str().unwrap().to_string()
    }

    fn status(&self, qid: &str) -> Value {
        let (code, body) = self.request("GET", &format!("/api/model-queries/{qid}/status"), None);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(code, 200, "query {qid}: {body}");
        body
    }

    /// Polls until the status is no longer `running`.
    fn wait(&self, qid: &str) -> Value {
        loop {
            let status = self.status(qid);
            if status["status"] != "running" {
                return status;
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits for `ready` and downloads the result's bytes with its signed link.
    fn collect(&self, qid: &str) -> Vec<u8> {
        let status = self.wait(qid);
        assert_eq!(status["status"], "ready", "{status}");
        let url = status["downloadUrl"].as_str().unwrap();
        let path = &url[url.find("/api/").unwrap()..];
        let (code, body) = self.request("GET", path, None);
        assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
        // Without the token, no result.
        let bare = &path[..path.find('?').unwrap()];
        assert_eq!(self.request("GET", bare, None).0, 403);
        body
    }

    /// The child's `VmRSS` or `VmHWM` in bytes, from `/proc/<pid>/status`.
    fn memory(&self, field: &str) -> u64 {
        let text = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with(field))
            .unwrap_or_else(|| panic!("no {field} in /proc/<pid>/status"));
        let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kib * 1024
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A test that failed part-way leaves no server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; the status and the (de-chunked) body.
fn request(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Vec<u8>) {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response head");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let code: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let rest = &raw[split + 4..];
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    (code, body)
}

/// The payload of a chunked body (RFC 9112 section 7.1), without trailers.
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        rest = &rest[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// The model's example query drawing `n` samples, with `seed` or none.
fn query(example: &Value, n: u64, seed: Option<u64>) -> Value {
    let mut q = example.clone();
    q["sampling_strategy"] = json!("sample generation");
    q["inputs"][0]["num_samples"] = json!(n);
    match seed {
        Some(seed) => q["seed"] = json!(seed),
        None => {
            q.as_object_mut().unwrap().remove("seed");
        }
    }
    q
}

/// The number of outputs and genes of a result.
fn shape(result: &[u8]) -> (usize, usize) {
    let v: Value = serde_json::from_slice(result).unwrap();
    (
        v["outputs"].as_array().unwrap().len(),
        v["gene_order"].as_array().unwrap().len(),
    )
}

#[test]
fn accepted_queries_survive_kill_9_mid_job_and_after_completion() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    // One worker: the later queries are certainly still queued at the kill.
    let flags = ["--workers", "1"];
    let server = Server::start(&state, &flags);
    let ex = server.example();
    let query = |n, seed| query(&ex, n, seed);
    let done = server.submit(&query(3, Some(7)));
    let done_before = server.collect(&done);
    let lost_file = server.submit(&query(2, Some(5)));
    assert_eq!(server.wait(&lost_file)["status"], "ready");
    let big = server.submit(&query(300, Some(11)));
    let unseeded = server.submit(&query(200, None));
    let small = server.submit(&query(4, Some(13)));
    assert_eq!(server.status(&small)["status"], "running");
    server.kill();

    // A result file lost while the server was down: failed, with the reason.
    let results = state.join("results");
    std::fs::remove_file(results.join(format!("{lost_file}.json"))).unwrap();

    let server = Server::start(&state, &flags);
    assert_eq!(
        server.collect(&done),
        done_before,
        "served from disk after the crash"
    );
    let lost = server.wait(&lost_file);
    assert_eq!(lost["status"], "failed", "{lost}");
    assert!(
        lost["message"].as_str().unwrap().contains("missing"),
        "{lost}"
    );
    let big_after = server.collect(&big);
    let small_after = server.collect(&small);
    let unseeded_after = server.collect(&unseeded);
    assert_eq!(shape(&big_after).0, 300);
    assert_eq!(shape(&unseeded_after).0, 200);
    // Killed again after completion: everything is still there, unchanged.
    server.kill();
    let server = Server::start(&state, &flags);
    assert_eq!(server.collect(&big), big_after);
    assert_eq!(server.collect(&unseeded), unseeded_after);
    assert_eq!(server.wait(&lost_file)["status"], "failed");
    server.kill();

    // The same queries on a server that never crashed give the same answers.
    let clean = Server::start(&tmp.path().join("clean"), &flags);
    for (qid, result, q) in [
        (&done, &done_before, query(3, Some(7))),
        (&big, &big_after, query(300, Some(11))),
        (&small, &small_after, query(4, Some(13))),
    ] {
        let fresh = clean.collect(&clean.submit(&q));
        assert_eq!(
            &fresh, result,
            "query {qid} differs from a run without a crash"
        );
    }
    let (_, genes) = shape(&done_before);
    assert!(genes > 1_000, "{genes} genes");
    // No stray temporary files are left in the results folder.
    for entry in std::fs::read_dir(&results).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name.ends_with(".json") && !name.starts_with('.'), "{name}");
    }
}

#[test]
fn a_burst_of_maximal_queries_stays_within_the_memory_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    // Scaled down from the defaults (5,000 samples, a budget for one such job) so the
    // debug build serializes less: maximal queries of 2,000 samples, each estimated at
    // 6 bytes per value (535 MB), and a budget with room for one of them at a time.
    let budget: u64 = 640 << 20;
    let server = Server::start(
        &state,
        &[
            "--workers",
            "2",
            "--max-total-samples",
            "2000",
            "--max-memory",
            "640MiB",
            "--max-disk",
            "64GiB",
        ],
    );
    // The engine loaded and idle: what the process takes besides predictions.
    let ex = server.example();
    let idle = server.memory("VmRSS:");
    // Five maximal queries (the server's sample limit), the fast strategy.
    let qids: Vec<String> = (0..5)
        .map(|i| {
            let mut q = query(&ex, 2_000, Some(i));
            q["sampling_strategy"] = json!("mean estimation");
            server.submit(&q)
        })
        .collect();
    for qid in &qids {
        assert_eq!(server.wait(qid)["status"], "ready");
    }
    let peak = server.memory("VmHWM:");
    // Without a byte budget, the five results (about 160 MB each here) were held at once.
    assert!(
        peak <= idle + budget,
        "peak resident {} MiB over idle {} MiB + budget {} MiB",
        peak >> 20,
        idle >> 20,
        budget >> 20
    );
    // The results are files in the state directory, not held in memory.
    let files = std::fs::read_dir(state.join("results")).unwrap().count();
    assert_eq!(files, qids.len());
    assert!(server.memory("VmRSS:") <= idle + budget);
    server.kill();
}
