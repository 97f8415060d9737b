//! Running a spreadsheet import: rows are read from the checkpoint's byte
//! offset in batches, and each batch commits its leads together with the new
//! checkpoint. A crash therefore resumes at the first uncommitted row and
//! never imports a row twice; a bad row is reported and never stops the file.
use std::{
    io::{Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
    sync::Arc,
};

use serde_json::{json, Value};

use super::{
    model::{self, CsvMapping, FailedRow, Import, Mapping, Status},
    sniff,
};
use crate::{
    error::{ApiError, ApiResult},
    events::Event,
    scheduler::{self, Handler, Job, Outcome},
    store::{
        ids::{BusinessId, RecordId},
        Store, WriteCtx,
    },
    time::now_ms,
};

pub const JOB: &str = "import_run";
/// Rows per write: large enough to amortise the commit, small enough that a
/// cancel or a crash loses little.
pub const BATCH: usize = 500;

/// The UTF-8 copy of a file uploaded in another encoding.
pub fn utf8_path(data_dir: &Path, i: &Import) -> PathBuf {
    model::file_path(data_dir, i.business_id, i.id).with_extension("utf8")
}

fn source(data_dir: &Path, i: &Import, m: &CsvMapping) -> (PathBuf, u64) {
    match m.encoding.as_str() {
        "utf-8" => (model::file_path(data_dir, i.business_id, i.id), 0),
        "utf-8-bom" => (model::file_path(data_dir, i.business_id, i.id), 3),
        _ => (utf8_path(data_dir, i), 0),
    }
}

/// Before the first batch: other encodings become UTF-8 once (so offsets are
/// plain byte offsets), and the rows are counted for the progress estimate.
pub fn prepare(data_dir: &Path, i: &Import, m: &CsvMapping) -> std::io::Result<u64> {
    let original = model::file_path(data_dir, i.business_id, i.id);
    if !matches!(m.encoding.as_str(), "utf-8" | "utf-8-bom") {
        let encoding = match m.encoding.as_str() {
            "utf-16le" => encoding_rs::UTF_16LE,
            "utf-16be" => encoding_rs::UTF_16BE,
            _ => encoding_rs::WINDOWS_1252,
        };
        let mut decoder = encoding.new_decoder_with_bom_removal();
        let mut input = std::fs::File::open(&original)?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(utf8_path(data_dir, i))?);
        let mut buf = vec![0u8; 64 * 1024];
        let mut text = String::with_capacity(256 * 1024);
        loop {
            let n = input.read(&mut buf)?;
            text.clear();
            let (_, _, _) = decoder.decode_to_string(&buf[..n], &mut text, n == 0);
            out.write_all(text.as_bytes())?;
            if n == 0 {
                break;
            }
            text.reserve(n * 3);
        }
        out.flush()?;
    }
    let (path, _) = source(data_dir, i, m);
    let mut lines = 0u64;
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
    Ok(lines.saturating_sub(u64::from(m.has_header)).max(1))
}

/// A row as read: its number in the file (the header is row 1) and its
/// cells, or why it could not be read.
pub struct Row {
    pub number: u64,
    pub cells: Result<Vec<String>, String>,
}

type ReadResult = std::io::Result<(Vec<Row>, u64, bool, u64)>;

fn read_in_background(
    path: PathBuf,
    start: u64,
    offset: u64,
    first_row: u64,
    m: CsvMapping,
) -> tokio::task::JoinHandle<ReadResult> {
    tokio::task::spawn_blocking(move || read_rows(&path, start, offset, first_row, &m))
}

/// Up to `BATCH` rows from `offset`: the rows, the next offset, end of file.
fn read_rows(path: &Path, start: u64, offset: u64, first_row: u64, m: &CsvMapping) -> ReadResult {
    let mut f = std::fs::File::open(path)?;
    let from = offset.max(start);
    f.seek(SeekFrom::Start(from))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(m.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::BufReader::new(f));
    let mut record = csv::ByteRecord::new();
    let mut rows = Vec::new();
    let mut number = first_row;
    // The file's first record, when it is data: it was read to see whether
    // it is Excel's `sep=` line.
    let mut first_data = false;
    if from == start {
        let mut have = reader
            .read_byte_record(&mut record)
            .map_err(std::io::Error::other)?;
        if have && sniff::is_sep_record(record.iter(), m.delimiter) {
            number += 1;
            have = reader
                .read_byte_record(&mut record)
                .map_err(std::io::Error::other)?;
        }
        if have && m.has_header {
            number += 1;
        } else {
            first_data = have;
        }
    }
    let mut eof = false;
    while rows.len() < BATCH {
        let next = if std::mem::take(&mut first_data) {
            Ok(true)
        } else {
            reader.read_byte_record(&mut record)
        };
        match next {
            Ok(false) => {
                eof = true;
                break;
            }
            Ok(true) => {
                number += 1;
                // The encoding was judged on the file's start: a file that
                // is plain ASCII there and Windows-1252 further on (accents
                // only in later rows) is read as what Excel wrote.
                let cells: Result<Vec<String>, String> = Ok(record
                    .iter()
                    .map(|c| match std::str::from_utf8(c) {
                        Ok(s) => s.trim().to_string(),
                        Err(_) => encoding_rs::WINDOWS_1252.decode(c).0.trim().to_string(),
                    })
                    .collect());
                // A blank line is no row.
                if matches!(&cells, Ok(c) if c.iter().all(String::is_empty)) {
                    continue;
                }
                rows.push(Row { number, cells });
            }
            Err(e) => {
                number += 1;
                rows.push(Row {
                    number,
                    cells: Err(format!("unreadable row: {e}")),
                });
            }
        }
    }
    Ok((rows, from + reader.position().byte(), eof, number))
}

