//! Two sample files waiting in Imports, uploaded and mapped as a person would
//! have done it, so a newcomer only opens one and presses Start: a Brazilian
//! lead spreadsheet (`;`, local phone formats, a few repeats and three bad
//! rows to show the error report) and an Android WhatsApp chat export.
use std::path::Path;

use super::{BUSINESS, PEOPLE};
use crate::{
    assignment::Channel,
    auth::users,
    channels::whatsapp::numbers,
    error::{ApiError, ApiResult},
    imports::{
        model::{
            self, Assign, ChatMapping, Checkpoint, CsvMapping, Duplicates, Import, Kind, Mapping,
            Status,
        },
        participant, preview, sniff,
    },
    store::{
        ids::{BusinessId, MemberId, RecordId},
        Store,
    },
    tenancy::repo as tenancy,
    time::now_ms,
};

const LEADS: &[u8] = include_bytes!("samples/leads.csv");
const CHAT: &[u8] = include_bytes!("samples/chat.txt");
pub const LEADS_FILE: &str = "Sample leads (demo).csv";
pub const CHAT_FILE: &str = "WhatsApp Chat with Fernanda Ribeiro (demo).txt";
/// The customer writes from São Paulo: the export's clock is UTC−3.
const CHAT_TZ_MINUTES: i64 = -180;

/// What the mapping screen would suggest, with the demo's choices: Brazil for
/// local numbers, repeats skipped, new leads through the sandbox number's pool.
fn leads_mapping(pool: Option<Channel>) -> CsvMapping {
    let shape = preview::csv_shape(LEADS);
    CsvMapping {
        columns: shape
            .headers
            .iter()
            .filter_map(|h| sniff::suggest(h).map(|f| (h.clone(), f.to_string())))
            .collect(),
        default_country: Some("BR".into()),
        duplicates: Duplicates::Skip,
        assign: Assign {
            pool_channel_id: pool.map(Channel::name),
            member_id: None,
        },
        dry_run: false,
        delimiter: shape.delimiter,
        encoding: shape.encoding.name().to_string(),
        has_header: shape.has_header,
        headers: shape.headers,
    }
}

fn sample(
    b: BusinessId,
    owner: MemberId,
    file_name: &str,
    kind: Kind,
    mapping: Mapping,
    size: usize,
) -> Import {
    let now = now_ms();
    Import {
        id: RecordId::new(),
        business_id: b,
        kind,
        status: Status::Mapped,
        file_name: file_name.into(),
        size: size as u64,
        created_by: owner,
        conversation_id: None,
        mapping: Some(mapping),
        checkpoint: Checkpoint::default(),
        rows_total_estimate: None,
        cancel_requested: false,
        error: None,
        started_at: None,
        finished_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// The file goes where uploads go, complete before the record names it.
fn place(data_dir: &Path, i: &Import, bytes: &[u8]) -> ApiResult<()> {
    let dest = model::file_path(data_dir, i.business_id, i.id);
    let partial = dest.with_extension("partial");
    let io = |e: std::io::Error| ApiError::internal(format!("demo sample {}: {e}", i.file_name));
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(&partial, bytes).map_err(io)?;
    std::fs::rename(&partial, &dest).map_err(io)
}

/// Adds the samples the demo business lacks; a second run adds nothing.
/// Answers how many were added.
pub fn seed(store: &Store, data_dir: &Path) -> ApiResult<usize> {
    let read = store.read()?;
    let Some(user) = users::by_email(&read, PEOPLE[0].1)? else {
        return Ok(0);
    };
    let Some(owner) = tenancy::memberships(&read, user.id)?.into_iter().next() else {
        return Ok(0);
    };
    let b = owner.business_id;
    let existing = model::list(&read, b)?;
    let pool = numbers::list(&read, b)?
        .into_iter()
        .find(|n| n.sandbox)
        .map(|n| Channel::WhatsApp(n.id));
    drop(read);
    let samples = [
        (
            LEADS_FILE,
            Kind::Csv,
            LEADS,
            Mapping::Csv(leads_mapping(pool)),
        ),
        (
            CHAT_FILE,
            Kind::Chat,
            CHAT,
            Mapping::Chat(ChatMapping {
                business_participant: BUSINESS.into(),
                tz_offset_minutes: CHAT_TZ_MINUTES,
            }),
        ),
    ];
    let mut added = 0;
    for (name, kind, bytes, mapping) in samples {
        if existing.iter().any(|i| i.file_name == name) {
            continue;
        }
        let import = sample(b, owner.id, name, kind, mapping, bytes.len());
        place(data_dir, &import, bytes)?;
        store.write_blocking(move |ctx| {
            if let Some(Mapping::Chat(m)) = &import.mapping {
                participant::remember(ctx, import.business_id, &m.business_participant)?;
            }
            Ok(model::save(ctx, &import)?)
        })?;
        added += 1;
    }
    Ok(added)
}
