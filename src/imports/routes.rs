//! The import routes: upload, list, one import, its preview, its mapping,
//! start and cancel, and the failed rows as a CSV to fix and import again.
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::{
    csv_run,
    model::{self, Import, Mapping, Status},
    preview,
    upload::{self, require_import},
};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    auth::MemberActor,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::ids::RecordId,
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.post("/api/imports", upload::create)
        .answers(&[202])
        .get("/api/imports", list)
        .get("/api/imports/{id}", show)
        .get("/api/imports/{id}/preview", preview::show)
        .put("/api/imports/{id}/mapping", preview::map)
        .post("/api/imports/{id}/start", start)
        .answers(&[202])
        .post("/api/imports/{id}/cancel", cancel)
        .get("/api/imports/{id}/errors.csv", errors_csv);
}

pub fn json_of(i: &Import) -> Value {
    let c = &i.checkpoint;
    json!({
        "id": i.id, "kind": i.kind, "status": i.status, "file_name": i.file_name, "size": i.size,
        "conversation_id": i.conversation_id,
        "rows_total": i.rows_total_estimate, "rows_done": c.done, "rows_failed": c.failed,
        "rows_skipped": c.skipped, "error": i.error,
        "dry_run": i.was_dry_run(),
        // What the form shows again when a dry run's mapping is adjusted.
        "mapping": match &i.mapping {
            Some(Mapping::Csv(m)) => json!({"columns": m.columns, "default_country": m.default_country,
                "duplicates": m.duplicates, "assign": m.assign, "dry_run": m.dry_run}),
            Some(Mapping::Chat(m)) => json!({"business_participant": m.business_participant,
                "tz_offset_minutes": m.tz_offset_minutes}),
            None => Value::Null,
        },
        "started_at": i.started_at.map(rfc3339), "finished_at": i.finished_at.map(rfc3339),
        "created_at": rfc3339(i.created_at),
    })
}

/// An import is its uploader's, and the owners' (and `see_all` holders'):
/// its rows and samples may come from conversations nobody else sees.
fn visible(actor: &MemberActor, i: &Import) -> bool {
    let s = &actor.scope;
    i.created_by == s.member_id || s.sees_all()
}

/// The import, if the actor may see it (same answer for "not yours").
pub fn find(state: &AppState, actor: &MemberActor, id: &str) -> ApiResult<Import> {
    require_import(actor)?;
    let id: RecordId = id.parse().map_err(|_| ApiError::not_found("import"))?;
    model::get(&state.store.read()?, actor.business.id, id)?
        .filter(|i| visible(actor, i))
        .ok_or_else(|| ApiError::not_found("import"))
}

async fn list(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    require_import(&actor)?;
    let mut items = model::list(&state.store.read()?, actor.business.id)?;
    items.retain(|i| visible(&actor, i));
    Ok(HttpResponse::Ok().json(json!({
        "items": items.iter().map(json_of).collect::<Vec<_>>(), "next_cursor": null,
    })))
}

async fn show(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(json_of(&find(&state, &actor, &id)?)))
}

/// Before it runs, an import is cancelled at once; while it runs, it stops
/// after the batch in hand (that batch's rows stay imported).
async fn cancel(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let import = find(&state, &actor, &id)?;
    let (b, id) = (import.business_id, import.id);
    let after = state
        .store
        .write(move |ctx| {
            let mut i = model::get(ctx, b, id)?.ok_or_else(|| ApiError::not_found("import"))?;
            match i.status {
                Status::Uploaded | Status::Mapped => {
                    i.status = Status::Cancelled;
                    i.finished_at = Some(now_ms());
                }
                Status::Running => i.cancel_requested = true,
                done => return Err(done.conflict()),
            }
            i.updated_at = now_ms();
            model::save(ctx, &i)?;
            Ok(i)
        })
        .await?;
    // A running import lets go of its file when its run stops.
    model::release_files(&state.config.server.data_dir, &after);
    Ok(HttpResponse::Ok().json(json_of(&after)))
}

