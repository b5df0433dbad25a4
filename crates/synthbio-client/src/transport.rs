//! HTTP: URLs, headers, the one retry loop ([`Transport::retrying`]), and the
//! mapping of answers to [`ClientError`].

use crate::config::ClientConfig;
use crate::error::{shorten, ClientError, Result};
use crate::progress::{Progress, RetryReason};
use crate::retry::parse_retry_after;
use bytes::Bytes;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Response, Url};
use std::sync::OnceLock;
use std::time::SystemTime;
use synthbio_core::{ModelId, Problem, ValidationErrors};

/// `Accept` of JSON requests.
pub(crate) const JSON: &str = "application/json";
/// `Accept` of the self-hosted synchronous predict.
pub const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";
/// Longest server body quoted in an error.
const MAX_BODY: usize = 2000;

/// Whether a request may be sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Status, download, list, example query: retried on 429/502/503/504 and network errors.
    Idempotent,
    /// A submit: retried only when the server provably did not take it
    /// (no connection made, or a 429/503 answer).
    Submit,
}

/// Which credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// `Authorization: Bearer <key>`; fails without a key.
    Required,
    /// The key if one is set (self-hosted).
    Optional,
    /// Nothing at all (the pre-signed download URL).
    None,
}

/// One request, described so it can be sent again.
#[derive(Debug)]
pub(crate) struct Call {
    /// For messages: `GET /api/models`.
    pub what: String,
    pub method: Method,
    pub url: Url,
    /// A JSON body.
    pub body: Option<Bytes>,
    /// `Accept`, if any.
    pub accept: Option<&'static str>,
    pub auth: Auth,
    pub kind: Kind,
    /// Use the long (self-hosted predict) timeout.
    pub long: bool,
    /// What to do about a 404.
    pub not_found_hint: String,
}

/// The process's one TLS setup, shared by every client: building one makes
/// OpenSSL parse the system's whole trust store, which per client (two per
/// `Client`) stalled async runtimes that create many clients.
fn shared_tls() -> Result<native_tls::TlsConnector> {
    static TLS: OnceLock<std::result::Result<native_tls::TlsConnector, String>> = OnceLock::new();
    TLS.get_or_init(|| native_tls::TlsConnector::new().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| {
            ClientError::Config(format!("cannot set up TLS from the system's OpenSSL: {e}"))
        })
}

/// The HTTP side of a client.
#[derive(Debug)]
pub(crate) struct Transport {
    short: reqwest::Client,
    long: reqwest::Client,
    pub config: ClientConfig,
}

impl Transport {
    pub fn new(config: ClientConfig) -> Result<Self> {
        if let Some(e) = &config.config_error {
            return Err(ClientError::Config(e.clone()));
        }
        // Timeouts as in the official clients (`requests`' timeout): for the
        // connection and for each wait on the next bytes, not for a whole
        // download, so large results are not cut off.
        let tls = shared_tls()?;
        let build = |t| {
            reqwest::Client::builder()
                .use_preconfigured_tls(tls.clone())
                .connect_timeout(t)
                .read_timeout(t)
                .build()
                .map_err(|e| ClientError::Config(format!("cannot build the HTTP client: {e}")))
        };
        Ok(Transport {
            short: build(config.request_timeout)?,
            long: build(config.self_hosted_timeout)?,
            config,
        })
    }

    /// The credentials of API requests in the configured mode.
    pub fn api_auth(&self) -> Auth {
        if self.config.self_hosted {
            Auth::Optional
        } else {
            Auth::Required
        }
    }

