//! The endpoints of docs/protocol.md section 2 and the bearer-key check in front of them.

use crate::api_error::ApiError;
use crate::arrow_stream::{write_arrow, ARROW_STREAM_MEDIA_TYPE};
use crate::body_stream::blocking_body;
use crate::intake::{check_content_type, read_query};
use crate::jobs::{Failure, Ready, Status, Work};
use crate::state::AppState;
use crate::token::secrets_equal;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query as UrlQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use synthbio_core::{ModelId, PredictError};

type Shared = State<Arc<AppState>>;

/// The whole application: protected endpoints, the signed download, a JSON 404.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let body_limit = state.config.max_body_bytes;
    let protected = Router::new()
        .route("/api/models", get(list_models))
        .route("/api/models/{id}/example-query", get(example_query))
        .route(
            "/api/models/{id}/predict",
            post(predict).layer(DefaultBodyLimit::max(body_limit)),
        )
        .route("/api/model-queries/{qid}/status", get(status))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&state), auth));
    Router::new()
        .merge(protected)
        .route("/api/downloads/{qid}", get(download))
        .fallback(not_found)
        .method_not_allowed_fallback(wrong_method)
        .with_state(state)
}

/// Lets a request through when no key is configured or it carries the key.
async fn auth(State(st): Shared, request: Request, next: Next) -> Response {
    let Some(key) = &st.config.api_key else {
        return next.run(request).await;
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    // Only the method and path are logged: never the header, nor the URL's query.
    let refused = |why: &str| {
        tracing::debug!(
            method = %request.method(),
            path = request.uri().path(),
            "refused a request: {why}"
        );
    };
    match given {
        None => {
            refused("no API key");
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this server needs an API key: send the header Authorization: Bearer <key>",
            )
            .into_response()
        }
        Some(token) if secrets_equal(token.as_bytes(), key.as_bytes()) => next.run(request).await,
        Some(_) => {
            refused("wrong API key");
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "the API key is not valid for this server; check the key you configured",
            )
            .into_response()
        }
    }
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no endpoint at {}; the endpoints are listed in docs/protocol.md section 2",
            uri.path()
        ),
    )
}

async fn wrong_method(method: axum::http::Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{method} is not used at {}; docs/protocol.md section 2 lists each endpoint's method",
            uri.path()
        ),
    )
}

async fn list_models(State(st): Shared) -> Response {
    Json(json!({ "models": st.models })).into_response()
}

async fn example_query(State(st): Shared, Path(id): Path<String>) -> Result<Response, ApiError> {
    if st.model(&id).is_none() {
        return Err(ApiError::unknown_model(&id));
    }
    let predictor = Arc::clone(&st.predictor);
    let model = ModelId::from(id.as_str());
    let answer = tokio::task::spawn_blocking(move || predictor.example_query(&model)).await;
    match answer {
        Ok(Ok(query)) => Ok(Json(json!({ "example_query": query })).into_response()),
        Ok(Err(PredictError::UnknownModel(_))) => Err(ApiError::unknown_model(&id)),
        Ok(Err(e)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("no example query for {id:?}: {e}"),
        )),
        Err(_) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the model crashed while building an example query for {id:?}"),
        )),
    }
}

/// Whether the client asked for the synchronous Arrow stream.
fn wants_arrow(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f64>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            media.eq_ignore_ascii_case(ARROW_STREAM_MEDIA_TYPE) && !refused
        })
}

async fn predict(
    State(st): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Some(model) = st.model(&id).cloned() else {
        return Err(ApiError::unknown_model(&id));
    };
    check_content_type(&headers)?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is over this server's limit of {} bytes; split the query into smaller ones",
                    st.config.max_body_bytes
                ),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("the request body could not be read: {}", rejection.body_text()),
            )
        }
    })?;
    // Parsing a large body is real work: keep it off the async executor.
    let query = {
        let st = Arc::clone(&st);
        let model = model.clone();
        tokio::task::spawn_blocking(move || read_query(&body, &model, &st.config))
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "reading the query crashed; check that it follows docs/protocol.md section 3",
                )
            })??
    };
    st.jobs.check_memory(&model, &query)?;
    let slot = st.jobs.reserve()?;
    let work = Work {
        predictor: Arc::clone(&st.predictor),
        model: model.clone(),
        query,
    };
    if wants_arrow(&headers) {
        let (dataset, memory) = st
            .jobs
            .run(Some(slot), work)
            .await
            .map_err(|f| failure_response(&id, f))?;
        let ready = Ready {
            dataset: Arc::new(dataset),
            family: model.family,
            model_version: model.model_version,
        };
        // The dataset's memory stays reserved until it is written out.
        let body = blocking_body(
            move |w| {
                let written = write_arrow(w, &ready).map_err(std::io::Error::other);
                drop(memory);
                written
            },
            || {},
        );
        let mut response = Response::new(body);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(ARROW_STREAM_MEDIA_TYPE),
        );
        return Ok(response);
    }
    let qid = st.jobs.submit(slot, work).await?;
    Ok(Json(json!({ "modelQueryId": qid })).into_response())
}

/// The error answer of a synchronous prediction that produced nothing.
fn failure_response(id: &str, failure: Failure) -> ApiError {
    match failure {
        Failure::Predict(PredictError::Invalid(errors)) => ApiError::invalid(errors),
        Failure::Predict(PredictError::UnknownModel(_)) => ApiError::unknown_model(id),
        Failure::Shutdown => ApiError::unavailable(failure.message()),
        other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, other.message()),
    }
}

async fn status(
    State(st): Shared,
    Path(qid): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let status = st.jobs.status(&qid).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no query {qid:?} here: unknown, or finished more than {} s ago and removed",
                st.config.result_retention.as_secs()
            ),
        )
    })?;
    let body = match status {
        Status::Running => json!({ "status": "running" }),
        Status::Failed(message) => json!({ "status": "failed", "message": message }),
        Status::Ready { token } => {
            let base = base_url(&st, &headers, &uri);
            json!({
                "status": "ready",
                "downloadUrl": format!("{base}/api/downloads/{qid}?token={token}"),
            })
        }
    };
    Ok(Json(body).into_response())
}

/// The absolute base URL clients reach this server at.
fn base_url(st: &AppState, headers: &HeaderMap, uri: &Uri) -> String {
    if let Some(url) = &st.config.public_base_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = uri
        .authority()
        .map(|a| a.as_str().to_string())
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        })
        // Only a plain host[:port] goes into a URL handed back to clients.
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-_:[]".contains(&b))
        })
        .unwrap_or_else(|| st.local_addr.to_string());
    format!("http://{host}")
}

#[derive(Deserialize)]
struct DownloadParams {
    token: Option<String>,
}

async fn download(
    State(st): Shared,
    Path(qid): Path<String>,
    UrlQuery(params): UrlQuery<DownloadParams>,
) -> Result<Response, ApiError> {
    let token = params.token.unwrap_or_default();
    let mut file = st.jobs.download(&qid, &token)?;
    let jobs = Arc::clone(&st.jobs);
    // Streamed from the result file, chunk by chunk.
    let body = blocking_body(
        move |w| std::io::copy(&mut file, w).map(drop),
        move || jobs.delivered(&qid),
    );
    let mut response = Response::new(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
