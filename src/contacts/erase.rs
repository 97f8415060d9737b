//! Erasing one contact, store side. The first write (`begin`) removes the
//! contact, its conversations and everything small that points at them, and
//! records an `Erasure`: the durable plan of what is left (the messages,
//! deleted in batches by `step`, and the files to remove from disk). A crash
//! anywhere leaves that plan, and its job finishes it on restart.
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Contact;
use crate::{
    audit::{self, Action, Origin, Who},
    channels::whatsapp::{media, uploads},
    conversations::{model::Conversation, repo},
    error::{ApiError, ApiResult},
    events::Event,
    store::{
        self, codec,
        ids::{BusinessId, ContactId, ConversationId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    time::now_ms,
};

pub const JOB: &str = "contact_erase";
/// Messages deleted per write: one batch stays a short transaction.
pub const BATCH: usize = 1_000;
/// When the job picks up an erasure its request did not finish (a crash); a
/// request still running then is harmless: both re-read the plan at every step.
pub const JOB_DELAY_MS: i64 = 10_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub conversations: u64,
    pub messages: u64,
    pub media_files: u64,
    pub followups: u64,
    pub flow_runs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Erasure {
    pub business_id: BusinessId,
    pub contact_id: ContactId,
    /// Every erased conversation: the search index must hold none of them.
    pub erased: Vec<ConversationId>,
    /// Those whose messages are still being deleted.
    pub pending: Vec<ConversationId>,
    /// Files (relative to the data folder) to remove once their records are gone.
    pub files: Vec<String>,
    pub counts: Counts,
    /// Who asked, for the audit entry written when it completes.
    pub actor: Who,
    pub ip: String,
    pub user_agent: String,
    pub started_at: i64,
}
impl Record for Erasure {}

/// (business, contact) → Erasure, while one is unfinished. Ids only: no personal data.
const ERASURES: Tbl = TableDefinition::new("contact_erasures");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: ERASURES,
    verify: codec::verify::<Erasure>,
}];

fn key(b: BusinessId, c: ContactId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ContactId,
) -> Result<Option<Erasure>, StoreError> {
    store::get(r, ERASURES, &key(b, c))
}

fn save(ctx: &mut WriteCtx, e: &Erasure) -> Result<(), StoreError> {
    ctx.put(ERASURES, &key(e.business_id, e.contact_id), e)
}

/// Every unfinished erasure (the job's catch-all after a restart).
pub fn unfinished<R: Reader + ?Sized>(r: &R) -> Result<Vec<Erasure>, StoreError> {
    store::records(r, ERASURES, &[], usize::MAX)
}

fn media_rel(b: BusinessId, file_key: &str) -> String {
    format!("media/{b}/{file_key}")
}

/// The first write: the contact and its conversations disappear at once.
pub fn begin(
    ctx: &mut WriteCtx,
    b: BusinessId,
    contact: ContactId,
    actor: &Who,
    origin: &Origin,
) -> ApiResult<Erasure> {
    let contact: Contact =
        super::get(ctx, b, contact)?.ok_or_else(|| ApiError::not_found("contact"))?;
    let mut e = Erasure {
        business_id: b,
        contact_id: contact.id,
        erased: Vec::new(),
        pending: Vec::new(),
        files: Vec::new(),
        counts: Counts::default(),
        actor: actor.clone(),
        ip: origin.ip.clone(),
        user_agent: origin.user_agent.clone(),
        started_at: now_ms(),
    };
    for id in repo::of_contact(ctx, b, contact.id)? {
        let Some(c) = repo::get(ctx, b, id)? else {
            continue;
        };
        conversation(ctx, &c, &mut e)?;
    }
    crate::notifications::forget_conversations(ctx, b, &e.erased)?;
    crate::mail::forget_conversations(ctx, b, &e.erased)?;
    for c in &e.erased {
        // A push reminder waiting to go out names the contact.
        crate::scheduler::forget(ctx, crate::push::JOB, &format!("/inbox/{c}"))?;
    }
    crate::flows::model::forget_contact(ctx, b, contact.id)?;
    super::delete(ctx, &contact)?;
    save(ctx, &e)?;
    crate::scheduler::schedule(
        ctx,
        JOB,
        &json!({"business_id": b, "contact_id": contact.id}),
        now_ms() + JOB_DELAY_MS,
        10,
    )?;
    Ok(e)
}

