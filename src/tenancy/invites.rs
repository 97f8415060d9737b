//! Invitations: owners (and leads, for plain members of their own team)
//! invite by email with a role, a team and pool weights. The token is kept
//! only as its hash, works once, for 7 days; accepting sets the name and
//! password, signs in, and puts the new member in their pools, where the
//! waiting leads find them at once.
use actix_web::{web, HttpRequest, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{
    model::{Permission, Role},
    repo,
    service::{self, NewMember},
};
use crate::{
    assignment::{self, Channel, Slot},
    audit::{self, Action, Note, Origin, Who},
    auth::{password, session, tokens, users, MemberActor},
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::{
        self, codec,
        ids::{BusinessId, MemberId, RecordId, TeamId},
        Key, Reader, Record, TableSpec, Tbl, WriteCtx,
    },
    time::{now_ms, rfc3339},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invite {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub email: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    /// (pool channel name, weight): `whatsapp:<id>`, `channel:<id>`, `facebook:<id>`, `manual`.
    pub pools: Vec<(String, u32)>,
    pub token_hash: [u8; 32],
    pub invited_by: MemberId,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked: bool,
    /// The mail that carries the current link: whether it left is shown beside the invite.
    pub mail_id: Option<RecordId>,
}

impl Record for Invite {
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, codec::CodecError> {
        #[derive(Deserialize)]
        struct V1 {
            id: RecordId,
            business_id: BusinessId,
            email: String,
            role: Role,
            team_id: Option<TeamId>,
            pools: Vec<(String, u32)>,
            token_hash: [u8; 32],
            invited_by: MemberId,
            created_at: i64,
            expires_at: i64,
            accepted_at: Option<i64>,
            revoked: bool,
        }
        if version != 1 {
            return Err(codec::CodecError::NoUpgrade(version));
        }
        let v1: V1 = codec::decode_body(body)?;
        Ok(Invite {
            id: v1.id,
            business_id: v1.business_id,
            email: v1.email,
            role: v1.role,
            team_id: v1.team_id,
            pools: v1.pools,
            token_hash: v1.token_hash,
            invited_by: v1.invited_by,
            created_at: v1.created_at,
            expires_at: v1.expires_at,
            accepted_at: v1.accepted_at,
            revoked: v1.revoked,
            // Sent before invites remembered their mail: nothing to tell.
            mail_id: None,
        })
    }
}

/// (business, id) → Invite
const INVITES: Tbl = TableDefinition::new("invites");
/// sha256(token) → (business, id)
const BY_TOKEN: Tbl = TableDefinition::new("invites_by_token");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: INVITES,
        verify: codec::verify::<Invite>,
    },
    TableSpec {
        def: BY_TOKEN,
        verify: store::verify_len::<32>,
    },
];

const TTL_MS: i64 = 7 * 86_400_000;

pub fn routes(r: &mut Routes) {
    r.get("/api/invites", list)
        .post("/api/invites", create)
        .answers(&[201])
        .post("/api/invites/accept", accept)
        .post("/api/invites/lookup", lookup)
        .delete("/api/invites/{id}", revoke)
        .answers(&[204])
        .post("/api/invites/{id}/resend", resend);
}

fn key(b: BusinessId, id: RecordId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(id.bytes()).done()
}

fn status(i: &Invite) -> &'static str {
    match (i.accepted_at, i.revoked) {
        (Some(_), _) => "accepted",
        (None, true) => "revoked",
        _ if i.expires_at <= now_ms() => "expired",
        _ => "pending",
    }
}

/// An invite as the API shows it, with how its mail fared: `email_status`
/// queued|sent|kept|failed (null for an invite older than that record) and
/// the relay's last refusal, so a mail that never left is not left "pending".
fn json_of<R: Reader + ?Sized>(r: &R, i: &Invite) -> ApiResult<Value> {
    let mail = match i.mail_id {
        Some(id) => crate::mail::get(r, id)?,
        None => None,
    };
    Ok(
        json!({"id": i.id, "email": i.email, "role": i.role, "team_id": i.team_id, "status": status(i),
           "pools": i.pools.iter().map(|(c, w)| json!({"channel_id": c, "weight": w})).collect::<Vec<_>>(),
           "invited_by": i.invited_by, "created_at": rfc3339(i.created_at), "expires_at": rfc3339(i.expires_at),
           "accepted_at": i.accepted_at.map(rfc3339),
           "email_status": mail.as_ref().map(|m| m.state), "email_error": mail.and_then(|m| m.error)}),
    )
}

