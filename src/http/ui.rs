//! The prebuilt UI, embedded in the binary. Hashed files are immutable;
//! `index.html` is never cached; unknown non-API paths get `index.html` so the
//! client-side router can take them.
use actix_web::{http::Method, HttpRequest, HttpResponse, ResponseError};
use rust_embed::RustEmbed;

use crate::error::{ApiError, Code};

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

pub async fn serve(req: HttpRequest) -> HttpResponse {
    let path = req.path();
    if path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/webhooks/")
        || path.starts_with("/internal/")
    {
        return ApiError::new(
            Code::RouteNotFound,
            format!("No route for {} {}", req.method(), path),
        )
        .error_response();
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return ApiError::new(Code::MethodNotAllowed, "Only GET is supported here")
            .error_response();
    }
    let file = path.trim_start_matches('/');
    if !file.is_empty() {
        if let Some(asset) = Assets::get(file) {
            let immutable = file.starts_with("assets/");
            return HttpResponse::Ok()
                .content_type(asset.metadata.mimetype())
                .insert_header((
                    "Cache-Control",
                    if immutable {
                        "public, max-age=31536000, immutable"
                    } else {
                        "no-cache"
                    },
                ))
                .body(asset.data.into_owned());
        }
        if file.starts_with("assets/") {
            return ApiError::new(Code::NotFound, "No such asset").error_response();
        }
    }
    match Assets::get("index.html") {
        Some(index) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-cache"))
            .body(index.data.into_owned()),
        None => HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("The web UI was not built into this binary (run npm run build in ui/)."),
    }
}
