//! The daily token check: a long-lived user token is exchanged again before it
//! expires, and every page token is tried; a page whose token died (Graph
//! error 190) is flagged for its owner to reconnect, one that works again is
//! cleared. The job reschedules itself, so exactly one is ever pending.
use std::sync::Arc;

use serde_json::json;

use super::{
    graph::FbGraph,
    login::{self, FbLogin},
    vault::{self, Vault},
    FbPage,
};
use crate::{
    channels::whatsapp::graph::Failure,
    scheduler::{self, Handler, Job, Outcome},
    store::{Store, StoreError, WriteCtx},
    time::now_ms,
};

pub const JOB_KIND: &str = "facebook_token_check";
const DAY_MS: i64 = 86_400_000;
/// A user token this close to its expiry is exchanged for a fresh one.
const RENEW_BEFORE_MS: i64 = 10 * DAY_MS;

/// Schedules the first check unless one is pending (called at start).
pub fn ensure_scheduled(ctx: &mut WriteCtx) -> Result<(), StoreError> {
    if scheduler::pending(ctx, usize::MAX)?
        .iter()
        .any(|j| j.kind == JOB_KIND)
    {
        return Ok(());
    }
    scheduler::schedule(ctx, JOB_KIND, &json!({}), now_ms() + 60_000, 3)?;
    Ok(())
}

async fn check(graph: &FbGraph, store: &Store, page: FbPage) {
    let mut p = page.clone();
    match graph
        .check_page(&p.page_id, &p.token_for_graph(store))
        .await
    {
        Ok(()) => {
            p.token_invalid = false;
            p.last_error = None;
        }
        Err(e) if e.failure == Failure::TokenDead => {
            p.token_invalid = true;
            p.last_error = Some(e.reason());
        }
        // Meta being down says nothing about the token.
        Err(e) => tracing::warn!(page = %p.page_id, "token check inconclusive: {}", e.reason()),
    }
    if p != page {
        let result = store
            .write(move |ctx| {
                // Keep what changed meanwhile (a reconnect); only the token state is ours.
                if let Some(mut now) = super::get(ctx, p.id)? {
                    if now.token == page.token {
                        if p.token_invalid && !now.token_invalid {
                            let reason = p.last_error.clone().unwrap_or_default();
                            super::leads::tell_owners_token_died(ctx, &now, &reason)?;
                        }
                        now.token_invalid = p.token_invalid;
                        now.last_error = p.last_error.clone();
                        super::save(ctx, &now)?;
                    }
                }
                Ok(())
            })
            .await;
        if let Err(e) = result {
            tracing::error!("saving the token check: {e}");
        }
    }
}

/// A long-lived user token close to its expiry is exchanged for a fresh one.
async fn renew(graph: &FbGraph, store: &Store, vault: &Vault, l: FbLogin) {
    let due = l
        .user_token_expires_at
        .is_some_and(|t| t - now_ms() < RENEW_BEFORE_MS);
    let Some(mut profile) = l.profile(vault).filter(|_| due) else {
        return;
    };
    let (fresh, expires_in) = match graph.long_lived(&profile.user_token).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(login = %l.id, "renewing the user token failed: {}", e.reason());
            return;
        }
    };
    profile.user_token = fresh;
    let sealed = serde_json::to_vec(&profile)
        .map_err(std::io::Error::other)
        .and_then(|b| vault.seal(&l.key_id(), &b));
    let Ok(sealed) = sealed else {
        tracing::error!(login = %l.id, "sealing the renewed user token failed");
        return;
    };
    let result = store
        .write(move |ctx| {
            // A login deleted meanwhile (a data-deletion request) stays deleted.
            if let Some(mut now) = login::get(ctx, l.id)? {
                if now.sealed == l.sealed {
                    now.sealed = sealed.clone();
                    now.user_token_expires_at = expires_in.map(crate::time::ms_after_secs);
                    login::save(ctx, &now)?;
                }
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!("saving the renewed user token: {e}");
    }
}

pub fn handler(store: Store, graph: FbGraph) -> Handler {
    Arc::new(move |_job: Job| {
        let (store, graph) = (store.clone(), graph.clone());
        Box::pin(async move {
            let pages = match store.read().map(|r| super::all(&r)) {
                Ok(Ok(p)) => p,
                Ok(Err(e)) => return Outcome::Retry(e.to_string()),
                Err(e) => return Outcome::Retry(e.to_string()),
            };
            for page in pages
                .into_iter()
                .filter(|p| !p.sandbox && p.disconnected.is_none())
            {
                check(&graph, &store, page).await;
            }
            let logins = match store.read().map(|r| login::all(&r)) {
                Ok(Ok(l)) => l,
                Ok(Err(e)) => return Outcome::Retry(e.to_string()),
                Err(e) => return Outcome::Retry(e.to_string()),
            };
            match vault::of(store.dir()) {
                Ok(v) => {
                    for l in logins {
                        renew(&graph, &store, &v, l).await;
                    }
                }
                Err(e) => tracing::error!("opening the Facebook keyring: {e}"),
            }
            scheduler::again_in(&store, JOB_KIND, DAY_MS).await
        })
    })
}