/// Writes the invite with a fresh token and mails the link (kept in the
/// owners' outbox when no SMTP server is configured).
fn send(ctx: &mut WriteCtx, state: &AppState, business: &str, i: &mut Invite) -> ApiResult<()> {
    let token = session::random_token(32);
    ctx.delete(BY_TOKEN, &i.token_hash)?;
    i.token_hash = tokens::hash(&token);
    i.expires_at = now_ms() + TTL_MS;
    ctx.put_raw(
        BY_TOKEN,
        &i.token_hash,
        &[i.business_id.bytes(), i.id.bytes()].concat(),
    )?;
    let link = format!(
        "{}/invite/{token}",
        state.config.server.public_url.trim_end_matches('/')
    );
    let content = crate::mail::with_link(
        "Hello,",
        &format!("You are invited to answer leads with the team of {business} on wafunnel."),
        "Accept the invitation",
        &link,
        "The link works once, within 7 days.",
    );
    let smtp = !state.config.smtp.url.is_empty();
    let mail = crate::mail::enqueue(
        ctx,
        smtp,
        Some(i.business_id),
        &i.email,
        &format!("Join {business} on wafunnel"),
        content,
    )?;
    i.mail_id = Some(mail.id);
    ctx.put(INVITES, &key(i.business_id, i.id), i)?;
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolBody {
    channel_id: String,
    #[serde(default = "one")]
    weight: u32,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewInvite {
    email: String,
    role: Role,
    team_id: Option<TeamId>,
    #[serde(default)]
    pools: Vec<PoolBody>,
}

async fn create(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    body: web::Json<NewInvite>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let scope = &actor.scope;
    let mut team = body.team_id;
    if !scope.manages_teams() {
        let own = scope.own_teams();
        if scope.role != Role::Lead || body.role != Role::Member || !body.pools.is_empty() {
            return Err(ApiError::forbidden(
                "Team leads invite plain members to their own team",
            ));
        }
        team = match team.or_else(|| own.first().copied()) {
            Some(t) if own.contains(&t) => Some(t),
            _ => return Err(ApiError::forbidden("Team leads invite to their own team")),
        };
    }
    if body.role == Role::Owner && !scope.is_owner() {
        return Err(ApiError::forbidden("Only owners invite owners"));
    }
    let email = users::normalize_email(&body.email);
    if !users::valid_email(&email) {
        return Err(ApiError::field("email", "is not a valid email address"));
    }
    let b = actor.business.id;
    let read = state.store.read()?;
    let mut pools = Vec::new();
    for p in &body.pools {
        let channel = Channel::resolve(&read, b, &p.channel_id)?;
        let (Some(channel), true) = (channel, (1..=100).contains(&p.weight)) else {
            return Err(ApiError::field("pools", "each is {channel_id: a channel of this business (its id, or whatsapp:<id>|channel:<id>|facebook:<id>|manual), weight: 1–100}"));
        };
        pools.push((channel.name(), p.weight));
    }
    if let Some(t) = team {
        repo::team(&read, b, t)?.ok_or_else(|| ApiError::field("team_id", "no such team"))?;
    }
    if let Some(u) = users::by_email(&read, &email)? {
        if repo::membership(&read, u.id, b)?.is_some() {
            return Err(ApiError::new(
                Code::EmailTaken,
                "This person is already a member of the business",
            ));
        }
    }
    drop(read);
    let invite = Invite {
        id: RecordId::new(),
        business_id: b,
        email,
        role: body.role,
        team_id: team,
        pools,
        token_hash: [0; 32],
        invited_by: scope.member_id,
        created_at: now_ms(),
        expires_at: 0,
        accepted_at: None,
        revoked: false,
        mail_id: None,
    };
    let name = actor.business.name.clone();
    let st = state.clone();
    let note = Note::new(
        Action::InviteCreated,
        Some(b),
        Who::user(&actor.user),
        format!("Invited {} as {}", invite.email, invite.role.as_str()),
    )
    .target("invite", invite.id);
    let invite = state
        .store
        .write(move |ctx| {
            let used = super::limits::members_used(ctx, b)?;
            super::limits::ensure_room(ctx, b, super::limits::Limited::Members, used)?;
            let mut i = invite.clone();
            send(ctx, &st, &name, &mut i)?;
            audit::record(ctx, &origin, &note)?;
            Ok(i)
        })
        .await?;
    Ok(HttpResponse::Created().json(json_of(&state.store.read()?, &invite)?))
}

fn may_see(actor: &MemberActor) -> ApiResult<()> {
    if actor.scope.manages_teams() || actor.scope.role == Role::Lead {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Invitations are for owners and team leads",
        ))
    }
}