/// Mapped → running: the file is prepared (re-encoded to UTF-8 if needed,
/// rows counted) and the durable job takes it from there.
async fn start(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let import = find(&state, &actor, &id)?;
    let mapping = match (&import.status, &import.mapping) {
        (Status::Mapped, Some(Mapping::Csv(m))) => Some(m.clone()),
        (Status::Mapped, Some(Mapping::Chat(_))) => None,
        (Status::Uploaded, _) => {
            return Err(ApiError::new(
                Code::Conflict,
                "Map the import first (PUT …/mapping)",
            ))
        }
        (status, _) => return Err(status.conflict()),
    };
    let data_dir = state.config.server.data_dir.clone();
    let prepared = import.clone();
    // A chat export is read whole when it runs; a spreadsheet is prepared now.
    let total = match mapping {
        Some(m) => Some(
            web::block(move || csv_run::prepare(&data_dir, &prepared, &m))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))?
                .map_err(|e| ApiError::internal(format!("preparing the upload: {e}")))?,
        ),
        None => None,
    };
    let (b, id) = (import.business_id, import.id);
    let note = Note::new(
        Action::ImportStarted,
        Some(b),
        Who::user(&actor.user),
        format!("Started importing {}", import.file_name),
    )
    .target("import", id);
    let running = state
        .store
        .write(move |ctx| {
            let mut i = model::get(ctx, b, id)?.ok_or_else(|| ApiError::not_found("import"))?;
            if i.status != Status::Mapped {
                return Err(i.status.conflict());
            }
            i.status = Status::Running;
            i.rows_total_estimate = total;
            i.started_at = Some(now_ms());
            i.updated_at = now_ms();
            model::save(ctx, &i)?;
            csv_run::schedule(ctx, &i)?;
            audit::record(ctx, &origin, &note)?;
            Ok(i)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(json_of(&running)))
}

/// The rows that failed, as the file had them, with an `error` column: fix
/// them in a spreadsheet and import the file again.
async fn errors_csv(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let import = find(&state, &actor, &id)?;
    // The file's own delimiter: a spreadsheet that wrote `;` reads `;` back.
    let (headers, delimiter) = match &import.mapping {
        Some(Mapping::Csv(m)) => (m.headers.clone(), m.delimiter),
        // A chat's failed rows are its unreadable lines.
        _ => (vec!["line".to_string()], b','),
    };
    let mut out = csv::WriterBuilder::new()
        .delimiter(if delimiter == 0 { b',' } else { delimiter })
        .flexible(true)
        .from_writer(Vec::new());
    // What the customer typed opens in Excel as text, never as a formula;
    // the BOM keeps its accents (a re-import reads both back).
    let write = |w: &mut csv::Writer<Vec<u8>>, cells: Vec<String>| {
        w.write_record(cells.iter().map(|c| crate::exports::sheet::cell(c)))
            .map_err(|e| ApiError::internal(e.to_string()))
    };
    let mut head = headers.clone();
    head.push("error".to_string());
    write(&mut out, head)?;
    let read = state.store.read()?;
    let mut after = None;
    loop {
        let page = model::failed_rows(&read, &import, after, 1_000)?;
        let Some(last) = page.last() else { break };
        after = Some(last.row);
        for f in page {
            let mut cells = f.cells.clone();
            // Rows that could not be split keep the header's width.
            cells.resize(headers.len().max(cells.len()), String::new());
            let reason = match &f.column {
                Some(c) => format!("row {}, column {c}: {}", f.row, f.reason),
                None => format!("row {}: {}", f.row, f.reason),
            };
            cells.push(reason);
            write(&mut out, cells)?;
        }
    }
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(
        out.into_inner()
            .map_err(|e| ApiError::internal(e.to_string()))?,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"import-{}-errors.csv\"", import.id),
        ))
        .body(body))
}
