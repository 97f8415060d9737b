//! Leads from our own sources. `capture` is the one write for all of them
//! (manual entry here, webhook channels in `channels::custom`): the contact,
//! joined by phone or email; its conversation on the channel; the assignment
//! through the channel's pool in the same transaction; the timeline line.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::{
    assignment::{self, Channel},
    auth::MemberActor,
    contacts::{self, phone, Identity},
    conversations::{
        model::{Conversation, Direction, Message, MessageStatus, Note, Source, Status},
        repo,
    },
    error::{ApiError, ApiResult, Code, Validator},
    events::Event,
    http::{AppState, Routes},
    store::{
        ids::{BusinessId, MemberId, MessageId, NumberId},
        WriteCtx,
    },
    tenancy::{repo as tenancy, Scope},
    time::now_ms,
};

pub mod list;

pub fn routes(r: &mut Routes) {
    r.post("/api/leads", create).answers(&[200, 201]);
    list::routes(r);
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeadBody {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    note: Option<String>,
    /// The channel the lead came through: a WhatsApp number (replies go out
    /// through it), a walk-in or webhook channel, or a Facebook page; its
    /// pool assigns the lead.
    channel_id: Option<String>,
    assignee_id: Option<MemberId>,
}

struct Lead {
    who: Identity,
    note: Option<String>,
    channel: Option<String>,
    assignee: Option<MemberId>,
}

/// What a source says about a person, as typed: checked and normalised.
#[derive(Clone)]
pub struct Fields {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub note: Option<String>,
}

fn clean(body: LeadBody, default_country: &str) -> ApiResult<Lead> {
    let (who, note) = validate(
        Fields {
            name: body.name,
            phone: body.phone,
            email: body.email,
            note: body.note,
        },
        default_country,
    )?;
    Ok(Lead {
        who,
        note,
        channel: body.channel_id,
        assignee: body.assignee_id,
    })
}

/// For another system's lead, which is rarely sent again after a refusal:
/// a phone or email that does not check out goes into the note as typed, an
/// over-long name or note is cut; refused only when no way to reach the
/// person is left.
pub fn validate_lenient(f: Fields, default_country: &str) -> ApiResult<(Identity, Option<String>)> {
    let cut =
        |s: Option<String>, max: usize| s.map(|s| s.trim().chars().take(max).collect::<String>());
    let mut f = Fields {
        name: cut(f.name, 120),
        note: cut(f.note, 4000),
        ..f
    };
    let mut as_typed = Vec::new();
    loop {
        let err = match validate(f.clone(), default_country) {
            Ok((who, note)) => {
                let note = note
                    .into_iter()
                    .chain(as_typed)
                    .collect::<Vec<_>>()
                    .join("\n");
                return Ok((who, Some(note).filter(|n| !n.is_empty())));
            }
            Err(e) => e,
        };
        let mut moved = false;
        for bad in err.details.clone().unwrap_or_default() {
            let slot = match bad.field.as_str() {
                "phone" => &mut f.phone,
                "email" => &mut f.email,
                _ => continue,
            };
            if let Some(raw) = slot.take() {
                as_typed.push(format!("{} (as typed): {raw}", bad.field));
                moved = true;
            }
        }
        if !moved || (f.phone.is_none() && f.email.is_none()) {
            return Err(err);
        }
    }
}

/// The identity and note of a lead; a 422 naming every bad field otherwise.
pub fn validate(f: Fields, default_country: &str) -> ApiResult<(Identity, Option<String>)> {
    let mut v = Validator::default();
    let trimmed = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let (name, raw_phone, email, note) = (
        trimmed(f.name),
        trimmed(f.phone),
        trimmed(f.email).map(|e| e.to_lowercase()),
        trimmed(f.note),
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
    Ok((
        Identity {
            name,
            phone: phone_e164,
            wa_user_id: None,
            email,
        },
        note,
    ))
}

/// A lead from any source, ready to be written.
pub struct Capture {
    pub who: Identity,
    /// A private note by `author`, or (without an author) a line on the timeline.
    pub note: Option<String>,
    pub number: Option<NumberId>,
    pub source: Source,
    /// The pool it goes through, unless `assignee` is set.
    pub channel: Channel,
    pub assignee: Option<MemberId>,
    /// Who takes it when the channel has no pool.
    pub fallback: Option<MemberId>,
    /// The timeline line: "Lead added by Ana", "Lead from Website form".
    pub origin: String,
    pub author: Option<MemberId>,
    /// What the source adds to the timeline line's details (form and ad ids…).
    pub details: serde_json::Value,
    /// A lead arriving now: it notifies its assignee, may start a flow and
    /// shows in open inboxes at once. Bulk imports are not live.
    pub live: bool,
    /// Labels the conversation gets (joined to those it has).
    pub labels: Vec<String>,
}

/// Writes the lead: the contact (joined by phone or email), its conversation on
/// the channel (reopened if it exists), the assignment, the timeline line.
pub fn capture(
    ctx: &mut WriteCtx,
    b: BusinessId,
    cap: &Capture,
) -> ApiResult<(Conversation, bool)> {
    let (contact, _) = contacts::upsert(ctx, b, &cap.who)?;
    let now = now_ms();
    let thread = repo::thread_for(ctx, b, contact.id, cap.number)?;
    let existing = thread.existing;
    let is_new = existing.is_none();
    let mut c = existing
        .clone()
        .unwrap_or_else(|| Conversation::start(b, contact.id, cap.number, cap.source, now));
    c.number_id = c.number_id.or(cap.number);
    if c.number_id.is_none() {
        // A walk-in, webhook or manual lead is answered on WhatsApp: from
        // the business's number, unless the contact already talks there.
        c.number_id = crate::channels::whatsapp::numbers::default_for(ctx, b)?
            .filter(|n| matches!(repo::for_channel(ctx, b, contact.id, Some(*n)), Ok(None)));
    }
    if let Some(m) = cap.assignee {
        c.assignee_id = Some(m);
        if is_new {
            let why = "chosen by the person who added the lead";
            assignment::explain_direct(ctx, b, cap.channel, c.id, Some(m), why)?;
        }
    } else if is_new {
        c.assignee_id = if assignment::pool(ctx, b, cap.channel)?.is_some() {
            assignment::assign_returning(ctx, b, cap.channel, c.id, thread.previous_assignee)?
        } else {
            let taker = thread.previous_assignee.or(cap.fallback);
            let why = match (thread.previous_assignee, taker) {
                (Some(_), _) => "the channel has no pool: kept the returning contact's assignee",
                (None, Some(_)) => "the channel has no pool: the person who added it takes it",
                (None, None) => "the channel has no pool: waiting in Unassigned",
            };
            assignment::explain_direct(ctx, b, cap.channel, c.id, taker, why)?;
            taker
        };
    } else if c.status == Status::Closed {
        if let Some(next) = assignment::on_reopen(ctx, &c)? {
            c.assignee_id = next;
        }
    }
    c.status = Status::Open;
    for l in &cap.labels {
        if !c.labels.contains(l) {
            c.labels.push(l.clone());
        }
    }
    c.updated_at = now.max(c.updated_at);
    let mut line = cap.origin.clone();
    // A known contact keeps their name; the one typed this time is kept on
    // the timeline rather than lost.
    if let Some(typed) = cap.who.name.as_deref().map(str::trim) {
        if !typed.is_empty()
            && !contact.name.is_empty()
            && !typed.eq_ignore_ascii_case(contact.name.trim())
        {
            line = format!("{line}, as \u{201c}{typed}\u{201d}");
        }
    }
    if let (Some(text), None) = (&cap.note, cap.author) {
        line = format!("{line}: {text}");
    }
    // The timeline says where the lead came from; it opens no WhatsApp window.
    let event = Message {
        id: MessageId::new(),
        business_id: b,
        conversation_id: c.id,
        direction: Direction::In,
        kind: "system".into(),
        text: line,
        details: {
            let mut d = json!({"source": cap.source});
            if let (Some(d), Some(extra)) = (d.as_object_mut(), cap.details.as_object()) {
                d.extend(extra.clone());
            }
            d.to_string()
        },
        wa_message_id: None,
        status: MessageStatus::Received,
        error: None,
        author_id: cap.author,
        reply_to: None,
        reactions: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    repo::save_message(ctx, &event)?;
    // The inbox row shows where the lead came from until someone writes.
    c.last_message = Some(crate::conversations::service::preview(
        "system",
        &event.text,
        Direction::In,
        now,
    ));
    if let (Some(text), Some(author)) = (&cap.note, cap.author) {
        repo::add_note(
            ctx,
            b,
            &Note {
                id: MessageId::new(),
                conversation_id: c.id,
                author_id: author,
                text: text.clone(),
                created_at: now,
            },
        )?;
    }
    // A lead arriving now is news to everyone but who added it: unread,
    // like a customer's message, so an untouched lead never looks handled.
    if cap.live {
        c.inbound_count += 1;
    }
    repo::save(ctx, existing.as_ref(), &c)?;
    if let Some(before) = &existing {
        crate::conversations::timeline::record(ctx, before, &c, cap.author)?;
    }
    if let Some(author) = cap.author.filter(|_| cap.live) {
        repo::mark_seen(ctx, &c, author)?;
    }
    if !is_new {
        crate::dashboard::record::lead_joined(ctx, &c, cap.source)?;
    }
    let previous = existing.as_ref().and_then(|e| e.assignee_id);
    if cap.live && c.assignee_id != previous {
        crate::notifications::assigned(ctx, &c, previous, cap.author)?;
    }
    if is_new && cap.live {
        // An automation's trouble never costs the lead.
        if let Err(e) = crate::flows::runtime::on_lead(ctx, &c) {
            if e.code.http().is_server_error() {
                return Err(e);
            }
            tracing::warn!(conversation = %c.id, "flow start refused: {}", e.message);
        }
    }
    // A bulk import tells the inboxes through its progress, not row by row.
    if !cap.live {
        return Ok((c, is_new));
    }
    ctx.emit(Event::new(
        Some(b),
        if is_new { "conversation.new" } else { "conversation.updated" },
        json!({"conversation_id": c.id, "assignee_id": c.assignee_id, "unassigned": c.assignee_id.is_none(),
               "previous_assignee_id": existing.as_ref().map(|e| e.assignee_id)}),
    ));
    Ok((c, is_new))
}

/// The conversation a lead for `who` would join, if the contact has one.
pub fn existing_conversation(
    r: &WriteCtx,
    b: BusinessId,
    who: &Identity,
    number: Option<NumberId>,
) -> ApiResult<Option<Conversation>> {
    let Some(contact) = contacts::find(r, b, who)? else {
        return Ok(None);
    };
    Ok(repo::thread_for(r, b, contact.id, number)?.existing)
}

/// A lead for a contact someone already handles joins that conversation, so
/// adding it is for those who see the conversation, and moving it to another
/// assignee is for those who may reassign it: nobody takes over a colleague's
/// customer, or learns who has it, by typing in their phone number.
pub fn check_existing(
    scope: &Scope,
    existing: &Conversation,
    assignee: Option<MemberId>,
) -> ApiResult<()> {
    if !scope.sees_conversation(existing.assignee_id) {
        return Err(ApiError::new(
            Code::LeadElsewhere,
            "This contact already has a conversation that someone outside your team handles; an owner or team lead can hand it to you",
        ));
    }
    if assignee.is_some_and(|m| Some(m) != existing.assignee_id) && !scope.may_assign(assignee) {
        return Err(ApiError::forbidden(
            "This contact already has a conversation; you cannot move it to that member",
        ));
    }
    Ok(())
}

/// A lead typed in by a member: the chosen assignee as far as they may hand
/// out work, else the channel's or the business's pool, else themselves.
fn record(
    ctx: &mut WriteCtx,
    scope: &Scope,
    author: &str,
    lead: &Lead,
) -> ApiResult<(Conversation, bool)> {
    let b = scope.business_id;
    let channel = match &lead.channel {
        Some(given) => Channel::resolve(ctx, b, given)?
            .ok_or_else(|| ApiError::field("channel_id", "no such channel"))?,
        None => Channel::Manual,
    };
    let number = match channel {
        Channel::WhatsApp(n) => Some(n),
        _ => None,
    };
    if let Some(m) = lead.assignee {
        tenancy::member(ctx, b, m)?
            .ok_or_else(|| ApiError::field("assignee_id", "no such member"))?;
        if !scope.may_give_lead_to(m) {
            return Err(ApiError::forbidden(
                "You cannot give this lead to that member",
            ));
        }
    }
    if let Some(existing) = existing_conversation(ctx, b, &lead.who, number)? {
        check_existing(scope, &existing, lead.assignee)?;
    }
    capture(
        ctx,
        b,
        &Capture {
            who: lead.who.clone(),
            note: lead.note.clone(),
            number,
            source: Source::Manual,
            channel,
            assignee: lead.assignee,
            fallback: Some(scope.member_id),
            origin: format!("Lead added by {author}"),
            author: Some(scope.member_id),
            live: true,
            labels: Vec::new(),
            details: serde_json::Value::Null,
        },
    )
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
