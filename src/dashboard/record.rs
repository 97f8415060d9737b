//! The write-path half of the dashboard: each change to a conversation
//! updates a handful of counters in the same transaction, so the figures are
//! exactly as durable as the conversations they count.
use super::{
    answered_key, bucket_prefix, flag_key, histogram::Histogram, is_won_label, member_bytes, Grain,
    Metric, ANSWERED, CREDITED, FLAGS, GRAINS, OPEN, WON,
};
use crate::{
    conversations::model::{Conversation, Source, Status},
    store::{
        ids::{BusinessId, MemberId},
        Key, Reader, StoreError, WriteCtx,
    },
    time::now_ms,
};

pub(super) fn source_byte(s: Source) -> u8 {
    match s {
        Source::Whatsapp => 1,
        Source::Facebook => 2,
        Source::Walkin => 3,
        Source::Webhook => 4,
        Source::Manual => 5,
        Source::Import => 6,
    }
}

pub(super) fn source_of(b: u8) -> Option<Source> {
    Some(match b {
        1 => Source::Whatsapp,
        2 => Source::Facebook,
        3 => Source::Walkin,
        4 => Source::Webhook,
        5 => Source::Manual,
        6 => Source::Import,
        _ => return None,
    })
}

fn add_u64(
    ctx: &mut WriteCtx,
    t: crate::store::Tbl,
    key: &[u8],
    delta: i64,
) -> Result<(), StoreError> {
    ctx.add_to_counter(t, key, delta);
    Ok(())
}

fn count_key(
    grain: Grain,
    b: BusinessId,
    at: i64,
    metric: Metric,
    source: Source,
    member: Option<MemberId>,
) -> Vec<u8> {
    Key::new()
        .raw(&bucket_prefix(b, grain.bucket(at)))
        .raw(&[metric as u8, source_byte(source)])
        .raw(&member_bytes(member))
        .done()
}

pub fn count(
    ctx: &mut WriteCtx,
    b: BusinessId,
    at: i64,
    metric: Metric,
    source: Source,
    member: Option<MemberId>,
) -> Result<(), StoreError> {
    for g in GRAINS {
        add_u64(
            ctx,
            g.counts(),
            &count_key(g, b, at, metric, source, member),
            1,
        )?;
    }
    Ok(())
}

/// A conversation's birth lead belongs to whoever first gets it: counted in
/// the queue while it waits, it moves to the member who takes it.
fn credit(ctx: &mut WriteCtx, c: &Conversation, waited: bool) -> Result<(), StoreError> {
    let key = answered_key(c.business_id, c.id);
    if ctx.get_raw(CREDITED, &key)?.is_some() {
        return Ok(());
    }
    ctx.put_raw(CREDITED, &key, &[])?;
    if waited {
        let (b, at, src) = (c.business_id, c.created_at, c.source);
        for g in GRAINS {
            let queued = count_key(g, b, at, Metric::Lead, src, None);
            add_u64(ctx, g.counts(), &queued, -1)?;
            let taken = count_key(g, b, at, Metric::Lead, src, c.assignee_id);
            add_u64(ctx, g.counts(), &taken, 1)?;
        }
    }
    Ok(())
}

fn open_key(b: BusinessId, m: Option<MemberId>) -> Vec<u8> {
    Key::new().id(b.bytes()).raw(&member_bytes(m)).done()
}

fn is_won(c: &Conversation) -> bool {
    c.labels.iter().any(|l| is_won_label(l))
}

/// A lead joined a person's existing conversation (a new conversation is
/// counted by `conversation_saved`).
pub fn lead_joined(ctx: &mut WriteCtx, c: &Conversation, source: Source) -> Result<(), StoreError> {
    count(
        ctx,
        c.business_id,
        now_ms(),
        Metric::Lead,
        source,
        c.assignee_id,
    )
}

