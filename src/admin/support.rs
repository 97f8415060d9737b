//! The admin's side of support access: open a read-only visit into a
//! business whose owner granted it, leave it, and the audit of what a visit
//! looked at. The visit is a mark on the admin's own session; the actor layer
//! (`auth::actor`) makes it read-only and ends it with the grant.
use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web, Error, HttpMessage, HttpResponse, ResponseError,
};
use serde_json::json;

use crate::{
    audit::{self, Action, Note, Origin, Who},
    auth::{
        actor::{AdminActor, Via},
        session::{self, SupportVisit},
    },
    error::{ApiError, ApiResult, Code},
    http::{routes::RoutePattern, AppState, Routes},
    store::ids::BusinessId,
    tenancy::{
        repo,
        support::{self, Viewing},
    },
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.post("/api/admin/businesses/{id}/support-session", open)
        .delete("/api/admin/support-session", close)
        .answers(&[204]);
}

fn not_granted() -> ApiError {
    ApiError::new(
        Code::SupportAccessNotGranted,
        "The business's owner has not granted support access, or it has run out",
    )
}

/// Switches the admin's current session into the business, read-only, until
/// the grant ends.
async fn open(
    state: web::Data<AppState>,
    admin: AdminActor,
    origin: Origin,
    id: web::Path<BusinessId>,
) -> ApiResult<HttpResponse> {
    let Via::Session(s) = &admin.0.via else {
        return Err(ApiError::forbidden(
            "A support session is opened from a signed-in browser session",
        ));
    };
    let (sid, user, b) = (s.id, admin.0.user.clone(), id.into_inner());
    let (business, grant) = state
        .store
        .write(move |ctx| {
            let business =
                repo::business(ctx, b)?.ok_or_else(|| ApiError::not_found("business"))?;
            let now = now_ms();
            let grant = support::active(ctx, b, now)?.ok_or_else(not_granted)?;
            let visit = SupportVisit {
                business_id: b,
                grant_id: grant.id,
                opened_at: now,
            };
            session::set_support(ctx, sid, Some(visit))?.ok_or_else(ApiError::unauthenticated)?;
            let note = Note::new(
                Action::SupportSessionOpened,
                Some(b),
                Who::user(&user),
                format!(
                    "{} (platform support) opened the business read-only",
                    user.email
                ),
            )
            .target("business", b);
            audit::record(ctx, &origin, &note)?;
            Ok((business, grant))
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "business_id": business.id, "business_name": business.name,
        "read_only": true, "expires_at": rfc3339(grant.until),
    })))
}

/// Back to the platform. Harmless when no visit is open.
async fn close(
    state: web::Data<AppState>,
    admin: AdminActor,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    let Via::Session(s) = &admin.0.via else {
        return Ok(HttpResponse::NoContent().finish());
    };
    if s.support.is_none() {
        return Ok(HttpResponse::NoContent().finish());
    }
    let (sid, user) = (s.id, admin.0.user.clone());
    // Only a visit still in force is told to the owner as ended by the admin.
    let ended = admin.0.support.as_ref().map(|v| v.business_id);
    state
        .store
        .write(move |ctx| {
            session::set_support(ctx, sid, None)?;
            if let Some(b) = ended {
                let note = Note::new(
                    Action::SupportSessionClosed,
                    Some(b),
                    Who::user(&user),
                    format!("{} (platform support) left the business", user.email),
                )
                .target("business", b);
                audit::record(ctx, &origin, &note)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What a successful read by a visiting admin showed, worth telling the owner:
/// a conversation opened, its messages read, a search. Lists and the rest of
/// the page chrome are not.
fn view_note<B>(res: &ServiceResponse<B>) -> Option<Note> {
    if !res.status().is_success() {
        return None;
    }
    let req = res.request();
    let viewing = req.extensions().get::<Viewing>().cloned()?;
    let pattern = req.app_data::<RoutePattern>()?.0;
    let email = match &viewing.admin {
        Who::User { email, .. } => email.clone(),
        _ => String::new(),
    };
    let id = req.match_info().get("id").unwrap_or_default().to_string();
    // Scrolling back through older messages is the same look.
    let first_page = !req
        .query_string()
        .split('&')
        .any(|kv| kv.strip_prefix("cursor=").is_some_and(|c| !c.is_empty()));
    let (summary, target) = match pattern {
        "/api/conversations/{id}" => (format!("opened conversation {id}"), true),
        "/api/conversations/{id}/messages" if first_page => {
            (format!("read the messages of conversation {id}"), true)
        }
        "/api/search" => ("searched the conversations".to_string(), false),
        _ => return None,
    };
    let note = Note::new(
        Action::SupportView,
        Some(viewing.business_id),
        viewing.admin,
        format!("{email} (platform support) {summary}"),
    );
    Some(if target {
        note.target("conversation", id)
    } else {
        note
    })
}

/// Audits each look of a support visit before its answer leaves: if the
/// entry cannot be written, the admin gets an error instead of the data.
pub async fn audit_views<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let res = next.call(req).await?;
    let Some(note) = view_note(&res) else {
        return Ok(res.map_into_left_body());
    };
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res.map_into_left_body());
    };
    let origin = Origin::of(res.request(), &state.trusted_proxies);
    match audit::record_alone(&state.store, origin, vec![note]).await {
        Ok(()) => Ok(res.map_into_left_body()),
        Err(e) => {
            let (req, _) = res.into_parts();
            Ok(ServiceResponse::new(req, e.error_response()).map_into_right_body())
        }
    }
}
