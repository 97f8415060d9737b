//! The Leads table: every conversation a member may see, with where it came
//! from (source and channel), filtered by source, channel, assignee, status and
//! creation date (`exports` streams the same rows as CSV).
use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
    assignment::{self, Channel},
    auth::MemberActor,
    channels::{custom, facebook, whatsapp::numbers},
    conversations::{
        access::{Conversations, ListQuery, View},
        model::{Conversation, Source, Status},
        routes::contact_json,
    },
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::{ids::MemberId, Reader},
    time::rfc3339,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/leads", list);
}

#[derive(Deserialize, Clone, Default)]
pub struct LeadFilter {
    source: Option<String>,
    /// `<kind>:<id>`, as the items' `channel` gives it.
    channel: Option<String>,
    /// A member id, or `none` for unassigned.
    assignee_id: Option<String>,
    status: Option<String>,
    /// Creation dates, `YYYY-MM-DD`, inclusive (UTC).
    from: Option<String>,
    to: Option<String>,
    pub(crate) cursor: Option<String>,
    limit: Option<usize>,
}

fn bad(field: &str, value: &str) -> ApiError {
    ApiError::new(
        Code::BadRequest,
        format!("`{value}` is not a valid {field}"),
    )
}

fn day(s: &str, end: bool) -> ApiResult<i64> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| bad("date (YYYY-MM-DD)", s))?;
    let t = if end {
        d.and_hms_milli_opt(23, 59, 59, 999)
    } else {
        d.and_hms_opt(0, 0, 0)
    };
    Ok(t.map_or(0, |t| t.and_utc().timestamp_millis()))
}

pub(crate) struct Parsed {
    query: ListQuery,
    channel: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
}

pub(crate) fn parse(f: &LeadFilter, limit: usize) -> ApiResult<Parsed> {
    let present = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
    let source = match present(&f.source) {
        Some(s) => Some(Source::parse(&s).ok_or_else(|| bad("source", &s))?),
        None => None,
    };
    let status = match present(&f.status).as_deref() {
        Some("open") => Some(Status::Open),
        Some("closed") => Some(Status::Closed),
        Some(other) => return Err(bad("status (open, closed)", other)),
        None => None,
    };
    let (view, assignee_id) = match present(&f.assignee_id).as_deref() {
        Some("none") => (View::Unassigned, None),
        Some(m) => (
            View::All,
            Some(m.parse::<MemberId>().map_err(|_| bad("assignee_id", m))?),
        ),
        None => (View::All, None),
    };
    let after = match present(&f.cursor) {
        Some(c) => Some(
            hex::decode(&c)
                .ok()
                .filter(|b| b.len() == 24)
                .ok_or_else(|| bad("cursor", &c))?,
        ),
        None => None,
    };
    Ok(Parsed {
        query: ListQuery {
            view,
            source,
            status,
            number_id: None,
            label: None,
            assignee_id,
            after,
            limit,
        },
        channel: present(&f.channel),
        from: present(&f.from).map(|d| day(&d, false)).transpose()?,
        to: present(&f.to).map(|d| day(&d, true)).transpose()?,
    })
}

/// Where a conversation came in, `{kind, id, name}`, names looked up once per request.
struct Channels<'a, R: Reader + ?Sized> {
    r: &'a R,
    names: HashMap<String, Option<Value>>,
}

impl<'a, R: Reader + ?Sized> Channels<'a, R> {
    fn of(&mut self, c: &Conversation) -> ApiResult<Option<Value>> {
        let channel = assignment::origin(self.r, c)?.unwrap_or(Channel::Manual);
        let key = channel.name();
        if let Some(v) = self.names.get(&key) {
            return Ok(v.clone());
        }
        let b = c.business_id;
        let value = match channel {
            Channel::Manual => None,
            Channel::WhatsApp(n) => numbers::get(self.r, b, n)?
                .map(|n| json!({"kind": "whatsapp", "id": n.id, "name": n.display_phone_number})),
            Channel::Custom(id) => custom::get(self.r, id)?
                .filter(|x| x.business_id == b)
                .map(|x| json!({"kind": x.kind, "id": x.id, "name": x.name})),
            Channel::Facebook(id) => facebook::get(self.r, id)?
                .filter(|p| p.business_id == b)
                .map(|p| json!({"kind": "facebook", "id": p.id, "name": p.name})),
        };
        self.names.insert(key, value.clone());
        Ok(value)
    }
}

fn channel_key(v: &Option<Value>) -> Option<String> {
    v.as_ref().map(|v| {
        format!(
            "{}:{}",
            v["kind"].as_str().unwrap_or(""),
            v["id"].as_str().unwrap_or("")
        )
    })
}

/// Underlying list pages read per request at most: a rare filter answers a
/// short page with a cursor rather than scanning everything.
const MAX_PAGES: usize = 20;

/// One page of leads as JSON rows, and the cursor to go on.
pub(crate) fn page<R: Reader + ?Sized>(
    r: &R,
    actor: &MemberActor,
    f: &LeadFilter,
    limit: usize,
) -> ApiResult<(Vec<Value>, Option<String>)> {
    let mut p = parse(f, limit)?;
    let mut channels = Channels {
        r,
        names: HashMap::new(),
    };
    let mut out = Vec::new();
    let access = Conversations::new(r, &actor.scope);
    for _ in 0..MAX_PAGES {
        let (items, next) = access.list(&p.query)?;
        for c in &items {
            let created_ok =
                p.from.is_none_or(|t| c.created_at >= t) && p.to.is_none_or(|t| c.created_at <= t);
            if !created_ok {
                continue;
            }
            let channel = channels.of(c)?;
            if p.channel.is_some() && channel_key(&channel) != p.channel {
                continue;
            }
            out.push(json!({
                "conversation_id": c.id, "contact": contact_json(r, c)?, "source": c.source,
                "channel": channel, "assignee_id": c.assignee_id, "status": c.status,
                "created_at": rfc3339(c.created_at),
            }));
        }
        match next {
            Some(n) if out.len() < limit => p.query.after = Some(n),
            other => return Ok((out, other.map(hex::encode))),
        }
    }
    Ok((out, p.query.after.map(hex::encode)))
}

async fn list(
    state: web::Data<AppState>,
    actor: MemberActor,
    q: web::Query<LeadFilter>,
) -> ApiResult<HttpResponse> {
    let f = q.into_inner();
    let limit = f.limit.unwrap_or(50).clamp(1, 200);
    let (items, next) = page(&state.store.read()?, &actor, &f, limit)?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}
