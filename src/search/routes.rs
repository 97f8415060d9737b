//! `GET /api/search`: hits grouped by conversation, each re-checked against
//! the caller's scope in the store (the index may lag a reassignment).
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    query::{self, Kind, Sort},
    schema, snippet,
};
use crate::{
    auth::MemberActor,
    conversations::{access::Conversations, repo, routes::contact_json},
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::ids::{ConversationId, MessageId},
    tenancy::Scope,
    time::rfc3339,
};

const PAGE: usize = 20;
/// Deep pages cost more than anyone reads; refine the query instead.
const MAX_OFFSET: usize = 1_000;

pub fn routes(r: &mut Routes) {
    r.get("/api/search", search);
}

#[derive(Deserialize)]
struct Params {
    q: Option<String>,
    kind: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
}

fn bad(field: &str, message: &str) -> ApiError {
    ApiError::new(Code::BadRequest, format!("`{field}` {message}"))
}

async fn search(
    state: web::Data<AppState>,
    actor: MemberActor,
    params: web::Query<Params>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let q = p.q.unwrap_or_default();
    let q = q.trim();
    let parsed = query::parse(q);
    let letters: usize = parsed
        .loose
        .iter()
        .chain(parsed.phrases.iter().flatten())
        .map(|w| w.chars().count())
        .sum();
    if q.chars().count() > 200 {
        return Err(ApiError::field(
            "q",
            "is too long: search for a few words (at most 200 characters)",
        ));
    }
    if parsed.is_empty() || (letters < 2 && parsed.phone.is_none()) {
        return Err(ApiError::field(
            "q",
            "must hold a word of at least 2 letters (at most 200 characters)",
        ));
    }
    let kind = match p.kind.as_deref().unwrap_or("all") {
        "all" | "" => Kind::All,
        "messages" => Kind::Messages,
        "contacts" => Kind::Contacts,
        _ => return Err(bad("kind", "must be all, messages or contacts")),
    };
    let sort = match p.sort.as_deref().unwrap_or("best") {
        "best" | "" => Sort::Best,
        "newest" => Sort::Newest,
        _ => return Err(bad("sort", "must be best or newest")),
    };
    // A cursor ending in `p` continues a search whose last word was taken as
    // the start of a word (see below).
    let mut parsed = parsed;
    let cursor = p.cursor.as_deref().filter(|c| !c.is_empty());
    parsed.last_word_prefix = cursor.is_some_and(|c| c.ends_with('p'));
    let offset = match cursor.map(|c| c.trim_end_matches('p')) {
        Some(c) => c
            .parse::<usize>()
            .ok()
            .filter(|o| *o <= MAX_OFFSET)
            .ok_or_else(|| bad("cursor", "is not a cursor this search gave"))?,
        None => 0,
    };
    let scope = actor.scope.clone();
    let search = state.search.clone();
    let store = state.store.clone();
    let body = web::block(move || -> ApiResult<Value> {
        let scope = &scope;
        let assignees = scope.visible_assignees().map(|members| {
            let mut v: Vec<_> = members.iter().copied().map(Some).collect();
            if scope.sees_unassigned() {
                v.push(None);
            }
            v
        });
        let run = |parsed: &query::Parsed| {
            query::run(
                &search,
                &query::Request {
                    parsed,
                    kind,
                    sort,
                    offset,
                    limit: PAGE,
                    business: scope.business_id.to_string(),
                    assignees: assignees.clone(),
                },
            )
        };
        let mut parsed = parsed;
        let (mut hits, mut more) = run(&parsed)?;
        // No message holds the words whole: someone typing `chocol` means the
        // start of a word. Only then, so a common word never pays for the expansion.
        let no_message = hits.iter().all(|h| h.kind == schema::KIND_CONTACT);
        if no_message && offset == 0 && kind != Kind::Contacts && parsed.prefix_worth_trying() {
            parsed.last_word_prefix = true;
            (hits, more) = run(&parsed)?;
        }
        let items = visible_items(&store, scope, &parsed, hits)?;
        let mark = if parsed.last_word_prefix { "p" } else { "" };
        let next =
            (more && offset + PAGE <= MAX_OFFSET).then(|| format!("{}{mark}", offset + PAGE));
        // Past the deepest page there are more hits than are shown: said, not silent.
        let truncated = more && next.is_none();
        Ok(json!({"items": items, "next_cursor": next, "truncated": truncated}))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok(HttpResponse::Ok().json(body))
}

/// The hits the scope may open now, as API items, one conversation's together.
fn visible_items(
    store: &crate::store::Store,
    scope: &Scope,
    parsed: &query::Parsed,
    hits: Vec<query::Hit>,
) -> ApiResult<Vec<Value>> {
    let read = store.read()?;
    let conversations = Conversations::new(&read, scope);
    let phrase_words = parsed
        .phrases
        .iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let loose = parsed.loose.join(" ");
    let body_words = query::words(&format!("{loose} {phrase_words}"), parsed.last_word_prefix);
    let card_words = query::words(&format!("{loose} {phrase_words}"), true);
    let mut groups: Vec<(ConversationId, Vec<Value>)> = Vec::new();
    let mut contacts: Vec<(ConversationId, Value)> = Vec::new();
    for hit in hits {
        let Ok(id) = hit.conversation.parse::<ConversationId>() else {
            continue;
        };
        let Ok(c) = conversations.get(id) else {
            continue;
        };
        let contact = match contacts.iter().find(|(k, _)| *k == id) {
            Some((_, v)) => v.clone(),
            None => {
                let v = contact_json(&read, &c)?;
                contacts.push((id, v.clone()));
                v
            }
        };
        let mut item = json!({
            "kind": if hit.kind == schema::KIND_CONTACT { "contact" } else { "message" },
            "conversation_id": id,
            "contact": contact,
            "created_at": rfc3339(hit.created_at),
        });
        match hit.kind.as_str() {
            schema::KIND_CONTACT => {
                let mut s = snippet::highlight(&hit.text.replace('\n', " · "), &card_words);
                if let (Some(digits), Some(phone)) = (&parsed.phone, contact["phone"].as_str()) {
                    if schema::phone_ends_with(phone, digits) {
                        s.push_str(&format!(" · <mark>{phone}</mark>"));
                    }
                }
                item["snippet"] = json!(s);
            }
            kind => {
                let Some(m) = hit.key.get(2..).and_then(|k| k.parse::<MessageId>().ok()) else {
                    continue;
                };
                if kind == schema::KIND_MESSAGE
                    && repo::message(&read, c.business_id, c.id, m)?.is_none()
                {
                    continue;
                }
                item["message_id"] = json!(m);
                if kind == schema::KIND_NOTE {
                    item["note"] = json!(true);
                }
                item["snippet"] = json!(snippet::highlight(&hit.text, &body_words));
            }
        }
        match groups.iter_mut().find(|(k, _)| *k == id) {
            Some((_, items)) => items.push(item),
            None => groups.push((id, vec![item])),
        }
    }
    Ok(groups.into_iter().flat_map(|(_, items)| items).collect())
}
