//! The deletion job, in phases kept on the request so a restart resumes where
//! it stopped: (1) one commit deletes the person's logins in every business,
//! disconnects the pages whose tokens came through them and tells each
//! business's owners; (2) the logins' keys are forgotten, which makes any
//! stale copy of their sealed bytes unreadable; (3) the scan proves none of
//! the values is left; (4) the request's own key goes and it completes.
use std::{
    collections::{BTreeMap, HashSet},
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
};

use serde_json::Value;

use super::{get, save, scan, DeletionRequest, Phase};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    channels::facebook::{
        self as fb,
        login::{self, FbLogin},
        vault::{self, Vault},
        PageToken,
    },
    scheduler::{Handler, Job, Outcome},
    store::{ids::BusinessId, Store, StoreError, WriteCtx},
    tenancy::{model::Role, repo as tenancy},
    time::now_ms,
};

/// How owners are reached by email.
#[derive(Clone)]
pub struct Reach {
    pub smtp: bool,
    pub public_url: String,
}

const REASON: &str = "The person who connected this page with Facebook Login asked Facebook to \
                      delete their data, so its token was deleted. Connect the page again to keep receiving leads.";

/// Test hook: a data folder listed here stops its job after the delete
/// commit (phase `Deleted`), so a test can restart the server mid-job.
#[doc(hidden)]
pub fn pause_after_delete(data_dir: &Path, paused: bool) {
    let mut set = paused_dirs().lock().unwrap_or_else(|p| p.into_inner());
    if paused {
        set.insert(data_dir.to_path_buf());
    } else {
        set.remove(data_dir);
    }
}

fn paused_dirs() -> &'static Mutex<HashSet<PathBuf>> {
    static PAUSED: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    PAUSED.get_or_init(Default::default)
}

fn is_paused(dir: &Path) -> bool {
    paused_dirs()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains(dir)
}

