//! How malformed requests are answered: always the error JSON, never a panic or
//! plain text. Syntax errors are 400, well-formed JSON of the wrong shape 422,
//! oversized bodies 413.
use actix_web::{
    error::{JsonPayloadError, PathError, QueryPayloadError},
    web, HttpRequest, HttpResponse, ResponseError,
};

use crate::error::{ApiError, Code};

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| json_error(err).into())
}

pub fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::new(
            Code::PayloadTooLarge,
            format!("The request body is larger than {limit} bytes"),
        ),
        JsonPayloadError::ContentType => ApiError::new(
            Code::UnsupportedMediaType,
            "Send the body as JSON with Content-Type: application/json",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::new(Code::InvalidRequest, format!("Invalid request body: {e}"))
        }
        JsonPayloadError::Deserialize(e) => ApiError::new(
            Code::MalformedJson,
            format!("The body is not valid JSON: {e}"),
        ),
        other => ApiError::new(
            Code::BadRequest,
            format!("Unreadable request body: {other}"),
        ),
    }
}

pub fn path_config() -> web::PathConfig {
    // A malformed id names nothing that exists.
    web::PathConfig::default()
        .error_handler(|_err: PathError, _req| ApiError::not_found("resource").into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::new(Code::BadRequest, format!("Invalid query string: {err}")).into()
    })
}

pub fn form_config(limit: usize) -> web::FormConfig {
    web::FormConfig::default()
        .limit(limit)
        .error_handler(|err, _req| {
            let e = match err {
                actix_web::error::UrlencodedError::Overflow { .. } => {
                    ApiError::new(Code::PayloadTooLarge, "The form is too large")
                }
                actix_web::error::UrlencodedError::ContentType => ApiError::new(
                    Code::UnsupportedMediaType,
                    "Send the form as application/x-www-form-urlencoded",
                ),
                other => ApiError::new(Code::BadRequest, format!("Invalid form: {other}")),
            };
            e.into()
        })
}

/// For PATCH bodies: tells an absent field (None) from an explicit null
/// (Some(None), which clears the value).
pub fn double_option<'de, T: serde::Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    ApiError::new(
        Code::MethodNotAllowed,
        format!("{} is not supported on {}", req.method(), req.path()),
    )
    .error_response()
}
