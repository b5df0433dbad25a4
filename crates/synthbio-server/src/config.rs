//! Server settings: limits, worker pool, retention, the optional API key.
//!
//! Every limit is enforced on each request and answered with the status its
//! field names, so that neither a query nor a flood of them can make the
//! server hold an unbounded amount of memory:
//!
//! | field | default | over the limit |
//! |---|---|---|
//! | [`ServerConfig::max_body_bytes`] | 64 MiB | 413 |
//! | [`ServerConfig::max_inputs`] | 1,000 | 422 at `inputs` |
//! | [`ServerConfig::max_total_samples`] | 5,000 | 422 at `inputs` |
//! | [`ServerConfig::max_queued_jobs`] | 64 | 503 with `Retry-After` |
//! | [`ServerConfig::max_kept_jobs`] | 1,024 | 503 with `Retry-After` |
//! | [`ServerConfig::max_memory_bytes`] | a quarter of RAM | jobs wait; a query over it alone is 422 at `inputs` |
//! | [`ServerConfig::max_disk_bytes`] | 10 GiB | 503 with `Retry-After` |
//!
//! Results are files in [`ServerConfig::state_dir`], never held in memory once
//! written, and every accepted query is recorded there before its id is answered.

use crate::error::ServerError;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// The address [`crate::run`] binds when none is set: loopback only, port 8000.
pub const DEFAULT_BIND: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8000);

/// A bearer key that clients must send as `Authorization: Bearer <key>`.
///
/// Its `Debug` never shows the key, so a logged config cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; it must be non-empty and made of visible ASCII characters
    /// (it travels in an HTTP header).
    pub fn new(key: impl Into<String>) -> Result<Self, ServerError> {
        let key = key.into();
        if key.is_empty() {
            return Err(ServerError::Config {
                field: "api_key",
                message: "is empty; give a non-empty key or none to serve without one".into(),
            });
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ServerError::Config {
                field: "api_key",
                message: "contains spaces or non-ASCII characters; use visible ASCII only".into(),
            });
        }
        Ok(ApiKey(key))
    }

    /// The key's bytes, for the constant-time comparison.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Everything the server can be told; [`ServerConfig::default`] gives the documented defaults.
///
/// Fields are public; set them after `default()` or with the `with_*` methods.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Where [`crate::run`] listens (default [`DEFAULT_BIND`], `127.0.0.1:8000`).
    /// Any non-loopback address is served with a logged warning.
    pub bind: SocketAddr,
    /// When set, every endpoint except the signed download needs
    /// `Authorization: Bearer <key>` (default: none).
    pub api_key: Option<ApiKey>,
    /// Predictions that run at once, each on a blocking thread
    /// (default: the number of CPUs).
    pub workers: usize,
    /// Accepted jobs that may wait for a worker; beyond this a submission
    /// (queued or synchronous Arrow) is answered 503 with `Retry-After`
    /// (default 64).
    pub max_queued_jobs: usize,
    /// Jobs the server keeps at once: queued, running, or finished and not yet
    /// forgotten (default 1,024). When it is reached, results already
    /// downloaded (and failures already reported) are forgotten oldest first;
    /// if every kept job still waits to be collected, a submission is answered
    /// 503 with `Retry-After`. With [`ServerConfig::max_total_samples`] this
    /// bounds the memory results take.
    pub max_kept_jobs: usize,
    /// Largest request body in bytes; larger bodies are answered 413, whether
    /// they declare a `Content-Length` or not (default 64 MiB).
    pub max_body_bytes: usize,
    /// Largest sum of `num_samples` over a query's inputs; more is answered 422
    /// at `inputs` (default 5,000). A model's own lower limit wins.
    pub max_total_samples: u64,
    /// Largest number of inputs in a query; more is answered 422 at `inputs`
    /// (default 1,000). A model's own lower limit wins.
    pub max_inputs: usize,
    /// How long a finished job's status and result are kept (default 1 hour).
    pub result_retention: Duration,
    /// How long a `downloadUrl` stays valid once handed out (default 15 minutes);
    /// polling the status again after that gives a fresh one.
    pub download_link_ttl: Duration,
    /// On shutdown, how long accepted jobs may still run; jobs not finished by
    /// then are marked failed with a message (default 120 s).
    pub shutdown_job_timeout: Duration,
    /// On shutdown, once every job has finished, how long the server keeps
    /// answering status polls and downloads so clients can collect their
    /// results; it stops earlier when every result has been collected (default 30 s).
    pub shutdown_grace: Duration,
    /// The public base URL download links start with, behind TLS or a
    /// reverse proxy (`https://gem.example.org`, or with the path the proxy
    /// serves the API under, `https://example.org/gem`); a trailing `/` is
    /// ignored. Default: `http://` plus the request's `Host` header.
    pub public_base_url: Option<String>,
    /// The directory of the job store and the result files, created
    /// owner-only (0700); a restart on the same directory keeps every
    /// accepted query (see [`crate::default_state_dir`], what `synthbio serve`
    /// uses). Default: none, which means a fresh temporary directory deleted
    /// when the server stops, so nothing survives a restart (and its job
    /// records are not flushed to disk).
    pub state_dir: Option<PathBuf>,
    /// Memory for predictions in progress, in bytes: a job waits until its
    /// estimated need is free, and a query needing more than all of it is
    /// answered 422 at `inputs` (default [`crate::default_max_memory`], a
    /// quarter of this machine's RAM). Finished results are on disk, not here.
    pub max_memory_bytes: u64,
    /// Disk for result files, in bytes: while stored results and the
    /// estimates of jobs in progress reach it, collected results are deleted
    /// oldest first, and if that is not enough a submission is answered 503
    /// with `Retry-After` (default 10 GiB). Expired results are deleted.
    pub max_disk_bytes: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: DEFAULT_BIND,
            api_key: None,
            workers: std::thread::available_parallelism().map_or(1, usize::from),
            max_queued_jobs: 64,
            max_kept_jobs: 1_024,
            max_body_bytes: 64 * 1024 * 1024,
            max_total_samples: 5_000,
            max_inputs: 1_000,
            result_retention: Duration::from_secs(3_600),
            download_link_ttl: Duration::from_secs(900),
            shutdown_job_timeout: Duration::from_secs(120),
            shutdown_grace: Duration::from_secs(30),
            public_base_url: None,
            state_dir: None,
            max_memory_bytes: crate::budget::default_max_memory(),
            max_disk_bytes: 10 << 30,
        }
    }
}

