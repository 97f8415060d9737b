//! Walk-in channels: a public form at `/w/{slug}` (no login) that a customer
//! opens from the QR code in the shop. Each submission becomes a lead through
//! the channel's pool; the thank-you page names who will get back to them.
//! A honeypot field and a per-IP limit keep bots and floods out.
use actix_web::{http::header, web, HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;
use serde_json::json;

use super::{by_slug, qr, walkin_pages as pages, CustomChannel, Kind};
use crate::{
    assignment::Channel as PoolChannel,
    conversations::model::Source,
    error::{ApiError, ApiResult, FieldError},
    http::{client_ip::client_ip, AppState, Routes},
    leads::{self, Capture, Fields},
    tenancy::{model::Business, repo as tenancy},
};

pub fn routes(r: &mut Routes) {
    r.get("/w/{slug}", show_form)
        .post("/w/{slug}", submit)
        .answers(&[200, 201])
        .get("/w/{slug}/qr.svg", qr_svg)
        .get("/w/{slug}/qr.png", qr_png)
        .get("/w/{slug}/poster", poster)
        .get("/w/{slug}/thanks.js", thanks_js);
}

/// `loja-centro-4k2p`: readable on a poster, unguessable enough to keep
/// drive-by spam off other channels' forms.
pub fn new_slug(name: &str) -> String {
    let mut base = String::new();
    for ch in name.to_lowercase().chars() {
        let ch = match ch {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        };
        if ch.is_ascii_alphanumeric() {
            base.push(ch);
        } else if !base.ends_with('-') && !base.is_empty() {
            base.push('-');
        }
    }
    let base: String = base.trim_matches('-').chars().take(32).collect();
    let tail = crate::auth::session::random_token(3);
    match base.trim_end_matches('-') {
        "" => format!("form-{tail}"),
        b => format!("{b}-{tail}"),
    }
}

struct Walkin {
    channel: CustomChannel,
    business: Business,
}

fn find(state: &AppState, slug: &str) -> ApiResult<Option<Walkin>> {
    let read = state.store.read()?;
    let Some(channel) = by_slug(&read, slug)?.filter(|c| c.kind == Kind::Walkin) else {
        return Ok(None);
    };
    Ok(tenancy::business(&read, channel.business_id)?
        .filter(|b| !b.suspended)
        .map(|business| Walkin { channel, business }))
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .body(body)
}

fn not_found(req: &HttpRequest) -> HttpResponse {
    if wants_json(req) {
        return ApiError::not_found("form").error_response();
    }
    html(actix_web::http::StatusCode::NOT_FOUND, pages::missing())
}

fn form_url(state: &AppState, slug: &str) -> String {
    let base = state.config.server.public_url.trim_end_matches('/');
    format!("{base}/w/{slug}")
}

async fn show_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let Some(w) = find(&state, &slug)? else {
        return Ok(not_found(&req));
    };
    Ok(html(
        actix_web::http::StatusCode::OK,
        pages::form(
            &w.business.name,
            &w.channel.name,
            !w.business.default_country.is_empty(),
            &pages::Entered::default(),
            &[],
        ),
    ))
}

#[derive(Deserialize, Default)]
pub struct WalkinForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    note: String,
    /// The honeypot: hidden from people, filled in by form-filling bots.
    #[serde(default)]
    website: String,
}

