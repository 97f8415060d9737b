//! Data rights for one contact, owners only: `GET /api/contacts/{id}/export`
//! (a zip) and `POST /api/contacts/{id}/erase`.
use std::io::Seek;

use actix_web::{web, HttpResponse};
use futures_util::stream;
use serde::Deserialize;
use serde_json::json;
use tokio::io::AsyncReadExt;

use super::{erase, erase_run, export};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    auth::actor::OwnerActor,
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    store::ids::ContactId,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/contacts/{id}/export", export_zip)
        .post("/api/contacts/{id}/erase", erase_contact);
}

/// Bytes sent per chunk of the zip.
const CHUNK: usize = 64 * 1024;

async fn export_zip(
    state: web::Data<AppState>,
    actor: OwnerActor,
    origin: Origin,
    id: web::Path<ContactId>,
) -> ApiResult<HttpResponse> {
    let actor = actor.0;
    let (b, contact) = (actor.business.id, id.into_inner());
    let (store, data_dir) = (state.store.clone(), state.config.server.data_dir.clone());
    let built = web::block(move || -> ApiResult<_> {
        // Unnamed: the file vanishes with its handle, whatever happens.
        let file = tempfile::tempfile_in(&data_dir)
            .map_err(|e| ApiError::internal(format!("export temp file: {e}")))?;
        let read = store.read()?;
        let (mut file, summary) = export::write(&read, &data_dir, b, contact, file)?;
        file.rewind()
            .map_err(|e| ApiError::internal(format!("export temp file: {e}")))?;
        Ok((file, summary))
    })
    .await
    .map_err(|e| ApiError::internal(format!("export: {e}")))??;
    let (file, summary) = built;
    let note = Note::new(
        Action::ContactExported,
        Some(b),
        Who::user(&actor.user),
        format!(
            "Exported a contact: {} conversations, {} messages, {} media files",
            summary.conversations, summary.messages, summary.media_files
        ),
    )
    .target("contact", contact);
    audit::record_alone(&state.store, origin, vec![note]).await?;
    let file = tokio::fs::File::from_std(file);
    let body = stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; CHUNK];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(web::Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"contact-{contact}.zip\""),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .streaming(body))
}

/// The route itself says what it does, so a request may come with no body;
/// one that sends `confirm` (as the UI does, after the owner typed it) must
/// send the word.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EraseBody {
    confirm: Option<String>,
}

fn erase_confirmed(body: &[u8]) -> ApiResult<()> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let parsed: EraseBody = serde_json::from_slice(body).map_err(|e| {
        crate::http::parse::json_error(actix_web::error::JsonPayloadError::Deserialize(e))
    })?;
    match parsed.confirm.as_deref() {
        None | Some("ERASE") => Ok(()),
        Some(_) => Err(ApiError::field("confirm", "must be \"ERASE\"")),
    }
}

async fn erase_contact(
    state: web::Data<AppState>,
    actor: OwnerActor,
    origin: Origin,
    id: web::Path<ContactId>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let actor = actor.0;
    let (b, contact) = (actor.business.id, id.into_inner());
    erase_confirmed(&body)?;
    let who = Who::user(&actor.user);
    state
        .store
        .write(move |ctx| erase::begin(ctx, b, contact, &who, &origin).map(|_| ()))
        .await?;
    let counts = erase_run::run(
        &state.store,
        &state.search,
        &state.config.server.data_dir,
        b,
        contact,
    )
    .await?
    .ok_or_else(|| ApiError::internal("the erasure was finished by its job"))?;
    Ok(HttpResponse::Ok().json(json!({"erased": counts})))
}
