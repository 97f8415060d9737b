//! `wafunnel import csv FILE --business ID --map name=Name,phone=Phone …`:
//! the operator's way in, the same job as the web's (a copy of the file in
//! the data folder, the same mapping checks, the same batches and
//! checkpoints), run to the end before the command returns.
use std::path::{Path, PathBuf};

use super::{
    csv_run,
    model::{self, Assign, Checkpoint, CsvMapping, Import, Kind, Mapping, Status},
    preview,
};
use crate::{
    assignment::Channel,
    error::{ApiError, ApiResult},
    store::{
        ids::{BusinessId, RecordId},
        Store,
    },
    tenancy::{repo, Role},
    time::now_ms,
};

/// How many failed rows the command prints (all are in the store).
const SHOWN: usize = 20;

pub struct CsvArgs {
    pub file: PathBuf,
    pub business: BusinessId,
    /// `field=Column` pairs, as typed after `--map`.
    pub map: Vec<(String, String)>,
    pub default_country: Option<String>,
    pub pool: Option<String>,
}

/// `name=Nome,phone=Telefone` → pairs; a pair without `=` is refused.
/// (A column named with a comma cannot be given here; the web mapping can.)
pub fn parse_map(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            pair.split_once('=')
                .map(|(f, c)| (f.trim().to_string(), c.trim().to_string()))
                .filter(|(f, c)| !f.is_empty() && !c.is_empty())
                .ok_or_else(|| format!("`{pair}` is not field=Column"))
        })
        .collect()
}

pub fn import_csv(store: &Store, a: &CsvArgs) -> ApiResult<String> {
    let data_dir = store.dir().to_path_buf();
    let b = a.business;
    let read = store.read()?;
    let business =
        repo::business(&read, b)?.ok_or_else(|| ApiError::field("business", "no such business"))?;
    let owner = repo::members(&read, b)?
        .into_iter()
        .find(|m| m.role == Role::Owner)
        .ok_or_else(|| ApiError::field("business", "has no owner"))?;
    drop(read);
    let sample = std::fs::read(&a.file)
        .map(|mut bytes| {
            bytes.truncate(super::sniff::SAMPLE_BYTES);
            bytes
        })
        .map_err(|e| ApiError::field("file", format!("{}: {e}", a.file.display())))?;
    let shape = preview::csv_shape(&sample);
    let mut columns = std::collections::BTreeMap::new();
    // Without --map, the columns whose headers say what they hold.
    let suggested: Vec<(String, String)> = shape
        .headers
        .iter()
        .filter_map(|h| super::sniff::suggest(h).map(|f| (f.to_string(), h.clone())))
        .collect();
    let explicit = !a.map.is_empty();
    let pairs = if explicit { &a.map } else { &suggested };
    for (field, column) in pairs {
        // Suggestions take each field's first likely column; --map says it once.
        if !field.starts_with("custom:") && columns.values().any(|f| f == field) {
            if explicit {
                return Err(ApiError::field("map", format!("`{field}=` is given twice")));
            }
            continue;
        }
        if !shape.headers.contains(column) {
            return Err(ApiError::field(
                "map",
                format!(
                    "`{column}` is not a column; the file has {}",
                    shape.headers.join(", ")
                ),
            ));
        }
        if !preview::valid_target(field) {
            return Err(ApiError::field("map", format!("`{field}` is not a field")));
        }
        columns.insert(column.clone(), field.clone());
    }
    if !columns.values().any(|f| f == "phone" || f == "email") {
        return Err(ApiError::field(
            "map",
            "map phone= or email=: they tell who each row is",
        ));
    }
    let pool = match &a.pool {
        Some(p) => Some(
            Channel::resolve(&store.read()?, b, p)?
                .ok_or_else(|| ApiError::field("pool", "no such channel"))?
                .name(),
        ),
        None => None,
    };
    if let Some(c) = a.default_country.as_deref() {
        if !crate::contacts::phone::known_country(&c.to_uppercase()) {
            return Err(ApiError::field(
                "default-country",
                format!("`{c}` is not a two-letter country code like BR"),
            ));
        }
    }
    let id = RecordId::new();
    let dest = model::file_path(&data_dir, b, id);
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| ApiError::internal(e.to_string()))?;
    }
    let size = std::fs::copy(&a.file, &dest).map_err(|e| ApiError::internal(e.to_string()))?;
    let mapping = CsvMapping {
        columns,
        default_country: a
            .default_country
            .clone()
            .or(Some(business.default_country.clone()))
            .map(|c| c.to_uppercase())
            .filter(|c| !c.is_empty()),
        duplicates: Default::default(),
        assign: Assign {
            pool_channel_id: pool,
            member_id: None,
        },
        dry_run: false,
        delimiter: shape.delimiter,
        encoding: shape.encoding.name().to_string(),
        has_header: shape.has_header,
        headers: shape.headers.clone(),
    };
    let now = now_ms();
    let mut import = Import {
        id,
        business_id: b,
        kind: Kind::Csv,
        status: Status::Running,
        file_name: file_name(&a.file),
        size,
        created_by: owner.id,
        conversation_id: None,
        mapping: Some(Mapping::Csv(mapping.clone())),
        checkpoint: Checkpoint::default(),
        rows_total_estimate: None,
        cancel_requested: false,
        error: None,
        started_at: Some(now),
        finished_at: None,
        created_at: now,
        updated_at: now,
    };
    import.rows_total_estimate = Some(
        csv_run::prepare(&data_dir, &import, &mapping)
            .map_err(|e| ApiError::internal(e.to_string()))?,
    );
    let saved = import.clone();
    store.write_blocking(move |ctx| Ok(model::save(ctx, &saved)?))?;
    let done = csv_run::run_blocking(store, &data_dir, b, id)?;
    model::release_files(&data_dir, &done);
    let c = &done.checkpoint;
    let mut out = format!(
        "import {id}: {} imported, {} failed, {} skipped as duplicates\n",
        c.done, c.failed, c.skipped
    );
    for f in model::failed_rows(&store.read()?, &done, None, SHOWN)? {
        let column = f
            .column
            .map(|c| format!(", column {c}"))
            .unwrap_or_default();
        out.push_str(&format!("row {}{column}: {}\n", f.row, f.reason));
    }
    if c.failed as usize > SHOWN {
        out.push_str(&format!(
            "… and {} more: GET /api/imports/{id}/errors.csv\n",
            c.failed as usize - SHOWN
        ));
    }
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import.csv".into())
}