    /// `<base>/<segments...>` for a model's base URL, each segment percent-encoded.
    pub fn url(&self, model: Option<&ModelId>, segments: &[&str]) -> Result<Url> {
        let base = self.config.base_url_for(model);
        let mut url = Url::parse(base).map_err(|e| {
            ClientError::Config(format!(
                "base URL {base:?} is not a URL ({e}); set SYNTHESIZE_API_BASE_URL or ClientConfig::with_base_url to e.g. https://app.synthesize.bio"
            ))
        })?;
        url.path_segments_mut()
            .map_err(|()| ClientError::Config(format!("base URL {base:?} cannot have a path")))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// A download URL as given by the status endpoint; a relative one is taken
    /// relative to the model's base URL as a folder (`dl/x` against
    /// `https://proxy/gem` is `https://proxy/gem/dl/x`; `/dl/x` is `https://proxy/dl/x`).
    pub fn download_url(&self, model: &ModelId, url: &str) -> Result<Url> {
        match Url::parse(url) {
            Ok(u) => Ok(u),
            Err(_) => self.url(Some(model), &[""])?.join(url).map_err(|e| {
                ClientError::decode(
                    "the status answer",
                    format!("downloadUrl is not a URL: {e}"),
                )
            }),
        }
    }

    /// Reports progress to the configured hook.
    pub fn report(&self, p: Progress) {
        if let Some(h) = &self.config.progress {
            h.report(&p);
        }
    }

    fn request(&self, call: &Call) -> Result<reqwest::RequestBuilder> {
        let client = if call.long { &self.long } else { &self.short };
        let mut req = client.request(call.method.clone(), call.url.clone());
        if let Some(a) = call.accept {
            req = req.header(ACCEPT, a);
        }
        let key = match call.auth {
            Auth::None => None,
            Auth::Optional => self.config.api_key.as_ref(),
            Auth::Required => Some(
                self.config
                    .api_key
                    .as_ref()
                    .ok_or(ClientError::MissingApiKey)?,
            ),
        };
        if let Some(key) = key {
            let mut v =
                HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                    ClientError::Config(
                        "the API key has characters an HTTP header cannot carry; copy it again"
                            .into(),
                    )
                })?;
            v.set_sensitive(true);
            req = req.header(AUTHORIZATION, v);
        }
        if let Some(body) = &call.body {
            req = req.header(CONTENT_TYPE, JSON).body(body.clone());
        }
        Ok(req)
    }

    /// The client's one retry loop: runs `attempt` until it succeeds, fails
    /// for good ([`Try::Fatal`]), or the retry policy ends the retries of a
    /// failure worth another try ([`Try::Again`]); every wait is reported.
    pub async fn retrying<T, F, Fut>(&self, call: &Call, mut attempt: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = std::result::Result<T, Try>>,
    {
        let retry = &self.config.retry;
        let mut n = 0u32;
        loop {
            let again = match attempt().await {
                Ok(v) => return Ok(v),
                Err(Try::Fatal(e)) => return Err(e),
                Err(Try::Again(again)) => again,
            };
            n += 1;
            let delay = if n <= retry.max_retries {
                retry.delay(n, again.retry_after)
            } else {
                None
            };
            let Some(delay) = delay else {
                return Err(again.failure.into_error(call).await);
            };
            let reason = again.reason;
            drop(again.failure);
            self.report(Progress::Retrying {
                what: call.what.clone(),
                reason,
                attempt: n,
                max_retries: retry.max_retries,
                delay,
            });
            tokio::time::sleep(delay).await;
        }
    }

    /// One request, with no retry: a 2xx answer, or the failure classified
    /// by whether the call's kind allows another try.
    pub async fn send_once(&self, call: &Call) -> std::result::Result<Response, Try> {
        let req = self.request(call).map_err(Try::Fatal)?;
        match req.send().await {
            Ok(resp) if resp.status().is_success() => Ok(resp),
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retryable = match call.kind {
                    Kind::Idempotent => matches!(status, 429 | 502 | 503 | 504),
                    Kind::Submit => matches!(status, 429 | 503),
                };
                if !retryable {
                    return Err(Try::Fatal(status_error(call, status, resp).await));
                }
                let retry_after = resp
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now()));
                Err(Try::Again(Again {
                    reason: RetryReason::Status(status),
                    retry_after,
                    failure: Failure::Status(status, resp),
                }))
            }
            Err(e) => {
                let reason = if e.is_connect() {
                    RetryReason::Connect
                } else if e.is_timeout() {
                    RetryReason::Timeout
                } else {
                    RetryReason::Connection
                };
                // A submit that may have reached the server is not sent again.
                if call.kind == Kind::Submit && reason != RetryReason::Connect {
                    return Err(Try::Fatal(network_error(call, e)));
                }
                Err(Try::Again(Again {
                    reason,
                    retry_after: None,
                    failure: Failure::Network(e),
                }))
            }
        }
    }

    /// An answer whose body broke off part-way: another try for an
    /// idempotent call, the error for a submit (the server took it).
    pub fn body_failure(&self, call: &Call, e: reqwest::Error) -> Try {
        if call.kind != Kind::Idempotent {
            return Try::Fatal(network_error(call, e));
        }
        Try::Again(Again {
            reason: if e.is_timeout() {
                RetryReason::Timeout
            } else {
                RetryReason::Connection
            },
            retry_after: None,
            failure: Failure::Network(e),
        })
    }

    /// Sends a call, retrying as its kind and the retry policy allow; a 2xx
    /// answer is returned, anything else becomes the matching error.
    pub async fn send(&self, call: &Call) -> Result<Response> {
        self.retrying(call, || self.send_once(call)).await
    }

    /// Sends a call and reads its JSON answer. An idempotent call whose answer
    /// breaks off part-way is sent again, within the same retry policy.
    pub async fn json<T: serde::de::DeserializeOwned>(&self, call: &Call) -> Result<T> {
        let bytes = self
            .retrying(call, || async {
                let resp = self.send_once(call).await?;
                resp.bytes().await.map_err(|e| self.body_failure(call, e))
            })
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            ClientError::decode(
                format!("the answer to {}", call.what),
                format!("{e}: {}", shorten(&String::from_utf8_lossy(&bytes), 300)),
            )
        })
    }
}

