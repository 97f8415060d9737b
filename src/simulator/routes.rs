//! The customer's side of a sandbox number, for owners: their simulated chats,
//! one chat as the phone shows it, and typing as the customer.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::CustomerMessage;
use crate::{
    auth::MemberActor,
    channels::whatsapp::numbers::{self, WaNumber},
    contacts,
    conversations::{
        access::{Conversations, ListQuery, View},
        model::{Direction, Message, MessageStatus},
        repo,
        routes::message_json,
    },
    error::{ApiError, ApiResult, Validator},
    http::{AppState, Routes},
    store::{ids::NumberId, Reader},
    tenancy::Role,
    time::rfc3339,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/simulator/{number_id}/chats", chats)
        .get("/api/simulator/{number_id}/chats/{wa_id}", chat)
        .post("/api/simulator/{number_id}/chats/{wa_id}/messages", say)
        .answers(&[202]);
}

/// Messages of a chat the phone shows at most.
const CHAT_LIMIT: usize = 200;
/// Chats listed at most, and list pages read to find them.
const CHAT_LIST: usize = 100;
const CHAT_PAGES: usize = 40;

/// The simulator speaks for customers of the whole business: owners only.
fn sandbox_of<R: Reader + ?Sized>(r: &R, actor: &MemberActor, id: NumberId) -> ApiResult<WaNumber> {
    if actor.scope.role != Role::Owner {
        return Err(ApiError::forbidden("The simulator is for owners"));
    }
    numbers::get(r, actor.business.id, id)?
        .filter(|n| n.sandbox)
        .ok_or_else(|| ApiError::not_found("sandbox number"))
}

fn valid_wa_id(wa_id: &str) -> ApiResult<()> {
    let ok = (6..=15).contains(&wa_id.len()) && wa_id.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "wa_id",
            "must be the customer's phone number in digits, with country code (6 to 15 digits)",
        ))
    }
}

fn wa_id_of(phone: Option<&str>) -> String {
    phone
        .unwrap_or_default()
        .trim_start_matches('+')
        .to_string()
}

async fn chats(
    state: web::Data<AppState>,
    actor: MemberActor,
    number_id: web::Path<NumberId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let number = sandbox_of(&read, &actor, number_id.into_inner())?;
    // A filtered page can come back short with a cursor: follow it, bounded.
    let mut items = Vec::new();
    let mut after = None;
    for _ in 0..CHAT_PAGES {
        let (page, next) = Conversations::new(&read, &actor.scope).list(&ListQuery {
            view: View::All,
            source: None,
            status: None,
            number_id: Some(number.id),
            label: None,
            assignee_id: None,
            after: after.take(),
            limit: CHAT_LIST - items.len(),
        })?;
        items.extend(page);
        match next {
            Some(n) if items.len() < CHAT_LIST => after = Some(n),
            _ => break,
        }
    }
    let mut out = Vec::new();
    for c in &items {
        let contact = contacts::get(&read, c.business_id, c.contact_id)?;
        out.push(json!({
            "wa_id": wa_id_of(contact.as_ref().and_then(|k| k.phone.as_deref())),
            "name": contact.map(|k| k.name).unwrap_or_default(),
            "conversation_id": c.id,
            "last_message": c.last_message.as_ref().map(|p| json!({
                "text": p.text, "type": p.kind, "from": from(p.direction), "created_at": rfc3339(p.at),
            })),
            "updated_at": rfc3339(c.updated_at),
        }));
    }
    Ok(HttpResponse::Ok().json(json!({"items": out, "next_cursor": null})))
}

fn from(d: Direction) -> &'static str {
    match d {
        Direction::In => "customer",
        Direction::Out => "business",
    }
}

/// The phone shows what reached it: our messages once sent, never queued or failed ones.
fn reached_phone(m: &Message) -> bool {
    m.direction == Direction::In
        || matches!(
            m.status,
            MessageStatus::Sent | MessageStatus::Delivered | MessageStatus::Read
        )
}

