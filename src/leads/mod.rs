//! Manual leads: a person typed in by staff becomes (or joins) a contact and a
//! conversation with `source: manual`, assigned in the same write through the
//! business's default pool, unless an assignee is chosen.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::{
    assignment::{self, Channel},
    auth::MemberActor,
    channels::whatsapp::numbers,
    contacts::{self, phone, Identity},
    conversations::{
        model::{Conversation, Direction, Message, MessageStatus, Note, Source, Status},
        repo,
    },
    error::{ApiError, ApiResult, Validator},
    events::Event,
    http::{AppState, Routes},
    store::{
        ids::{ConversationId, MemberId, MessageId, NumberId},
        WriteCtx,
    },
    tenancy::{repo as tenancy, Role, Scope},
    time::now_ms,
};

pub fn routes(r: &mut Routes) {
    r.post("/api/leads", create);
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeadBody {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    note: Option<String>,
    /// A WhatsApp number the lead belongs to (replies go out through it).
    channel_id: Option<NumberId>,
    assignee_id: Option<MemberId>,
}

struct Lead {
    who: Identity,
    note: Option<String>,
    number: Option<NumberId>,
    assignee: Option<MemberId>,
}

fn clean(body: LeadBody, default_country: &str) -> ApiResult<Lead> {
    let mut v = Validator::default();
    let trimmed = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let (name, raw_phone, email, note) = (
        trimmed(body.name),
        trimmed(body.phone),
        trimmed(body.email).map(|e| e.to_lowercase()),
        trimmed(body.note),
    );
    v.check(
        raw_phone.is_some() || email.is_some(),
        "phone",
        "a phone or an email is required",
    );
    v.check(
        name.as_ref().is_none_or(|n| n.chars().count() <= 120),
        "name",
        "must be at most 120 characters",
    );
    let mut phone_e164 = None;
    if let Some(p) = &raw_phone {
        match phone::normalize(p, default_country) {
            Ok(e) => phone_e164 = Some(e),
            Err(why) => {
                v.check(false, "phone", why);
            }
        }
    }
    if let Some(e) = &email {
        let ok = e.len() <= 254
            && e.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty() && host.contains('.') && !host.starts_with('.')
            });
        v.check(ok, "email", "is not an email address");
    }
    v.check(
        note.as_ref().is_none_or(|n| n.chars().count() <= 4096),
        "note",
        "must be at most 4096 characters",
    );
    v.finish()?;
    Ok(Lead {
        who: Identity {
            name,
            phone: phone_e164,
            wa_user_id: None,
            email,
        },
        note,
        number: body.channel_id,
        assignee: body.assignee_id,
    })
}

/// Who the new lead goes to: the chosen member (as far as the caller may hand
/// out work), else the channel's or the business's pool, else the caller.
fn assignee_for(
    ctx: &mut WriteCtx,
    scope: &Scope,
    lead: &Lead,
    conversation: ConversationId,
) -> ApiResult<Option<MemberId>> {
    let b = scope.business_id;
    if let Some(m) = lead.assignee {
        tenancy::member(ctx, b, m)?
            .ok_or_else(|| ApiError::field("assignee_id", "no such member"))?;
        let may = m == scope.member_id || scope.role != Role::Member;
        if !may || !scope.sees_conversation(Some(m)) {
            return Err(ApiError::forbidden(
                "You cannot give this lead to that member",
            ));
        }
        return Ok(Some(m));
    }
    let channel = lead.number.map_or(Channel::Manual, Channel::WhatsApp);
    if assignment::pool(ctx, b, channel)?.is_some() {
        return assignment::assign_new(ctx, b, channel, conversation);
    }
    Ok(Some(scope.member_id))
}

fn record(
    ctx: &mut WriteCtx,
    scope: &Scope,
    author: &str,
    lead: &Lead,
) -> ApiResult<(Conversation, bool)> {
    let b = scope.business_id;
    if let Some(n) = lead.number {
        numbers::get(ctx, b, n)?.ok_or_else(|| ApiError::field("channel_id", "no such channel"))?;
    }
    let (contact, _) = contacts::upsert(ctx, b, &lead.who)?;
    let now = now_ms();
    let existing = repo::for_channel(ctx, b, contact.id, lead.number)?;
    let is_new = existing.is_none();
    let mut c = existing
        .clone()
        .unwrap_or_else(|| Conversation::start(b, contact.id, lead.number, Source::Manual, now));
    if is_new || lead.assignee.is_some() {
        c.assignee_id = assignee_for(ctx, scope, lead, c.id)?;
    }
    c.status = Status::Open;
    c.updated_at = now.max(c.updated_at);
    // The timeline says where the lead came from; it opens no WhatsApp window.
    let event = Message {
        id: MessageId::new(),
        business_id: b,
        conversation_id: c.id,
        direction: Direction::In,
        kind: "system".into(),
        text: format!("Lead added by {author}"),
        details: json!({"source": "manual"}).to_string(),
        wa_message_id: None,
        status: MessageStatus::Received,
        error: None,
        author_id: Some(scope.member_id),
        reply_to: None,
        reactions: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    repo::save_message(ctx, &event)?;
    if let Some(text) = &lead.note {
        repo::add_note(
            ctx,
            b,
            &Note {
                id: MessageId::new(),
                conversation_id: c.id,
                author_id: scope.member_id,
                text: text.clone(),
                created_at: now,
            },
        )?;
    }
    repo::save(ctx, existing.as_ref(), &c)?;
    ctx.emit(Event::new(
        Some(b),
        if is_new { "conversation.new" } else { "conversation.updated" },
        json!({"conversation_id": c.id, "assignee_id": c.assignee_id, "unassigned": c.assignee_id.is_none(),
               "previous_assignee_id": existing.as_ref().map(|e| e.assignee_id)}),
    ));
    Ok((c, is_new))
}

async fn create(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<LeadBody>,
) -> ApiResult<HttpResponse> {
    let lead = clean(body.into_inner(), &actor.business.default_country)?;
    let scope = actor.scope.clone();
    let author = actor.user.name.clone();
    let (c, is_new) = state
        .store
        .write(move |ctx| record(ctx, &scope, &author, &lead))
        .await?;
    let body =
        json!({"conversation_id": c.id, "contact_id": c.contact_id, "assignee_id": c.assignee_id});
    Ok(if is_new {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}
