//! The caps a platform admin sets per business, checked inside the write that
//! would exceed them, so two concurrent requests cannot both take the last slot.
use super::repo;
use crate::{
    error::{ApiError, ApiResult, Code},
    store::{ids::BusinessId, Reader},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Members,
    Numbers,
    Flows,
}

impl Limited {
    fn noun(self) -> &'static str {
        match self {
            Limited::Members => "members",
            Limited::Numbers => "WhatsApp numbers",
            Limited::Flows => "flows",
        }
    }
}

/// Refuses (409 `limit_reached`) when `used` already fills the business's cap.
pub fn ensure_room<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    what: Limited,
    used: usize,
) -> ApiResult<()> {
    let Some(business) = repo::business(r, b)? else {
        return Ok(());
    };
    let cap = match what {
        Limited::Members => business.limits.max_members,
        Limited::Numbers => business.limits.max_numbers,
        Limited::Flows => business.limits.max_flows,
    };
    match cap {
        Some(max) if used >= max as usize => Err(ApiError::new(
            Code::LimitReached,
            format!(
                "This business may have at most {max} {}; ask the platform administrator to raise the limit",
                what.noun()
            ),
        )),
        _ => Ok(()),
    }
}

/// Members of a business (a key count, no decoding).
pub fn members_used<R: Reader + ?Sized>(r: &R, b: BusinessId) -> ApiResult<usize> {
    Ok(crate::store::scan_keys(r, repo::MEMBERS, &b.bytes(), None, usize::MAX)?.len())
}
