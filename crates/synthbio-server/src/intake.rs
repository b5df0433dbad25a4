//! Reading a submitted query: JSON, the protocol's shape, the model's rules and
//! this server's limits, every problem with its JSON path.

use crate::api_error::ApiError;
use crate::config::ServerConfig;
use axum::http::{header, HeaderMap, StatusCode};
use synthbio_core::{validate, ModelId, ModelInfo, Problem, Query, ValidationErrors};

/// Checks that the body is declared as JSON (a missing `Content-Type` is read as JSON).
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let media = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media == "application/json" || media.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::at(
            StatusCode::BAD_REQUEST,
            "the query must be sent as JSON",
            "",
            format!(
                "Content-Type {:?} is not JSON; send the query with Content-Type: application/json",
                value.to_str().unwrap_or("(not text)")
            ),
        ))
    }
}

/// Parses and validates a query body for a model, as `POST /api/models/{id}/predict`
/// does: 400 for bytes that are not JSON (including JSON nested deeper than
/// 128 levels), 422 for JSON that breaks the protocol, the model's rules or
/// this server's limits ([`ServerConfig::max_inputs`],
/// [`ServerConfig::max_total_samples`]), every problem with its JSON path.
///
/// It never panics, whatever the bytes; the body size limit is applied
/// before, while the body is read.
///
/// ```
/// use synthbio_core::{Family, LatentDims, Modality, ModelInfo, ModelSpec};
/// use synthbio_server::{read_query, ServerConfig};
///
/// let model = ModelInfo {
///     model_id: "gem-1-bulk".into(),
///     family: Family::Baseline,
///     modality: Modality::Bulk,
///     model_version: "v1".into(),
///     n_genes: 4,
///     latent_dims: LatentDims { biological: 1, technical: 1, perturbation: 1 },
///     spec: ModelSpec::default(),
/// };
/// let config = ServerConfig::default().with_max_total_samples(10);
/// let ok = br#"{"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 3}]}"#;
/// assert_eq!(read_query(ok, &model, &config).unwrap().total_samples(), 3);
/// let big = br#"{"sampling_strategy": "mean estimation", "inputs": [{"num_samples": 1e18}]}"#;
/// let err = read_query(big, &model, &config).unwrap_err();
/// assert_eq!(err.status(), 422);
/// assert_eq!(err.errors().errors[0].path, "inputs");
/// assert_eq!(read_query(b"{\"inputs\": [", &model, &config).unwrap_err().status(), 400);
/// ```
pub fn read_query(
    body: &[u8],
    model: &ModelInfo,
    config: &ServerConfig,
) -> Result<Query, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::at(
            StatusCode::BAD_REQUEST,
            "the request body is not valid JSON",
            "",
            format!("{e}; send the query as one JSON object (docs/protocol.md section 3)"),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::invalid(ValidationErrors::new(vec![Problem {
            path: String::new(),
            message: "the query must be a JSON object such as {\"inputs\": [...]}; see GET /api/models/{id}/example-query".into(),
        }])));
    }
    let query = Query::from_value(value).map_err(ApiError::invalid)?;
    let id = ModelId::from(model.model_id.as_str());
    let mut spec = model.spec.clone();
    spec.max_total_samples = Some(
        spec.max_total_samples
            .map_or(config.max_total_samples, |m| {
                m.min(config.max_total_samples)
            }),
    );
    spec.max_inputs = Some(
        spec.max_inputs
            .map_or(config.max_inputs, |m| m.min(config.max_inputs)),
    );
    let mut problems = match validate(&id, &query, Some(&spec)) {
        Ok(()) => Vec::new(),
        Err(e) => e.errors,
    };
    // `validate` checks the sample limit for the GEM families only; a model with
    // another kind of id gets the same limit here.
    if id.family().is_none() {
        let total = query.total_samples();
        if let Some(max) = spec.max_total_samples.filter(|&m| total > m) {
            problems.push(Problem {
                path: "inputs".into(),
                message: format!(
                    "{total} samples in all is over this server's limit of {max}; split the query"
                ),
            });
        }
    }
    if problems.is_empty() {
        Ok(query)
    } else {
        Err(ApiError::invalid(ValidationErrors::new(problems)))
    }
}
