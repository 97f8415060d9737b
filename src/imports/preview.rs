//! What an upload looks like before it runs: for a spreadsheet its encoding,
//! delimiter, headers, first rows and suggested columns; for a chat export
//! its participants. The mapping then fixes what the run will do.
use std::io::Read;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{
    model::{self, Assign, ChatMapping, CsvMapping, Duplicates, Import, Kind, Mapping, Status},
    participant,
    routes::{find, json_of},
    sniff,
};
use crate::{
    assignment::Channel,
    auth::MemberActor,
    error::{ApiError, ApiResult},
    http::AppState,
    store::ids::MemberId,
    time::now_ms,
};

const PREVIEW_ROWS: usize = 20;

/// What a spreadsheet's first bytes say about it.
pub struct CsvShape {
    pub encoding: sniff::TextEncoding,
    pub delimiter: u8,
    pub has_header: bool,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn read_sample(path: &std::path::Path) -> ApiResult<Vec<u8>> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| ApiError::internal(format!("the uploaded file is gone: {e}")))?;
    let mut sample = Vec::with_capacity(sniff::SAMPLE_BYTES);
    f.by_ref()
        .take(sniff::SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(sample)
}

pub fn csv_shape(sample: &[u8]) -> CsvShape {
    let encoding = sniff::encoding(sample);
    let text = sniff::decode_sample(sample, encoding);
    let (delimiter, body) = match sniff::sep_line(&text) {
        Some((d, len)) => (d, &text[len..]),
        None => (sniff::delimiter(&text), text.as_str()),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .take(PREVIEW_ROWS + 1)
        .filter_map(Result::ok)
        .map(|r| r.iter().map(|c| c.trim().to_string()).collect())
        .collect();
    let has_header = rows
        .first()
        .is_some_and(|first| sniff::has_header(first, rows.get(1).map(Vec::as_slice)));
    let headers = if has_header {
        distinct(rows.remove(0))
    } else {
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        (1..=width).map(|i| format!("Column {i}")).collect()
    };
    rows.truncate(PREVIEW_ROWS);
    CsvShape {
        encoding,
        delimiter,
        has_header,
        headers,
        rows,
    }
}

/// Headers as the mapping names columns: a repeated one ("Phone", "Phone")
/// becomes "Phone (2)", and an empty one "Column N", so each can be mapped.
fn distinct(headers: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(headers.len());
    for (i, h) in headers.into_iter().enumerate() {
        let base = if h.is_empty() {
            format!("Column {}", i + 1)
        } else {
            h
        };
        let mut name = base.clone();
        let mut n = 1;
        while out.contains(&name) {
            n += 1;
            name = format!("{base} ({n})");
        }
        out.push(name);
    }
    out
}

fn csv_preview(shape: &CsvShape) -> Value {
    // Each field once, from its first likely column: a suggestion sent back
    // as it is must be a mapping the server takes.
    let mut taken = Vec::new();
    let suggested: Map<String, Value> = shape
        .headers
        .iter()
        .filter_map(|h| {
            let f = sniff::suggest(h)?;
            let repeatable = f.starts_with("custom:");
            if !repeatable && taken.contains(&f) {
                return None;
            }
            taken.push(f);
            Some((h.clone(), json!(f)))
        })
        .collect();
    json!({
        "delimiter": (shape.delimiter as char).to_string(),
        "encoding": shape.encoding.name(),
        "has_header": shape.has_header,
        "headers": shape.headers,
        "rows": shape.rows,
        "suggested": suggested,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let import = find(&state, &actor, &id)?;
    let path = model::file_path(&state.config.server.data_dir, import.business_id, import.id);
    let body = match import.kind {
        Kind::Csv => {
            let sample = web::block(move || read_sample(&path))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))??;
            csv_preview(&csv_shape(&sample))
        }
        Kind::Chat => {
            let mut preview = super::chat::preview(&path).await?;
            let participants: Vec<String> =
                serde_json::from_value(preview["participants"].clone()).unwrap_or_default();
            let read = state.store.read()?;
            preview["suggested_business_participant"] = json!(participant::suggestion(
                &read,
                import.business_id,
                &participants
            )?);
            preview
        }
    };
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingBody {
    columns: Option<std::collections::BTreeMap<String, String>>,
    default_country: Option<String>,
    duplicates: Option<Duplicates>,
    assign: Option<AssignBody>,
    dry_run: Option<bool>,
    business_participant: Option<String>,
    tz_offset_minutes: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    pool_channel_id: Option<String>,
    member_id: Option<MemberId>,
}

const SINGLE: [&str; 6] = ["name", "phone", "email", "note", "assignee_email", "source"];

pub fn valid_target(target: &str) -> bool {
    SINGLE.contains(&target)
        || target == "labels"
        || target.strip_prefix("custom:").is_some_and(|k| {
            !k.is_empty() && k.len() <= 40 && k.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

fn csv_mapping(
    state: &AppState,
    actor: &MemberActor,
    import: &Import,
    body: MappingBody,
) -> ApiResult<CsvMapping> {
    let path = model::file_path(&state.config.server.data_dir, import.business_id, import.id);
    let shape = csv_shape(&read_sample(&path)?);
    let columns = body
        .columns
        .ok_or_else(|| ApiError::field("columns", "map at least the phone or email column"))?;
    let mut seen = Vec::new();
    for (header, target) in &columns {
        if !shape.headers.contains(header) {
            return Err(ApiError::field(
                &format!("columns.{header}"),
                "is not a column of the file",
            ));
        }
        if !valid_target(target) {
            return Err(ApiError::field(
                &format!("columns.{header}"),
                "must be name, phone, email, note, labels, assignee_email, source or custom:<key>",
            ));
        }
        if SINGLE.contains(&target.as_str()) && seen.contains(target) {
            return Err(ApiError::field(
                &format!("columns.{header}"),
                format!("another column is already the {target}"),
            ));
        }
        seen.push(target.clone());
    }
    if !seen.iter().any(|t| t == "phone" || t == "email") {
        return Err(ApiError::field(
            "columns",
            "map the phone or the email column: they tell who each row is",
        ));
    }
    let default_country = match body.default_country.filter(|c| !c.is_empty()) {
        Some(c) if crate::contacts::phone::known_country(&c.to_uppercase()) => {
            Some(c.to_uppercase())
        }
        Some(_) => {
            return Err(ApiError::field(
                "default_country",
                "a two-letter country code like BR",
            ))
        }
        // Rows without a country code read as the business's country.
        None => Some(actor.business.default_country.clone()).filter(|c| !c.is_empty()),
    };
    let assign = match body.assign {
        Some(a) => {
            if a.pool_channel_id.is_some() && a.member_id.is_some() {
                return Err(ApiError::field("assign", "a pool or a member, not both"));
            }
            // Kept by its canonical name, whichever way the client named it.
            let pool_channel_id = match &a.pool_channel_id {
                Some(p) => Some(
                    Channel::resolve(&state.store.read()?, actor.business.id, p)?
                        .ok_or_else(|| {
                            ApiError::field("assign.pool_channel_id", "no such channel")
                        })?
                        .name(),
                ),
                None => None,
            };
            if let Some(m) = a.member_id {
                let read = state.store.read()?;
                let member = crate::tenancy::repo::member(&read, actor.business.id, m)?
                    .ok_or_else(|| ApiError::field("assign.member_id", "no such member"))?;
                if !actor.scope.may_give_lead_to(member.id) {
                    return Err(ApiError::forbidden(
                        "You cannot give these leads to that member",
                    ));
                }
            }
            Assign {
                pool_channel_id,
                member_id: a.member_id,
            }
        }
        None => Assign::default(),
    };
    Ok(CsvMapping {
        columns,
        default_country,
        duplicates: body.duplicates.unwrap_or_default(),
        assign,
        dry_run: body.dry_run.unwrap_or(false),
        delimiter: shape.delimiter,
        encoding: shape.encoding.name().to_string(),
        has_header: shape.has_header,
        headers: shape.headers,
    })
}

pub async fn map(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<String>,
    body: web::Json<MappingBody>,
) -> ApiResult<HttpResponse> {
    let import = find(&state, &actor, &id)?;
    if !import.mappable() {
        return Err(import.status.conflict());
    }
    let body = body.into_inner();
    let mapping = match import.kind {
        Kind::Csv => Mapping::Csv(csv_mapping(&state, &actor, &import, body)?),
        Kind::Chat => {
            let path =
                model::file_path(&state.config.server.data_dir, import.business_id, import.id);
            let who = body
                .business_participant
                .filter(|p| !p.trim().is_empty())
                .ok_or_else(|| {
                    ApiError::field("business_participant", "choose the business's side")
                })?;
            super::chat::check_participant(&path, &who).await?;
            let tz_offset_minutes = body.tz_offset_minutes.unwrap_or(0);
            if !(-14 * 60..=14 * 60).contains(&tz_offset_minutes) {
                return Err(ApiError::field(
                    "tz_offset_minutes",
                    "must be between -840 and 840",
                ));
            }
            Mapping::Chat(ChatMapping {
                business_participant: who,
                tz_offset_minutes,
            })
        }
    };
    let (b, id) = (import.business_id, import.id);
    let saved = state
        .store
        .write(move |ctx| {
            let mut i = model::get(ctx, b, id)?.ok_or_else(|| ApiError::not_found("import"))?;
            if !i.mappable() {
                return Err(i.status.conflict());
            }
            if i.status == Status::Completed {
                model::forget_run(ctx, &mut i)?;
            }
            if let Mapping::Chat(chat) = &mapping {
                participant::remember(ctx, b, &chat.business_participant)?;
            }
            i.mapping = Some(mapping.clone());
            i.status = Status::Mapped;
            i.updated_at = now_ms();
            model::save(ctx, &i)?;
            Ok(i)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json_of(&saved)))
}
