//! Assignment: every new conversation goes through the pool of the channel it
//! arrived on, in the same write that creates it. The pool's cursor, its
//! counters and the reason for each choice are written in that transaction
//! too, so concurrent leads never take the same slot and a restart continues
//! the sequence where it stopped.
pub mod backlog;
pub mod pick;
pub mod routes;

use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use crate::{
    error::ApiResult,
    store::{
        self, codec,
        ids::{BusinessId, ConversationId, MemberId, NumberId, RecordId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    tenancy::{model::Member, repo as tenancy, Role},
    time::now_ms,
};
pub use pick::{Cursor, Mode, Slot};

/// What a pool does when nobody in it is available.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhenNobody {
    /// Wait in Unassigned until someone is available.
    #[default]
    Queue,
    /// Take the next member anyway, availability aside.
    AssignAnyway,
    /// Hand it to an owner.
    Escalate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pool {
    pub mode: Mode,
    pub members: Vec<Slot>,
    pub when_nobody: WhenNobody,
    pub updated_at: i64,
    /// A returning contact keeps the assignee they had, while that member is
    /// available, instead of taking the pool's next slot.
    pub sticky: bool,
    /// A reopened conversation whose assignee is unavailable goes back through the pool.
    pub reopen_reassign: bool,
}

impl Pool {
    /// A pool with the default policies: queue when nobody is available, sticky.
    pub fn new(mode: Mode, members: Vec<Slot>) -> Pool {
        Pool {
            mode,
            members,
            when_nobody: WhenNobody::Queue,
            updated_at: now_ms(),
            sticky: true,
            reopen_reassign: false,
        }
    }
}

impl Record for Pool {
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, codec::CodecError> {
        #[derive(Deserialize)]
        struct V1 {
            mode: Mode,
            members: Vec<Slot>,
            when_nobody: WhenNobody,
            updated_at: i64,
        }
        match version {
            1 => {
                let v1: V1 = codec::decode_body(body)?;
                Ok(Pool {
                    mode: v1.mode,
                    members: v1.members,
                    when_nobody: v1.when_nobody,
                    updated_at: v1.updated_at,
                    sticky: true,
                    reopen_reassign: false,
                })
            }
            v => Err(codec::CodecError::NoUpgrade(v)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolCursor(pub Cursor);
impl Record for PoolCursor {}

/// Why a conversation went to whom, for its timeline and the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub channel: String,
    pub mode: Mode,
    pub member_id: Option<MemberId>,
    /// How far behind their share the chosen member was, in assignments.
    pub credit: f64,
    /// The pick's place in the pool's sequence.
    pub position: u64,
    pub skipped: Vec<(MemberId, String)>,
    pub outcome: String,
    pub at: i64,
}
impl Record for Explanation {}

/// A channel that owns a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The business's default pool: manual entries.
    Manual,
    WhatsApp(NumberId),
    /// A webhook or walk-in channel of ours.
    Custom(RecordId),
    /// A connected Facebook page (its Lead Ads).
    Facebook(RecordId),
}

impl Channel {
    fn key(self, b: BusinessId) -> Vec<u8> {
        match self {
            Channel::Manual => Key::new().id(b.bytes()).raw(&[0]).done(),
            Channel::WhatsApp(n) => Key::new().id(b.bytes()).raw(&[1]).id(n.bytes()).done(),
            Channel::Custom(c) => Key::new().id(b.bytes()).raw(&[2]).id(c.bytes()).done(),
            Channel::Facebook(p) => Key::new().id(b.bytes()).raw(&[3]).id(p.bytes()).done(),
        }
    }

    fn from_key(b: BusinessId, key: &[u8]) -> Option<Channel> {
        let rest = key.strip_prefix(b.bytes().as_slice())?;
        match rest.split_first()? {
            (0, []) => Some(Channel::Manual),
            (1, id) => NumberId::from_bytes(id).map(Channel::WhatsApp),
            (2, id) => RecordId::from_bytes(id).map(Channel::Custom),
            (3, id) => RecordId::from_bytes(id).map(Channel::Facebook),
            _ => None,
        }
    }

    pub fn name(self) -> String {
        match self {
            Channel::Manual => "manual".into(),
            Channel::WhatsApp(n) => format!("whatsapp:{n}"),
            Channel::Custom(c) => format!("channel:{c}"),
            Channel::Facebook(p) => format!("facebook:{p}"),
        }
    }

    /// The channel `name` gave, as kept in an explanation.
    pub fn parse(name: &str) -> Option<Channel> {
        match name.split_once(':') {
            None if name == "manual" => Some(Channel::Manual),
            Some(("whatsapp", id)) => id.parse().ok().map(Channel::WhatsApp),
            Some(("channel", id)) => id.parse().ok().map(Channel::Custom),
            Some(("facebook", id)) => id.parse().ok().map(Channel::Facebook),
            _ => None,
        }
    }

    /// A channel of business `b` as a client names it: by `name`, or by the
    /// bare id its own API answered with (a WhatsApp number, a walk-in or
    /// webhook channel, a Facebook page). None when `b` has no such channel.
    pub fn resolve<R: Reader + ?Sized>(
        r: &R,
        b: BusinessId,
        given: &str,
    ) -> Result<Option<Channel>, StoreError> {
        let given = given.trim();
        let candidates = match Channel::parse(given) {
            Some(c) => vec![c],
            None => match given.parse::<RecordId>() {
                Ok(id) => vec![
                    Channel::Custom(id),
                    Channel::WhatsApp(NumberId(id.0)),
                    Channel::Facebook(id),
                ],
                Err(_) => return Ok(None),
            },
        };
        for c in candidates {
            if c.exists(r, b)? {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    fn exists<R: Reader + ?Sized>(self, r: &R, b: BusinessId) -> Result<bool, StoreError> {
        use crate::channels::{custom, facebook, whatsapp::numbers};
        Ok(match self {
            Channel::Manual => true,
            Channel::WhatsApp(n) => numbers::get(r, b, n)?.is_some(),
            Channel::Custom(c) => custom::get(r, c)?.is_some_and(|x| x.business_id == b),
            Channel::Facebook(p) => facebook::get(r, p)?.is_some_and(|x| x.business_id == b),
        })
    }
}

/// (business, channel) → Pool
const POOLS: Tbl = TableDefinition::new("assignment_pools");
/// (business, channel) → PoolCursor
const CURSORS: Tbl = TableDefinition::new("assignment_cursors");
/// (business, channel, member, day) → assignments that day (u64)
const COUNTS: Tbl = TableDefinition::new("assignment_counts");
/// (business, conversation) → Explanation of its latest assignment
const EXPLANATIONS: Tbl = TableDefinition::new("assignment_explanations");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: POOLS,
        verify: codec::verify::<Pool>,
    },
    TableSpec {
        def: CURSORS,
        verify: codec::verify::<PoolCursor>,
    },
    TableSpec {
        def: COUNTS,
        verify: store::verify_len::<8>,
    },
    TableSpec {
        def: EXPLANATIONS,
        verify: codec::verify::<Explanation>,
    },
];

const DAY_MS: i64 = 86_400_000;

pub fn pool<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    channel: Channel,
) -> Result<Option<Pool>, StoreError> {
    store::get(r, POOLS, &channel.key(b))
}

/// Replaces a pool. The cursor carries on: members who stay keep their place,
/// so a change is fair from here on rather than a restart of the sequence.
pub fn set_pool(
    ctx: &mut WriteCtx,
    b: BusinessId,
    channel: Channel,
    pool: &Pool,
) -> Result<(), StoreError> {
    ctx.put(POOLS, &channel.key(b), pool)
}

/// Forgets a channel's pool and its cursor; the counts stay for the record.
pub fn remove_pool(ctx: &mut WriteCtx, b: BusinessId, channel: Channel) -> Result<(), StoreError> {
    ctx.delete(POOLS, &channel.key(b))?;
    ctx.delete(CURSORS, &channel.key(b))?;
    Ok(())
}

/// The channels of a business that have a pool.
pub fn pools<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<Channel>, StoreError> {
    Ok(store::scan_keys(r, POOLS, &b.bytes(), None, usize::MAX)?
        .iter()
        .filter_map(|k| Channel::from_key(b, k))
        .collect())
}

pub fn explanation<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
) -> Result<Option<Explanation>, StoreError> {
    store::get(
        r,
        EXPLANATIONS,
        &Key::new().id(b.bytes()).id(c.bytes()).done(),
    )
}

pub fn forget_explanation(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
) -> Result<(), StoreError> {
    ctx.delete(EXPLANATIONS, &Key::new().id(b.bytes()).id(c.bytes()).done())
        .map(|_| ())
}

fn count_key(b: BusinessId, channel: Channel, m: MemberId, day: i64) -> Vec<u8> {
    Key::new()
        .raw(&channel.key(b))
        .id(m.bytes())
        .i64(day)
        .done()
}

/// Assignments per member of a channel's pool: today, the last 7 days, all time.
pub fn report<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    channel: Channel,
) -> Result<Vec<(MemberId, [u64; 3])>, StoreError> {
    let prefix = channel.key(b);
    let today = now_ms().div_euclid(DAY_MS);
    let mut out: Vec<(MemberId, [u64; 3])> = Vec::new();
    for (k, v) in r.range_raw(
        COUNTS,
        std::ops::Bound::Included(prefix.as_slice()),
        store::prefix_end(&prefix)
            .as_deref()
            .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
        usize::MAX,
        false,
    )? {
        let rest = &k[prefix.len()..];
        let (Some(m), Some(day)) = (
            rest.get(..16).and_then(MemberId::from_bytes),
            rest.get(16..24)
                .and_then(|d| <[u8; 8]>::try_from(d).ok())
                .map(|d| (u64::from_be_bytes(d) ^ (1 << 63)) as i64),
        ) else {
            continue;
        };
        let n = <[u8; 8]>::try_from(v.as_slice()).map_or(0, u64::from_be_bytes);
        let i = match out.iter().position(|(id, _)| *id == m) {
            Some(i) => i,
            None => {
                out.push((m, [0; 3]));
                out.len() - 1
            }
        };
        out[i].1[2] += n;
        if today - day < 7 {
            out[i].1[1] += n;
        }
        if day == today {
            out[i].1[0] += n;
        }
    }
    Ok(out)
}

/// Picks the assignee of a new conversation on `channel`, or none (it waits
/// in Unassigned). Writes the cursor, the day's count and the explanation.
pub fn assign_new(
    ctx: &mut WriteCtx,
    b: BusinessId,
    channel: Channel,
    conversation: ConversationId,
) -> ApiResult<Option<MemberId>> {
    choose(ctx, b, channel, conversation, false)
}

/// Who takes a new conversation of a contact seen before: the member who had
/// them, while the pool is sticky and they are available; else the pool's next.
pub fn assign_returning(
    ctx: &mut WriteCtx,
    b: BusinessId,
    channel: Channel,
    conversation: ConversationId,
    previous: Option<MemberId>,
) -> ApiResult<Option<MemberId>> {
    if let (Some(pool), Some(m)) = (pool(ctx, b, channel)?, previous) {
        let available = tenancy::member(ctx, b, m)?.is_some_and(|x| x.available);
        if pool.sticky && available {
            explain(
                ctx,
                b,
                conversation,
                &Explanation {
                    channel: channel.name(),
                    mode: pool.mode,
                    member_id: Some(m),
                    credit: 0.0,
                    position: 0,
                    skipped: Vec::new(),
                    outcome: "kept the returning contact's assignee (sticky pool)".into(),
                    at: now_ms(),
                },
            )?;
            return Ok(Some(m));
        }
    }
    assign_new(ctx, b, channel, conversation)
}

/// The channel a conversation came in on, whose pool it belongs to: a
/// WhatsApp conversation's number; any other lead's channel as recorded when
/// it was assigned or queued. Not its `number_id`: leads from other channels
/// are answered from the business's number too.
pub fn origin<R: Reader + ?Sized>(
    r: &R,
    c: &crate::conversations::model::Conversation,
) -> Result<Option<Channel>, StoreError> {
    use crate::conversations::model::Source;
    if let (Source::Whatsapp, Some(n)) = (c.source, c.number_id) {
        return Ok(Some(Channel::WhatsApp(n)));
    }
    if let Some(channel) =
        explanation(r, c.business_id, c.id)?.and_then(|e| Channel::parse(&e.channel))
    {
        return Ok(Some(channel));
    }
    Ok(match c.source {
        Source::Manual => Some(Channel::Manual),
        _ => None,
    })
}

/// A closed conversation that reopens keeps its assignee, unless they are
/// away or gone and its pool sends reopened conversations back through it.
/// `Some(new assignee)` when it changes hands.
pub fn on_reopen(
    ctx: &mut WriteCtx,
    c: &crate::conversations::model::Conversation,
) -> ApiResult<Option<Option<MemberId>>> {
    let b = c.business_id;
    let Some(channel) = origin(ctx, c)? else {
        return Ok(None);
    };
    let Some(pool) = pool(ctx, b, channel)? else {
        return Ok(None);
    };
    // Nobody had it (unassigned before it closed, or its assignee left): the
    // pool takes it as it would a new conversation.
    let Some(current) = c.assignee_id else {
        return Ok(Some(choose(ctx, b, channel, c.id, false)?));
    };
    let here = tenancy::member(ctx, b, current)?.is_some_and(|m| m.available);
    if !pool.reopen_reassign || here {
        return Ok(None);
    }
    Ok(Some(choose(ctx, b, channel, c.id, false)?))
}

/// Conversations unassigned per member who leaves, at most (one write).
const LEFT_MAX: usize = 50_000;

/// A member left the business: they leave every pool, and their
/// conversations go back through the pools they came in on (or wait in
/// Unassigned), their open follow-ups moving with them.
pub fn member_left(ctx: &mut WriteCtx, b: BusinessId, member: MemberId) -> ApiResult<()> {
    for channel in pools(ctx, b)? {
        if let Some(mut p) = pool(ctx, b, channel)? {
            let had = p.members.len();
            p.members.retain(|s| s.member_id != member);
            if p.members.len() != had {
                p.updated_at = now_ms();
                set_pool(ctx, b, channel, &p)?;
            }
        }
    }
    use crate::conversations::{repo, service};
    for id in repo::by_assignee_oldest_first(ctx, b, Some(member), LEFT_MAX)? {
        let Some(before) = repo::get(ctx, b, id)? else {
            continue;
        };
        let mut c = before.clone();
        c.assignee_id = None;
        service::save_changed(ctx, &before, &c, None)?;
    }
    backlog::drain_all(ctx, b)?;
    Ok(())
}

/// Records where a conversation came in and who took it when no pool chose:
/// the channel has none, or a person picked the assignee.
pub fn explain_direct(
    ctx: &mut WriteCtx,
    b: BusinessId,
    channel: Channel,
    conversation: ConversationId,
    assignee: Option<MemberId>,
    outcome: &str,
) -> Result<(), StoreError> {
    explain(
        ctx,
        b,
        conversation,
        &Explanation {
            channel: channel.name(),
            mode: Mode::RoundRobin,
            member_id: assignee,
            credit: 0.0,
            position: 0,
            skipped: Vec::new(),
            outcome: outcome.into(),
            at: now_ms(),
        },
    )
}

/// A person moved the conversation: the explanation says so, and keeps the
/// channel it came in on (its pool still routes it if it waits again).
pub fn explain_by_person(
    ctx: &mut WriteCtx,
    c: &crate::conversations::model::Conversation,
) -> Result<(), StoreError> {
    let channel = origin(ctx, c)?.unwrap_or(Channel::Manual);
    let outcome = match c.assignee_id {
        Some(_) => "assigned by a person",
        None => "unassigned by a person",
    };
    explain_direct(ctx, c.business_id, channel, c.id, c.assignee_id, outcome)
}

fn explain(
    ctx: &mut WriteCtx,
    b: BusinessId,
    conversation: ConversationId,
    why: &Explanation,
) -> Result<(), StoreError> {
    ctx.put(
        EXPLANATIONS,
        &Key::new().id(b.bytes()).id(conversation.bytes()).done(),
        why,
    )
}

/// The pool's next member for `conversation`, with its bookkeeping. From the
/// backlog (`waiting`), nobody available means it keeps waiting: the pool's
/// "nobody available" policy was already applied when it arrived.
fn choose(
    ctx: &mut WriteCtx,
    b: BusinessId,
    channel: Channel,
    conversation: ConversationId,
    waiting: bool,
) -> ApiResult<Option<MemberId>> {
    let Some(pool) = pool(ctx, b, channel)? else {
        return Ok(None);
    };
    let members = tenancy::members(ctx, b)?;
    let find = |m: MemberId| members.iter().find(|x| x.id == m);
    let skipped: Vec<(MemberId, String)> = pool
        .members
        .iter()
        .filter_map(|s| match find(s.member_id) {
            None => Some((s.member_id, "no longer a member".to_string())),
            Some(m) if !m.available => Some((s.member_id, "unavailable".to_string())),
            Some(_) => None,
        })
        .collect();
    let key = channel.key(b);
    let mut cursor = store::get::<PoolCursor, _>(ctx, CURSORS, &key)?
        .map(|c| c.0)
        .unwrap_or_default();
    let mut pick = cursor.next(pool.mode, &pool.members, |m| {
        find(m).is_some_and(|x| x.available)
    });
    let mut outcome = if waiting {
        "assigned from the waiting queue"
    } else {
        "assigned"
    };
    if pick.is_none() && waiting {
        return Ok(None);
    }
    if pick.is_none() {
        match pool.when_nobody {
            WhenNobody::Queue => outcome = "queued: nobody in the pool is available",
            WhenNobody::AssignAnyway => {
                pick = cursor.next(pool.mode, &pool.members, |m| find(m).is_some());
                outcome = "assigned although nobody is available";
            }
            WhenNobody::Escalate => {
                let owner = members
                    .iter()
                    .find(|m| m.role == Role::Owner && m.available);
                pick = owner
                    .or_else(|| members.iter().find(|m| m.role == Role::Owner))
                    .map(|m: &Member| pick::Pick {
                        member_id: m.id,
                        credit: 0.0,
                        position: cursor.picks,
                    });
                outcome = "escalated to an owner: nobody in the pool is available";
            }
        }
    }
    ctx.put(CURSORS, &key, &PoolCursor(cursor))?;
    if let Some(p) = &pick {
        let k = count_key(b, channel, p.member_id, now_ms().div_euclid(DAY_MS));
        let n = ctx
            .get_raw(COUNTS, &k)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
            .map_or(0, u64::from_be_bytes);
        ctx.put_raw(COUNTS, &k, &(n + 1).to_be_bytes())?;
    }
    let explained = Explanation {
        channel: channel.name(),
        mode: pool.mode,
        member_id: pick.as_ref().map(|p| p.member_id),
        credit: pick.as_ref().map_or(0.0, |p| p.credit),
        position: pick.as_ref().map_or(0, |p| p.position),
        skipped,
        outcome: outcome.into(),
        at: now_ms(),
    };
    explain(ctx, b, conversation, &explained)?;
    Ok(pick.map(|p| p.member_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_stored_before_its_options_existed_reads_as_sticky_without_reopening() {
        #[derive(Serialize)]
        struct V1 {
            mode: Mode,
            members: Vec<Slot>,
            when_nobody: WhenNobody,
            updated_at: i64,
        }
        let old = V1 {
            mode: Mode::Weighted,
            members: vec![Slot {
                member_id: MemberId::new(),
                weight: 3,
            }],
            when_nobody: WhenNobody::Escalate,
            updated_at: 42,
        };
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let pool: Pool = codec::decode(&bytes).unwrap();
        assert_eq!(
            (pool.mode, pool.when_nobody, pool.updated_at),
            (Mode::Weighted, WhenNobody::Escalate, 42)
        );
        assert_eq!(pool.members, old.members);
        assert!(pool.sticky && !pool.reopen_reassign);
        assert_eq!(codec::decode::<Pool>(&codec::encode(&pool)).unwrap(), pool);
    }

    #[test]
    fn channel_names_read_back() {
        let id = RecordId::new();
        for c in [
            Channel::Manual,
            Channel::Custom(id),
            Channel::Facebook(id),
            Channel::WhatsApp(NumberId::new()),
        ] {
            assert_eq!(Channel::parse(&c.name()), Some(c));
        }
        assert_eq!(Channel::parse("channel:nope"), None);
    }
}
