//! The indexer thread: follows committed events, batches them, and commits
//! the index at most `FLUSH_AFTER` after the first change it holds.
use std::{
    collections::{HashMap, HashSet},
    rc::Rc,
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::Value;
use tantivy::IndexWriter;
use tokio::sync::{broadcast::error::RecvError, mpsc};

use super::{covered::Covered, docs::Docs, error, schema, Payload, Search};
use crate::{
    conversations::{model::Conversation, repo},
    error::ApiResult,
    events::{Batch, MessageText},
    store::{
        ids::{BusinessId, ContactId, ConversationId, MessageId},
        ReadTxn, Store,
    },
    time::now_ms,
};

/// A change is searchable this long after its commit, plus the flush itself.
const FLUSH_AFTER: Duration = Duration::from_millis(500);
/// Under a flood (the last flush held more than `FLOOD` changes, 12,000 a
/// second and up) the index commits less often, as a search engine's
/// refresh interval does: every segment and every merge builds a term
/// dictionary per field whatever its size, and that was most of the index's
/// CPU at full webhook rate, CPU the webhooks' acknowledgements need more.
const FLUSH_AFTER_FLOOD: Duration = Duration::from_millis(1_500);
const FLOOD: usize = 6_000;

/// How much lower than the request threads the indexer runs (see `yield_to_ingest`).
#[cfg(target_os = "linux")]
const INDEXER_NICE: i32 = 10;
/// After a crash, conversations active this long before the watermark are
/// re-indexed too: events reach the indexer a little after their commit.
const SLACK_MS: i64 = 30_000;
/// Changes held before a flush starts at once. A flush also takes in what
/// arrives meanwhile up to this many; past it, events wait in the store's
/// bounded channel (and, if that overflows, the index catches up from the
/// store), so a backlog never grows in memory without bound.
const PENDING_MAX: usize = 20_000;
/// Documents a rebuild writes between intermediate commits.
const REBUILD_COMMIT_EVERY: usize = 100_000;

enum Control {
    Rebuild,
    Stop,
}

pub struct Running {
    control: mpsc::UnboundedSender<Control>,
    thread: std::thread::JoinHandle<()>,
}

impl Running {
    pub fn rebuild(&self) -> bool {
        self.control.send(Control::Rebuild).is_ok()
    }

    pub fn stop(self) {
        let _ = self.control.send(Control::Stop);
        let _ = self.thread.join();
    }
}

struct PendingMessage {
    business: BusinessId,
    conversation: ConversationId,
    id: MessageId,
    seq: u64,
    text: Option<Arc<MessageText>>,
}

#[derive(Default)]
struct Pending {
    /// With the commit sequence of the event that named them, and the
    /// message's text when the event carried it.
    messages: Vec<PendingMessage>,
    notes: Vec<(BusinessId, ConversationId, MessageId)>,
    cards: HashSet<(BusinessId, ConversationId)>,
    whole: HashSet<(BusinessId, ConversationId)>,
    /// Erased conversations: their documents go, and the segments are rewritten.
    erased: bool,
    /// Contacts an import changed: their conversations, whole.
    contacts: HashSet<(BusinessId, ContactId)>,
    /// Contacts an import created: their conversations are new to the index,
    /// so they are written whole with nothing deleted first.
    new_contacts: HashSet<(BusinessId, ContactId)>,
    /// Contacts whose name, phone, email or fields changed: their conversations' cards.
    contact_cards: HashSet<(BusinessId, ContactId)>,
    /// Re-index what changed since this time (after a crash or lost events).
    catch_up_from: Option<i64>,
    /// When the oldest change held here was received (monotonic, wall ms).
    since: Option<(Instant, i64)>,
    /// The commit sequence of the last batch taken in.
    last_seq: u64,
}

fn id_at<T: std::str::FromStr>(v: &Value, field: &str) -> Option<T> {
    v.get(field)?.as_str()?.parse().ok()
}

fn ids<'a, T: std::str::FromStr + 'a>(v: &'a Value, field: &str) -> impl Iterator<Item = T> + 'a {
    v.get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str()?.parse().ok())
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.messages.is_empty()
            && self.notes.is_empty()
            && self.cards.is_empty()
            && self.whole.is_empty()
            && self.contacts.is_empty()
            && self.new_contacts.is_empty()
            && self.contact_cards.is_empty()
            && self.catch_up_from.is_none()
    }

    fn size(&self) -> usize {
        self.messages.len()
            + self.notes.len()
            + self.cards.len()
            + self.whole.len()
            + self.contacts.len()
            + self.new_contacts.len()
            + self.contact_cards.len()
    }

    fn touch(&mut self) {
        if self.since.is_none() {
            self.since = Some((Instant::now(), now_ms()));
        }
    }

    fn absorb(&mut self, batch: &Batch) {
        self.last_seq = self.last_seq.max(batch.seq);
        for e in batch.iter() {
            let Some(b) = e.business_id else { continue };
            let conversation = id_at::<ConversationId>(&e.data, "conversation_id");
            match (e.kind, conversation) {
                // A message changes nothing on the conversation's card: the
                // card is rewritten only when what it holds changes.
                ("message.new", Some(c)) => {
                    if let Some(id) = id_at(&e.data, "message_id") {
                        self.messages.push(PendingMessage {
                            business: b,
                            conversation: c,
                            id,
                            seq: batch.seq,
                            text: e.message_text.clone(),
                        });
                    }
                }
                ("index.note", Some(c)) => {
                    if let Some(n) = id_at(&e.data, "note_id") {
                        self.notes.push((b, c, n));
                    }
                }
                ("index.erased", Some(c)) => {
                    self.whole.insert((b, c));
                    self.erased = true;
                }
                ("conversation.new", Some(c)) => {
                    self.cards.insert((b, c));
                }
                ("conversation.updated", Some(c)) => {
                    // The scope prefilter lives on every document of a conversation.
                    let reassigned = e.data.get("previous_assignee_id").is_some()
                        && e.data.get("previous_assignee_id") != e.data.get("assignee_id");
                    if reassigned {
                        self.whole.insert((b, c));
                    } else if e.data.get("activity_only") != Some(&Value::Bool(true)) {
                        self.cards.insert((b, c));
                    }
                }
                ("index.messages", Some(c)) => {
                    for id in ids(&e.data, "message_ids") {
                        self.messages.push(PendingMessage {
                            business: b,
                            conversation: c,
                            id,
                            seq: batch.seq,
                            text: None,
                        });
                    }
                    self.cards.insert((b, c));
                }
                ("index.contacts", _) => {
                    self.contacts
                        .extend(ids(&e.data, "contact_ids").map(|k| (b, k)));
                    self.new_contacts
                        .extend(ids(&e.data, "new_contact_ids").map(|k| (b, k)));
                }
                ("index.cards", _) => {
                    self.contact_cards
                        .extend(ids(&e.data, "contact_ids").map(|k| (b, k)));
                }
                _ => continue,
            }
            self.touch();
        }
    }
}

