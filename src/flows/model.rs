//! Flows, their published versions and their runs, and the tables that hold
//! them. A flow's nodes and edges are kept as the exact JSON text the editor
//! sent, so what it fetches back is byte-for-byte what it saved.
use std::collections::BTreeMap;

use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use super::engine::Cursor;
use crate::store::{
    self, codec,
    ids::{BusinessId, ContactId, ConversationId, MemberId, NumberId, RecordId},
    Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowOptions {
    /// A person answering in the conversation stops the run.
    pub pause_on_human_reply: bool,
    /// A contact runs this flow at most once.
    pub once_per_contact: bool,
    /// Start only while nobody is assigned.
    pub only_if_unassigned: bool,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            pause_on_human_reply: true,
            once_per_contact: false,
            only_if_unassigned: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowStatus {
    Draft,
    Active,
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub name: String,
    pub number_id: Option<NumberId>,
    /// The draft's nodes and edges, as sent.
    pub nodes: String,
    pub edges: String,
    pub options: FlowOptions,
    pub status: FlowStatus,
    pub published_version: Option<u32>,
    /// The draft changed since the last publish.
    pub draft_changed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}
impl Record for Flow {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowVersion {
    pub flow_id: RecordId,
    pub business_id: BusinessId,
    pub version: u32,
    pub nodes: String,
    pub edges: String,
    pub options: FlowOptions,
    pub published_at: i64,
    pub published_by: Option<MemberId>,
}
impl Record for FlowVersion {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub flow_id: RecordId,
    /// The version it started on; it finishes on it too.
    pub version: u32,
    pub cursor: Cursor,
    /// Events recorded so far (the next event's number).
    pub events: u32,
    /// Messages sent in the current minute, for the per-minute cap.
    pub sent_minute: i64,
    pub sent_in_minute: u32,
    pub started_at: i64,
    pub updated_at: i64,
}
impl Record for Run {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEvent {
    pub at: i64,
    pub node: String,
    pub handle: Option<String>,
    pub note: Option<String>,
}
impl Record for RunEvent {}

/// (business, flow) → Flow
const FLOWS: Tbl = TableDefinition::new("flows");
/// (flow, version) → FlowVersion
const VERSIONS: Tbl = TableDefinition::new("flow_versions");
/// (business, number) → the active flow's id: one per number.
const ACTIVE: Tbl = TableDefinition::new("flows_active");
/// (business, run) → Run
const RUNS: Tbl = TableDefinition::new("flow_runs");
/// (business, conversation) → its active run's id
const LIVE_RUN: Tbl = TableDefinition::new("flow_runs_live");
/// (business, conversation, run) → (): every run of a conversation
const CONV_RUNS: Tbl = TableDefinition::new("flow_runs_by_conversation");
/// (run, event number) → RunEvent
const EVENTS: Tbl = TableDefinition::new("flow_run_events");
/// (flow, contact) → (): contacts that ran a once-per-contact flow
const ONCE: Tbl = TableDefinition::new("flow_once");
/// (flow, node, metric) → count (u64)
const STATS: Tbl = TableDefinition::new("flow_stats");
/// (business, conversation) → when a person took it over (ms): a handoff step,
/// the customer asking for one, or a reply that paused the run. No trigger
/// starts a flow there again until the conversation is closed and reopened.
const HANDED_OFF: Tbl = TableDefinition::new("flow_handed_off");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: FLOWS,
        verify: codec::verify::<Flow>,
    },
    TableSpec {
        def: VERSIONS,
        verify: codec::verify::<FlowVersion>,
    },
    TableSpec {
        def: ACTIVE,
        verify: crate::auth::users::verify_id,
    },
    TableSpec {
        def: RUNS,
        verify: codec::verify::<Run>,
    },
    TableSpec {
        def: LIVE_RUN,
        verify: crate::auth::users::verify_id,
    },
    TableSpec {
        def: CONV_RUNS,
        verify: store::verify_empty,
    },
    TableSpec {
        def: EVENTS,
        verify: codec::verify::<RunEvent>,
    },
    TableSpec {
        def: ONCE,
        verify: store::verify_empty,
    },
    TableSpec {
        def: STATS,
        verify: store::verify_len::<8>,
    },
    TableSpec {
        def: HANDED_OFF,
        verify: store::verify_len::<8>,
    },
];

fn two(a: [u8; 16], b: [u8; 16]) -> Vec<u8> {
    Key::new().id(a).id(b).done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    id: RecordId,
) -> Result<Option<Flow>, StoreError> {
    store::get(r, FLOWS, &two(b.bytes(), id.bytes()))
}

pub fn list<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<Flow>, StoreError> {
    Ok(store::scan::<Flow, _>(r, FLOWS, &b.bytes(), None, 1000)?
        .into_iter()
        .map(|(_, f)| f)
        .collect())
}

/// Flows of a business (a key count, no decoding).
pub fn flows_of<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<usize, StoreError> {
    Ok(store::scan_keys(r, FLOWS, &b.bytes(), None, usize::MAX)?.len())
}

pub fn save(ctx: &mut WriteCtx, f: &Flow) -> Result<(), StoreError> {
    ctx.put(FLOWS, &two(f.business_id.bytes(), f.id.bytes()), f)
}

pub fn delete(ctx: &mut WriteCtx, f: &Flow) -> Result<(), StoreError> {
    ctx.delete(FLOWS, &two(f.business_id.bytes(), f.id.bytes()))?;
    release_numbers(ctx, f, None)
}

/// Frees every number this flow is active on but `keep`. A flow's draft may
/// have moved to another number since it was published: the number it runs
/// on is the one in the active table, not the one in the draft.
pub fn release_numbers(
    ctx: &mut WriteCtx,
    f: &Flow,
    keep: Option<NumberId>,
) -> Result<(), StoreError> {
    for (n, flow) in active(ctx, f.business_id)? {
        if flow == f.id && Some(n) != keep {
            set_active(ctx, f.business_id, n, None)?;
        }
    }
    Ok(())
}

fn version_key(flow: RecordId, v: u32) -> Vec<u8> {
    Key::new().id(flow.bytes()).raw(&v.to_be_bytes()).done()
}

pub fn version<R: Reader + ?Sized>(
    r: &R,
    flow: RecordId,
    v: u32,
) -> Result<Option<FlowVersion>, StoreError> {
    store::get(r, VERSIONS, &version_key(flow, v))
}

pub fn versions<R: Reader + ?Sized>(r: &R, flow: RecordId) -> Result<Vec<FlowVersion>, StoreError> {
    Ok(
        store::scan::<FlowVersion, _>(r, VERSIONS, &flow.bytes(), None, 10_000)?
            .into_iter()
            .map(|(_, v)| v)
            .collect(),
    )
}

pub fn save_version(ctx: &mut WriteCtx, v: &FlowVersion) -> Result<(), StoreError> {
    ctx.put(VERSIONS, &version_key(v.flow_id, v.version), v)
}

/// The business's active flows, by number: (number, flow).
pub fn active<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
) -> Result<Vec<(NumberId, RecordId)>, StoreError> {
    let prefix = b.bytes();
    let end = store::prefix_end(&prefix);
    Ok(r.range_raw(
        ACTIVE,
        std::ops::Bound::Included(prefix.as_slice()),
        end.as_deref()
            .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
        1000,
        false,
    )?
    .into_iter()
    .filter_map(|(k, v)| {
        let number = k.get(16..32).and_then(NumberId::from_bytes)?;
        Some((number, RecordId::from_bytes(&v)?))
    })
    .collect())
}

pub fn active_on<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    n: NumberId,
) -> Result<Option<RecordId>, StoreError> {
    Ok(r.get_raw(ACTIVE, &two(b.bytes(), n.bytes()))?
        .and_then(|v| RecordId::from_bytes(&v)))
}

