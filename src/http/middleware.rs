//! Cross-cutting request handling: request ids, access log and metrics,
//! security headers, and CSRF enforcement for cookie-authenticated writes.
use std::time::Instant;

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{header::HeaderValue, Method},
    middleware::{DefaultHeaders, Next},
    web, Error, ResponseError,
};
use subtle::ConstantTimeEq;
use tracing::Instrument;

use super::{routes::RoutePattern, AppState};
use crate::{
    auth::session::{CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE},
    error::{ApiError, Code},
};

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get("X-Request-Id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_string)
        .unwrap_or_else(|| ulid::Ulid::new().to_string())
}

/// Request id, structured access log and per-route metrics.
pub async fn observe<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    // Kept only when the access log is on: a webhook flood pays for no copy.
    let path = tracing::enabled!(target: "access", tracing::Level::INFO)
        .then(|| req.path().to_string())
        .unwrap_or_default();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    let span = tracing::info_span!("http", request_id = %id);
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let (status, route) = match &result {
        Ok(res) => (
            res.status().as_u16(),
            res.request()
                .app_data::<RoutePattern>()
                .map_or("unmatched", |p| p.0),
        ),
        Err(e) => (e.as_response_error().status_code().as_u16(), "unmatched"),
    };
    if let Some(m) = metrics {
        m.record_request(&method, route, status, elapsed);
    }
    span.in_scope(|| {
        tracing::info!(
            target: "access",
            method = %method,
            path = %path,
            route = %route,
            status,
            micros = elapsed.as_micros() as u64,
        )
    });
    let mut res = result?;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(
            "x-request-id"
                .parse()
                .map_err(actix_web::error::ErrorInternalServerError)?,
            v,
        );
    }
    Ok(res)
}

/// Unauthenticated entry points: they create sessions rather than use one.
const CSRF_EXEMPT: &[&str] = &[
    "/api/setup",
    "/api/auth/login",
    "/api/auth/signup",
    "/api/auth/forgot",
    "/api/auth/reset",
    "/api/invites/accept",
    "/api/invites/lookup",
];

fn needs_csrf(req: &ServiceRequest) -> bool {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Only a bearer token replaces the cookie; any other Authorization
    // header leaves the request judged by its cookie, so it needs the token.
    let bearer = crate::auth::actor::bearer(req.request()).is_some();
    // The path as the router reads it: `/%61pi/…` reaches `/api/…` routes.
    let path = req.match_info().as_str();
    !safe
        && !bearer
        && path.starts_with("/api/")
        && !CSRF_EXEMPT.contains(&path)
        && req.cookie(SESSION_COOKIE).is_some()
}

fn csrf_ok(req: &ServiceRequest) -> bool {
    let header = req.headers().get(CSRF_HEADER).map(|v| v.as_bytes());
    let cookie = req.cookie(CSRF_COOKIE);
    match (header, cookie) {
        (Some(h), Some(c)) if !c.value().is_empty() => bool::from(h.ct_eq(c.value().as_bytes())),
        _ => false,
    }
}

/// Double-submit CSRF: a cookie-authenticated write must echo the `wf_csrf`
/// cookie in `X-CSRF-Token`. Bearer-authenticated requests are exempt.
pub async fn csrf<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    if needs_csrf(&req) && !csrf_ok(&req) {
        let res = ApiError::new(
            Code::CsrfFailed,
            "Missing or wrong X-CSRF-Token header; reload the page and try again",
        )
        .error_response();
        return Ok(req.into_response(res).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