pub fn spawn(search: Search, store: Store) -> ApiResult<Running> {
    // Subscribed before catching up, so nothing committed meanwhile is missed.
    let events = store.subscribe();
    let (control, commands) = mpsc::unbounded_channel();
    let (opened, writer_result) = std::sync::mpsc::sync_channel(1);
    let thread = std::thread::Builder::new()
        .name("wafunnel-search".into())
        .spawn(move || {
            yield_to_ingest();
            // Made on this thread so tantivy's own threads inherit its priority.
            let writer = match search.writer() {
                Ok(w) => {
                    let _ = opened.send(Ok(()));
                    w
                }
                Err(e) => return drop(opened.send(Err(e))),
            };
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => return tracing::error!("search indexer runtime: {e}"),
            };
            rt.block_on(follow(search, store, writer, events, commands));
        })
        .map_err(error)?;
    writer_result
        .recv()
        .map_err(|_| crate::error::ApiError::internal("search indexer did not start"))??;
    Ok(Running { control, thread })
}

/// The index is derived data: when the cores are saturated, acknowledging
/// webhooks and committing imports come first and the indexer catches up
/// after (at 5,000 messages/s there is room, and a message is searchable in
/// well under 2 s). A lower priority for this thread (Linux applies `nice` per
/// thread) and the merge and segment threads it starts.
fn yield_to_ingest() {
    #[cfg(target_os = "linux")]
    if let Err(e) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), INDEXER_NICE)
    {
        tracing::debug!("search indexer priority unchanged: {e}");
    }
}