/// One conversation's record and its small satellites; its messages stay
/// for `step`.
fn conversation(ctx: &mut WriteCtx, c: &Conversation, e: &mut Erasure) -> ApiResult<()> {
    let b = c.business_id;
    repo::delete(ctx, c)?;
    loop {
        let batch = crate::followups::of_conversation(ctx, b, c.id)?;
        if batch.is_empty() {
            break;
        }
        for f in &batch {
            crate::followups::delete(ctx, f)?;
        }
        e.counts.followups += batch.len() as u64;
    }
    e.counts.flow_runs += crate::flows::model::delete_runs_of(ctx, b, c.id)? as u64;
    crate::outbound::forget_conversation(ctx, b, c.id)?;
    crate::assignment::forget_explanation(ctx, b, c.id)?;
    for file in uploads::forget_conversation(ctx, b, c.id)? {
        e.files.push(media_rel(b, &file));
    }
    for import in crate::imports::model::forget_conversation(ctx, b, c.id)? {
        e.files.push(format!("imports/{b}/{import}.upload"));
    }
    e.counts.conversations += 1;
    e.erased.push(c.id);
    e.pending.push(c.id);
    // Open inboxes drop it; the search indexer deletes its documents.
    ctx.emit(Event::new(
        Some(b),
        "conversation.updated",
        json!({"conversation_id": c.id, "assignee_id": c.assignee_id, "removed": true, "erased": true}),
    ));
    ctx.emit(erased_event(b, c.id));
    Ok(())
}

/// Tells the search indexer to delete every document of the conversation.
pub fn erased_event(b: BusinessId, c: ConversationId) -> Event {
    Event::new(Some(b), "index.erased", json!({"conversation_id": c}))
}

/// One batch of messages (with their media records) of the first pending
/// conversation; None when the erasure is already finished.
pub fn step(ctx: &mut WriteCtx, b: BusinessId, contact: ContactId) -> ApiResult<Option<Erasure>> {
    let Some(mut e) = get(ctx, b, contact)? else {
        return Ok(None);
    };
    if let Some(&c) = e.pending.first() {
        let gone = repo::delete_messages(ctx, b, c, BATCH)?;
        for m in &gone {
            if let Some(f) = media::forget(ctx, b, c, m.id)? {
                count_file(&mut e, &f);
            }
        }
        e.counts.messages += gone.len() as u64;
        if gone.len() < BATCH {
            // Records whose message went before (none expected): theirs too.
            for f in media::forget_rest(ctx, b, c, usize::MAX)? {
                count_file(&mut e, &f);
            }
            e.pending.remove(0);
        }
        save(ctx, &e)?;
    }
    Ok(Some(e))
}

fn count_file(e: &mut Erasure, f: &media::MediaFile) {
    if f.state == media::State::Stored {
        e.counts.media_files += 1;
    }
    // A pending download may still land: its job finds no record and removes it.
    e.files.push(media_rel(f.business_id, &f.file_key));
}

/// The files in `done` are off the disk.
pub fn files_removed(
    ctx: &mut WriteCtx,
    b: BusinessId,
    contact: ContactId,
    done: &[String],
) -> ApiResult<()> {
    if let Some(mut e) = get(ctx, b, contact)? {
        e.files.retain(|f| !done.contains(f));
        save(ctx, &e)?;
    }
    Ok(())
}

/// Asks the indexer again to drop the erased conversations' documents.
pub fn reindex_erased(ctx: &mut WriteCtx, e: &Erasure) {
    for &c in &e.erased {
        ctx.emit(erased_event(e.business_id, c));
    }
}

/// The last write: the plan goes and the audit entry (ids and counts only)
/// is written. None when another runner finished it first.
pub fn finish(ctx: &mut WriteCtx, b: BusinessId, contact: ContactId) -> ApiResult<Option<Counts>> {
    let Some(e) = get(ctx, b, contact)? else {
        return Ok(None);
    };
    if !e.pending.is_empty() || !e.files.is_empty() {
        return Err(ApiError::internal("the erasure is not finished"));
    }
    ctx.delete(ERASURES, &key(b, contact))?;
    let n = e.counts;
    let note = audit::Note::new(
        Action::ContactErased,
        Some(b),
        e.actor.clone(),
        format!(
            "Erased a contact: {} conversations, {} messages, {} media files, {} follow-ups, {} flow runs",
            n.conversations, n.messages, n.media_files, n.followups, n.flow_runs
        ),
    )
    .target("contact", e.contact_id);
    let origin = Origin {
        ip: e.ip.clone(),
        user_agent: e.user_agent.clone(),
    };
    audit::record(ctx, &origin, &note)?;
    Ok(Some(n))
}