/// Checks what the customer typed; every problem at once, in their words.
fn check(form: &WalkinForm, default_country: &str) -> Result<leads::Fields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut need = |ok: bool, field: &str, message: &str| {
        if !ok {
            errors.push(FieldError {
                field: field.into(),
                message: message.into(),
            })
        }
    };
    need(
        !form.name.trim().is_empty(),
        "name",
        "Please tell us your name.",
    );
    need(
        !form.phone.trim().is_empty(),
        "phone",
        "Please give us a phone number.",
    );
    let fields = || Fields {
        name: Some(form.name.clone()),
        phone: Some(form.phone.clone()).filter(|p| !p.trim().is_empty()),
        email: Some(form.email.clone()),
        note: Some(form.note.clone()),
    };
    if let Err(e) = leads::validate(fields(), default_country) {
        for d in e.details.unwrap_or_default() {
            if !errors.iter().any(|x| x.field == d.field) {
                let message = match d.field.as_str() {
                    // Without a default country the visitor must give theirs.
                    "phone" if default_country.is_empty() => {
                        "That phone number does not look right. Include the country code, for example +55 11 98765-4321."
                    }
                    "phone" => "That phone number does not look right. Include the area code.",
                    "email" => "That email address does not look right.",
                    "name" => "Please keep your name under 120 characters.",
                    _ => "Please keep your message shorter.",
                };
                errors.push(FieldError {
                    field: d.field,
                    message: message.into(),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(fields())
    } else {
        Err(errors)
    }
}

async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: web::Form<WalkinForm>,
) -> ApiResult<HttpResponse> {
    let Some(w) = find(&state, &slug)? else {
        return Ok(not_found(&req));
    };
    let json = wants_json(&req);
    let ip = client_ip(&req, &state.trusted_proxies);
    if let Err(wait) = state.walkin_limiter.hit(ip) {
        if json {
            return Err(ApiError::rate_limited(wait));
        }
        return Ok(HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", wait.to_string()))
            .content_type("text/html; charset=utf-8")
            .body(pages::slow_down(&w.business.name)));
    }
    let form = form.into_inner();
    if !form.website.trim().is_empty() {
        // A bot: it gets the page it expects and nothing is stored.
        tracing::info!(channel = %w.channel.id, "walk-in honeypot caught a submission");
        return Ok(html(
            actix_web::http::StatusCode::OK,
            pages::thanks(&slug, &w.business.name, "", None),
        ));
    }
    let fields = match check(&form, &w.business.default_country) {
        Ok(f) => f,
        Err(errors) if json => return Err(ApiError::validation(errors)),
        Err(errors) => {
            let entered = pages::Entered {
                name: form.name,
                phone: form.phone,
                email: form.email,
                note: form.note,
            };
            return Ok(html(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                pages::form(
                    &w.business.name,
                    &w.channel.name,
                    !w.business.default_country.is_empty(),
                    &entered,
                    &errors,
                ),
            ));
        }
    };
    let first_name = form
        .name
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string();
    let (who, note) = leads::validate(fields, &w.business.default_country)?;
    let capture = Capture {
        who,
        note,
        number: None,
        source: Source::Walkin,
        channel: PoolChannel::Custom(w.channel.id),
        assignee: None,
        fallback: None,
        origin: format!("Walk-in at {}", w.channel.name),
        author: None,
        live: true,
        labels: Vec::new(),
        details: serde_json::Value::Null,
    };
    let b = w.business.id;
    let (c, assignee) = state
        .store
        .write(move |ctx| {
            let (c, _) = leads::capture(ctx, b, &capture)?;
            let assignee = match c.assignee_id.map(|m| tenancy::member(ctx, b, m)) {
                Some(m) => match m? {
                    Some(m) => crate::auth::users::get(ctx, m.user_id)?,
                    None => None,
                },
                None => None,
            };
            Ok((c, assignee))
        })
        .await?;
    let assignee_name = assignee.map(|m| m.name);
    if json {
        return Ok(HttpResponse::Created().json(json!({
            "conversation_id": c.id, "contact_id": c.contact_id,
            "assignee_id": c.assignee_id, "assignee_name": assignee_name,
        })));
    }
    Ok(html(
        actix_web::http::StatusCode::OK,
        pages::thanks(
            &slug,
            &w.business.name,
            &first_name,
            assignee_name.as_deref(),
        ),
    ))
}

async fn qr_svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let Some(w) = find(&state, &slug)? else {
        return Ok(not_found(&req));
    };
    let svg = qr::svg(&form_url(&state, &slug))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(download(&w.channel.name, "svg"))
        .body(svg))
}

async fn qr_png(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let Some(w) = find(&state, &slug)? else {
        return Ok(not_found(&req));
    };
    let png = qr::png(&form_url(&state, &slug), 12)?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(download(&w.channel.name, "png"))
        .body(png))
}

/// Makes the thank-you page's history entry a plain visit of the form, so a
/// refresh (or back and forward) shows the form instead of posting it again.
/// A file rather than an inline script: the pages' CSP allows only our own.
async fn thanks_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body("history.replaceState(null, \"\", location.href);\n")
}

/// Shown inline, saved under the channel's name.
fn download(name: &str, ext: &str) -> (header::HeaderName, String) {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    (
        header::CONTENT_DISPOSITION,
        format!("inline; filename=\"qr-{safe}.{ext}\""),
    )
}

async fn poster(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let Some(w) = find(&state, &slug)? else {
        return Ok(not_found(&req));
    };
    let url = form_url(&state, &slug);
    let svg = qr::svg(&url)?;
    Ok(html(
        actix_web::http::StatusCode::OK,
        pages::poster(&w.business.name, &w.channel.name, &url, &svg),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_read_like_the_name_and_end_in_a_random_tail() {
        let s = new_slug("Loja Centro — São Paulo!");
        assert!(s.starts_with("loja-centro-sao-paulo-"), "{s}");
        assert_eq!(s.len(), "loja-centro-sao-paulo-".len() + 6);
        assert!(new_slug("???").starts_with("form-"));
        assert_ne!(new_slug("x"), new_slug("x"));
    }

    #[test]
    fn a_form_missing_name_and_phone_names_both_in_plain_words() {
        let errors = check(&WalkinForm::default(), "BR").err().unwrap();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "phone"]);
        let bad = WalkinForm {
            name: "Carla".into(),
            phone: "12".into(),
            email: "nope".into(),
            ..Default::default()
        };
        let errors = check(&bad, "BR").err().unwrap();
        assert!(errors
            .iter()
            .any(|e| e.field == "phone" && e.message.contains("area code")));
        assert!(errors.iter().any(|e| e.field == "email"));
        let local = WalkinForm {
            name: "João".into(),
            phone: "11 98765-4321".into(),
            ..Default::default()
        };
        let errors = check(&local, "").err().unwrap();
        assert!(errors
            .iter()
            .any(|e| e.field == "phone" && e.message.contains("country code")));
    }
}