async fn follow(
    search: Search,
    store: Store,
    mut writer: IndexWriter,
    mut events: tokio::sync::broadcast::Receiver<Batch>,
    mut commands: mpsc::UnboundedReceiver<Control>,
) {
    let mut pending = Pending::default();
    let mut covered = Covered::default();
    let payload = search.payload();
    if payload.complete {
        pending.catch_up_from = Some(payload.watermark);
    } else if let Err(e) = rebuild_with(&search, &store, &mut writer, &mut covered) {
        tracing::error!("search index rebuild: {}", e.message);
    }
    let mut last_watermark = search.payload().watermark;
    let mut interval = FLUSH_AFTER;
    loop {
        let deadline = pending.since.map(|(t, _)| t + interval);
        let due = !pending.is_empty()
            && (pending.catch_up_from.is_some() || pending.size() > PENDING_MAX);
        if !due {
            tokio::select! {
                biased;
                c = commands.recv() => match c {
                    Some(Control::Rebuild) => {
                        pending = Pending::default();
                        if let Err(e) = rebuild_with(&search, &store, &mut writer, &mut covered) {
                            tracing::error!("search index rebuild: {}", e.message);
                        }
                        last_watermark = search.payload().watermark;
                        continue;
                    }
                    Some(Control::Stop) | None => break,
                },
                r = events.recv() => match r {
                    Ok(batch) => {
                        pending.absorb(&batch);
                        let (n, since) = (pending.size(), pending.since.map(|(_, wall)| wall));
                        search.with_stats(|s| (s.pending, s.pending_since_ms) = (n, since));
                        continue;
                    }
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!("search indexer fell {n} commits behind; catching up from the store");
                        pending.catch_up_from = Some(last_watermark);
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = sleep_until(deadline), if deadline.is_some() => {}
            }
        }
        let taken = std::mem::take(&mut pending);
        interval = if taken.size() > FLOOD {
            FLUSH_AFTER_FLOOD
        } else {
            FLUSH_AFTER
        };
        let mut inbox = Inbox {
            events: &mut events,
            next: &mut pending,
            last_watermark,
            seen: 0,
        };
        match flush(
            &search,
            &store,
            &mut writer,
            taken,
            &mut inbox,
            &mut covered,
        ) {
            Ok(w) => {
                last_watermark = w;
                let (n, since) = (pending.size(), pending.since.map(|(_, wall)| wall));
                search.with_stats(|s| (s.pending, s.pending_since_ms) = (n, since));
            }
            Err(e) => {
                tracing::error!("search index commit: {}", e.message);
                pending.catch_up_from = Some(last_watermark);
                // Tried again in a second, unless the server is stopping: a
                // stop must not wait on a disk that stays full.
                match tokio::time::timeout(Duration::from_secs(1), commands.recv()).await {
                    Ok(Some(Control::Stop) | None) => return,
                    Ok(Some(Control::Rebuild)) => pending.catch_up_from = Some(0),
                    Err(_) => {}
                }
            }
        }
    }
    if !pending.is_empty() {
        let mut spare = Pending::default();
        let mut inbox = Inbox {
            events: &mut events,
            next: &mut spare,
            last_watermark,
            seen: 0,
        };
        if let Err(e) = flush(
            &search,
            &store,
            &mut writer,
            pending,
            &mut inbox,
            &mut covered,
        ) {
            tracing::error!("search index final commit: {}", e.message);
        }
    }
    let _ = writer.wait_merging_threads();
}

async fn sleep_until(deadline: Option<Instant>) {
    if let Some(d) = deadline {
        tokio::time::sleep_until(d.into()).await;
    }
}

fn commit(search: &Search, writer: &mut IndexWriter, payload: Payload) -> ApiResult<()> {
    let mut prepared = writer.prepare_commit().map_err(error)?;
    prepared.set_payload(&serde_json::to_string(&payload).map_err(error)?);
    prepared.commit().map_err(error)?;
    search.reload();
    search.with_stats(|s| s.last_commit_ms = now_ms());
    Ok(())
}

/// Conversations changed since `from` (less the slack), in every business.
fn changed_since(read: &ReadTxn, from: i64) -> ApiResult<Vec<(BusinessId, ConversationId)>> {
    let mut out = Vec::new();
    for b in crate::tenancy::repo::businesses(read)? {
        for c in repo::updated_since(read, b.id, from - SLACK_MS)? {
            out.push((b.id, c));
        }
        for i in crate::imports::model::list(read, b.id)? {
            if let (true, Some(c)) = (i.updated_at >= from - SLACK_MS, i.conversation_id) {
                out.push((b.id, c));
            }
        }
    }
    Ok(out)
}

/// Takes in the events committed while a flush runs. Left in the channel,
/// they would wait there whole (an import's batch names 500 contacts as JSON
/// strings) for as long as the flush lasts; absorbed, they are a few ids.
struct Inbox<'a> {
    events: &'a mut tokio::sync::broadcast::Receiver<Batch>,
    next: &'a mut Pending,
    last_watermark: i64,
    seen: usize,
}

