//! The audit tables. Entries are keyed by a ULID made from their own time, so
//! id order is time order. Three indexes serve the reads, each written under
//! two partitions (every entry's, and its business's or the platform's), so
//! newest-first listing and the actor and action filters are range scans of
//! one prefix, whoever reads:
//!
//! - `audit_by_time`   (partition, id)
//! - `audit_by_actor`  (partition, actor, id)
//! - `audit_by_action` (partition, action NUL, id)
use std::{cell::Cell, ops::Bound};

use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use ulid::Ulid;

use super::{Action, Target, Who};
use crate::store::{
    self, codec,
    ids::{BusinessId, RecordId, UserId},
    Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: RecordId,
    /// None: a platform-level entry (an unknown account's failed sign-in).
    pub business_id: Option<BusinessId>,
    pub actor: Who,
    /// An `Action` code; kept as text so retired codes still decode.
    pub action: String,
    pub at: i64,
    pub ip: String,
    pub user_agent: String,
    pub summary: String,
    pub target: Option<Target>,
}
impl Record for Entry {}

/// id → Entry
const AUDIT: Tbl = TableDefinition::new("audit_log");
const BY_TIME: Tbl = TableDefinition::new("audit_by_time");
const BY_ACTOR: Tbl = TableDefinition::new("audit_by_actor");
const BY_ACTION: Tbl = TableDefinition::new("audit_by_action");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: AUDIT,
        verify: codec::verify::<Entry>,
    },
    TableSpec {
        def: BY_TIME,
        verify: store::verify_empty,
    },
    TableSpec {
        def: BY_ACTOR,
        verify: store::verify_empty,
    },
    TableSpec {
        def: BY_ACTION,
        verify: store::verify_empty,
    },
];

/// Whose entries a read covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Partition {
    /// Every entry (platform administrators).
    All,
    /// Entries of no business.
    Platform,
    Business(BusinessId),
}

impl Partition {
    fn prefix(self) -> Vec<u8> {
        match self {
            Partition::All => vec![0],
            Partition::Platform => vec![1],
            Partition::Business(b) => Key::new().raw(&[2]).id(b.bytes()).done(),
        }
    }

    fn of(e: &Entry) -> Partition {
        e.business_id
            .map_or(Partition::Platform, Partition::Business)
    }
}

/// The actor part of a key. A tag byte first, so a user's 16 bytes never
/// start like the one-byte system or anonymous keys.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ActorKey {
    User(UserId),
    System,
    Anonymous,
}

impl ActorKey {
    pub fn of(w: &Who) -> ActorKey {
        match w {
            Who::User { id, .. } => ActorKey::User(*id),
            Who::System => ActorKey::System,
            Who::Anonymous => ActorKey::Anonymous,
        }
    }

    fn bytes(self) -> Vec<u8> {
        match self {
            ActorKey::User(u) => Key::new().raw(&[1]).id(u.bytes()).done(),
            ActorKey::System => vec![2],
            ActorKey::Anonymous => vec![3],
        }
    }
}

/// The first possible id at millisecond `at` (ULIDs hold 48-bit times).
fn floor_id(at: i64) -> Ulid {
    Ulid::from_parts(at.clamp(0, (1 << 48) - 1) as u64, 0)
}

thread_local! {
    /// The newest id this thread handed out. Entries are made in the writer
    /// thread, one at a time, so per thread is per store.
    static LAST: Cell<u128> = const { Cell::new(0) };
}

/// A fresh id whose time part is `at`, so the key order is the time order;
/// within one millisecond, later entries get greater ids.
pub fn id_at(at: i64) -> RecordId {
    let t = at.clamp(0, (1 << 48) - 1) as u64;
    let fresh = Ulid::from_parts(t, rand::random::<u128>());
    let prev = Ulid(LAST.get());
    let id = if prev.timestamp_ms() == t && fresh <= prev {
        prev.increment().unwrap_or(fresh)
    } else {
        fresh
    };
    if id > prev {
        LAST.set(id.0);
    }
    RecordId(id)
}

/// Every index key of an entry: three indexes × two partitions.
fn index_keys(e: &Entry) -> [(Tbl, Vec<u8>); 6] {
    let id = e.id.bytes();
    let actor = ActorKey::of(&e.actor).bytes();
    let keys = |p: Partition| {
        let p = p.prefix();
        [
            (BY_TIME, Key::new().raw(&p).id(id).done()),
            (BY_ACTOR, Key::new().raw(&p).raw(&actor).id(id).done()),
            (BY_ACTION, Key::new().raw(&p).str(&e.action).id(id).done()),
        ]
    };
    let [a, b, c] = keys(Partition::All);
    let [d, f, g] = keys(Partition::of(e));
    [a, b, c, d, f, g]
}

pub fn insert(ctx: &mut WriteCtx, e: &Entry) -> Result<(), StoreError> {
    ctx.put(AUDIT, &e.id.bytes(), e)?;
    for (t, k) in index_keys(e) {
        ctx.put_raw(t, &k, &[])?;
    }
    Ok(())
}

pub fn get<R: Reader + ?Sized>(r: &R, id: RecordId) -> Result<Option<Entry>, StoreError> {
    store::get(r, AUDIT, &id.bytes())
}

