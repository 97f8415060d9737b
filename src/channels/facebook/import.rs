//! Historical import of a lead form's existing leads, page by page. Each page
//! of leads is written together with the import's cursor and counters, so a
//! restart resumes at the next page and `leadgen_id` dedup keeps leads the
//! webhook already brought from being stored twice. Progress goes out as
//! `import.progress` events.
use std::sync::Arc;

use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::leads::{outcome_of, store_lead, LeadSource};
use crate::{
    events::Event,
    scheduler::{Handler, Job, Outcome},
    store::{
        self,
        ids::{BusinessId, RecordId},
        Key, Reader, Record, StoreError, Tbl, WriteCtx,
    },
    time::now_ms,
};

pub const JOB_KIND: &str = "facebook_import";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    Completed,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FbImport {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub page: RecordId,
    pub form_id: String,
    pub status: Status,
    /// Graph's cursor after the last committed page of leads.
    pub after: Option<String>,
    pub rows_done: u64,
    pub rows_duplicate: u64,
    pub rows_failed: u64,
    pub error: Option<String>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}
impl Record for FbImport {}

/// (business, import) → FbImport
pub(crate) const IMPORTS: Tbl = TableDefinition::new("facebook_imports");

fn key(b: BusinessId, id: RecordId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(id.bytes()).done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    id: RecordId,
) -> Result<Option<FbImport>, StoreError> {
    store::get(r, IMPORTS, &key(b, id))
}

/// The business's imports, oldest first.
pub fn list<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<FbImport>, StoreError> {
    Ok(
        store::scan::<FbImport, _>(r, IMPORTS, &b.bytes(), None, 1000)?
            .into_iter()
            .map(|(_, i)| i)
            .collect(),
    )
}

pub fn import_json(i: &FbImport) -> Value {
    json!({"id": i.id, "kind": "facebook", "page_id": i.page, "form_id": i.form_id, "status": i.status,
           "rows_done": i.rows_done, "rows_duplicate": i.rows_duplicate, "rows_failed": i.rows_failed,
           "rows_total": null, "error": i.error,
           "started_at": crate::time::rfc3339(i.started_at),
           "finished_at": i.finished_at.map(crate::time::rfc3339)})
}

fn save(ctx: &mut WriteCtx, i: &FbImport) -> Result<(), StoreError> {
    ctx.put(IMPORTS, &key(i.business_id, i.id), i)?;
    ctx.emit(Event::new(
        Some(i.business_id),
        "import.progress",
        import_json(i),
    ));
    Ok(())
}

/// Starts an import: its record and its job, in one write.
pub fn start(
    ctx: &mut WriteCtx,
    b: BusinessId,
    page: RecordId,
    form_id: &str,
) -> Result<FbImport, StoreError> {
    let i = FbImport {
        id: RecordId::new(),
        business_id: b,
        page,
        form_id: form_id.to_string(),
        status: Status::Running,
        after: None,
        rows_done: 0,
        rows_duplicate: 0,
        rows_failed: 0,
        error: None,
        started_at: now_ms(),
        finished_at: None,
    };
    save(ctx, &i)?;
    crate::scheduler::schedule(
        ctx,
        JOB_KIND,
        &json!({"business": b, "import": i.id}),
        now_ms(),
        10,
    )?;
    Ok(i)
}

/// Pages read per run at most; a bigger form continues in the next run.
const PAGES_PER_RUN: usize = 1_000;

async fn run(source: &LeadSource, b: BusinessId, id: RecordId) -> Outcome {
    for _ in 0..PAGES_PER_RUN {
        let loaded = source
            .store
            .read()
            .map_err(|e| e.to_string())
            .and_then(|r| {
                let i = get(&r, b, id).map_err(|e| e.to_string())?;
                let page = match &i {
                    Some(i) => super::get(&r, i.page).map_err(|e| e.to_string())?,
                    None => None,
                };
                Ok((i, page))
            });
        let (import, page) = match loaded {
            Ok((Some(i), Some(p))) => (i, p),
            Ok((Some(i), None)) => {
                return finish(
                    source,
                    i,
                    Status::Failed,
                    Some("the page was disconnected".into()),
                )
                .await
            }
            Ok((None, _)) => return Outcome::Fail("the import is gone".into()),
            Err(e) => return Outcome::Retry(e),
        };
        if import.status != Status::Running {
            return Outcome::Done;
        }
        let batch = match source
            .form_leads(&page, &import.form_id, import.after.as_deref())
            .await
        {
            Ok(b) => b,
            Err(e) => {
                let outcome = outcome_of(&source.store, page.id, e).await;
                if let Outcome::Fail(why) = &outcome {
                    return finish(source, import, Status::Failed, Some(why.clone())).await;
                }
                return outcome;
            }
        };
        let last = batch.after.is_none();
        let written = source
            .store
            .write(move |ctx| {
                let mut i = import.clone();
                for lead in &batch.leads {
                    match store_lead(ctx, &page, lead) {
                        Ok(Some(_)) => i.rows_done += 1,
                        Ok(None) => i.rows_duplicate += 1,
                        Err(e) if e.code.http().is_server_error() => return Err(e),
                        Err(_) => i.rows_failed += 1,
                    }
                }
                i.after = batch.after.clone();
                if last {
                    i.status = Status::Completed;
                    i.finished_at = Some(now_ms());
                }
                save(ctx, &i)?;
                Ok(())
            })
            .await;
        if let Err(e) = written {
            return Outcome::Retry(e.message);
        }
        if last {
            return Outcome::Done;
        }
    }
    // Long forms yield to other jobs; the next run picks up at the cursor.
    Outcome::Retry("continuing after a pause".into())
}

async fn finish(
    source: &LeadSource,
    mut i: FbImport,
    status: Status,
    error: Option<String>,
) -> Outcome {
    i.status = status;
    i.error = error.clone();
    i.finished_at = Some(now_ms());
    match source.store.write(move |ctx| Ok(save(ctx, &i)?)).await {
        Ok(()) => Outcome::Fail(error.unwrap_or_default()),
        Err(e) => Outcome::Retry(e.message),
    }
}

pub fn handler(source: LeadSource) -> Handler {
    let source = Arc::new(source);
    Arc::new(move |job: Job| {
        let source = source.clone();
        Box::pin(async move {
            let args: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
            let ids = (
                args["business"]
                    .as_str()
                    .and_then(|b| b.parse::<BusinessId>().ok()),
                args["import"]
                    .as_str()
                    .and_then(|i| i.parse::<RecordId>().ok()),
            );
            match ids {
                (Some(b), Some(i)) => run(&source, b, i).await,
                _ => Outcome::Fail(format!("malformed job payload: {}", job.payload)),
            }
        })
    })
}