async fn chat(
    state: web::Data<AppState>,
    actor: MemberActor,
    path: web::Path<(NumberId, String)>,
) -> ApiResult<HttpResponse> {
    let (number_id, wa_id) = path.into_inner();
    valid_wa_id(&wa_id)?;
    let read = state.store.read()?;
    let number = sandbox_of(&read, &actor, number_id)?;
    let Some((contact, c)) = super::chat_of(&read, &number, &wa_id)? else {
        return Ok(HttpResponse::Ok()
            .json(json!({"wa_id": wa_id, "name": "", "conversation_id": null, "messages": []})));
    };
    let mut page = Conversations::new(&read, &actor.scope).messages(c.id, None, CHAT_LIMIT)?;
    page.reverse();
    let messages: Vec<Value> = page
        .iter()
        .filter(|m| reached_phone(m))
        .map(|m| {
            let mut v = message_json(m);
            v["from"] = json!(from(m.direction));
            v
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "wa_id": wa_id, "name": contact.name, "conversation_id": c.id, "messages": messages,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SayBody {
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    text: Option<String>,
    id: Option<String>,
    title: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// The wamid of our latest message offering the button `id`, for the reply's context.
fn button_context<R: Reader + ?Sized>(
    r: &R,
    number: &WaNumber,
    wa_id: &str,
    id: &str,
) -> ApiResult<Option<String>> {
    let Some((_, c)) = super::chat_of(r, number, wa_id)? else {
        return Ok(None);
    };
    let recent = repo::messages(r, c.business_id, c.id, None, CHAT_LIMIT)?;
    Ok(recent
        .into_iter()
        .filter(|m| m.direction == Direction::Out && m.kind == "interactive")
        .find(|m| {
            let details: Value = serde_json::from_str(&m.details).unwrap_or(Value::Null);
            let buttons = &details["interactive"]["buttons"];
            let rows = details["interactive"]["sections"].as_array().map(|s| {
                s.iter()
                    .flat_map(|s| s["rows"].as_array().cloned().unwrap_or_default())
                    .collect::<Vec<_>>()
            });
            buttons
                .as_array()
                .into_iter()
                .flatten()
                .chain(rows.iter().flatten())
                .any(|b| b["id"].as_str() == Some(id))
        })
        .and_then(|m| m.wa_message_id))
}

fn customer_message<R: Reader + ?Sized>(
    r: &R,
    number: &WaNumber,
    wa_id: &str,
    body: &SayBody,
) -> ApiResult<CustomerMessage> {
    let mut v = Validator::default();
    let message = match body.kind.as_str() {
        "text" => {
            let text = body.text.as_deref().unwrap_or("").trim().to_string();
            v.check(
                !text.is_empty() && text.chars().count() <= 4096,
                "text",
                "must be 1 to 4096 characters",
            );
            CustomerMessage::Text(text)
        }
        "button_reply" => {
            let (id, title) = (
                body.id.clone().unwrap_or_default(),
                body.title.clone().unwrap_or_default(),
            );
            v.check(!id.is_empty() && id.len() <= 256, "id", "is required")
                .check(
                    !title.is_empty() && title.chars().count() <= 24,
                    "title",
                    "is required",
                );
            let context = button_context(r, number, wa_id, &id)?;
            CustomerMessage::ButtonReply { id, title, context }
        }
        "location" => {
            let (lat, lon) = (
                body.latitude.unwrap_or(f64::NAN),
                body.longitude.unwrap_or(f64::NAN),
            );
            v.check(
                (-90.0..=90.0).contains(&lat),
                "latitude",
                "must be -90 to 90",
            )
            .check(
                (-180.0..=180.0).contains(&lon),
                "longitude",
                "must be -180 to 180",
            );
            CustomerMessage::Location {
                latitude: lat,
                longitude: lon,
                name: body.text.clone().filter(|t| !t.trim().is_empty()),
            }
        }
        _ => {
            v.check(false, "type", "must be text, button_reply or location");
            CustomerMessage::Text(String::new())
        }
    };
    v.finish()?;
    Ok(message)
}

/// The customer sends a message: it travels the signed webhook path and is
/// stored before this answers.
async fn say(
    state: web::Data<AppState>,
    actor: MemberActor,
    path: web::Path<(NumberId, String)>,
    body: web::Json<SayBody>,
) -> ApiResult<HttpResponse> {
    let (number_id, wa_id) = path.into_inner();
    valid_wa_id(&wa_id)?;
    let body = body.into_inner();
    let (number, message, known_name) = {
        let read = state.store.read()?;
        let number = sandbox_of(&read, &actor, number_id)?;
        let message = customer_message(&read, &number, &wa_id, &body)?;
        let known = super::chat_of(&read, &number, &wa_id)?.map(|(k, _)| k.name);
        (number, message, known)
    };
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(64).collect::<String>())
        .or(known_name.filter(|n| !n.is_empty()))
        .unwrap_or_else(|| format!("+{wa_id}"));
    let wamid = state
        .simulator
        .customer_says(&number, &wa_id, &name, &message)
        .await?;
    Ok(HttpResponse::Accepted().json(json!({"wamid": wamid})))
}