/// A read of the log, newest first. `from` is inclusive, `to` exclusive,
/// `before` the previous page's cursor.
#[derive(Debug, Clone)]
pub struct Query {
    pub partition: Partition,
    pub actor: Option<ActorKey>,
    pub action: Option<Action>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub before: Option<RecordId>,
}

impl Query {
    pub fn new(partition: Partition) -> Query {
        Query {
            partition,
            actor: None,
            action: None,
            from: None,
            to: None,
            before: None,
        }
    }

    /// The index and key prefix that answer this query: the actor's index
    /// when an actor is given (the action, if also given, is then checked on
    /// each entry), else the action's, else the time index.
    fn index(&self) -> (Tbl, Vec<u8>) {
        let p = self.partition.prefix();
        match (self.actor, self.action) {
            (Some(a), _) => (BY_ACTOR, Key::new().raw(&p).raw(&a.bytes()).done()),
            (None, Some(a)) => (BY_ACTION, Key::new().raw(&p).str(a.code()).done()),
            (None, None) => (BY_TIME, p),
        }
    }

    fn matches(&self, e: &Entry) -> bool {
        self.action.is_none_or(|a| a.code() == e.action)
            && self.actor.is_none_or(|a| a == ActorKey::of(&e.actor))
            && self.from.is_none_or(|f| e.at >= f)
            && self.to.is_none_or(|t| e.at < t)
    }
}

/// Keys read per range call.
const CHUNK: usize = 128;
/// Entries examined per page at most: a combined filter that matches rarely
/// answers a short page with a cursor instead of walking the whole index.
const MAX_EXAMINED: usize = 2_000;

/// One page, newest first, and the cursor of the next (None at the end).
pub fn page<R: Reader + ?Sized>(
    r: &R,
    q: &Query,
    limit: usize,
) -> Result<(Vec<Entry>, Option<RecordId>), StoreError> {
    let (table, prefix) = q.index();
    let lower = match q.from {
        Some(f) => Key::new().raw(&prefix).id(floor_id(f).to_bytes()).done(),
        None => prefix.clone(),
    };
    let mut upper_id: Option<Ulid> = q.to.map(floor_id);
    if let Some(b) = q.before {
        upper_id = Some(upper_id.map_or(b.0, |t| t.min(b.0)));
    }
    let mut upper = match upper_id {
        Some(id) => Some(Key::new().raw(&prefix).id(id.to_bytes()).done()),
        None => store::prefix_end(&prefix),
    };
    let mut items: Vec<Entry> = Vec::new();
    let mut examined = 0;
    loop {
        let end = upper.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let keys = r.range_raw(table, Bound::Included(&lower), end, CHUNK, true)?;
        let exhausted = keys.len() < CHUNK;
        for (key, _) in &keys {
            let Some(id) = key
                .len()
                .checked_sub(16)
                .and_then(|at| RecordId::from_bytes(&key[at..]))
            else {
                continue;
            };
            if items.len() == limit {
                // Another candidate exists: the page ends at its last item.
                let cursor = items.last().map(|e| e.id);
                return Ok((items, cursor));
            }
            examined += 1;
            if let Some(e) = get(r, id)?.filter(|e| q.matches(e)) {
                items.push(e);
            }
            if examined >= MAX_EXAMINED {
                return Ok((items, Some(id)));
            }
        }
        match keys.last() {
            Some((k, _)) if !exhausted => upper = Some(k.clone()),
            _ => return Ok((items, None)),
        }
    }
}

/// Deletes up to `max` entries older than `cutoff`, oldest first; the count
/// deleted (fewer than `max`: nothing older is left).
pub fn prune_batch(ctx: &mut WriteCtx, cutoff: i64, max: usize) -> Result<usize, StoreError> {
    let end = floor_id(cutoff).to_bytes();
    let old = ctx.range_raw(
        AUDIT,
        Bound::Unbounded,
        Bound::Excluded(&end[..]),
        max,
        false,
    )?;
    let entries: Vec<Entry> = store::decode_entries(AUDIT, old)?;
    for e in &entries {
        ctx.delete(AUDIT, &e.id.bytes())?;
        for (t, k) in index_keys(e) {
            ctx.delete(t, &k)?;
        }
    }
    Ok(entries.len())
}

/// Index check: every entry has its six index keys and no index key is stray.
pub fn check_indexes(r: &store::ReadTxn, problems: &mut Vec<String>) -> Result<(), StoreError> {
    let all = store::scan::<Entry, _>(r, AUDIT, &[], None, usize::MAX)?;
    for (_, e) in &all {
        for (t, k) in index_keys(e) {
            if !store::exists(r, t, &k)? {
                problems.push(format!(
                    "{}: missing entry for audit entry {}",
                    store::table_name(t),
                    e.id
                ));
            }
        }
    }
    for t in [BY_TIME, BY_ACTOR, BY_ACTION] {
        let n = store::scan_keys(r, t, &[], None, usize::MAX)?.len();
        if n != 2 * all.len() {
            problems.push(format!(
                "{}: {n} keys for {} audit entries (expected twice as many)",
                store::table_name(t),
                all.len()
            ));
        }
    }
    Ok(())
}