/// Schedules the run (in the caller's write).
pub fn schedule(ctx: &mut WriteCtx, i: &Import) -> Result<(), crate::store::StoreError> {
    scheduler::schedule(
        ctx,
        JOB,
        &json!({"business": i.business_id, "id": i.id}),
        now_ms(),
        20,
    )?;
    Ok(())
}

pub fn progress(ctx: &mut WriteCtx, i: &Import, rate: f64) {
    let c = &i.checkpoint;
    let left = i
        .rows_total_estimate
        .map(|t| t.saturating_sub(c.done + c.failed + c.skipped));
    let eta = match (left, rate > 0.0) {
        (Some(l), true) => Some((l as f64 / rate).ceil()),
        _ => None,
    };
    ctx.emit(Event::new(
        Some(i.business_id),
        "import.progress",
        json!({"id": i.id, "created_by": i.created_by, "status": i.status, "rows_done": c.done, "rows_failed": c.failed,
               "rows_skipped": c.skipped, "rows_total": i.rows_total_estimate,
               "rows_per_second": rate.round(), "eta_seconds": eta}),
    ));
}

fn args(job: &Job) -> Option<(BusinessId, RecordId)> {
    let v: Value = serde_json::from_str(&job.payload).ok()?;
    Some((
        v["business"].as_str()?.parse().ok()?,
        v["id"].as_str()?.parse().ok()?,
    ))
}

pub fn handler(store: Store, data_dir: PathBuf) -> Handler {
    Arc::new(move |job: Job| {
        let (store, data_dir) = (store.clone(), data_dir.clone());
        Box::pin(async move {
            let Some((b, id)) = args(&job) else {
                return Outcome::Fail(format!("malformed job payload: {}", job.payload));
            };
            let chat = matches!(
                store.read().map(|r| model::get(&r, b, id)),
                Ok(Ok(Some(Import {
                    kind: crate::imports::model::Kind::Chat,
                    ..
                })))
            );
            let ran = if chat {
                super::chat_run::run(&store, &data_dir, b, id).await
            } else {
                run(&store, &data_dir, b, id).await
            };
            let outcome = match ran {
                Ok(()) => Outcome::Done,
                Err(e) if e.code.http().is_server_error() => Outcome::Retry(e.message),
                Err(e) => {
                    // The import says so itself, not only the admin's job list.
                    let why = e.message.clone();
                    let ended = store
                        .write(move |ctx| match model::get(ctx, b, id)? {
                            Some(mut i) if !i.status.finished() => end_failed(ctx, &mut i, &why),
                            _ => Ok(()),
                        })
                        .await;
                    if let Err(e) = ended {
                        tracing::error!("import {id}: recording its failure: {e}");
                    }
                    Outcome::Fail(e.message)
                }
            };
            if let Ok(Ok(Some(i))) = store.read().map(|r| model::get(&r, b, id)) {
                model::release_files(&data_dir, &i);
            }
            outcome
        })
    })
}

async fn run(store: &Store, data_dir: &Path, b: BusinessId, id: RecordId) -> ApiResult<()> {
    let started = std::time::Instant::now();
    let mut rows_this_run = 0u64;
    let mut ahead = None;
    loop {
        let Some(import) = model::get(&store.read()?, b, id)? else {
            return Ok(());
        };
        if import.status != Status::Running {
            return Ok(());
        }
        let Some(Mapping::Csv(mapping)) = import.mapping.clone() else {
            return Err(ApiError::field(
                "mapping",
                "a spreadsheet import needs its column mapping",
            ));
        };
        if import.cancel_requested {
            return end_cancelled(store, &import).await;
        }
        let (path, start) = source(data_dir, &import, &mapping);
        let (offset, row) = (import.checkpoint.offset, import.checkpoint.row);
        let read = match ahead.take() {
            Some((at, read)) if at == offset => read,
            _ => read_in_background(path.clone(), start, offset, row, mapping.clone()),
        };
        let (rows, next, eof, last_row) = read
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?
            .map_err(|e| ApiError::internal(format!("reading the upload: {e}")))?;
        // The next batch is parsed while the writer commits this one.
        if !eof {
            ahead = Some((
                next,
                read_in_background(path, start, next, last_row, mapping.clone()),
            ));
        }
        rows_this_run += rows.len() as u64;
        let rate = rows_this_run as f64 / started.elapsed().as_secs_f64().max(0.001);
        let batch = Batch {
            offset,
            rows,
            next,
            eof,
            last_row,
            rate,
        };
        store.write(move |ctx| commit(ctx, b, id, &batch)).await?;
        if eof {
            return Ok(());
        }
        // Let other writers in between batches.
        tokio::task::yield_now().await;
    }
}

