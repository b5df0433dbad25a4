//! The async client: list models, example queries, submit / poll / download,
//! self-hosted Arrow predict, many queries at once.

use crate::body::decode_body;
use crate::config::{ClientConfig, SOURCE};
use crate::decode::{decode_arrow_result, decode_json_result};
use crate::error::{strip_traceback, ClientError, Result};
use crate::handle::{input_sizes, QueryHandle, QueryStatus};
use crate::models::ListedModel;
use crate::prediction::{GeneIds, Prediction};
use crate::progress::{Progress, RetryReason};
use crate::transport::{network_error, Auth, Call, Kind, Transport, Try, ARROW_STREAM, JSON};
use bytes::Bytes;
use futures::StreamExt;
use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use synthbio_core::model::Generation;
use synthbio_core::validate::{validate_with, ValidationMode};
use synthbio_core::{Dataset, Family, ModelId, ModelSpec, Query, ValidationErrors};

/// How many times [`Client::wait`] polls again for a fresh download link when
/// the one it has is refused (403, as an expired pre-signed URL is).
pub const LINK_REFRESHES: u32 = 3;

/// A client of one GEM server (hosted, self-hosted, or `synthbio serve`).
/// Cheap to clone; clones share the connection pool and what is known of each
/// model's genes.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    specs: Mutex<HashMap<ModelId, ModelSpec>>,
    /// Gene orders by base model id (`gem-1-bulk` also serves its variants).
    genes: Mutex<HashMap<String, Arc<Vec<String>>>>,
}

