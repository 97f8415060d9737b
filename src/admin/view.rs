//! `BusinessAdminView`: a business as the platform admin sees it, with its
//! limits, owners and usage. Every figure is a key count or a counter read
//! (see tenancy::usage) except the media folder's size, which is measured on
//! disk and cached briefly so a list page does not walk every folder each time.
use std::{
    collections::HashMap,
    path::Path,
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use super::dir_bytes;
use crate::{
    auth::users,
    channels::{facebook, whatsapp::numbers},
    error::ApiResult,
    store::{ids::BusinessId, Reader},
    tenancy::{limits, repo, usage, Business, Role},
    time::rfc3339,
};

/// How long a measured media folder size is reused.
const MEDIA_TTL: Duration = Duration::from_secs(30);

/// Sizes of `media/<business>` folders recently measured. Keyed by the folder
/// path, so servers sharing the process (tests) never see each other's.
fn media_cache() -> &'static Mutex<HashMap<std::path::PathBuf, (Instant, u64)>> {
    static CACHE: OnceLock<Mutex<HashMap<std::path::PathBuf, (Instant, u64)>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Bytes of the business's media files on disk (inbound media and uploads).
pub fn media_bytes(data_dir: &Path, b: BusinessId) -> u64 {
    let dir = data_dir.join("media").join(b.to_string());
    if let Ok(cache) = media_cache().lock() {
        if let Some((at, bytes)) = cache.get(&dir) {
            if at.elapsed() < MEDIA_TTL {
                return *bytes;
            }
        }
    }
    let bytes = dir_bytes(&dir);
    if let Ok(mut cache) = media_cache().lock() {
        cache.retain(|_, (at, _)| at.elapsed() < MEDIA_TTL);
        cache.insert(dir, (Instant::now(), bytes));
    }
    bytes
}

/// Forgets a measured size (after the admin acts on the business, the next
/// view measures again).
pub fn forget_media(data_dir: &Path, b: BusinessId) {
    if let Ok(mut cache) = media_cache().lock() {
        cache.remove(&data_dir.join("media").join(b.to_string()));
    }
}

/// Until when the business's owner lets platform support look inside it.
pub fn support_access_until<R: Reader + ?Sized>(r: &R, b: BusinessId) -> ApiResult<Option<i64>> {
    Ok(crate::tenancy::support::active(r, b, crate::time::now_ms())?.map(|g| g.until))
}

fn opt_time(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |t| json!(rfc3339(t)))
}

pub fn build<R: Reader + ?Sized>(r: &R, data_dir: &Path, b: &Business) -> ApiResult<Value> {
    let mut owners = Vec::new();
    for m in repo::members(r, b.id)?
        .into_iter()
        .filter(|m| m.role == Role::Owner)
    {
        if let Some(u) = users::get(r, m.user_id)? {
            owners.push(json!({"id": u.id, "name": u.name, "email": u.email}));
        }
    }
    Ok(json!({
        "id": b.id,
        "name": b.name,
        "created_at": rfc3339(b.created_at),
        "default_country": b.default_country,
        "suspended": b.suspended,
        "suspended_at": opt_time(b.suspended_at.filter(|_| b.suspended)),
        "limits": {
            "max_members": b.limits.max_members,
            "max_numbers": b.limits.max_numbers,
            "max_flows": b.limits.max_flows,
        },
        "usage": {
            "members": limits::members_used(r, b.id)?,
            "numbers": numbers::count(r, b.id)?,
            "pages": facebook::list(r, b.id)?.len(),
            "conversations": usage::conversations(r, b.id)?,
            "messages_30d": usage::messages_30d(r, b.id)?,
            "media_bytes": media_bytes(data_dir, b.id),
        },
        "owners": owners,
        "support_access_until": opt_time(support_access_until(r, b.id)?),
    }))
}