/// Records a failed row in the caller's write.
pub fn fail(
    ctx: &mut WriteCtx,
    i: &mut Import,
    row: u64,
    column: Option<String>,
    reason: String,
    cells: Vec<String>,
) -> Result<(), crate::store::StoreError> {
    i.checkpoint.failed += 1;
    model::add_failed(
        ctx,
        i,
        &FailedRow {
            row,
            column,
            reason,
            cells,
        },
    )
}

/// Stops a running import its user cancelled; what it imported stays.
pub async fn end_cancelled(store: &Store, import: &Import) -> ApiResult<()> {
    let import = import.clone();
    store
        .write(move |ctx| {
            let mut i = import.clone();
            i.status = Status::Cancelled;
            i.finished_at = Some(now_ms());
            i.updated_at = now_ms();
            model::save(ctx, &i)?;
            progress(ctx, &i, 0.0);
            Ok(())
        })
        .await
}

/// Ends an import that cannot go on, saying why.
pub fn end_failed(ctx: &mut WriteCtx, i: &mut Import, why: &str) -> ApiResult<()> {
    i.status = Status::Failed;
    i.error = Some(why.to_string());
    i.finished_at = Some(now_ms());
    i.updated_at = now_ms();
    model::save(ctx, i)?;
    progress(ctx, i, 0.0);
    Ok(())
}

/// One batch as read from the file, ready to commit.
pub struct Batch {
    /// The checkpoint it was read from: a batch applies only on top of it.
    pub offset: u64,
    pub rows: Vec<Row>,
    pub next: u64,
    pub eof: bool,
    pub last_row: u64,
    pub rate: f64,
}

/// The rows of a batch and the checkpoint after them, in one write.
pub fn commit(ctx: &mut WriteCtx, b: BusinessId, id: RecordId, batch: &Batch) -> ApiResult<()> {
    // The checkpoint is re-read inside the write: the batch applies once.
    let Some(mut i) = model::get(ctx, b, id)? else {
        return Ok(());
    };
    if i.status != Status::Running || i.checkpoint.offset != batch.offset {
        return Ok(());
    }
    let Some(Mapping::Csv(mapping)) = i.mapping.clone() else {
        return Err(ApiError::field(
            "mapping",
            "a spreadsheet import needs its column mapping",
        ));
    };
    // Rows act with the importer's scope as it is now, as their requests would.
    let Some(importer) = crate::tenancy::repo::member(ctx, b, i.created_by)? else {
        return end_failed(
            ctx,
            &mut i,
            "the member who started this import is no longer in the business",
        );
    };
    let scope = crate::tenancy::repo::scope_for(ctx, &importer)?;
    let mut touched = super::csv_row::Touched::default();
    for r in &batch.rows {
        super::csv_row::apply(ctx, &scope, &mut i, &mapping, r, &mut touched)?;
    }
    if !touched.created.is_empty() || !touched.changed.is_empty() {
        ctx.emit(crate::events::Event::new(
            Some(b),
            "index.contacts",
            json!({"contact_ids": touched.changed, "new_contact_ids": touched.created}),
        ));
    }
    i.checkpoint.offset = batch.next;
    i.checkpoint.row = batch.last_row;
    if batch.eof {
        i.status = Status::Completed;
        i.finished_at = Some(now_ms());
        i.rows_total_estimate =
            Some(i.checkpoint.done + i.checkpoint.failed + i.checkpoint.skipped);
    }
    i.updated_at = now_ms();
    model::save(ctx, &i)?;
    progress(ctx, &i, batch.rate);
    Ok(())
}

/// The whole run on the caller's thread (the operator's command line).
pub fn run_blocking(
    store: &Store,
    data_dir: &Path,
    b: BusinessId,
    id: RecordId,
) -> ApiResult<Import> {
    let started = std::time::Instant::now();
    let mut read_so_far = 0u64;
    loop {
        let import =
            model::get(&store.read()?, b, id)?.ok_or_else(|| ApiError::not_found("import"))?;
        let Some(Mapping::Csv(mapping)) = import.mapping.clone() else {
            return Err(ApiError::field(
                "mapping",
                "a spreadsheet import needs its column mapping",
            ));
        };
        if import.status != Status::Running {
            return Ok(import);
        }
        let (path, start) = source(data_dir, &import, &mapping);
        let offset = import.checkpoint.offset;
        let (rows, next, eof, last_row) =
            read_rows(&path, start, offset, import.checkpoint.row, &mapping)
                .map_err(|e| ApiError::internal(format!("reading the file: {e}")))?;
        read_so_far += rows.len() as u64;
        let rate = read_so_far as f64 / started.elapsed().as_secs_f64().max(0.001);
        let batch = Batch {
            offset,
            rows,
            next,
            eof,
            last_row,
            rate,
        };
        store.write_blocking(move |ctx| commit(ctx, b, id, &batch))?;
    }
}
