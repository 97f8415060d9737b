//! One error type for the whole API: a stable machine-readable code, its HTTP
//! status, and a human message, rendered as `{"error":{"code","message"}}`.
use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;

macro_rules! error_codes {
    ($($variant:ident => $status:ident, $name:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Code { $($variant),* }

        impl Code {
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }
            pub fn http(self) -> StatusCode {
                match self { $(Code::$variant => StatusCode::$status),* }
            }
        }
    };
}

error_codes! {
    MalformedJson => BAD_REQUEST, "malformed_json";
    BadRequest => BAD_REQUEST, "bad_request";
    InvalidRequest => UNPROCESSABLE_ENTITY, "invalid_request";
    ValidationFailed => UNPROCESSABLE_ENTITY, "validation_failed";
    WindowClosed => UNPROCESSABLE_ENTITY, "window_closed";
    Unauthenticated => UNAUTHORIZED, "unauthenticated";
    InvalidCredentials => UNAUTHORIZED, "invalid_credentials";
    InvalidSignature => UNAUTHORIZED, "invalid_signature";
    CsrfFailed => FORBIDDEN, "csrf_failed";
    Forbidden => FORBIDDEN, "forbidden";
    SupportReadOnly => FORBIDDEN, "support_read_only";
    SupportAccessNotGranted => FORBIDDEN, "support_access_not_granted";
    EmailUnverified => FORBIDDEN, "email_unverified";
    SignupClosed => FORBIDDEN, "signup_closed";
    NotFound => NOT_FOUND, "not_found";
    RouteNotFound => NOT_FOUND, "route_not_found";
    MethodNotAllowed => METHOD_NOT_ALLOWED, "method_not_allowed";
    AlreadySetup => CONFLICT, "already_setup";
    EmailTaken => CONFLICT, "email_taken";
    Conflict => CONFLICT, "conflict";
    NotConfigured => CONFLICT, "not_configured";
    FlowConflict => CONFLICT, "flow_conflict";
    LimitReached => CONFLICT, "limit_reached";
    LeadElsewhere => CONFLICT, "lead_elsewhere";
    BusinessSuspended => FORBIDDEN, "business_suspended";
    FlowInvalid => UNPROCESSABLE_ENTITY, "flow_invalid";
    PayloadTooLarge => PAYLOAD_TOO_LARGE, "payload_too_large";
    UnsupportedMediaType => UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type";
    RateLimited => TOO_MANY_REQUESTS, "rate_limited";
    BadGateway => BAD_GATEWAY, "upstream_error";
    Internal => INTERNAL_SERVER_ERROR, "internal_error";
    Storage => INTERNAL_SERVER_ERROR, "storage_error";
    Unavailable => SERVICE_UNAVAILABLE, "unavailable";
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    pub details: Option<Vec<FieldError>>,
    pub retry_after_secs: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            details: None,
            retry_after_secs: None,
        }
    }

    /// The one answer for "missing, another tenant's, or outside your scope":
    /// the three are indistinguishable so nothing leaks about existence.
    pub fn not_found(what: &str) -> Self {
        Self::new(Code::NotFound, format!("{what} not found"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(Code::Forbidden, message)
    }

    pub fn unauthenticated() -> Self {
        Self::new(Code::Unauthenticated, "Sign in to continue")
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Code::Internal, message)
    }

    pub fn validation(details: Vec<FieldError>) -> Self {
        let message = details
            .iter()
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError {
            code: Code::ValidationFailed,
            message,
            details: Some(details),
            retry_after_secs: None,
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        ApiError {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(
                Code::RateLimited,
                format!(
                    "Too many attempts; try again in {} seconds",
                    retry_after_secs.max(1)
                ),
            )
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for ApiError {}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a Vec<FieldError>>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.http()
    }

    fn error_response(&self) -> HttpResponse {
        if self.code.http().is_server_error() {
            tracing::error!(code = self.code.name(), message = %self.message, "request failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        if let Some(secs) = self.retry_after_secs {
            res.insert_header(("Retry-After", secs.to_string()));
        }
        res.insert_header(("Cache-Control", "no-store"));
        res.json(Body {
            error: Inner {
                code: self.code.name(),
                // Internal details stay in the log, never in a response; what
                // Meta or a sign-in provider answered (502) is the user's to act on.
                message: if self.code.http().is_server_error() && self.code != Code::BadGateway {
                    "Something went wrong on our side"
                } else {
                    &self.message
                },
                details: self.details.as_ref(),
            },
        })
    }
}

/// Collects field errors so a form gets every problem in one answer.
#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok {
            self.errors.push(FieldError {
                field: field.to_string(),
                message: message.to_string(),
            });
        }
        self
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }
}