pub fn set_active(
    ctx: &mut WriteCtx,
    b: BusinessId,
    n: NumberId,
    flow: Option<RecordId>,
) -> Result<(), StoreError> {
    let k = two(b.bytes(), n.bytes());
    match flow {
        Some(f) => ctx.put_raw(ACTIVE, &k, &f.bytes()),
        None => ctx.delete(ACTIVE, &k).map(|_| ()),
    }
}

pub fn run<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    id: RecordId,
) -> Result<Option<Run>, StoreError> {
    store::get(r, RUNS, &two(b.bytes(), id.bytes()))
}

pub fn live_run<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
) -> Result<Option<Run>, StoreError> {
    match r
        .get_raw(LIVE_RUN, &two(b.bytes(), c.bytes()))?
        .and_then(|v| RecordId::from_bytes(&v))
    {
        Some(id) => run(r, b, id),
        None => Ok(None),
    }
}

/// Writes the run; a run in a terminal state releases its conversation.
pub fn save_run(ctx: &mut WriteCtx, run: &Run) -> Result<(), StoreError> {
    let (b, c) = (run.business_id, run.conversation_id);
    ctx.put(RUNS, &two(b.bytes(), run.id.bytes()), run)?;
    ctx.put_raw(
        CONV_RUNS,
        &Key::new()
            .id(b.bytes())
            .id(c.bytes())
            .id(run.id.bytes())
            .done(),
        &[],
    )?;
    let live = two(b.bytes(), c.bytes());
    if run.cursor.state.is_terminal() {
        if ctx
            .get_raw(LIVE_RUN, &live)?
            .is_some_and(|v| v.as_slice() == run.id.bytes())
        {
            ctx.delete(LIVE_RUN, &live)?;
        }
    } else {
        ctx.put_raw(LIVE_RUN, &live, &run.id.bytes())?;
    }
    Ok(())
}