/// The outcome of one failed try.
pub(crate) enum Try {
    /// Not worth another try: this error.
    Fatal(ClientError),
    /// Worth another try, if the policy allows.
    Again(Again),
}

/// A failure worth another try.
pub(crate) struct Again {
    reason: RetryReason,
    retry_after: Option<std::time::Duration>,
    failure: Failure,
}

impl Failure {
    async fn into_error(self, call: &Call) -> ClientError {
        match self {
            Failure::Status(status, resp) => status_error(call, status, resp).await,
            Failure::Network(e) => network_error(call, e),
        }
    }
}

enum Failure {
    Status(u16, Response),
    Network(reqwest::Error),
}

pub(crate) fn network_error(call: &Call, e: reqwest::Error) -> ClientError {
    ClientError::Network {
        what: call.what.clone(),
        // The URL may be a signed download URL; keep it out of messages.
        source: e.without_url(),
    }
}

/// The error for a non-2xx answer.
async fn status_error(call: &Call, status: u16, resp: Response) -> ClientError {
    let body = resp.text().await.unwrap_or_default();
    match status {
        401 | 403 => ClientError::Authentication {
            status,
            body: shorten(&body, MAX_BODY),
        },
        404 => ClientError::NotFound {
            what: call.what.clone(),
            hint: call.not_found_hint.clone(),
        },
        400 | 422 => ClientError::Validation {
            status: Some(status),
            errors: validation_body(&body),
        },
        _ => ClientError::Api {
            what: call.what.clone(),
            status,
            body: shorten(&body, MAX_BODY),
            hint: match status {
                429 => "the service is rate limiting; wait and try again, or send fewer queries at once (ClientConfig::max_concurrency)".into(),
                500..=599 => "the service had a problem or is unavailable; try again later (retries are set in ClientConfig::retry)".into(),
                _ => "check the request and the base URL".into(),
            },
        },
    }
}

/// A 400/422 body: the service's `{error, errors: [{path, message}]}`, or its text.
fn validation_body(body: &str) -> ValidationErrors {
    if let Ok(v) = serde_json::from_str::<ValidationErrors>(body) {
        return v;
    }
    ValidationErrors {
        error: "Query validation failed".into(),
        errors: vec![Problem {
            path: String::new(),
            message: shorten(body, MAX_BODY),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_download_urls_resolve_against_the_base_url() {
        let model = ModelId::from("gem-1-bulk");
        for (base, link, want) in [
            (
                "https://proxy.example/gem",
                "api/downloads/q?token=t",
                "https://proxy.example/gem/api/downloads/q?token=t",
            ),
            (
                "https://proxy.example/gem/",
                "api/downloads/q?token=t",
                "https://proxy.example/gem/api/downloads/q?token=t",
            ),
            (
                "https://proxy.example/gem",
                "/api/downloads/q?token=t",
                "https://proxy.example/api/downloads/q?token=t",
            ),
            (
                "http://127.0.0.1:8000",
                "dl/x",
                "http://127.0.0.1:8000/dl/x",
            ),
            (
                "http://127.0.0.1:8000",
                "https://bucket.example/r.json?sig=1",
                "https://bucket.example/r.json?sig=1",
            ),
        ] {
            let t = Transport::new(ClientConfig::default().with_base_url(base)).unwrap();
            assert_eq!(
                t.download_url(&model, link).unwrap().as_str(),
                want,
                "{base} + {link}"
            );
        }
    }
}
