//! `PATCH /api/contacts/{id}`: whoever may open one of a contact's
//! conversations corrects its name, email or phone.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{by_email, by_phone, phone, save, Contact};
use crate::{
    auth::MemberActor,
    conversations::{access::Conversations, model::Conversation, repo},
    error::{ApiError, ApiResult, Code},
    events::Event,
    http::{AppState, Routes},
    store::ids::ContactId,
    time::now_ms,
};

pub fn routes(r: &mut Routes) {
    r.patch("/api/contacts/{id}", update);
}

/// A field left out stays as it is; `null` or "" clears an email or phone.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Changes {
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    phone: Option<Option<String>>,
}

/// Tells a field sent as `null` from one left out.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

async fn update(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ContactId>,
    body: web::Json<Changes>,
) -> ApiResult<HttpResponse> {
    let (id, ch) = (id.into_inner(), body.into_inner());
    let scope = actor.scope.clone();
    let country = actor.business.default_country.clone();
    let contact = state
        .store
        .write(move |ctx| {
            let (before, _) = Conversations::new(ctx, &scope).contact(id)?;
            // All of them, not only those the editor sees: whether the person
            // writes on WhatsApp, and whose inbox shows the change.
            let mut conversations = Vec::new();
            for c in repo::of_contact(ctx, before.business_id, id)? {
                conversations.extend(repo::get(ctx, before.business_id, c)?);
            }
            let after = apply(ctx, &before, &conversations, ch.clone(), &country)?;
            if after != before {
                save(ctx, Some(&before), &after)?;
                // Open inboxes fetch the conversations again to show the change.
                for c in &conversations {
                    ctx.emit(Event::new(
                        Some(c.business_id),
                        "conversation.updated",
                        json!({"conversation_id": c.id, "assignee_id": c.assignee_id,
                               "previous_assignee_id": c.assignee_id, "contact_changed": true}),
                    ));
                }
            }
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "id": contact.id, "name": contact.name, "phone": contact.phone, "email": contact.email,
    })))
}

fn apply(
    ctx: &mut crate::store::WriteCtx,
    before: &Contact,
    conversations: &[Conversation],
    ch: Changes,
    country: &str,
) -> ApiResult<Contact> {
    let b = before.business_id;
    let mut c = before.clone();
    if let Some(name) = ch.name {
        let name = name.trim();
        if name.chars().count() > 120 {
            return Err(ApiError::field("name", "must be at most 120 characters"));
        }
        c.name = name.to_string();
    }
    if let Some(email) = ch.email {
        c.email = match email
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
        {
            None => None,
            Some(e) => {
                let ok = e.len() <= 254
                    && e.split_once('@').is_some_and(|(user, host)| {
                        !user.is_empty() && host.contains('.') && !host.starts_with('.')
                    });
                if !ok {
                    return Err(ApiError::field("email", "is not an email address"));
                }
                if by_email(ctx, b, &e)?.is_some_and(|other| other.id != c.id) {
                    return Err(taken("email"));
                }
                Some(e)
            }
        };
    }
    if let Some(raw) = ch.phone {
        let next = match raw.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => {
                let e164 =
                    phone::normalize(&p, country).map_err(|why| ApiError::field("phone", why))?;
                if by_phone(ctx, b, &e164)?.is_some_and(|other| other.id != c.id) {
                    return Err(taken("phone"));
                }
                Some(e164)
            }
        };
        // Replies on WhatsApp go to the number the customer writes from.
        let writes_on_whatsapp = conversations
            .iter()
            .any(|k| k.number_id.is_some() && k.last_inbound_at.is_some());
        if next != c.phone && writes_on_whatsapp {
            return Err(ApiError::field(
                "phone",
                "is the number this contact writes from on WhatsApp and cannot be changed",
            ));
        }
        c.phone = next;
    }
    if c != *before {
        c.updated_at = now_ms();
    }
    Ok(c)
}

fn taken(field: &str) -> ApiError {
    ApiError::new(
        Code::Conflict,
        format!("Another contact already has this {field}"),
    )
}