pub fn runs_of<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
) -> Result<Vec<Run>, StoreError> {
    let mut out = Vec::new();
    for k in store::scan_keys(r, CONV_RUNS, &two(b.bytes(), c.bytes()), None, 200)? {
        if let Some(id) = k.get(32..).and_then(RecordId::from_bytes) {
            out.extend(run(r, b, id)?);
        }
    }
    Ok(out)
}

/// Deletes every run of a conversation with its variables and events;
/// returns how many runs there were.
pub fn delete_runs_of(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
) -> Result<usize, StoreError> {
    let prefix = two(b.bytes(), c.bytes());
    let mut n = 0;
    loop {
        let keys = store::scan_keys(ctx, CONV_RUNS, &prefix, None, 200)?;
        if keys.is_empty() {
            break;
        }
        for k in keys {
            if let Some(id) = k.get(32..).and_then(RecordId::from_bytes) {
                ctx.delete_prefix(EVENTS, &id.bytes(), usize::MAX)?;
                if ctx.delete(RUNS, &two(b.bytes(), id.bytes()))? {
                    n += 1;
                }
            }
            ctx.delete(CONV_RUNS, &k)?;
        }
    }
    ctx.delete(LIVE_RUN, &prefix)?;
    ctx.delete(HANDED_OFF, &prefix)?;
    Ok(n)
}

pub fn mark_handed_off(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
    at: i64,
) -> Result<(), StoreError> {
    ctx.put_raw(HANDED_OFF, &two(b.bytes(), c.bytes()), &at.to_be_bytes())
}

pub fn handed_off<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
) -> Result<bool, StoreError> {
    Ok(r.get_raw(HANDED_OFF, &two(b.bytes(), c.bytes()))?.is_some())
}

pub fn clear_handed_off(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
) -> Result<(), StoreError> {
    ctx.delete(HANDED_OFF, &two(b.bytes(), c.bytes()))?;
    Ok(())
}

/// Forgets that a contact ran the business's once-per-contact flows.
pub fn forget_contact(
    ctx: &mut WriteCtx,
    b: BusinessId,
    contact: ContactId,
) -> Result<(), StoreError> {
    for f in list(ctx, b)? {
        ctx.delete(ONCE, &two(f.id.bytes(), contact.bytes()))?;
    }
    Ok(())
}

pub fn add_event(ctx: &mut WriteCtx, run: &mut Run, e: &RunEvent) -> Result<(), StoreError> {
    ctx.put(
        EVENTS,
        &Key::new()
            .id(run.id.bytes())
            .raw(&run.events.to_be_bytes())
            .done(),
        e,
    )?;
    run.events += 1;
    Ok(())
}

pub fn events<R: Reader + ?Sized>(r: &R, run: RecordId) -> Result<Vec<RunEvent>, StoreError> {
    Ok(
        store::scan::<RunEvent, _>(r, EVENTS, &run.bytes(), None, 1000)?
            .into_iter()
            .map(|(_, e)| e)
            .collect(),
    )
}

/// Marks that `contact` ran `flow`; false if it already had.
pub fn first_time(
    ctx: &mut WriteCtx,
    flow: RecordId,
    contact: ContactId,
) -> Result<bool, StoreError> {
    let k = two(flow.bytes(), contact.bytes());
    if ctx.get_raw(ONCE, &k)?.is_some() {
        return Ok(false);
    }
    ctx.put_raw(ONCE, &k, &[])?;
    Ok(true)
}

fn stat_key(flow: RecordId, node: &str, metric: &str) -> Vec<u8> {
    Key::new().id(flow.bytes()).str(node).str(metric).done()
}

pub fn count(
    ctx: &mut WriteCtx,
    flow: RecordId,
    node: &str,
    metric: &str,
) -> Result<(), StoreError> {
    let k = stat_key(flow, node, metric);
    let n = ctx
        .get_raw(STATS, &k)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map_or(0, u64::from_be_bytes);
    ctx.put_raw(STATS, &k, &(n + 1).to_be_bytes())
}

/// node ("" for the flow itself) → metric → count
pub fn stats<R: Reader + ?Sized>(
    r: &R,
    flow: RecordId,
) -> Result<BTreeMap<String, BTreeMap<String, u64>>, StoreError> {
    let mut out: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let prefix = flow.bytes();
    let end = store::prefix_end(&prefix);
    for (k, v) in r.range_raw(
        STATS,
        std::ops::Bound::Included(prefix.as_slice()),
        end.as_deref()
            .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
        100_000,
        false,
    )? {
        let mut parts = k[16..].split(|b| *b == 0);
        let (Some(node), Some(metric)) = (parts.next(), parts.next()) else {
            continue;
        };
        let n = <[u8; 8]>::try_from(v.as_slice()).map_or(0, u64::from_be_bytes);
        out.entry(String::from_utf8_lossy(node).into_owned())
            .or_default()
            .insert(String::from_utf8_lossy(metric).into_owned(), n);
    }
    Ok(out)
}
