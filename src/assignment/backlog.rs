//! No lead left in limbo: when capacity appears (a member becomes available,
//! or a pool changes), the pool's unassigned conversations are handed out,
//! oldest first, in the same write.

use super::{choose, pools, Channel};
use crate::{
    conversations::{model::Status, repo, service},
    error::ApiResult,
    store::{ids::BusinessId, WriteCtx},
};

/// Conversations handed out per drain at most: a write stays short, and the
/// next capacity change carries on.
const MAX_PER_DRAIN: usize = 500;
/// Unassigned conversations looked at per drain at most.
const MAX_SCAN: usize = 5_000;

/// Hands out `channel`'s waiting conversations while its pool has someone.
pub fn drain(ctx: &mut WriteCtx, b: BusinessId, channel: Channel) -> ApiResult<usize> {
    if super::pool(ctx, b, channel)?.is_none() {
        return Ok(0);
    }
    let mut handed = 0;
    for id in repo::by_assignee_oldest_first(ctx, b, None, MAX_SCAN)? {
        let Some(before) = repo::get(ctx, b, id)? else {
            continue;
        };
        if before.status != Status::Open || super::origin(ctx, &before)? != Some(channel) {
            continue;
        }
        let Some(member) = choose(ctx, b, channel, id, true)? else {
            break;
        };
        let mut c = before.clone();
        c.assignee_id = Some(member);
        service::save_changed(ctx, &before, &c, None)?;
        handed += 1;
        if handed == MAX_PER_DRAIN {
            break;
        }
    }
    Ok(handed)
}

/// Drains every pool of the business (a member came back, or joined).
pub fn drain_all(ctx: &mut WriteCtx, b: BusinessId) -> ApiResult<usize> {
    let mut handed = 0;
    for channel in pools(ctx, b)? {
        handed += drain(ctx, b, channel)?;
    }
    Ok(handed)
}
