//! The TOML config file the official clients' next release reads, at the path
//! `SYNTHESIZE_CONFIG` names:
//!
//! ```toml
//! api_base_url = "http://box:8080"
//! self_hosted = true
//! endpoint_gem_2 = "http://gem2:8080"   # also accepted, as `configure(endpoint_gem_2=...)`
//!
//! [model_endpoints]
//! gem_1_bulk = "http://bulk:8080"
//! "gem-1-sc" = "http://sc:8080"
//! ```
//!
//! Model names are normalised (`gem-1-sc`, `gem_1_sc` and `GEM_1_SC` are one
//! key); any other key is an error naming it, so a typo is never ignored.

use crate::config::{clean_url, normalise_key};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parsed config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileConfig {
    /// Where it was read from.
    pub path: PathBuf,
    /// `api_base_url`: the base URL of every model without its own endpoint.
    pub api_base_url: Option<String>,
    /// `self_hosted`.
    pub self_hosted: Option<bool>,
    /// `[model_endpoints]` and `endpoint_<key>` entries, by endpoint key (`GEM_1_BULK`).
    pub model_endpoints: BTreeMap<String, String>,
}

impl FileConfig {
    /// Reads and checks a config file; the error names the file and the fix.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read the config file {} (named by SYNTHESIZE_CONFIG): {e}",
                path.display()
            )
        })?;
        Self::parse(&text, path)
    }

    /// Parses config text read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, String> {
        let at = |m: String| format!("config file {}: {m}", path.display());
        let table: toml::Table = text
            .parse()
            .map_err(|e| at(format!("not valid TOML: {e}")))?;
        let mut c = FileConfig {
            path: path.to_path_buf(),
            api_base_url: None,
            self_hosted: None,
            model_endpoints: BTreeMap::new(),
        };
        let url = |key: &str, v: &toml::Value| -> Result<String, String> {
            v.as_str()
                .map(|s| clean_url(s).to_string())
                .ok_or_else(|| at(format!("{key} must be a URL string, found {v:?}")))
        };
        for (key, v) in &table {
            match key.as_str() {
                "api_base_url" => c.api_base_url = Some(url(key, v)?),
                "self_hosted" => {
                    c.self_hosted = Some(v.as_bool().ok_or_else(|| {
                        at(format!("self_hosted must be true or false, found {v:?}"))
                    })?)
                }
                "model_endpoints" => {
                    let t = v.as_table().ok_or_else(|| {
                        at("model_endpoints must be a table of model -> URL".into())
                    })?;
                    for (model, u) in t {
                        c.model_endpoints
                            .insert(normalise_key(model), url(&format!("model_endpoints.{model}"), u)?);
                    }
                }
                k if k.starts_with("endpoint_") => {
                    let model = &k["endpoint_".len()..];
                    c.model_endpoints.insert(normalise_key(model), url(k, v)?);
                }
                other => {
                    return Err(at(format!(
                        "unknown key {other:?}; the keys are api_base_url, self_hosted, endpoint_<model> and [model_endpoints]"
                    )))
                }
            }
        }
        Ok(c)
    }

    /// The endpoint for an endpoint key, when the file sets one.
    pub fn endpoint(&self, key: &str) -> Option<&String> {
        self.model_endpoints.get(key).filter(|u| !u.is_empty())
    }
}
