//! `GET /api/ws`: authenticated like any API call (cookie with a same-origin
//! check, a bearer token, or `?token=`), then a loop that forwards hub frames,
//! takes `join`/`leave`, and drops the socket when heartbeats go unanswered.
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::Message;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::Socket;
use crate::{
    auth::{actor, session, tokens, users, MemberActor},
    conversations::access::Conversations,
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    store::ids::{ConversationId, RecordId},
    time::now_ms,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/ws", connect);
}

#[derive(Deserialize)]
struct Incoming {
    #[serde(rename = "type")]
    kind: String,
    conversation_id: Option<ConversationId>,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// A browser's cookie is only good from our own pages.
fn same_origin(req: &HttpRequest) -> bool {
    let host = req.headers().get("Host").and_then(|v| v.to_str().ok());
    let origin = req.headers().get("Origin").and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some(o), Some(h)) => o.split("://").nth(1) == Some(h),
        (None, _) => true, // not a browser
        _ => false,
    }
}

async fn connect(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
) -> ApiResult<HttpResponse> {
    let actor = match &q.token {
        Some(t) => actor::authenticate_token(&req, t)?,
        None => {
            let a = actor::authenticate(&req)?;
            if matches!(a.via, actor::Via::Session(_)) && !same_origin(&req) {
                return Err(ApiError::forbidden("WebSocket from another origin"));
            }
            a
        }
    };
    let actor = MemberActor::from_actor(&req, actor)?;
    let (res, session, stream) = actix_ws::handle(&req, body)
        .map_err(|e| ApiError::new(crate::error::Code::BadRequest, e.to_string()))?;
    let (tx, rx) = mpsc::channel(super::QUEUE);
    let id = RecordId::new();
    state.hub.register(
        id,
        Socket {
            user_id: actor.user.id,
            business_id: actor.business.id,
            member_id: actor.member.id,
            name: actor.user.name.clone(),
            scope: actor.scope.clone(),
            viewing: None,
            out: tx.clone(),
        },
    );
    // A new tab learns who is already online, then follows changes.
    for p in state.hub.online(actor.business.id, &actor.scope) {
        let _ = tx.try_send(super::frame("presence", p));
    }
    actix_web::rt::spawn(serve(state.into_inner(), actor, id, session, stream, rx));
    Ok(res)
}

async fn serve(
    state: std::sync::Arc<AppState>,
    actor: MemberActor,
    id: RecordId,
    mut session: actix_ws::Session,
    mut stream: actix_ws::MessageStream,
    mut rx: mpsc::Receiver<bytestring::ByteString>,
) {
    let mut last_seen = Instant::now();
    let realtime = &state.config.realtime;
    let mut beat = tokio::time::interval(Duration::from_secs(realtime.heartbeat_secs.max(1)));
    let timeout = Duration::from_secs(realtime.client_timeout_secs.max(1));
    loop {
        tokio::select! {
            frame = rx.recv() => match frame {
                Some(text) => if session.text(text).await.is_err() { break },
                None => break,
            },
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    last_seen = Instant::now();
                    handle(&state, &actor, id, &text);
                }
                Some(Ok(Message::Ping(p))) => {
                    last_seen = Instant::now();
                    if session.pong(&p).await.is_err() { break }
                }
                Some(Ok(Message::Pong(_))) => last_seen = Instant::now(),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => last_seen = Instant::now(),
            },
            _ = beat.tick() => {
                if last_seen.elapsed() > timeout
                    || !credential_stands(&state, &actor)
                    || !visit_stands(&state, &actor)
                    || session.ping(b"").await.is_err()
                {
                    break;
                }
            }
        }
    }
    state.hub.unregister(actor.business.id, id);
    let _ = session.close(None).await;
}

/// A socket lives only as long as what opened it: signing out, ending the
/// session elsewhere, changing the password or revoking the token closes it
/// within a heartbeat, as the next request on that credential would fail.
fn credential_stands(state: &AppState, actor: &MemberActor) -> bool {
    let Ok(r) = state.store.read() else {
        return false;
    };
    let user_current = users::get(&r, actor.user.id)
        .ok()
        .flatten()
        .is_some_and(|u| u.token_version == actor.user.token_version);
    let credential_current = match &actor.via {
        actor::Via::Session(s) => session::get(&r, s.id)
            .ok()
            .flatten()
            .is_some_and(|s| s.expires_at > now_ms()),
        actor::Via::Token(t) => tokens::get(&r, t.id).ok().flatten().is_some(),
    };
    user_current && credential_current
}

/// A support visit's socket closes within a heartbeat of the visit ending
/// (grant revoked or run out, or the admin left); everyone else's stays.
fn visit_stands(state: &AppState, actor: &MemberActor) -> bool {
    match (&actor.support, &actor.via) {
        (Some(_), actor::Via::Session(s)) => state.store.read().is_ok_and(|r| {
            crate::tenancy::support::still_visiting(&r, &actor.user, s.id).unwrap_or(false)
        }),
        (Some(_), actor::Via::Token(_)) => false,
        (None, _) => true,
    }
}

/// `join` a conversation the member may see (presence: viewing it), or `leave`.
fn handle(state: &AppState, actor: &MemberActor, id: RecordId, text: &str) {
    let Ok(msg) = serde_json::from_str::<Incoming>(text) else {
        return;
    };
    match (msg.kind.as_str(), msg.conversation_id) {
        ("join", Some(c)) => {
            let scope = state.hub.scope_of(actor.business.id, id);
            let allowed = scope.is_some_and(|scope| {
                state
                    .store
                    .read()
                    .is_ok_and(|r| Conversations::new(&r, &scope).get(c).is_ok())
            });
            if allowed {
                state.hub.view(actor.business.id, id, Some(c));
            }
        }
        ("leave", _) => state.hub.view(actor.business.id, id, None),
        _ => {}
    }
}