impl Inbox<'_> {
    /// Called per conversation or message written; looks at the channel every few.
    fn tick(&mut self) {
        self.seen += 1;
        if self.seen % 64 == 0 {
            self.drain();
        }
    }

    fn drain(&mut self) {
        while self.next.size() < PENDING_MAX {
            match self.events.try_recv() {
                Ok(batch) => self.next.absorb(&batch),
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => {
                    self.next.catch_up_from = Some(self.last_watermark);
                }
                Err(_) => return,
            }
        }
    }
}

/// Writes what is pending and commits; returns the watermark it recorded.
fn flush(
    search: &Search,
    store: &Store,
    writer: &mut IndexWriter,
    mut p: Pending,
    inbox: &mut Inbox,
    covered: &mut Covered,
) -> ApiResult<i64> {
    let started = now_ms();
    let watermark = p.since.map_or(started, |(_, wall)| wall.min(started));
    let erased = p.erased;
    let read = store.read()?;
    let snapshot = crate::store::commit_seq(&read)?;
    if let Some(from) = p.catch_up_from {
        p.whole.extend(changed_since(&read, from)?);
    }
    for m in &p.messages {
        if covered.uncertain(m.seq) {
            p.whole.insert((m.business, m.conversation));
        }
    }
    for &(b, k) in &p.contacts {
        p.whole
            .extend(repo::of_contact(&read, b, k)?.into_iter().map(|c| (b, c)));
    }
    // Created and then changed before this flush: indexed as changed.
    let mut fresh = HashSet::new();
    for &(b, k) in p.new_contacts.difference(&p.contacts) {
        fresh.extend(repo::of_contact(&read, b, k)?.into_iter().map(|c| (b, c)));
    }
    fresh.retain(|k| !p.whole.contains(k));
    // A contact indexed whole above needs no second look for its cards.
    for &(b, k) in p.contact_cards.difference(&p.contacts) {
        if !p.new_contacts.contains(&(b, k)) {
            p.cards
                .extend(repo::of_contact(&read, b, k)?.into_iter().map(|c| (b, c)));
        }
    }
    let mut docs = Docs::new(writer, search.fields());
    // Shared, not cloned: a flood's flush looks up the same conversations thousands of times.
    let mut conversations: HashMap<ConversationId, Option<Rc<Conversation>>> = HashMap::new();
    let mut conversation =
        |b: BusinessId, c: ConversationId| -> ApiResult<Option<Rc<Conversation>>> {
            if let Some(hit) = conversations.get(&c) {
                return Ok(hit.clone());
            }
            let found = repo::get(&read, b, c)?.map(Rc::new);
            conversations.insert(c, found.clone());
            Ok(found)
        };
    for (_, c) in p.whole.iter().chain(&fresh) {
        covered.written_whole(*c, snapshot);
    }
    let mut n = 0;
    for &(b, c) in &p.whole {
        n += docs.conversation(&read, b, c, false)?;
        inbox.tick();
    }
    for &(b, c) in &fresh {
        n += docs.conversation(&read, b, c, true)?;
        inbox.tick();
    }
    let written = |k: &(BusinessId, ConversationId)| p.whole.contains(k) || fresh.contains(k);
    let unwritten = p.messages.iter().filter(|m| {
        !written(&(m.business, m.conversation)) && !covered.holds(m.conversation, m.seq)
    });
    for m in unwritten {
        let (b, c) = (m.business, m.conversation);
        if let Some(t) = &m.text {
            let place = schema::Place {
                business: b,
                conversation: c,
                assignee: t.assignee_id,
            };
            n += docs.message_at(&place, m.id, t.created_at, &t.text)?;
        } else if let (Some(conv), Some(msg)) =
            (conversation(b, c)?, repo::message(&read, b, c, m.id)?)
        {
            n += docs.message(&conv, &msg)?;
        }
        inbox.tick();
    }
    for (b, c, id) in p.notes.iter().filter(|(b, c, _)| !written(&(*b, *c))) {
        if let Some(conv) = conversation(*b, *c)? {
            let notes = repo::notes(&read, *b, *c)?;
            if let Some(note) = notes.iter().find(|x| x.id == *id) {
                n += docs.note(&conv, note)?;
            }
        }
    }
    for (b, c) in p.cards.iter().filter(|k| !written(k)) {
        if let Some(conv) = conversation(*b, *c)? {
            n += docs.card(&read, &conv)?;
        }
    }
    docs.finish()?;
    drop(read);
    covered.forget_through(p.last_seq);
    inbox.drain();
    commit(
        search,
        writer,
        Payload {
            schema: schema::SCHEMA_VERSION,
            watermark,
            complete: true,
        },
    )?;
    search.with_stats(|s| s.docs_indexed += n as u64);
    if erased {
        // The documents are deleted already; a merge that cannot run now
        // (one under way) leaves their bytes until the next merge.
        if let Err(e) = search.purge_deleted(writer) {
            tracing::warn!(
                "search index: rewriting segments after an erasure: {}",
                e.message
            );
        }
    }
    Ok(watermark)
}

