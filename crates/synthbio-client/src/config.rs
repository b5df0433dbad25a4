//! Client options: where to connect, which key, how long to wait, and how they
//! are read from the environment (docs/protocol.md section 2).

use crate::progress::{Progress, ProgressHook};
use crate::retry::RetryConfig;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;
use synthbio_core::ModelId;

/// The hosted service.
pub const DEFAULT_BASE_URL: &str = "https://app.synthesize.bio";
/// Variable holding the API key (set means present and non-empty).
pub const API_KEY_ENV: &str = "SYNTHESIZE_API_KEY";
/// Variable holding the base URL of every model.
pub const BASE_URL_ENV: &str = "SYNTHESIZE_API_BASE_URL";
/// Variable switching on self-hosted mode (`1`, `true`, `yes`, `on`, any case).
pub const SELF_HOSTED_ENV: &str = "SYNTHESIZE_SELF_HOSTED";
/// The `source` added to every query that sets none.
pub const SOURCE: &str = "synthbio-rs";
/// Shortest poll interval the client uses, whatever is configured.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// An API key. It is sent only in the `Authorization` header; `Debug` prints
/// `ApiKey(<redacted>)` and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; surrounding whitespace is removed, and an empty key is `None`.
    pub fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            None
        } else {
            Some(ApiKey(trimmed.to_string()))
        }
    }

    /// The key itself, for the `Authorization` header. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Everything the client needs to know; build it with [`ClientConfig::from_env`]
/// (the official clients' behaviour) or [`ClientConfig::default`] (nothing read
/// from the environment), then override with the `with_*` methods. Explicit
/// values always win over the environment.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Explicit base URL for every model; wins over every variable.
    pub base_url: Option<String>,
    /// Base URLs read from the environment: `SYNTHESIZE_API_BASE_URL` and the
    /// per-model `SYNTHESIZE_API_BASE_URL__<BASE>` variables, by variable name.
    pub env_base_urls: BTreeMap<String, String>,
    /// The API key (required by the hosted service, optional when self-hosted).
    pub api_key: Option<ApiKey>,
    /// Self-hosted mode: synchronous predict answering an Arrow IPC stream, key optional.
    pub self_hosted: bool,
    /// Time between status polls (default 2 s; anything under 1 s is raised to 1 s).
    pub poll_interval: Duration,
    /// How long to poll before giving up with [`crate::ClientError::Timeout`] (default 900 s).
    pub poll_timeout: Duration,
    /// Longest wait for a connection or for the next bytes of an answer (default 30 s).
    pub request_timeout: Duration,
    /// The same for the self-hosted synchronous Arrow predict (default 600 s).
    pub self_hosted_timeout: Duration,
    /// Retries of failed requests.
    pub retry: RetryConfig,
    /// Queries in flight at once in [`crate::Client::predict_many`] (default 4, at least 1).
    pub max_concurrency: usize,
    /// Called with what the client is doing (submitted, polled, retrying, ...).
    pub progress: Option<ProgressHook>,
}

impl Default for ClientConfig {
    /// The official defaults, with nothing read from the environment.
    fn default() -> Self {
        ClientConfig {
            base_url: None,
            env_base_urls: BTreeMap::new(),
            api_key: None,
            self_hosted: false,
            poll_interval: Duration::from_secs(2),
            poll_timeout: Duration::from_secs(900),
            request_timeout: Duration::from_secs(30),
            self_hosted_timeout: Duration::from_secs(600),
            retry: RetryConfig::default(),
            max_concurrency: 4,
            progress: None,
        }
    }
}

