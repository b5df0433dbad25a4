//! Client options: where to connect, which key, how long to wait, and how they
//! are read from the environment (docs/protocol.md section 2).

use crate::progress::{Progress, ProgressHook};
use crate::retry::RetryConfig;
use crate::settings::FileConfig;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;
use synthbio_core::model::endpoint_key;
use synthbio_core::validate::ValidationMode;
use synthbio_core::ModelId;

/// The hosted service.
pub const DEFAULT_BASE_URL: &str = "https://app.synthesize.bio";
/// Variable holding the API key (set means present and non-empty).
pub const API_KEY_ENV: &str = "SYNTHESIZE_API_KEY";
/// Variable holding the base URL of every model.
pub const BASE_URL_ENV: &str = "SYNTHESIZE_API_BASE_URL";
/// Variable switching on self-hosted mode (`1`, `true`, `yes`, `on`, any case).
pub const SELF_HOSTED_ENV: &str = "SYNTHESIZE_SELF_HOSTED";
/// Prefix of the per-model endpoint variables (`SYNTHESIZE_ENDPOINT_GEM_1_BULK`,
/// `_GEM_1_SC`, `_GEM_2`), the official clients' next release.
pub const ENDPOINT_ENV_PREFIX: &str = "SYNTHESIZE_ENDPOINT_";
/// Variable naming the TOML config file.
pub const CONFIG_ENV: &str = "SYNTHESIZE_CONFIG";
/// Variable setting the validation mode (`strict`, `warn`, `off`).
pub const VALIDATION_ENV: &str = "SYNTHESIZE_VALIDATION";
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
    /// Explicit per-model endpoints by endpoint key (`GEM_1_BULK`, see
    /// [`ModelId::endpoint_key`]); win over the environment.
    pub model_endpoints: BTreeMap<String, String>,
    /// The config file named by `SYNTHESIZE_CONFIG`, when one was read.
    pub file: Option<FileConfig>,
    /// A config file that could not be read or parsed: creating a client fails with it.
    pub config_error: Option<String>,
    /// Where the API key came from.
    pub key_source: KeySource,
    /// Validation mode; `None`: strict for known GEM-1 models, warn for others.
    pub validation: Option<ValidationMode>,
    /// Base URLs read from the environment: `SYNTHESIZE_API_BASE_URL`, the
    /// per-model `SYNTHESIZE_ENDPOINT_<KEY>` and legacy
    /// `SYNTHESIZE_API_BASE_URL__<BASE>` variables, by variable name.
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
            model_endpoints: BTreeMap::new(),
            file: None,
            config_error: None,
            key_source: KeySource::None,
            validation: None,
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
    /// The defaults plus what the process environment sets: the key (else the
    /// one `synthbio login` stored in the OS keyring), the base URL and
    /// endpoint variables, the config file `SYNTHESIZE_CONFIG` names,
    /// self-hosted mode and the validation mode. A config file that cannot be
    /// read is kept in [`ClientConfig::config_error`]: creating a client fails with it.
    pub fn from_env() -> Self {
        let mut c = Self::from_lookup(|name| std::env::var(name).ok(), std::env::vars());
        if c.api_key.is_none() {
            if let Ok(store) = crate::keyring_store::KeyStore::open() {
                if let Ok(Some(key)) = store.read() {
                    c.api_key = Some(key);
                    c.key_source = KeySource::Keyring;
                }
            }
        }
        c
    }

    /// [`ClientConfig::from_env`] over any variable source (`lookup` reads one
    /// variable, `all` lists every variable, for the per-model base URLs),
    /// without the keyring. The config file is read from the path `lookup`
    /// gives for `SYNTHESIZE_CONFIG`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        all: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let env_base_urls = all
            .into_iter()
            .filter(|(k, v)| {
                (k.starts_with(BASE_URL_ENV) || k.starts_with(ENDPOINT_ENV_PREFIX))
                    && !v.trim().is_empty()
            })
            .map(|(k, v)| (k, clean_url(&v).to_string()))
            .collect();
        let (file, config_error) = match lookup(CONFIG_ENV).filter(|p| !p.trim().is_empty()) {
            None => (None, None),
            Some(path) => match FileConfig::read(std::path::Path::new(path.trim())) {
                Ok(f) => (Some(f), None),
                Err(e) => (None, Some(e)),
            },
        };
        let api_key = lookup(API_KEY_ENV).and_then(ApiKey::new);
        let self_hosted = match lookup(SELF_HOSTED_ENV) {
            Some(v) => env_flag(&v),
            None => file.as_ref().and_then(|f| f.self_hosted).unwrap_or(false),
        };
        let (validation, validation_error) = match lookup(VALIDATION_ENV) {
            Some(v) if !v.trim().is_empty() => match ValidationMode::parse(&v) {
                Some(m) => (Some(m), None),
                None => (
                    None,
                    Some(format!(
                        "{VALIDATION_ENV}={v:?} is not a validation mode; use strict, warn or off"
                    )),
                ),
            },
            _ => (None, None),
        };
        ClientConfig {
            env_base_urls,
            key_source: if api_key.is_some() {
                KeySource::Env
            } else {
                KeySource::None
            },
            api_key,
            self_hosted,
            file,
            config_error: config_error.or(validation_error),
            validation,
            ..ClientConfig::default()
        }
    }

    /// Sets the validation mode (wins over `SYNTHESIZE_VALIDATION`).
    pub fn with_validation(mut self, mode: ValidationMode) -> Self {
        self.validation = Some(mode);
        self
    }

    /// Sets one model's endpoint (and its variants'; wins over the environment
    /// and the config file). `model` is an id or key: `gem-1-bulk`, `gem_1_bulk`, `gem-2`.
    pub fn with_model_endpoint(mut self, model: &str, url: impl Into<String>) -> Self {
        let key = ModelId::from(model).endpoint_key();
        self.model_endpoints.insert(key, url.into());
        self
    }

    /// Sets the base URL of every model (wins over the environment).
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the API key (wins over `SYNTHESIZE_API_KEY`); an empty key clears it.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = ApiKey::new(key);
        self.key_source = if self.api_key.is_some() {
            KeySource::Explicit
        } else {
            KeySource::None
        };
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

    /// The base URL for a model, trailing slashes removed; see
    /// [`ClientConfig::base_url_source`] for the order.
    pub fn base_url_for(&self, model: Option<&ModelId>) -> &str {
        self.base_url_source(model).0
    }

    /// The base URL for a model and where it came from. First match wins:
    ///
    /// 1. the explicit base URL ([`ClientConfig::with_base_url`]);
    /// 2. the explicit endpoint of the model ([`ClientConfig::with_model_endpoint`]);
    /// 3. `SYNTHESIZE_ENDPOINT_<KEY>` (`GEM_1_BULK`, `GEM_1_SC`, `GEM_2`);
    /// 4. the legacy `SYNTHESIZE_API_BASE_URL__<BASE>`;
    /// 5. `SYNTHESIZE_API_BASE_URL`;
    /// 6. the config file's `[model_endpoints]` entry for the model;
    /// 7. the config file's `api_base_url`;
    /// 8. the hosted service.
    ///
    /// Variants share their base model's endpoint; with no model (listing
    /// models) the per-model steps are skipped. Empty values do not count.
    pub fn base_url_source(&self, model: Option<&ModelId>) -> (&str, String) {
        let set = |u: &String| !u.trim().is_empty();
        if let Some(url) = self.base_url.as_ref().filter(|u| set(u)) {
            return (clean_url(url), "the explicit base URL".into());
        }
        let key = model.map(ModelId::endpoint_key);
        if let Some(key) = &key {
            if let Some(url) = self.model_endpoints.get(key).filter(|u| set(u)) {
                return (clean_url(url), format!("the configured endpoint of {key}"));
            }
            for var in [
                format!("{ENDPOINT_ENV_PREFIX}{key}"),
                model.map(ModelId::base_url_env_var).unwrap_or_default(),
            ] {
                if let Some(url) = self.env_base_urls.get(&var) {
                    return (clean_url(url), var);
                }
            }
        }
        if let Some(url) = self.env_base_urls.get(BASE_URL_ENV) {
            return (clean_url(url), BASE_URL_ENV.into());
        }
        if let Some(f) = &self.file {
            if let Some(url) = key.as_ref().and_then(|k| f.endpoint(k)) {
                return (
                    clean_url(url),
                    format!("[model_endpoints] of {}", f.path.display()),
                );
            }
            if let Some(url) = f.api_base_url.as_ref().filter(|u| set(u)) {
                return (
                    clean_url(url),
                    format!("api_base_url of {}", f.path.display()),
                );
            }
        }
        (DEFAULT_BASE_URL, "the default (the hosted service)".into())
    }

    /// Whether this configuration names a server: a key, self-hosted mode, an
    /// explicit URL or endpoint, an endpoint variable or a config file.
    pub fn selects_remote(&self) -> bool {
        self.api_key.is_some()
            || self.self_hosted
            || self.base_url.is_some()
            || !self.model_endpoints.is_empty()
            || !self.env_base_urls.is_empty()
            || self.file.is_some()
            || self.config_error.is_some()
    }

    /// One line saying which backend answers a model, for stderr: the mode,
    /// the URL and where it came from, and where the key came from.
    pub fn describe(&self, model: Option<&ModelId>) -> String {
        let (url, source) = self.base_url_source(model);
        let mode = if self.self_hosted {
            "self-hosted server"
        } else if url == DEFAULT_BASE_URL {
            "hosted service"
        } else {
            "server"
        };
        format!(
            "{mode} at {url} (URL from {source}; API key {})",
            self.key_source.describe()
        )
    }
}