impl ServerConfig {
    /// Sets [`ServerConfig::bind`].
    pub fn with_bind(mut self, bind: SocketAddr) -> Self {
        self.bind = bind;
        self
    }

    /// Sets [`ServerConfig::api_key`].
    pub fn with_api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Sets [`ServerConfig::workers`].
    pub fn with_workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Sets [`ServerConfig::max_queued_jobs`].
    pub fn with_max_queued_jobs(mut self, n: usize) -> Self {
        self.max_queued_jobs = n;
        self
    }

    /// Sets [`ServerConfig::max_kept_jobs`].
    pub fn with_max_kept_jobs(mut self, n: usize) -> Self {
        self.max_kept_jobs = n;
        self
    }

    /// Sets [`ServerConfig::max_body_bytes`].
    pub fn with_max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = n;
        self
    }

    /// Sets [`ServerConfig::max_total_samples`].
    pub fn with_max_total_samples(mut self, n: u64) -> Self {
        self.max_total_samples = n;
        self
    }

    /// Sets [`ServerConfig::max_inputs`].
    pub fn with_max_inputs(mut self, n: usize) -> Self {
        self.max_inputs = n;
        self
    }

    /// Sets [`ServerConfig::result_retention`].
    pub fn with_result_retention(mut self, d: Duration) -> Self {
        self.result_retention = d;
        self
    }

    /// Sets [`ServerConfig::download_link_ttl`].
    pub fn with_download_link_ttl(mut self, d: Duration) -> Self {
        self.download_link_ttl = d;
        self
    }

    /// Sets [`ServerConfig::shutdown_job_timeout`].
    pub fn with_shutdown_job_timeout(mut self, d: Duration) -> Self {
        self.shutdown_job_timeout = d;
        self
    }

    /// Sets [`ServerConfig::shutdown_grace`].
    pub fn with_shutdown_grace(mut self, d: Duration) -> Self {
        self.shutdown_grace = d;
        self
    }

    /// Sets [`ServerConfig::public_base_url`].
    pub fn with_public_base_url(mut self, url: impl Into<String>) -> Self {
        self.public_base_url = Some(url.into());
        self
    }

    /// Sets [`ServerConfig::state_dir`].
    pub fn with_state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// Sets [`ServerConfig::max_memory_bytes`].
    pub fn with_max_memory_bytes(mut self, bytes: u64) -> Self {
        self.max_memory_bytes = bytes;
        self
    }

    /// Sets [`ServerConfig::max_disk_bytes`].
    pub fn with_max_disk_bytes(mut self, bytes: u64) -> Self {
        self.max_disk_bytes = bytes;
        self
    }

    /// Checks the settings, naming the first bad one.
    pub fn validate(&self) -> Result<(), ServerError> {
        let bad = |field, message: &str| {
            Err(ServerError::Config {
                field,
                message: message.into(),
            })
        };
        if self.workers == 0 {
            return bad("workers", "is 0; use at least 1 worker");
        }
        if self.max_kept_jobs == 0 {
            return bad("max_kept_jobs", "is 0; keep at least 1 job");
        }
        if self.max_body_bytes == 0 {
            return bad("max_body_bytes", "is 0; allow at least one byte");
        }
        if self.max_total_samples == 0 {
            return bad("max_total_samples", "is 0; allow at least 1 sample");
        }
        if self.max_inputs == 0 {
            return bad("max_inputs", "is 0; allow at least 1 input");
        }
        if self.max_memory_bytes < 1 << 20 {
            return bad(
                "max_memory_bytes",
                "is under 1 MiB; allow at least one mebibyte for predictions",
            );
        }
        if self.max_disk_bytes == 0 {
            return bad("max_disk_bytes", "is 0; allow some disk for results");
        }
        if let Some(url) = &self.public_base_url {
            let host = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"))
                .map(|rest| rest.split('/').next().unwrap_or(""));
            if host.is_none_or(str::is_empty)
                || url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
            {
                return bad(
                    "public_base_url",
                    &format!("{url:?} must be an http:// or https:// URL with a host and no spaces, query (?) or fragment (#), e.g. https://gem.example.org"),
                );
            }
        }
        Ok(())
    }
}

