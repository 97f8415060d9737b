//! The business's own settings: its name and the default country that phone
//! numbers typed without a country code belong to.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{repo, Role};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    auth::MemberActor,
    error::{ApiError, ApiResult, Validator},
    http::{AppState, Routes},
    time::rfc3339,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/business", show).patch("/api/business", update);
}

fn business_json(b: &super::Business) -> serde_json::Value {
    json!({"id": b.id, "name": b.name, "default_country": b.default_country,
           "created_at": rfc3339(b.created_at)})
}

async fn show(actor: MemberActor) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(business_json(&actor.business)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Changes {
    name: Option<String>,
    /// ISO 3166 alpha-2 ("BR"), or "" for none.
    default_country: Option<String>,
}

async fn update(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    body: web::Json<Changes>,
) -> ApiResult<HttpResponse> {
    if actor.scope.role != Role::Owner {
        return Err(ApiError::forbidden(
            "Only owners change the business settings",
        ));
    }
    let body = body.into_inner();
    let mut v = Validator::default();
    let name = body.name.map(|n| n.trim().to_string());
    v.check(
        name.as_ref()
            .is_none_or(|n| !n.is_empty() && n.chars().count() <= 120),
        "name",
        "must be 1 to 120 characters",
    );
    let country = body.default_country.map(|c| c.trim().to_uppercase());
    v.check(
        country
            .as_ref()
            .is_none_or(|c| c.is_empty() || crate::contacts::phone::known_country(c)),
        "default_country",
        "must be a two-letter country code such as BR or US",
    );
    v.finish()?;
    let id = actor.business.id;
    let who = Who::user(&actor.user);
    let updated = state
        .store
        .write(move |ctx| {
            let mut b = repo::business(ctx, id)?.ok_or_else(|| ApiError::not_found("business"))?;
            let mut changed = Vec::new();
            if let Some(n) = name.as_ref().filter(|n| **n != b.name) {
                changed.push(format!("name from \"{}\" to \"{n}\"", b.name));
                b.name = n.clone();
            }
            if let Some(c) = country.as_ref().filter(|c| **c != b.default_country) {
                changed.push(format!(
                    "default country from \"{}\" to \"{c}\"",
                    b.default_country
                ));
                b.default_country = c.clone();
            }
            repo::save_business(ctx, &b)?;
            if !changed.is_empty() {
                let note = Note::new(
                    Action::BusinessSettingsChanged,
                    Some(b.id),
                    who.clone(),
                    format!("Changed the {}", changed.join(" and the ")),
                )
                .target("business", b.id);
                audit::record(ctx, &origin, &note)?;
            }
            Ok(b)
        })
        .await?;
    Ok(HttpResponse::Ok().json(business_json(&updated)))
}