/// Called by every conversation write with the record before and after.
pub fn conversation_saved(
    ctx: &mut WriteCtx,
    before: Option<&Conversation>,
    c: &Conversation,
) -> Result<(), StoreError> {
    let b = c.business_id;
    let open = |x: &Conversation| x.status == Status::Open;
    let Some(old) = before else {
        // A conversation's birth is its lead, and its first assignment.
        let at = c.created_at;
        count(ctx, b, at, Metric::Lead, c.source, c.assignee_id)?;
        if c.assignee_id.is_some() {
            count(ctx, b, at, Metric::Assigned, c.source, c.assignee_id)?;
            credit(ctx, c, false)?;
        }
        if open(c) {
            add_u64(ctx, OPEN, &open_key(b, c.assignee_id), 1)?;
        } else {
            count(ctx, b, at, Metric::Closed, c.source, c.assignee_id)?;
        }
        if is_won(c) {
            won(ctx, c, at)?;
        }
        return Ok(());
    };
    // The hot path (another message in an open conversation) changes none of these.
    if old.assignee_id == c.assignee_id && old.status == c.status && old.labels == c.labels {
        return Ok(());
    }
    let now = now_ms();
    if old.assignee_id != c.assignee_id && c.assignee_id.is_some() {
        count(ctx, b, now, Metric::Assigned, c.source, c.assignee_id)?;
        credit(ctx, c, true)?;
    }
    if open(old) && !open(c) {
        count(ctx, b, now, Metric::Closed, c.source, c.assignee_id)?;
    }
    if !is_won(old) && is_won(c) {
        won(ctx, c, now)?;
    }
    if (open(old), old.assignee_id) != (open(c), c.assignee_id) {
        if open(old) {
            add_u64(ctx, OPEN, &open_key(b, old.assignee_id), -1)?;
        }
        if open(c) {
            add_u64(ctx, OPEN, &open_key(b, c.assignee_id), 1)?;
        }
    }
    Ok(())
}

/// An erased conversation leaves the open gauge and its per-conversation
/// marks; the hourly and daily counts it added stay (they hold no person).
pub fn conversation_erased(ctx: &mut WriteCtx, c: &Conversation) -> Result<(), StoreError> {
    if c.status == Status::Open {
        add_u64(ctx, OPEN, &open_key(c.business_id, c.assignee_id), -1)?;
    }
    let key = answered_key(c.business_id, c.id);
    ctx.delete(ANSWERED, &key)?;
    ctx.delete(CREDITED, &key)?;
    ctx.delete(WON, &key)?;
    Ok(())
}

/// A sale is counted once per conversation: taking the label off and putting
/// it back (or a second won label) is no second sale.
fn won(ctx: &mut WriteCtx, c: &Conversation, at: i64) -> Result<(), StoreError> {
    let key = answered_key(c.business_id, c.id);
    if ctx.get_raw(WON, &key)?.is_some() {
        return Ok(());
    }
    ctx.put_raw(WON, &key, &[])?;
    count(ctx, c.business_id, at, Metric::Won, c.source, c.assignee_id)?;
    ctx.put_raw(FLAGS, &flag_key(c.business_id, "won"), &[])
}

/// A person replied in the conversation: the first time, its response time
/// (from the conversation's start) joins the histograms of that member and source.
pub fn replied(
    ctx: &mut WriteCtx,
    c: &Conversation,
    member: MemberId,
    at: i64,
) -> Result<(), StoreError> {
    let key = answered_key(c.business_id, c.id);
    if ctx.get_raw(ANSWERED, &key)?.is_some() {
        return Ok(());
    }
    ctx.put_raw(ANSWERED, &key, &[])?;
    let secs = (at - c.created_at).max(0) as f64 / 1000.0;
    for g in GRAINS {
        let hkey = Key::new()
            .raw(&bucket_prefix(c.business_id, g.bucket(at)))
            .raw(&[source_byte(c.source)])
            .raw(&member_bytes(Some(member)))
            .done();
        let mut h = ctx
            .get_raw(g.first_response(), &hkey)?
            .map(|v| Histogram::decode(&v))
            .unwrap_or_default();
        h.add(secs);
        ctx.put_raw(g.first_response(), &hkey, &h.encode())?;
    }
    Ok(())
}

/// The business ever labelled a conversation "won" (so conversion means something).
pub fn uses_won<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<bool, StoreError> {
    Ok(r.get_raw(FLAGS, &flag_key(b, "won"))?.is_some())
}