impl Client {
    /// A client with the given options.
    pub fn new(config: ClientConfig) -> Result<Self> {
        Ok(Client {
            inner: Arc::new(Inner {
                transport: Transport::new(config)?,
                specs: Mutex::new(HashMap::new()),
                genes: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// A client configured from the environment ([`ClientConfig::from_env`]).
    pub fn from_env() -> Result<Self> {
        Client::new(ClientConfig::from_env())
    }

    /// The options in use.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.transport.config
    }

    fn t(&self) -> &Transport {
        &self.inner.transport
    }

    /// What is known of a model beyond the protocol (gene count, trained
    /// values), learnt from `list_models`, example queries and results, or set
    /// with [`Client::set_model_spec`].
    pub fn model_spec(&self, model: &ModelId) -> Option<ModelSpec> {
        self.specs().get(model).cloned()
    }

    /// Sets what is known of a model; queries are validated against it.
    pub fn set_model_spec(&self, model: &ModelId, spec: ModelSpec) {
        self.specs().insert(model.clone(), spec);
    }

    fn specs(&self) -> std::sync::MutexGuard<'_, HashMap<ModelId, ModelSpec>> {
        // A poisoned lock only means another thread panicked mid-insert of a
        // plain map entry; the map is still usable.
        self.inner
            .specs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The gene order the client knows for a model (shared by a base model and
    /// its variants), learnt from results that carried one or set with
    /// [`Client::set_gene_order`]; used to name the genes of results that
    /// come without a `gene_order` (metadata prediction).
    pub fn gene_order(&self, model: &ModelId) -> Option<Arc<Vec<String>>> {
        self.genes_map().get(model.base()).cloned()
    }

    /// Sets the gene order of a model (and its variants).
    pub fn set_gene_order(&self, model: &ModelId, genes: Vec<String>) {
        self.remember_n_genes(model, genes.len());
        self.genes_map()
            .insert(model.base().to_string(), Arc::new(genes));
    }

    fn genes_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<String>>>> {
        // As for `specs`: a poisoned plain map is still usable.
        self.inner
            .genes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Learns from a decoded result: its gene count and gene order.
    fn learn(&self, model: &ModelId, p: &Prediction) {
        self.remember_n_genes(model, p.dataset.n_genes());
        if p.gene_ids == GeneIds::FromResult && p.dataset.n_genes() > 0 {
            self.genes_map().insert(
                model.base().to_string(),
                Arc::new(p.dataset.gene_ids().to_vec()),
            );
        }
    }

    /// Reports a result's warnings and the fields it kept outside the dataset.
    fn report_result(&self, p: &Prediction) {
        for w in &p.warnings {
            self.t().report(Progress::Warning { message: w.clone() });
        }
        if let Some(note) = p.raw_fields_note() {
            self.t().report(Progress::Warning { message: note });
        }
    }

    /// The validation mode for a model: the configured one, else strict for
    /// known GEM-1 models and warn for any other (the service knows its rules).
    pub fn validation_mode(&self, model: &ModelId) -> ValidationMode {
        self.config()
            .validation
            .unwrap_or(match model.generation() {
                Generation::Gem1 => ValidationMode::Strict,
                _ => ValidationMode::Warn,
            })
    }

    fn remember_n_genes(&self, model: &ModelId, n: usize) {
        if n == 0 {
            return;
        }
        let mut specs = self.specs();
        let spec = specs.entry(model.clone()).or_default();
        if spec.n_genes.is_none() {
            spec.n_genes = Some(n);
        }
    }

    /// Checks a query offline against the protocol and what is known of the
    /// model, in [`Client::validation_mode`]; the error lists every problem
    /// with its path, and what is only a warning in this mode is reported as
    /// [`Progress::Warning`] (a model the client does not know is always
    /// reported: its query is sent as written). GEM-2 queries are checked as
    /// pysynthbio 4.2.4 checks them: metadata outside the known vocabulary is a
    /// warning in every mode, and only an answer the official client could not
    /// read (a bare `gem-2` without a known `operation`) is an error, in strict mode.
    pub fn validate(&self, model: &ModelId, query: &Query) -> Result<()> {
        let spec = self.model_spec(model);
        let mode = self.validation_mode(model);
        let invalid = |errors| ClientError::Validation {
            status: None,
            errors,
        };
        let mut warnings = validate_with(model, query, spec.as_ref(), mode).map_err(invalid)?;
        if model.generation() == Generation::Gem2 {
            let (errors, more) = crate::gem2::check(model, query, spec.as_ref(), mode);
            if !errors.is_empty() {
                return Err(invalid(ValidationErrors::new(errors)));
            }
            warnings.extend(more);
        }
        if model.generation() != Generation::Gem1 {
            let op = model.gem2_operation(query.extra.get("operation").and_then(Value::as_str));
            let what = match (op, model.generation()) {
                (Some(op), _) => format!("GEM-2 model {model} ({})", op.as_str()),
                (None, Generation::Gem2) => format!("GEM-2 model {model} (operation unknown)"),
                (None, _) => format!("model {model}, which this client does not know,"),
            };
            self.t().report(Progress::Warning {
                message: format!("{what}: the query is sent as written and checked by the service"),
            });
        }
        for p in warnings {
            self.t().report(Progress::Warning {
                message: format!(
                    "{}: {} (validation mode {})",
                    p.path,
                    p.message,
                    mode.as_str()
                ),
            });
        }
        Ok(())
    }

    /// Validates, adds `"source": "synthbio-rs"` when unset, and serializes.
    fn body(&self, model: &ModelId, query: &Query) -> Result<Bytes> {
        self.validate(model, query)?;
        let bytes = if query.source.is_some() {
            serde_json::to_vec(query)
        } else {
            let mut q = query.clone();
            q.source = Some(SOURCE.to_string());
            serde_json::to_vec(&q)
        };
        bytes
            .map(Bytes::from)
            .map_err(|e| ClientError::Config(format!("query cannot be written as JSON: {e}")))
    }

    fn api_call(
        &self,
        method: Method,
        what: String,
        url: reqwest::Url,
        kind: Kind,
        hint: String,
    ) -> Call {
        Call {
            what,
            method,
            url,
            body: None,
            accept: Some(JSON),
            auth: self.t().api_auth(),
            kind,
            long: false,
            not_found_hint: hint,
        }
    }

    /// `GET /api/models`: the models the server offers. Specs of servers that
    /// describe their models fully (`synthbio serve`) are remembered for validation.
    pub async fn list_models(&self) -> Result<Vec<ListedModel>> {
        let url = self.t().url(None, &["api", "models"])?;
        let call = self.api_call(
            Method::GET,
            "GET /api/models".into(),
            url,
            Kind::Idempotent,
            "this server has no model list; check the base URL (SYNTHESIZE_API_BASE_URL)".into(),
        );
        let v: Value = self.t().json(&call).await?;
        let list = match v {
            Value::Object(mut m) => m
                .remove("models")
                .ok_or_else(|| ClientError::decode("the model list", "it has no \"models\" key"))?,
            other => other,
        };
        let models: Vec<ListedModel> =
            serde_json::from_value(list).map_err(|e| ClientError::decode("the model list", e))?;
        let mut specs = self.specs();
        for m in &models {
            if let Some(info) = m.info() {
                let mut spec = info.spec;
                if spec.n_genes.is_none() && info.n_genes > 0 {
                    spec.n_genes = Some(info.n_genes);
                }
                specs.insert(m.id(), spec);
            }
        }
        Ok(models)
    }

    /// `GET /api/models/{id}/example-query`: a valid query for the model, as JSON.
    pub async fn example_query_json(&self, model: &ModelId) -> Result<Value> {
        let url = self.t().url(
            Some(model),
            &["api", "models", model.as_str(), "example-query"],
        )?;
        let call = self.api_call(
            Method::GET,
            format!("GET /api/models/{model}/example-query"),
            url,
            Kind::Idempotent,
            format!(
                "model {model:?} is not served there; list the models with Client::list_models"
            ),
        );
        let v: Value = self.t().json(&call).await?;
        Ok(match v {
            Value::Object(mut m) if m.contains_key("example_query") => {
                m.remove("example_query").unwrap_or_default()
            }
            other => other,
        })
    }

    /// A valid query for the model, read into a [`Query`]. For models that take
    /// counts, its counts length is remembered as the model's gene count.
    pub async fn example_query(&self, model: &ModelId) -> Result<Query> {
        let v = self.example_query_json(model).await?;
        let q = Query::from_value(v).map_err(|e| ClientError::decode("the example query", e))?;
        if matches!(
            model.family(),
            Some(Family::MetadataPrediction | Family::ReferenceConditioning)
        ) {
            if let Some(c) = q.inputs.first().and_then(|i| i.counts.as_ref()) {
                self.remember_n_genes(model, c.len());
            }
        }
        Ok(q)
    }

    /// Validates and submits a query (`POST /api/models/{id}/predict`); the
    /// handle holds the `modelQueryId`, so the query can be finished later
    /// with [`Client::wait`] even by another process. Hosted mode only.
    pub async fn submit(&self, model: &ModelId, query: &Query) -> Result<QueryHandle> {
        if self.config().self_hosted {
            return Err(ClientError::Config(
                "self-hosted servers answer predict synchronously; use Client::predict (or switch self-hosted mode off)".into(),
            ));
        }
        let body = self.body(model, query)?;
        let v = self.post_predict(model, body).await?;
        let handle = self.handle_from(model, &v)?.with_query(query);
        Ok(handle)
    }

    async fn post_predict(&self, model: &ModelId, body: Bytes) -> Result<Value> {
        let url = self
            .t()
            .url(Some(model), &["api", "models", model.as_str(), "predict"])?;
        let mut call = self.api_call(
            Method::POST,
            format!("POST /api/models/{model}/predict"),
            url,
            Kind::Submit,
            format!(
                "model {model:?} is not served there; list the models with Client::list_models"
            ),
        );
        call.body = Some(body);
        self.t().json(&call).await
    }

    fn handle_from(&self, model: &ModelId, v: &Value) -> Result<QueryHandle> {
        let id = match v.get("modelQueryId") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(ClientError::decode(
                    "the predict answer",
                    format!(
                        "it has no modelQueryId: {}",
                        crate::error::shorten(&v.to_string(), 300)
                    ),
                ))
            }
        };
        self.t().report(Progress::Submitted {
            model_id: model.to_string(),
            model_query_id: id.clone(),
        });
        Ok(QueryHandle::new(model.clone(), id))
    }

    /// One status poll (`GET /api/model-queries/{id}/status`).
    pub async fn status(&self, handle: &QueryHandle) -> Result<QueryStatus> {
        let qid = handle.model_query_id.as_str();
        let url = self.t().url(
            Some(&handle.model_id),
            &["api", "model-queries", qid, "status"],
        )?;
        let call = self.api_call(
            Method::GET,
            format!("GET /api/model-queries/{qid}/status"),
            url,
            Kind::Idempotent,
            format!("there is no query {qid:?} on this server; check the id and the base URL"),
        );
        let v: Value = self.t().json(&call).await?;
        let status = match v.get("status") {
            Some(Value::String(s)) => s.clone(),
            _ => {
                return Err(ClientError::decode(
                    "the status answer",
                    format!(
                        "it has no status: {}",
                        crate::error::shorten(&v.to_string(), 300)
                    ),
                ))
            }
        };
        Ok(match status.as_str() {
            "ready" => match v.get("downloadUrl").and_then(Value::as_str) {
                Some(u) if !u.trim().is_empty() => QueryStatus::Ready {
                    download_url: u.trim().to_string(),
                },
                _ => {
                    return Err(ClientError::decode(
                        "the status answer",
                        "status is ready but there is no downloadUrl",
                    ))
                }
            },
            "failed" => QueryStatus::Failed {
                message: match v.get("message").and_then(Value::as_str) {
                    Some(m) if !m.trim().is_empty() => strip_traceback(m).to_string(),
                    _ => "the server gave no error message".to_string(),
                },
            },
            _ => QueryStatus::Pending(status),
        })
    }

    /// Polls until the query is ready and returns its download URL (the
    /// "download URL only" option). Any error keeps the query's id
    /// ([`ClientError::model_query_id`]).
    pub async fn wait_download_url(&self, handle: &QueryHandle) -> Result<String> {
        self.poll_until_ready(handle)
            .await
            .map_err(|e| e.collecting(handle.model_id.as_str(), &handle.model_query_id))
    }

    async fn poll_until_ready(&self, handle: &QueryHandle) -> Result<String> {
        let config = self.config();
        let start = Instant::now();
        loop {
            let status = self.status(handle).await?;
            let name = match &status {
                QueryStatus::Pending(s) => s.clone(),
                QueryStatus::Ready { .. } => "ready".into(),
                QueryStatus::Failed { .. } => "failed".into(),
            };
            self.t().report(Progress::Polled {
                model_query_id: handle.model_query_id.clone(),
                status: name.clone(),
                elapsed: start.elapsed(),
            });
            match status {
                QueryStatus::Ready { download_url } => return Ok(download_url),
                QueryStatus::Failed { message } => {
                    return Err(ClientError::ModelFailed {
                        model_query_id: handle.model_query_id.clone(),
                        message,
                    })
                }
                QueryStatus::Pending(_) => {}
            }
            if start.elapsed() >= config.poll_timeout {
                return Err(ClientError::Timeout {
                    model_id: handle.model_id.to_string(),
                    model_query_id: handle.model_query_id.clone(),
                    last_status: name,
                    waited: start.elapsed(),
                });
            }
            tokio::time::sleep(config.effective_poll_interval()).await;
        }
    }

    /// Polls until ready, downloads and decodes the result. A download link
    /// refused as expired (403) is replaced by polling again, up to
    /// [`LINK_REFRESHES`] times. Any error keeps the query's id
    /// ([`ClientError::model_query_id`]), so it can be resumed.
    pub async fn wait(&self, handle: &QueryHandle) -> Result<Dataset> {
        self.wait_result(handle).await.map(|p| p.dataset)
    }

    /// Like [`Client::wait`], keeping every field of the result ([`Prediction`]).
    pub async fn wait_result(&self, handle: &QueryHandle) -> Result<Prediction> {
        self.collect(handle, |url| async move {
            self.download_result(handle, &url).await
        })
        .await
    }

    /// Polls until ready and returns the raw result JSON (expired links and
    /// errors as in [`Client::wait`]).
    pub async fn wait_json(&self, handle: &QueryHandle) -> Result<Value> {
        self.collect(handle, |url| async move {
            self.download_json(&handle.model_id, &url).await
        })
        .await
    }

    /// Polls until ready, then fetches the result with `fetch`; a 403 on the
    /// download link sends it back to polling for a fresh link.
    async fn collect<'a, T, F, Fut>(&'a self, handle: &'a QueryHandle, fetch: F) -> Result<T>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T>> + 'a,
    {
        let mut refreshed = 0;
        loop {
            let url = self.wait_download_url(handle).await?;
            match fetch(url).await {
                Err(ClientError::Authentication { status: 403, .. })
                    if refreshed < LINK_REFRESHES =>
                {
                    refreshed += 1;
                    self.t().report(Progress::Retrying {
                        what: "GET <download URL>".into(),
                        reason: RetryReason::ExpiredLink,
                        attempt: refreshed,
                        max_retries: LINK_REFRESHES,
                        delay: std::time::Duration::ZERO,
                    });
                }
                other => {
                    return other.map_err(|e| {
                        e.collecting(handle.model_id.as_str(), &handle.model_query_id)
                    })
                }
            }
        }
    }

    /// Finishes a query submitted earlier (after a crash, or by another
    /// process) from its model and `modelQueryId`. Input indexes are unknown
    /// this way; store the [`QueryHandle`] and use [`Client::wait`] to keep them.
    pub async fn resume(&self, model: &ModelId, model_query_id: &str) -> Result<Dataset> {
        self.wait(&QueryHandle::new(model.clone(), model_query_id))
            .await
    }

    /// Like [`Client::resume`], keeping every field of the result ([`Prediction`]).
    pub async fn resume_result(&self, model: &ModelId, model_query_id: &str) -> Result<Prediction> {
        self.wait_result(&QueryHandle::new(model.clone(), model_query_id))
            .await
    }

    fn download_call(&self, model: &ModelId, url: &str) -> Result<Call> {
        Ok(Call {
            what: "GET <download URL>".into(),
            method: Method::GET,
            url: self.t().download_url(model, url)?,
            body: None,
            accept: None,
            auth: Auth::None,
            kind: Kind::Idempotent,
            long: false,
            not_found_hint:
                "the download URL expired or is wrong; poll the query again (Client::resume) for a fresh one"
                    .into(),
        })
    }

    /// Downloads a result (with no headers: the URL is pre-signed) and decodes
    /// it as it arrives. A body that breaks off is downloaded again, within the
    /// retry policy.
    pub async fn download(&self, handle: &QueryHandle, url: &str) -> Result<Dataset> {
        self.download_result(handle, url).await.map(|p| p.dataset)
    }

    /// Like [`Client::download`], keeping every field of the result ([`Prediction`]).
    pub async fn download_result(&self, handle: &QueryHandle, url: &str) -> Result<Prediction> {
        let call = self.download_call(&handle.model_id, url)?;
        self.t().report(Progress::Downloading {
            model_query_id: Some(handle.model_query_id.clone()),
        });
        // Input sizes only mean something for the known families.
        let sizes = handle
            .input_sizes
            .clone()
            .filter(|_| handle.model_id.family().is_some());
        let genes = self.gene_order(&handle.model_id);
        let p = self
            .t()
            .retrying(&call, || {
                let sizes = sizes.clone();
                let genes = genes.clone();
                let call = &call;
                async move {
                    let resp = self.t().send_once(call).await?;
                    let arrow = is_arrow(&resp);
                    let decoded = decode_body(resp, move |r| {
                        let genes = genes.as_deref().map(Vec::as_slice);
                        if arrow {
                            decode_arrow_result(r, sizes.as_deref(), genes)
                        } else {
                            decode_json_result(r, sizes.as_deref(), genes)
                        }
                    })
                    .await;
                    match (decoded.result, decoded.transport_error) {
                        (Ok(p), _) => Ok(p),
                        // The body broke off: download again (idempotent).
                        (Err(_), Some(te)) => Err(self.t().body_failure(call, te)),
                        (Err(e), None) => Err(Try::Fatal(e)),
                    }
                }
            })
            .await?;
        self.learn(&handle.model_id, &p);
        self.report_result(&p);
        Ok(p)
    }

    /// Downloads a result as raw JSON (a top-level `error`/`errors` is still an error).
    pub async fn download_json(&self, model: &ModelId, url: &str) -> Result<Value> {
        let call = self.download_call(model, url)?;
        let v: Value = self.t().json(&call).await?;
        if let Some(e) = v
            .get("error")
            .or_else(|| v.get("errors"))
            .filter(|e| !e.is_null())
        {
            return Err(ClientError::ResultError {
                message: crate::decode::scalar_text(e.clone()).unwrap_or_default(),
            });
        }
        Ok(v)
    }

    /// Validates, runs and decodes a query: submit, poll and download in
    /// hosted mode; one synchronous Arrow request in self-hosted mode.
    pub async fn predict(&self, model: &ModelId, query: &Query) -> Result<Dataset> {
        self.predict_result(model, query).await.map(|p| p.dataset)
    }

    /// Like [`Client::predict`], keeping every field of the result
    /// ([`Prediction`]): what the dataset has no place for, and the decoder's warnings.
    pub async fn predict_result(&self, model: &ModelId, query: &Query) -> Result<Prediction> {
        if self.config().self_hosted {
            return self.predict_arrow(model, query).await;
        }
        let handle = self.submit(model, query).await?;
        self.wait_result(&handle).await
    }

    /// Like [`Client::predict`] but returns the raw result JSON (hosted mode).
    pub async fn predict_json(&self, model: &ModelId, query: &Query) -> Result<Value> {
        let handle = self.submit(model, query).await?;
        self.wait_json(&handle).await
    }

    /// Like [`Client::predict`] but returns only the result's download URL (hosted mode).
    pub async fn predict_download_url(&self, model: &ModelId, query: &Query) -> Result<String> {
        let handle = self.submit(model, query).await?;
        self.wait_download_url(&handle).await
    }

    /// Self-hosted: `POST /api/models/{id}/predict` with
    /// `Accept: application/vnd.apache.arrow.stream`, answered synchronously.
    async fn predict_arrow(&self, model: &ModelId, query: &Query) -> Result<Prediction> {
        let body = self.body(model, query)?;
        let url = self
            .t()
            .url(Some(model), &["api", "models", model.as_str(), "predict"])?;
        let call = Call {
            what: format!("POST /api/models/{model}/predict (Arrow)"),
            method: Method::POST,
            url,
            body: Some(body),
            accept: Some(ARROW_STREAM),
            auth: Auth::Optional,
            kind: Kind::Submit,
            long: true,
            not_found_hint: format!(
                "model {model:?} is not served there; list the models with Client::list_models"
            ),
        };
        let resp = self.t().send(&call).await?;
        let sizes = model.family().map(|_| input_sizes(query));
        if !is_arrow(&resp) && is_json(&resp) {
            // A server that queued the query instead: follow it up.
            let bytes = resp.bytes().await.map_err(|e| network_error(&call, e))?;
            let v: Value = serde_json::from_slice(&bytes)
                .map_err(|e| ClientError::decode("the predict answer", e))?;
            if v.get("modelQueryId").is_some() {
                let handle = self.handle_from(model, &v)?.with_query(query);
                return self.wait_result(&handle).await;
            }
            let genes = self.gene_order(model);
            let p = decode_json_result(
                &bytes[..],
                sizes.as_deref(),
                genes.as_deref().map(Vec::as_slice),
            )?;
            self.learn(model, &p);
            self.report_result(&p);
            return Ok(p);
        }
        let genes = self.gene_order(model);
        let decoded = decode_body(resp, move |r| {
            decode_arrow_result(r, sizes.as_deref(), genes.as_deref().map(Vec::as_slice))
        })
        .await;
        match (decoded.result, decoded.transport_error) {
            (Ok(p), _) => {
                self.learn(model, &p);
                self.report_result(&p);
                Ok(p)
            }
            (Err(_), Some(te)) => Err(network_error(&call, te)),
            (Err(e), None) => Err(e),
        }
    }

    /// Runs many queries against one model, at most
    /// [`ClientConfig::max_concurrency`] at a time; results come back in input
    /// order, each on its own (one failure does not stop the others).
    pub async fn predict_many(&self, model: &ModelId, queries: &[Query]) -> Vec<Result<Dataset>> {
        let limit = self.config().max_concurrency.max(1);
        futures::stream::iter(queries.iter().map(|q| self.predict(model, q)))
            .buffered(limit)
            .collect()
            .await
    }
}

fn content_type(resp: &reqwest::Response) -> &str {
    resp.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn is_arrow(resp: &reqwest::Response) -> bool {
    content_type(resp).starts_with(ARROW_STREAM)
}

fn is_json(resp: &reqwest::Response) -> bool {
    content_type(resp).starts_with(JSON)
}
