//! Error answers in the protocol's `{"error": ..., "errors": [{"path", "message"}]}` shape.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use synthbio_core::{Problem, ValidationErrors};

/// Seconds a client is told to wait (`Retry-After`) when the queue is full or the
/// server is shutting down.
pub(crate) const RETRY_AFTER_SECS: u64 = 5;

/// An error answer: a status, the JSON body `{"error", "errors": [{"path", "message"}]}`,
/// and the headers that go with it (`Retry-After` on 503, `WWW-Authenticate` on 401).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ValidationErrors,
}

impl ApiError {
    /// An error without paths (`errors` is an empty list).
    pub(crate) fn new(status: StatusCode, error: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ValidationErrors {
                error: error.into(),
                errors: Vec::new(),
            },
        }
    }

    /// An error with one problem at a JSON path.
    pub(crate) fn at(
        status: StatusCode,
        error: impl Into<String>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            body: ValidationErrors {
                error: error.into(),
                errors: vec![Problem {
                    path: path.into(),
                    message: message.into(),
                }],
            },
        }
    }

    /// A 422 with every problem the validation found.
    pub(crate) fn invalid(errors: ValidationErrors) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: errors,
        }
    }

    /// 404 for a model this server does not serve.
    pub(crate) fn unknown_model(id: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("model {id:?} is not served here; list the models with GET /api/models"),
        )
    }

    /// 503 with `Retry-After`.
    pub(crate) fn unavailable(error: impl Into<String>) -> Self {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, error)
    }
}

impl ApiError {
    /// The HTTP status, e.g. 400 or 422.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The body: a summary and every problem with its JSON path.
    pub fn errors(&self) -> &ValidationErrors {
        &self.body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = (status, Json(self.body)).into_response();
        let headers = response.headers_mut();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