fn needles_of(vault: &Vault, d: &DeletionRequest) -> Vec<String> {
    vault
        .open(&d.key_id(), &d.sealed_needles)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Everything to delete for the request, and the values to scan for later.
fn collect(store: &Store, vault: &Vault, d: &DeletionRequest) -> Result<Vec<String>, String> {
    let read = store.read().map_err(|e| e.to_string())?;
    let mut needles = needles_of(vault, d);
    for l in login::of_user(&read, &d.user_hash).map_err(|e| e.to_string())? {
        if let Some(p) = l.profile(vault) {
            needles.extend(p.needles());
        }
        for page in fb::list(&read, l.business_id).map_err(|e| e.to_string())? {
            if page.token.login() == Some(l.id) {
                needles.push(page.token.open(vault));
            }
        }
    }
    needles.retain(|n| !n.is_empty());
    needles.sort();
    needles.dedup();
    Ok(needles)
}

/// Phase 1, one commit: logins, page tokens, links gone; owners told.
fn delete_all(
    ctx: &mut WriteCtx,
    reach: &Reach,
    code: &str,
    sealed_needles: &[u8],
) -> Result<bool, StoreError> {
    let Some(mut d) = get(ctx, code)? else {
        return Ok(false);
    };
    if d.phase != Phase::Requested {
        return Ok(true);
    }
    let logins = login::of_user(ctx, &d.user_hash)?;
    let mut pages_by_business: BTreeMap<BusinessId, Vec<String>> = BTreeMap::new();
    for l in &logins {
        pages_by_business.entry(l.business_id).or_default();
        for mut page in fb::list(ctx, l.business_id)? {
            if page.token.login() != Some(l.id) {
                continue;
            }
            page.token = PageToken::None;
            page.token_invalid = true;
            page.disconnected = Some(REASON.to_string());
            page.last_error = Some(REASON.to_string());
            fb::save(ctx, &page)?;
            if let Some(names) = pages_by_business.get_mut(&l.business_id) {
                names.push(page.name.clone());
            }
        }
        login::delete(ctx, l)?;
    }
    for (b, pages) in &pages_by_business {
        tell_owners(ctx, reach, *b, pages)?;
        let note = Note::new(
            Action::DataDeletionCompleted,
            Some(*b),
            Who::System,
            format!(
                "A Facebook user's data was deleted at their request; disconnected pages: {}",
                quoted(pages)
            ),
        )
        .target("data_deletion", code);
        audit::record(ctx, &Origin::local("data deletion"), &note)?;
    }
    d.phase = Phase::Deleted;
    d.logins = logins.iter().map(|l: &FbLogin| l.id).collect();
    d.sealed_needles = sealed_needles.to_vec();
    d.last_error = None;
    save(ctx, &d)?;
    Ok(true)
}

fn quoted(pages: &[String]) -> String {
    if pages.is_empty() {
        return "none".into();
    }
    pages
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// In-app and by email; the texts name the pages, never the person.
fn tell_owners(
    ctx: &mut WriteCtx,
    reach: &Reach,
    b: BusinessId,
    pages: &[String],
) -> Result<(), StoreError> {
    let text = if pages.is_empty() {
        "A person who signed in with Facebook Login in this business asked Facebook to delete their data; \
         their Facebook profile and tokens were deleted. No page depended on them."
            .to_string()
    } else {
        format!(
            "A person who connected Facebook pages asked Facebook to delete their data: their Facebook profile \
             and tokens were deleted and these pages were disconnected: {}. Connect them again from Channels \
             to keep receiving leads; your leads and conversations are kept.",
            quoted(pages)
        )
    };
    let link = format!("{}/channels", reach.public_url.trim_end_matches('/'));
    for m in tenancy::members(ctx, b)?
        .into_iter()
        .filter(|m| m.role == Role::Owner)
    {
        crate::notifications::notify(ctx, b, m.id, "facebook_data_deletion", text.clone(), None)?;
        if let Some(u) = crate::auth::users::get(ctx, m.user_id)? {
            let content = crate::mail::with_link(
                &format!("Hello {},", u.name),
                &text,
                "Open Channels",
                &link,
                "You get this because you own this business in wafunnel.",
            );
            crate::mail::enqueue(
                ctx,
                reach.smtp,
                Some(b),
                &u.email,
                "Facebook pages disconnected after a data-deletion request",
                content,
            )?;
        }
    }
    Ok(())
}

async fn set_phase(store: &Store, code: &str, phase: Phase, error: Option<String>) -> Outcome {
    let code = code.to_string();
    let written = store
        .write(move |ctx| {
            if let Some(mut d) = get(ctx, &code)? {
                if phase == Phase::Completed {
                    d.completed_at = Some(now_ms());
                    d.sealed_needles = Vec::new();
                }
                d.phase = phase;
                d.last_error = error.clone();
                save(ctx, &d)?;
            }
            Ok(())
        })
        .await;
    match written {
        Ok(()) => Outcome::Done,
        Err(e) => Outcome::Retry(e.message),
    }
}

async fn run(store: &Store, reach: &Reach, code: &str) -> Result<(), String> {
    let vault = vault::of(store.dir()).map_err(|e| format!("the Facebook keyring: {e}"))?;
    let read_request = || -> Result<DeletionRequest, String> {
        get(&store.read().map_err(|e| e.to_string())?, code)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the request is gone".to_string())
    };
    let mut d = read_request()?;
    if d.phase == Phase::Requested {
        let needles = collect(store, &vault, &d)?;
        let json = serde_json::to_vec(&needles).map_err(|e| e.to_string())?;
        let sealed = vault
            .seal(&d.key_id(), &json)
            .map_err(|e| format!("sealing the values to scan for: {e}"))?;
        let (reach, code) = (reach.clone(), code.to_string());
        store
            .write(move |ctx| Ok(delete_all(ctx, &reach, &code, &sealed)?))
            .await
            .map_err(|e| e.message)?;
        d = read_request()?;
    }
    if d.phase == Phase::Deleted {
        if is_paused(store.dir()) {
            return Err("paused by a test hook".into());
        }
        for l in &d.logins {
            vault
                .forget(&login::key_id(*l))
                .map_err(|e| format!("forgetting a login key: {e}"))?;
        }
        if let Some(place) =
            scan::find(store, &needles_of(&vault, &d)).map_err(|e| e.to_string())?
        {
            return Err(format!(
                "a deleted value is still stored ({place}); the scan runs again"
            ));
        }
        if let Outcome::Retry(e) = set_phase(store, code, Phase::Verified, None).await {
            return Err(e);
        }
        d.phase = Phase::Verified;
    }
    if d.phase == Phase::Verified {
        vault
            .forget(&d.key_id())
            .map_err(|e| format!("forgetting the request key: {e}"))?;
        if let Outcome::Retry(e) = set_phase(store, code, Phase::Completed, None).await {
            return Err(e);
        }
    }
    Ok(())
}

pub fn handler(store: Store, reach: Reach) -> Handler {
    Arc::new(move |job: Job| {
        let (store, reach) = (store.clone(), reach.clone());
        Box::pin(async move {
            let args: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
            let Some(code) = args["code"].as_str().map(str::to_string) else {
                return Outcome::Fail("the job names no request".into());
            };
            match run(&store, &reach, &code).await {
                Ok(()) => Outcome::Done,
                Err(why) => {
                    // The reason is shown on the request as well as on the job.
                    let note = why.clone();
                    let code2 = code.clone();
                    let _ = store
                        .write(move |ctx| {
                            if let Some(mut d) = get(ctx, &code2)? {
                                d.last_error = Some(note.clone());
                                save(ctx, &d)?;
                            }
                            Ok(())
                        })
                        .await;
                    tracing::warn!(request = %code, "data deletion not finished: {why}");
                    Outcome::Retry(why)
                }
            }
        })
    })
}
