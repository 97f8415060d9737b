//! A user's own sessions: `GET /api/auth/sessions` lists the signed-in
//! browsers, `DELETE /api/auth/sessions/{id}` ends one and
//! `DELETE /api/auth/sessions` ends all but the calling one. Ending a session
//! deletes its record, so its cookie answers 401 from the next request on.
//! Each ending is audited (`session_revoked`).
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::{
    actor::{Actor, Via},
    session::{self, Session},
};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    store::{ids::SessionId, WriteCtx},
    time::rfc3339,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/auth/sessions", list)
        .delete("/api/auth/sessions", end_others)
        .delete("/api/auth/sessions/{id}", end_one)
        .answers(&[204]);
}

/// "Firefox on Linux": enough to recognise a device, from the user agent.
pub fn device(ua: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} on {o}"),
        (Some(b), None) => b.to_string(),
        (None, Some(o)) => o.to_string(),
        (None, None) if ua.is_empty() => "Unknown device".to_string(),
        (None, None) => ua.chars().take(40).collect(),
    }
}

fn current_id(actor: &Actor) -> Option<SessionId> {
    match &actor.via {
        Via::Session(s) => Some(s.id),
        Via::Token(_) => None,
    }
}

fn json_of(s: &Session, current: Option<SessionId>) -> Value {
    json!({"id": s.id, "created_at": rfc3339(s.created_at), "last_seen_at": rfc3339(s.last_seen_at),
           "expires_at": rfc3339(s.expires_at), "ip": s.ip, "user_agent": s.user_agent,
           "device": device(&s.user_agent), "current": Some(s.id) == current})
}

async fn list(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let current = current_id(&actor);
    let mut items = session::list_for(&state.store.read()?, actor.user.id)?;
    items.sort_by_key(|s| std::cmp::Reverse(s.last_seen_at));
    Ok(HttpResponse::Ok().json(json!({
        "items": items.iter().map(|s| json_of(s, current)).collect::<Vec<_>>(),
        "next_cursor": null,
    })))
}

/// Ends `s` and audits it, in one transaction.
fn revoke(ctx: &mut WriteCtx, origin: &Origin, who: &Who, s: &Session) -> ApiResult<()> {
    session::delete(ctx, s)?;
    let note = Note::new(
        Action::SessionRevoked,
        s.business_id,
        who.clone(),
        format!(
            "Ended a session signed in from {} ({})",
            if s.ip.is_empty() {
                "an unknown address"
            } else {
                &s.ip
            },
            device(&s.user_agent)
        ),
    )
    .target("session", s.id);
    audit::record(ctx, origin, &note)?;
    Ok(())
}

async fn end_one(
    state: web::Data<AppState>,
    actor: Actor,
    origin: Origin,
    id: web::Path<SessionId>,
) -> ApiResult<HttpResponse> {
    let (id, user, who) = (id.into_inner(), actor.user.id, Who::user(&actor.user));
    state
        .store
        .write(move |ctx| {
            // Another user's session is as absent as a missing one.
            let s = session::get(ctx, id)?
                .filter(|s| s.user_id == user)
                .ok_or_else(|| ApiError::not_found("session"))?;
            revoke(ctx, &origin, &who, &s)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn end_others(
    state: web::Data<AppState>,
    actor: Actor,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    let (current, user, who) = (current_id(&actor), actor.user.id, Who::user(&actor.user));
    let ended = state
        .store
        .write(move |ctx| {
            let others: Vec<Session> = session::list_for(ctx, user)?
                .into_iter()
                .filter(|s| Some(s.id) != current)
                .collect();
            for s in &others {
                revoke(ctx, &origin, &who, s)?;
            }
            Ok(others.len())
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"ended": ended})))
}

#[cfg(test)]
mod tests {
    use super::device;

    #[test]
    fn devices_are_named_from_the_user_agent() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        let chrome_android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(device(firefox), "Firefox on Linux");
        assert_eq!(device(chrome_android), "Chrome on Android");
        assert_eq!(device(safari), "Safari on iOS");
        assert_eq!(device(""), "Unknown device");
    }
}