/// Replaces the whole index with what the store holds now.
fn rebuild_with(
    search: &Search,
    store: &Store,
    writer: &mut IndexWriter,
    covered: &mut Covered,
) -> ApiResult<usize> {
    search.with_stats(|s| s.rebuilding = true);
    let started = now_ms();
    let unfinished = Payload {
        schema: schema::SCHEMA_VERSION,
        watermark: started,
        complete: false,
    };
    writer.delete_all_documents().map_err(error)?;
    commit(search, writer, unfinished)?;
    let mut after: Option<Vec<u8>> = None;
    let mut total = 0;
    let mut since_commit = 0;
    let mut seqs: Option<(u64, u64)> = None;
    loop {
        let read = store.read()?;
        let seq = crate::store::commit_seq(&read)?;
        seqs = Some(seqs.map_or((seq, seq), |(first, _)| (first, seq)));
        let page = repo::all_after(&read, after.as_deref(), 200)?;
        let mut docs = Docs::new(writer, search.fields());
        for (_, c) in &page {
            // One damaged record costs its conversation's search, not everyone's.
            match docs.conversation(&read, c.business_id, c.id, true) {
                Ok(n) => {
                    total += n;
                    since_commit += n;
                }
                Err(e) => tracing::error!(
                    conversation = %c.id,
                    "search index rebuild skips a conversation it cannot read: {}",
                    e.message
                ),
            }
        }
        docs.finish()?;
        drop(read);
        match page.last() {
            Some((key, _)) if page.len() == 200 => after = Some(key.clone()),
            _ => break,
        }
        if since_commit >= REBUILD_COMMIT_EVERY {
            commit(search, writer, unfinished)?;
            since_commit = 0;
        }
    }
    commit(
        search,
        writer,
        Payload {
            complete: true,
            ..unfinished
        },
    )?;
    search.with_stats(|s| {
        s.rebuilding = false;
        s.docs_indexed += total as u64;
    });
    *covered = Covered::after_rebuild(seqs);
    Ok(total)
}

/// A rebuild by a process that holds the store but runs no server.
pub fn rebuild(search: &Search, store: &Store) -> ApiResult<usize> {
    let mut writer = search.writer()?;
    let n = rebuild_with(search, store, &mut writer, &mut Covered::default())?;
    writer.wait_merging_threads().map_err(error)?;
    Ok(n)
}

#[cfg(test)]
#[path = "indexer_tests.rs"]
mod tests;