async fn list(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    may_see(&actor)?;
    let read = state.store.read()?;
    let mut items: Vec<Invite> =
        store::scan::<Invite, _>(&read, INVITES, &actor.business.id.bytes(), None, 1000)?
            .into_iter()
            .map(|(_, i)| i)
            .filter(|i| actor.scope.manages_teams() || i.invited_by == actor.scope.member_id)
            .collect();
    items.sort_by_key(|i| std::cmp::Reverse(i.created_at));
    let items = items
        .iter()
        .map(|i| json_of(&read, i))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

fn own(state: &AppState, actor: &MemberActor, id: RecordId) -> ApiResult<Invite> {
    may_see(actor)?;
    store::get::<Invite, _>(&state.store.read()?, INVITES, &key(actor.business.id, id))?
        .filter(|i| actor.scope.manages_teams() || i.invited_by == actor.scope.member_id)
        .ok_or_else(|| ApiError::not_found("invitation"))
}

async fn revoke(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let mut i = own(&state, &actor, id.into_inner())?;
    // Gone already, as a second DELETE of any other resource finds it.
    if i.revoked {
        return Err(ApiError::not_found("invitation"));
    }
    i.revoked = true;
    let note = Note::new(
        Action::InviteRevoked,
        Some(i.business_id),
        Who::user(&actor.user),
        format!("Revoked the invitation of {}", i.email),
    )
    .target("invite", i.id);
    state
        .store
        .write(move |ctx| {
            ctx.delete(BY_TOKEN, &i.token_hash)?;
            ctx.put(INVITES, &key(i.business_id, i.id), &i)?;
            audit::record(ctx, &origin, &note)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn resend(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let i = own(&state, &actor, id.into_inner())?;
    if i.accepted_at.is_some() {
        return Err(ApiError::new(
            Code::Conflict,
            "This invitation was already accepted",
        ));
    }
    // Revoking is the DELETE of an invitation: it stays gone.
    if i.revoked {
        return Err(ApiError::new(
            Code::Conflict,
            "This invitation was revoked; send a new one",
        ));
    }
    let (st, name) = (state.clone(), actor.business.name.clone());
    let note = Note::new(
        Action::InviteResent,
        Some(i.business_id),
        Who::user(&actor.user),
        format!(
            "Sent the invitation of {} again (the old link died)",
            i.email
        ),
    )
    .target("invite", i.id);
    let i = state
        .store
        .write(move |ctx| {
            let mut i = i.clone();
            send(ctx, &st, &name, &mut i)?;
            audit::record(ctx, &origin, &note)?;
            Ok(i)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json_of(&state.store.read()?, &i)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Accept {
    token: String,
    name: String,
    password: String,
}

/// One answer for every way a link is not a pending invitation.
fn invalid_link() -> ApiError {
    ApiError::new(
        Code::BadRequest,
        "This invitation link is invalid, used, revoked or expired",
    )
}

/// The pending invitation a link's token names.
fn pending_by_token<R: Reader + ?Sized>(r: &R, token: &str) -> ApiResult<Invite> {
    let hash = tokens::hash(token.trim());
    let found = r.get_raw(BY_TOKEN, &hash)?.ok_or_else(invalid_link)?;
    let (Some(b), Some(id)) = (
        found.get(..16).and_then(BusinessId::from_bytes),
        found.get(16..).and_then(RecordId::from_bytes),
    ) else {
        return Err(invalid_link());
    };
    store::get::<Invite, _>(r, INVITES, &key(b, id))?
        .filter(|i| status(i) == "pending")
        .ok_or_else(invalid_link)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Lookup {
    token: String,
}

/// What the invitation page says before anyone joins: which business, as
/// what, for which address, and whether that address has an account already
/// (then its password is asked for). A POST, so the token stays out of logs.
async fn lookup(state: web::Data<AppState>, body: web::Json<Lookup>) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let invite = pending_by_token(&read, &body.token)?;
    let business = super::repo::business(&read, invite.business_id)?
        .ok_or_else(|| ApiError::not_found("business"))?;
    Ok(HttpResponse::Ok().json(json!({
        "business_name": business.name, "email": invite.email, "role": invite.role,
        "existing_account": users::by_email(&read, &invite.email)?.is_some(),
    })))
}

async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Accept>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let name = body.name.trim().to_string();
    if let Some(why) = crate::auth::users::name_problem(&name) {
        return Err(ApiError::field("name", why));
    }
    if let Err(why) = password::check_len(&body.password) {
        return Err(ApiError::field("password", why));
    }
    let read = state.store.read()?;
    let invite = pending_by_token(&read, &body.token)?;
    let (b, id) = (invite.business_id, invite.id);
    // Someone who has an account already proves it with their own password.
    if let Some(u) = users::by_email(&read, &invite.email)? {
        let ok = crate::auth::ratelimit::verify_password(
            &req,
            &state,
            &u.email,
            body.password.clone(),
            u.password_hash.clone(),
        )
        .await?;
        if !ok {
            return Err(ApiError::new(
                Code::InvalidCredentials,
                "You already have an account: use its password",
            ));
        }
    }
    drop(read);
    let password_hash = password::hash_async(body.password).await?;
    let origin = Origin::of(&req, &state.trusted_proxies);
    let (member, user) = state
        .store
        .write(move |ctx| {
            // Still pending now: two tabs may accept the same link at once.
            let mut i: Invite = store::get(ctx, INVITES, &key(b, id))?
                .filter(|i| status(i) == "pending")
                .ok_or_else(invalid_link)?;
            let (member, user) = service::add_member(
                ctx,
                b,
                &NewMember {
                    email: i.email.clone(),
                    name: name.clone(),
                    password_hash: Some(password_hash.clone()),
                    role: i.role,
                    team_id: i.team_id,
                    permissions: Vec::<Permission>::new(),
                },
            )?;
            for (channel, weight) in &i.pools {
                let Some(channel) = Channel::parse(channel) else {
                    continue;
                };
                let Some(mut pool) = assignment::pool(ctx, b, channel)? else {
                    continue;
                };
                if !pool.members.iter().any(|s| s.member_id == member.id) {
                    pool.members.push(Slot {
                        member_id: member.id,
                        weight: *weight,
                    });
                    assignment::set_pool(ctx, b, channel, &pool)?;
                    // New capacity: what waited in this pool goes out now.
                    assignment::backlog::drain(ctx, b, channel)?;
                }
            }
            i.accepted_at = Some(now_ms());
            ctx.delete(BY_TOKEN, &i.token_hash)?;
            ctx.put(INVITES, &key(b, i.id), &i)?;
            // Another invitation to the same address is moot now: its link
            // would only meet "already a member".
            let all = store::scan::<Invite, _>(ctx, INVITES, &b.bytes(), None, usize::MAX)?;
            for (_, mut other) in all {
                if other.id != i.id && other.email == i.email && status(&other) == "pending" {
                    other.revoked = true;
                    ctx.delete(BY_TOKEN, &other.token_hash)?;
                    ctx.put(INVITES, &key(b, other.id), &other)?;
                }
            }
            let note = Note::new(
                Action::InviteAccepted,
                Some(b),
                Who::user(&user),
                format!(
                    "{} accepted the invitation and joined as {}",
                    user.email,
                    i.role.as_str()
                ),
            )
            .target("member", member.id);
            audit::record(ctx, &origin, &note)?;
            Ok((member, user))
        })
        .await?;
    let respond = crate::auth::routes::start_session(&req, &state, &user, Some(b), None).await?;
    Ok(respond(HttpResponse::Ok()).json(
        json!({"user": {"id": user.id, "name": user.name, "email": user.email},
                                              "member_id": member.id, "business_id": b}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_stored_before_it_knew_its_mail_still_reads() {
        let v1 = (
            RecordId::new(),
            BusinessId::new(),
            "nova@acme.test".to_string(),
            Role::Member,
            None::<TeamId>,
            vec![("manual".to_string(), 2u32)],
            [7u8; 32],
            MemberId::new(),
            1_700_000_000_000i64,
            1_700_600_000_000i64,
            None::<i64>,
            false,
        );
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&v1, bincode::config::standard()).unwrap());
        let read: Invite = codec::decode(&bytes).unwrap();
        assert_eq!(read.email, "nova@acme.test");
        assert_eq!(read.pools, vec![("manual".to_string(), 2)]);
        assert_eq!(read.token_hash, [7u8; 32]);
        assert_eq!(read.expires_at, 1_700_600_000_000);
        assert_eq!(read.mail_id, None);
        // And the current version round-trips.
        assert_eq!(
            codec::decode::<Invite>(&codec::encode(&read)).unwrap(),
            read
        );
    }
}
