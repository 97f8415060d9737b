//! One Facebook lead: read from Graph (or the simulator, for a sandbox page),
//! its answers mapped to a contact, captured through the page's pool exactly
//! once per `leadgen_id`. Runs as a durable job so Meta's webhook gets its 200
//! at once and a Graph hiccup is retried rather than lost.
use std::sync::Arc;

use serde_json::{json, Value};

use super::{graph::id_text, FbPage, LEADGEN_SEEN};
use crate::{
    assignment::Channel,
    channels::whatsapp::graph::{Failure, GraphError},
    contacts::Identity,
    conversations::model::{Conversation, Source},
    error::{ApiError, ApiResult},
    leads::{self, Capture, Fields},
    scheduler::{Handler, Job, Outcome},
    store::{ids::RecordId, Reader, Store, WriteCtx},
    tenancy::repo as tenancy,
    time::now_ms,
};

pub const JOB_KIND: &str = "facebook_lead";

/// What a lead form's answers say about the person.
#[derive(Debug, Default, PartialEq)]
pub struct Answers {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Custom questions, in the form's order.
    pub other: Vec<(String, String)>,
}

enum Standard {
    Name,
    FirstName,
    LastName,
    Phone,
    Email,
}

/// Meta's standard keys, and the names forms made by hand give them (any
/// case, in the languages of the businesses we serve).
fn standard_field(key: &str) -> Option<Standard> {
    let k = key.trim().to_lowercase().replace([' ', '-'], "_");
    Some(match k.as_str() {
        "full_name"
        | "name"
        | "nome"
        | "nome_completo"
        | "nombre"
        | "nombre_completo"
        | "nom"
        | "nom_complet"
        | "vollständiger_name"
        | "your_name" => Standard::Name,
        "first_name" | "primeiro_nome" | "prénom" | "prenom" | "vorname" => Standard::FirstName,
        "last_name" | "sobrenome" | "apellido" | "apellidos" | "nom_de_famille" | "nachname" => {
            Standard::LastName
        }
        "phone_number" | "phone" | "telefone" | "telefono" | "teléfono" | "celular"
        | "whatsapp" | "whatsapp_number" | "mobile" | "mobile_phone" | "cell_phone"
        | "téléphone" | "telefon" | "telefonnummer" => Standard::Phone,
        "email"
        | "e_mail"
        | "email_address"
        | "correo"
        | "correo_electrónico"
        | "correo_electronico"
        | "courriel" => Standard::Email,
        _ => return None,
    })
}

