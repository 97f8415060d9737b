//! Message templates, synced from the WABA's `message_templates`, so the
//! composer can offer them and a send can be checked before Meta refuses it.
use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{
    graph::{Failure, Graph},
    numbers,
};
use crate::{
    auth::MemberActor,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::{
        self, codec,
        ids::{BusinessId, NumberId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    tenancy::Permission,
    time::now_ms,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub language: String,
    pub status: String,
    pub category: String,
    /// Meta's `components` array, as JSON.
    pub components: String,
    pub synced_at: i64,
}
impl Record for Template {}

impl Template {
    /// The body's text with its `{{n}}` placeholders, as approved.
    fn body(&self) -> String {
        let components: Value = serde_json::from_str(&self.components).unwrap_or(Value::Null);
        components
            .as_array()
            .and_then(|cs| {
                cs.iter().find(|c| {
                    c["type"]
                        .as_str()
                        .is_some_and(|t| t.eq_ignore_ascii_case("body"))
                })
            })
            .and_then(|c| c["text"].as_str())
            .unwrap_or("")
            .to_string()
    }

    /// The body as the customer reads it, `{{n}}` filled with the n-th parameter.
    pub fn render(&self, params: &[String]) -> String {
        crate::placeholders::fill(&self.body(), |name| {
            let n = name.parse::<usize>().ok()?;
            params.get(n.checked_sub(1)?).cloned()
        })
    }

    /// How many `{{n}}` placeholders the body has.
    pub fn body_parameters(&self) -> usize {
        let body = self.body();
        let body = body.as_str();
        let mut max = 0;
        let mut rest = body;
        while let Some(start) = rest.find("{{") {
            rest = &rest[start + 2..];
            if let Some(end) = rest.find("}}") {
                if let Ok(n) = rest[..end].trim().parse::<usize>() {
                    max = max.max(n);
                }
                rest = &rest[end + 2..];
            } else {
                break;
            }
        }
        max
    }
}

/// (business, number, name, language) → Template
const TEMPLATES: Tbl = TableDefinition::new("wa_templates");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: TEMPLATES,
    verify: codec::verify::<Template>,
}];

fn prefix(b: BusinessId, n: NumberId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(n.bytes()).done()
}

pub fn list<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    n: NumberId,
) -> Result<Vec<Template>, StoreError> {
    store::records::<Template, _>(r, TEMPLATES, &prefix(b, n), usize::MAX)
}

pub fn find<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    n: NumberId,
    name: &str,
    language: &str,
) -> Result<Option<Template>, StoreError> {
    store::get(
        r,
        TEMPLATES,
        &Key::new().raw(&prefix(b, n)).str(name).str(language).done(),
    )
}

pub fn replace_all(
    ctx: &mut WriteCtx,
    b: BusinessId,
    n: NumberId,
    templates: &[Template],
) -> Result<(), StoreError> {
    for key in store::scan_keys(ctx, TEMPLATES, &prefix(b, n), None, usize::MAX)? {
        ctx.delete(TEMPLATES, &key)?;
    }
    for t in templates {
        ctx.put(
            TEMPLATES,
            &Key::new()
                .raw(&prefix(b, n))
                .str(&t.name)
                .str(&t.language)
                .done(),
            t,
        )?;
    }
    Ok(())
}

/// Checks a template send against what Meta approved, when templates are
/// synced, and answers the text the customer will read.
pub fn check_send<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    n: NumberId,
    name: &str,
    language: &str,
    params: &[String],
) -> ApiResult<Option<String>> {
    if list(r, b, n)?.is_empty() {
        return Ok(None); // Never synced: Meta is the judge.
    }
    let t = find(r, b, n, name, language)?.ok_or_else(|| {
        ApiError::field(
            "template.name",
            format!("no template `{name}` in `{language}` on this number"),
        )
    })?;
    if !t.status.eq_ignore_ascii_case("APPROVED") {
        return Err(ApiError::field(
            "template.name",
            format!("template `{name}` is {}, not approved", t.status),
        ));
    }
    if t.body_parameters() != params.len() {
        return Err(ApiError::field(
            "template.parameters",
            format!(
                "template `{name}` takes {} parameter(s), {} given",
                t.body_parameters(),
                params.len()
            ),
        ));
    }
    Ok(Some(t.render(params)).filter(|text| !text.trim().is_empty()))
}

pub fn routes(r: &mut Routes) {
    r.get("/api/whatsapp/numbers/{id}/templates", list_templates)
        .post("/api/whatsapp/numbers/{id}/templates/sync", sync);
}

fn template_json(t: &Template) -> Value {
    json!({
        "name": t.name, "language": t.language, "status": t.status, "category": t.category,
        "components": serde_json::from_str::<Value>(&t.components).unwrap_or(Value::Null),
        "parameters": t.body_parameters(),
    })
}

async fn list_templates(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<NumberId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let number = numbers::get(&read, actor.business.id, id.into_inner())?
        .ok_or_else(|| ApiError::not_found("number"))?;
    let items: Vec<Value> = list(&read, number.business_id, number.id)?
        .iter()
        .map(template_json)
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

/// Templates as Meta's `message_templates` lists them; entries without a
/// name or language are skipped.
pub fn from_meta(fetched: &[Value], now: i64) -> Vec<Template> {
    fetched
        .iter()
        .filter_map(|t| {
            Some(Template {
                name: t["name"].as_str()?.to_string(),
                language: t["language"].as_str()?.to_string(),
                status: t["status"].as_str().unwrap_or("").to_string(),
                category: t["category"].as_str().unwrap_or("").to_string(),
                components: t["components"].to_string(),
                synced_at: now,
            })
        })
        .collect()
}

/// Pulls every template of the number's WABA from Meta and replaces the stored set.
async fn sync(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<NumberId>,
) -> ApiResult<HttpResponse> {
    let number = numbers::get(&state.store.read()?, actor.business.id, id.into_inner())?
        .ok_or_else(|| ApiError::not_found("number"))?;
    if !actor.scope.has(Permission::ManageChannels) {
        return Err(ApiError::forbidden(
            "Syncing templates needs the manage_channels permission",
        ));
    }
    let fetched = if number.sandbox {
        crate::simulator::sample_templates()
    } else {
        match Graph::new(&state.config.meta)
            .templates(&number.waba_id, &number.access_token)
            .await
        {
            Ok(fetched) => fetched,
            Err(e) => {
                if e.failure == Failure::TokenDead {
                    // As when a send meets it: the number shows why, and holds its messages.
                    let (b, n, reason) = (number.business_id, number.id, e.reason());
                    state
                        .store
                        .write(move |ctx| {
                            if let Some(mut number) = numbers::get(ctx, b, n)? {
                                number.token_dead = true;
                                number.last_error = Some(reason.clone());
                                numbers::save(ctx, &number)?;
                            }
                            Ok(())
                        })
                        .await?;
                }
                return Err(ApiError::new(
                    Code::BadGateway,
                    format!("Meta refused the template list: {}", e.reason()),
                ));
            }
        }
    };
    let templates = from_meta(&fetched, now_ms());
    let count = templates.len();
    let (b, n) = (number.business_id, number.id);
    state
        .store
        .write(move |ctx| Ok(replace_all(ctx, b, n, &templates)?))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"synced": count})))
}