impl ClientConfig {
    /// The defaults plus what the process environment sets: the key, the base
    /// URL variables and self-hosted mode.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok(), std::env::vars())
    }

    /// [`ClientConfig::from_env`] over any variable source (`lookup` reads one
    /// variable, `all` lists every variable, for the per-model base URLs).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        all: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let env_base_urls = all
            .into_iter()
            .filter(|(k, v)| k.starts_with(BASE_URL_ENV) && !v.trim().is_empty())
            .map(|(k, v)| (k, v.trim().to_string()))
            .collect();
        ClientConfig {
            env_base_urls,
            api_key: lookup(API_KEY_ENV).and_then(ApiKey::new),
            self_hosted: lookup(SELF_HOSTED_ENV).is_some_and(|v| env_flag(&v)),
            ..ClientConfig::default()
        }
    }

    /// Sets the base URL of every model (wins over the environment).
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the API key (wins over `SYNTHESIZE_API_KEY`); an empty key clears it.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = ApiKey::new(key);
        self
    }

    /// Switches self-hosted mode on or off (wins over `SYNTHESIZE_SELF_HOSTED`).
    pub fn with_self_hosted(mut self, on: bool) -> Self {
        self.self_hosted = on;
        self
    }

    /// Sets the poll interval (never under 1 s in use).
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Sets the poll timeout.
    pub fn with_poll_timeout(mut self, timeout: Duration) -> Self {
        self.poll_timeout = timeout;
        self
    }

    /// Sets the per-request timeout.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Sets how many queries [`crate::Client::predict_many`] runs at once.
    pub fn with_max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n;
        self
    }

    /// Sets the progress callback.
    pub fn with_progress(mut self, hook: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(ProgressHook::new(hook));
        self
    }

    /// The poll interval in use: the configured one, at least [`MIN_POLL_INTERVAL`].
    pub fn effective_poll_interval(&self) -> Duration {
        self.poll_interval.max(MIN_POLL_INTERVAL)
    }

    /// The base URL for a model, first match wins: the explicit one, the model's
    /// `SYNTHESIZE_API_BASE_URL__<BASE>`, `SYNTHESIZE_API_BASE_URL`, the default.
    /// With no model (listing models), the per-model variable is skipped.
    pub fn base_url_for(&self, model: Option<&ModelId>) -> &str {
        if let Some(url) = self.base_url.as_deref().filter(|u| !u.trim().is_empty()) {
            return url.trim();
        }
        if let Some(url) = model.and_then(|m| self.env_base_urls.get(&m.base_url_env_var())) {
            return url;
        }
        self.env_base_urls
            .get(BASE_URL_ENV)
            .map_or(DEFAULT_BASE_URL, String::as_str)
    }
}

/// Reads a boolean variable the official clients' way: `1`, `true`, `yes`, `on`, any case.
pub fn env_flag(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ClientConfig {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let m2 = map.clone();
        ClientConfig::from_lookup(move |k| m2.get(k).cloned(), map)
    }

    #[test]
    fn base_url_resolution_order() {
        let bulk_pm = ModelId::from("gem-1-bulk_predict-metadata");
        let sc = ModelId::from("gem-1-sc");
        let c = env(&[
            ("SYNTHESIZE_API_BASE_URL__GEM_1_BULK", "http://bulk.local"),
            ("SYNTHESIZE_API_BASE_URL", "http://all.local"),
        ]);
        assert_eq!(c.base_url_for(Some(&bulk_pm)), "http://bulk.local");
        assert_eq!(c.base_url_for(Some(&sc)), "http://all.local");
        assert_eq!(c.base_url_for(None), "http://all.local");
        let c = c.with_base_url("http://explicit.local");
        assert_eq!(c.base_url_for(Some(&bulk_pm)), "http://explicit.local");
        assert_eq!(env(&[]).base_url_for(Some(&sc)), DEFAULT_BASE_URL);
        // An empty variable does not count as set.
        assert_eq!(
            env(&[("SYNTHESIZE_API_BASE_URL", " ")]).base_url_for(None),
            DEFAULT_BASE_URL
        );
    }

    #[test]
    fn key_is_set_only_when_present_and_non_empty() {
        assert!(env(&[("SYNTHESIZE_API_KEY", "")]).api_key.is_none());
        assert!(env(&[]).api_key.is_none());
        let c = env(&[("SYNTHESIZE_API_KEY", "k-123")]);
        assert_eq!(c.api_key.as_ref().map(ApiKey::expose), Some("k-123"));
        let c = c.with_api_key("explicit");
        assert_eq!(c.api_key.as_ref().map(ApiKey::expose), Some("explicit"));
    }

    #[test]
    fn self_hosted_flag_values() {
        for v in ["1", "true", "TRUE", "Yes", "on", " On "] {
            assert!(env(&[("SYNTHESIZE_SELF_HOSTED", v)]).self_hosted, "{v}");
        }
        for v in ["0", "false", "no", "off", "", "y"] {
            assert!(!env(&[("SYNTHESIZE_SELF_HOSTED", v)]).self_hosted, "{v}");
        }
        assert!(
            !env(&[("SYNTHESIZE_SELF_HOSTED", "1")])
                .with_self_hosted(false)
                .self_hosted
        );
    }

    #[test]
    fn the_key_never_appears_in_debug_output() {
        let secret = "sk-live-0123456789abcdef";
        let c = ClientConfig::default()
            .with_api_key(secret)
            .with_progress(|_| {});
        let dbg = format!("{c:?} {:?}", c.api_key);
        assert!(!dbg.contains(secret), "{dbg}");
        assert!(dbg.contains("<redacted>"));
    }

    #[test]
    fn poll_interval_is_never_under_one_second() {
        let c = ClientConfig::default().with_poll_interval(Duration::from_millis(10));
        assert_eq!(c.effective_poll_interval(), Duration::from_secs(1));
        assert_eq!(
            ClientConfig::default().effective_poll_interval(),
            Duration::from_secs(2)
        );
    }
}