/// The warning to show when the server listens on `addr`, or `None` when only
/// this machine can reach it (a loopback address).
///
/// [`crate::run`] and [`crate::serve`] log it with `tracing::warn!`; a command
/// line that starts a server should print it too.
pub fn exposure_warning(addr: SocketAddr, api_key_set: bool) -> Option<String> {
    if addr.ip().is_loopback() {
        return None;
    }
    let mut warning = format!(
        "serving on {addr}, which is reachable from other machines (bind 127.0.0.1 to serve this machine only)"
    );
    if !api_key_set {
        warning.push_str(
            "; no API key is set: anyone who can reach it can run queries (set an API key)",
        );
    }
    Some(warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let c = ServerConfig::default().with_api_key(ApiKey::new("s3cr3t-k3y").unwrap());
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn rejects_bad_keys_and_limits() {
        assert!(ApiKey::new("").is_err());
        assert!(ApiKey::new("has space").is_err());
        let err = ServerConfig::default()
            .with_workers(0)
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("workers"), "{err}");
        for bad_url in [
            "ftp://x",
            "https://",
            "https:///gem",
            "https://gem.example.org/?a=1",
            "https://gem.example.org/#x",
            "https://gem example.org",
        ] {
            let err = ServerConfig::default()
                .with_public_base_url(bad_url)
                .validate()
                .unwrap_err()
                .to_string();
            assert!(err.contains("public_base_url"), "{err}");
            assert!(err.contains(&format!("{bad_url:?}")), "{err}");
        }
        for good in ["https://gem.example.org/", "http://10.0.0.5:8080/gem"] {
            ServerConfig::default()
                .with_public_base_url(good)
                .validate()
                .unwrap();
        }
        let err = ServerConfig::default()
            .with_max_kept_jobs(0)
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("max_kept_jobs"), "{err}");
        ServerConfig::default().validate().unwrap();
    }

    #[test]
    fn binds_loopback_unless_told_and_warns_when_not() {
        assert!(DEFAULT_BIND.ip().is_loopback());
        assert_eq!(ServerConfig::default().bind, DEFAULT_BIND);
        for quiet in ["127.0.0.1:8000", "127.8.9.10:1", "[::1]:8000"] {
            let addr: SocketAddr = quiet.parse().unwrap();
            assert_eq!(exposure_warning(addr, false), None, "{quiet}");
        }
        for open in [
            "0.0.0.0:8000",
            "[::]:8000",
            "192.168.1.20:8000",
            "[2001:db8::1]:80",
        ] {
            let addr: SocketAddr = open.parse().unwrap();
            let without = exposure_warning(addr, false).unwrap();
            assert!(without.contains(open), "{without}");
            assert!(
                without.contains("reachable from other machines"),
                "{without}"
            );
            assert!(without.contains("no API key"), "{without}");
            let with = exposure_warning(addr, true).unwrap();
            assert!(with.contains("reachable from other machines"), "{with}");
            assert!(!with.contains("no API key"), "{with}");
        }
    }
}