/// Where the API key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeySource {
    /// No key.
    #[default]
    None,
    /// [`ClientConfig::with_api_key`].
    Explicit,
    /// `SYNTHESIZE_API_KEY`.
    Env,
    /// The OS keyring (`synthbio login`).
    Keyring,
}

impl KeySource {
    fn describe(self) -> &'static str {
        match self {
            KeySource::None => "not set",
            KeySource::Explicit => "given explicitly",
            KeySource::Env => "from SYNTHESIZE_API_KEY",
            KeySource::Keyring => "from the OS keyring",
        }
    }
}

/// A URL as configured, without surrounding spaces and trailing slashes.
pub(crate) fn clean_url(url: &str) -> &str {
    url.trim().trim_end_matches('/')
}

/// The endpoint key of a config-file or `configure` name (`gem-1-sc`, `gem_1_sc`).
pub(crate) fn normalise_key(name: &str) -> String {
    endpoint_key(name)
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

    fn file(text: &str) -> (tempdir::Dir, String) {
        let dir = tempdir::Dir::new();
        let path = dir.0.join("config.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path.display().to_string())
    }

    /// A scratch folder removed on drop (no tempfile dependency for one test).
    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let p = std::env::temp_dir().join(format!(
                    "synthbio-client-config-{}-{:?}",
                    std::process::id(),
                    std::thread::current().id()
                ));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn endpoint_variables_as_the_next_official_release_reads_them() {
        let bulk = ModelId::from("gem-1-bulk_predict-metadata");
        let sc = ModelId::from("gem-1-sc_reference-conditioning");
        let gem2 = ModelId::from("gem-2-sc_predict-metadata");
        let c = env(&[
            ("SYNTHESIZE_ENDPOINT_GEM_1_BULK", "http://bulk:8080/"),
            ("SYNTHESIZE_API_BASE_URL__GEM_1_BULK", "http://legacy:8080"),
            (
                "SYNTHESIZE_API_BASE_URL__GEM_1_SC",
                "http://legacy-sc:8080//",
            ),
            ("SYNTHESIZE_ENDPOINT_GEM_2", "http://gem2:8080"),
            ("SYNTHESIZE_API_BASE_URL", "http://global:8080/"),
        ]);
        // The new variable beats the legacy one; trailing slashes are stripped.
        assert_eq!(c.base_url_for(Some(&bulk)), "http://bulk:8080");
        assert_eq!(c.base_url_for(Some(&sc)), "http://legacy-sc:8080");
        assert_eq!(c.base_url_for(Some(&gem2)), "http://gem2:8080");
        assert_eq!(
            c.base_url_for(Some(&"gem-1-unknown".into())),
            "http://global:8080"
        );
        assert_eq!(c.base_url_for(None), "http://global:8080");
        // Explicit values (configure) win over the environment.
        let c = c
            .with_model_endpoint("gem-1-sc", "http://configured-sc:8080")
            .with_model_endpoint("gem_1_bulk", "http://configured-bulk:8080");
        assert_eq!(c.base_url_for(Some(&sc)), "http://configured-sc:8080");
        assert_eq!(c.base_url_for(Some(&bulk)), "http://configured-bulk:8080");
        let c = c.with_base_url("http://per-call:8080/");
        assert_eq!(c.base_url_for(Some(&bulk)), "http://per-call:8080");
    }

    #[test]
    fn the_config_file_is_read_below_the_environment() {
        let (_dir, path) = file(
            "api_base_url = \"http://file-global:8080/\"\nself_hosted = true\n\n[model_endpoints]\ngem_1_bulk = \"http://file-bulk:8080\"\n\"gem-1-sc\" = \"http://file-sc:8080\"\n",
        );
        let c = env(&[("SYNTHESIZE_CONFIG", &path)]);
        assert_eq!(
            c.base_url_for(Some(&"gem-1-bulk".into())),
            "http://file-bulk:8080"
        );
        assert_eq!(
            c.base_url_for(Some(&"gem-1-sc_predict-metadata".into())),
            "http://file-sc:8080"
        );
        assert_eq!(
            c.base_url_for(Some(&"gem-2".into())),
            "http://file-global:8080"
        );
        assert!(c.self_hosted);
        assert!(c.selects_remote());
        assert!(c
            .describe(Some(&"gem-1-bulk".into()))
            .contains("[model_endpoints] of"));
        // The environment beats the file, and an explicit flag beats both.
        let c = env(&[
            ("SYNTHESIZE_CONFIG", &path),
            ("SYNTHESIZE_API_BASE_URL", "http://env-global:8080"),
            ("SYNTHESIZE_SELF_HOSTED", "0"),
        ]);
        assert_eq!(
            c.base_url_for(Some(&"gem-2".into())),
            "http://env-global:8080"
        );
        assert_eq!(
            c.base_url_for(Some(&"gem-1-bulk".into())),
            "http://env-global:8080"
        );
        assert!(!c.self_hosted);
        // A broken or misspelt file is an error naming the key, never ignored.
        let (_d2, bad) = file("api_base_url = \"http://x\"\nself_hosteed = true\n");
        let c = env(&[("SYNTHESIZE_CONFIG", &bad)]);
        assert!(c
            .config_error
            .as_deref()
            .unwrap()
            .contains("\"self_hosteed\""));
        let e = crate::Client::new(c).unwrap_err().to_string();
        assert!(e.contains("self_hosteed"), "{e}");
        let c = env(&[("SYNTHESIZE_CONFIG", "/nonexistent/synthbio.toml")]);
        assert!(c
            .config_error
            .unwrap()
            .contains("cannot read the config file"));
    }

    #[test]
    fn validation_mode_from_the_environment() {
        assert_eq!(
            env(&[("SYNTHESIZE_VALIDATION", "warn")]).validation,
            Some(ValidationMode::Warn)
        );
        assert_eq!(env(&[]).validation, None);
        assert!(env(&[("SYNTHESIZE_VALIDATION", "loose")])
            .config_error
            .unwrap()
            .contains("strict, warn or off"));
    }

    #[test]
    fn nothing_set_selects_the_local_engine() {
        assert!(!env(&[]).selects_remote());
        assert!(env(&[("SYNTHESIZE_ENDPOINT_GEM_2", "http://x")]).selects_remote());
        assert!(env(&[("SYNTHESIZE_SELF_HOSTED", "yes")]).selects_remote());
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