/// Maps `field_data` (`[{name, values}]`): Meta's standard keys, else a custom question.
pub fn answers(lead: &Value) -> Answers {
    let mut a = Answers::default();
    let (mut first, mut last) = (None, None);
    for f in lead["field_data"].as_array().into_iter().flatten() {
        let key = f["name"].as_str().unwrap_or("").to_string();
        let value = f["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| id_text(v).or_else(|| v.as_bool().map(|b| b.to_string())))
            .collect::<Vec<_>>()
            .join(", ");
        if value.trim().is_empty() {
            continue;
        }
        match standard_field(&key) {
            Some(Standard::Name) if a.name.is_none() => a.name = Some(value),
            Some(Standard::FirstName) if first.is_none() => first = Some(value),
            Some(Standard::LastName) if last.is_none() => last = Some(value),
            Some(Standard::Phone) if a.phone.is_none() => a.phone = Some(value),
            Some(Standard::Email) if a.email.is_none() => a.email = Some(value),
            _ => a.other.push((key.replace('_', " "), value)),
        }
    }
    if a.name.is_none() {
        let joined = [first, last]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        a.name = Some(joined).filter(|n| !n.is_empty());
    }
    a
}

/// The contact and note of a lead. A lead is never dropped for a badly typed
/// phone or email: what does not check out goes into the note, as typed.
fn identity(a: &Answers, default_country: &str) -> (Identity, Option<String>) {
    let mut lines: Vec<String> = a.other.iter().map(|(q, v)| format!("{q}: {v}")).collect();
    let (mut phone, mut email) = (a.phone.clone(), a.email.clone());
    for _ in 0..3 {
        let attempt = leads::validate(
            Fields {
                name: a.name.clone(),
                phone: phone.clone(),
                email: email.clone(),
                note: None,
            },
            default_country,
        );
        match attempt {
            Ok((who, _)) => {
                let note = Some(lines.join("\n")).filter(|n| !n.is_empty());
                return (who, note);
            }
            Err(e) => {
                for bad in e.details.unwrap_or_default() {
                    let slot = match bad.field.as_str() {
                        "phone" => &mut phone,
                        "email" => &mut email,
                        _ => continue,
                    };
                    if let Some(raw) = slot.take() {
                        lines.push(format!("{} (as typed): {raw}", bad.field));
                    }
                }
            }
        }
        if phone.is_none() && email.is_none() {
            break;
        }
    }
    let name: Option<String> = a.name.as_ref().map(|n| n.chars().take(120).collect());
    let note = Some(lines.join("\n")).filter(|n| !n.is_empty());
    (
        Identity {
            name,
            phone: None,
            wa_user_id: None,
            email: None,
        },
        note,
    )
}

/// Captures a lead of `page` unless its `leadgen_id` was stored before.
/// `None` for a duplicate.
pub fn store_lead(
    ctx: &mut WriteCtx,
    page: &FbPage,
    lead: &Value,
) -> ApiResult<Option<Conversation>> {
    let Some(leadgen_id) = id_text(&lead["id"]) else {
        return Err(ApiError::new(
            crate::error::Code::BadRequest,
            "The lead has no id",
        ));
    };
    if ctx
        .get_raw(LEADGEN_SEEN, leadgen_id.as_bytes())?
        .is_some_and(|v| v.len() == 16)
    {
        return Ok(None);
    }
    let business =
        tenancy::business(ctx, page.business_id)?.ok_or_else(|| ApiError::not_found("business"))?;
    let (who, note) = identity(&answers(lead), &business.default_country);
    let form_id = id_text(&lead["form_id"]);
    let form = form_id
        .as_deref()
        .map(|f| page.form_name(f).unwrap_or(f).to_string())
        .unwrap_or_else(|| page.name.clone());
    let capture = Capture {
        who,
        note,
        number: None,
        source: Source::Facebook,
        channel: Channel::Facebook(page.id),
        assignee: None,
        fallback: None,
        origin: format!("Lead from Facebook form {form}"),
        author: None,
        live: true,
        labels: Vec::new(),
        details: json!({"leadgen_id": leadgen_id, "form_id": form_id, "ad_id": id_text(&lead["ad_id"]),
                        "page_id": page.page_id, "created_time": lead["created_time"]}),
    };
    let (c, _) = leads::capture(ctx, page.business_id, &capture)?;
    ctx.put_raw(LEADGEN_SEEN, leadgen_id.as_bytes(), &c.id.bytes())?;
    let mut touched = page.clone();
    touched.last_lead_at = Some(now_ms());
    super::save(ctx, &touched)?;
    Ok(Some(c))
}

/// Where a page's leads are read: Graph, or the simulator for a sandbox page.
#[derive(Clone)]
pub struct LeadSource {
    pub store: Store,
    pub graph: super::graph::FbGraph,
}

impl LeadSource {
    pub async fn lead(&self, page: &FbPage, leadgen_id: &str) -> Result<Value, GraphError> {
        if page.sandbox {
            return crate::simulator::facebook::lead(&self.store, leadgen_id);
        }
        self.graph
            .lead(leadgen_id, &page.token_for_graph(&self.store))
            .await
    }

    pub async fn form_leads(
        &self,
        page: &FbPage,
        form_id: &str,
        after: Option<&str>,
    ) -> Result<super::graph::LeadPage, GraphError> {
        if page.sandbox {
            return crate::simulator::facebook::form_leads(&self.store, form_id, after);
        }
        self.graph
            .form_leads(form_id, &page.token_for_graph(&self.store), after)
            .await
    }
}

/// Leads wait until an owner connects the page again: every owner is told
/// when its token dies.
pub fn tell_owners_token_died(ctx: &mut WriteCtx, p: &FbPage, reason: &str) -> ApiResult<()> {
    let text = format!(
        "Facebook no longer accepts the access of the page {}: connect it again in Channels to receive its leads ({reason})",
        p.name
    );
    Ok(crate::notifications::owners(
        ctx,
        p.business_id,
        "facebook_token_invalid",
        &text,
    )?)
}

/// A dead token flags the page for its owner to reconnect.
pub async fn token_died(store: &Store, page: RecordId, e: &GraphError) {
    flag(store, page, e.reason(), true).await;
}

/// Shows the page's owner what went wrong (and, for a dead token, to reconnect).
async fn flag(store: &Store, page: RecordId, reason: String, token_dead: bool) {
    let result = store
        .write(move |ctx| {
            if let Some(mut p) = super::get(ctx, page)? {
                if token_dead && !p.token_invalid {
                    tell_owners_token_died(ctx, &p, &reason)?;
                }
                p.token_invalid |= token_dead;
                p.last_error = Some(reason.clone());
                super::save(ctx, &p)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!("flagging page {page}: {e}");
    }
}

/// A lead Graph kept refusing: the page shows it, and every owner is told
/// (the page's note clears with the next lead that comes through).
async fn lead_lost(store: &Store, page: &FbPage, note: String) {
    let (page_id, b) = (page.id, page.business_id);
    let result = store
        .write(move |ctx| {
            if let Some(mut p) = super::get(ctx, page_id)? {
                p.last_error = Some(note.clone());
                super::save(ctx, &p)?;
            }
            crate::notifications::owners(ctx, b, "facebook_lead_failed", &note)?;
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!("reporting a lost lead of page {page_id}: {e}");
    }
}

/// What a Graph error means for a job.
pub async fn outcome_of(store: &Store, page: RecordId, e: GraphError) -> Outcome {
    match e.failure {
        Failure::TokenDead => {
            token_died(store, page, &e).await;
            Outcome::Fail(format!("the page's token no longer works: {}", e.reason()))
        }
        Failure::Permanent => {
            // Typically a missing permission (Leads Access Manager): the
            // owner must see it on the page, or leads vanish unnoticed.
            flag(store, page, e.reason(), false).await;
            Outcome::Fail(e.reason())
        }
        _ => Outcome::Retry(e.reason()),
    }
}

pub fn handler(source: LeadSource) -> Handler {
    let source = Arc::new(source);
    Arc::new(move |job: Job| {
        let source = source.clone();
        Box::pin(async move {
            let args: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
            let (Some(page_id), Some(leadgen_id)) = (
                args["page"]
                    .as_str()
                    .and_then(|p| p.parse::<RecordId>().ok()),
                args["leadgen_id"].as_str().map(str::to_string),
            ) else {
                return Outcome::Fail(format!("malformed job payload: {}", job.payload));
            };
            let page = match source.store.read().map(|r| super::get(&r, page_id)) {
                Ok(Ok(Some(p))) => p,
                Ok(Ok(None)) => return Outcome::Fail("the page was disconnected".into()),
                Ok(Err(e)) => return Outcome::Retry(e.to_string()),
                Err(e) => return Outcome::Retry(e.to_string()),
            };
            let lead = match source.lead(&page, &leadgen_id).await {
                Ok(l) => l,
                Err(e) => {
                    let reason = e.reason();
                    let outcome = outcome_of(&source.store, page.id, e).await;
                    if matches!(outcome, Outcome::Retry(_)) && job.attempts + 1 >= job.max_attempts
                    {
                        // Out of retries: the lead is in Meta's hands only, so the
                        // owner must learn it from the page, not from the admin's jobs.
                        let note = format!("A lead ({leadgen_id}) could not be read from Facebook after {} tries: {reason}", job.max_attempts);
                        lead_lost(&source.store, &page, note).await;
                    }
                    return outcome;
                }
            };
            match source
                .store
                .write(move |ctx| {
                    store_lead(ctx, &page, &lead)?;
                    // Leads come through again: an earlier refusal is over.
                    if let Some(mut p) = super::get(ctx, page.id)?
                        .filter(|p| p.last_error.is_some() && !p.token_invalid)
                    {
                        p.last_error = None;
                        super::save(ctx, &p)?;
                    }
                    Ok(())
                })
                .await
            {
                Ok(()) => Outcome::Done,
                Err(e) if e.code.http().is_server_error() => Outcome::Retry(e.message),
                Err(e) => Outcome::Fail(e.message),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_fields_map_to_the_contact_and_custom_questions_to_the_note() {
        let lead = json!({"id": 123456789, "field_data": [
            {"name": "first_name", "values": ["Carla"]}, {"name": "last_name", "values": ["Souza"]},
            {"name": "phone_number", "values": ["+5511987654321"]},
            {"name": "email", "values": ["carla@example.com"]},
            {"name": "which_model?", "values": ["Sofa", "Chair"]},
            {"name": "budget", "values": [2000]}]});
        let a = answers(&lead);
        assert_eq!(a.name.as_deref(), Some("Carla Souza"));
        assert_eq!(a.phone.as_deref(), Some("+5511987654321"));
        assert_eq!(
            a.other,
            [
                ("which model?".into(), "Sofa, Chair".into()),
                ("budget".into(), "2000".into())
            ]
        );
        let (who, note) = identity(&a, "");
        assert_eq!(who.phone.as_deref(), Some("+5511987654321"));
        assert_eq!(who.email.as_deref(), Some("carla@example.com"));
        assert_eq!(
            note.as_deref(),
            Some("which model?: Sofa, Chair\nbudget: 2000")
        );
    }

    #[test]
    fn hand_made_forms_name_their_fields_in_any_case_and_language() {
        for (fields, name, phone, email) in [
            (
                json!([{"name": "FULL_NAME", "values": ["Ana Lima"]}, {"name": "PHONE", "values": ["+5511987651003"]},
                       {"name": "EMAIL", "values": ["UP@Example.com"]}]),
                "Ana Lima",
                "+5511987651003",
                "UP@Example.com",
            ),
            (
                json!([{"name": "nome_completo", "values": ["João Reis"]}, {"name": "telefone", "values": ["+55 11 98765-1005"]},
                       {"name": "E-mail", "values": ["joao@example.com"]}]),
                "João Reis",
                "+55 11 98765-1005",
                "joao@example.com",
            ),
        ] {
            let a = answers(&json!({ "field_data": fields }));
            assert_eq!(a.name.as_deref(), Some(name));
            assert_eq!(a.phone.as_deref(), Some(phone));
            assert_eq!(a.email.as_deref(), Some(email));
            assert!(a.other.is_empty(), "{:?}", a.other);
        }
        let (who, _) = identity(
            &answers(&json!({"field_data": [{"name": "Email", "values": ["UP@Example.com"]}]})),
            "",
        );
        assert_eq!(who.email.as_deref(), Some("up@example.com"));
    }

    #[test]
    fn a_badly_typed_phone_or_email_is_kept_in_the_note_not_dropped() {
        let lead = json!({"field_data": [{"name": "full_name", "values": ["Rui"]},
            {"name": "phone_number", "values": ["12"]}, {"name": "email", "values": ["rui@"]}]});
        let (who, note) = identity(&answers(&lead), "BR");
        assert_eq!(who.name.as_deref(), Some("Rui"));
        assert!(who.phone.is_none() && who.email.is_none());
        let note = note.unwrap();
        assert!(
            note.contains("phone (as typed): 12") && note.contains("email (as typed): rui@"),
            "{note}"
        );
        let (who, _) = identity(
            &answers(
                &json!({"field_data": [{"name": "phone_number", "values": ["11 98765-4321"]},
                                            {"name": "email", "values": ["nope"]}]}),
            ),
            "BR",
        );
        assert_eq!(
            who.phone.as_deref(),
            Some("+5511987654321"),
            "the good one stays"
        );
    }
}
