//! A conversation's runs: their path and variables for whoever sees the
//! conversation, stopping one, and resuming an ended one from a chosen node.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    engine::{Input, RunState},
    model, runtime,
};
use crate::{
    auth::MemberActor,
    conversations::access::Conversations,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::{
        ids::{ConversationId, RecordId},
        Reader,
    },
    time::rfc3339,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/conversations/{id}/runs", conversation_runs)
        .post("/api/flow-runs/{id}/cancel", cancel_run)
        .post("/api/flow-runs/{id}/resume", resume_run);
}

fn run_json<R: Reader + ?Sized>(r: &R, run: &model::Run) -> ApiResult<Value> {
    let recorded = model::events(r, run.id)?;
    let events: Vec<Value> = recorded
        .iter()
        .map(|e| json!({"at": rfc3339(e.at), "node": e.node, "handle": e.handle, "note": e.note}))
        .collect();
    // The nodes the run names, so whoever sees the conversation reads them
    // as steps ("Message · Welcome…") without the right to open the flow. A
    // webhook's address and headers stay with the flow's editors.
    let graph = runtime::load(r, run.flow_id, run.version)?.map(|l| l.graph.clone());
    let mut named: Vec<&str> = run.cursor.node.iter().map(String::as_str).collect();
    named.extend(recorded.iter().map(|e| e.node.as_str()));
    named.sort_unstable();
    named.dedup();
    let nodes: Vec<Value> = named
        .iter()
        .filter_map(|id| graph.as_ref()?.node(id))
        .map(|n| {
            let data = if n.data["action"] == "webhook" {
                json!({"action": "webhook"})
            } else {
                n.data.clone()
            };
            json!({"id": n.id, "type": n.kind, "data": data})
        })
        .collect();
    let flow_name = model::get(r, run.business_id, run.flow_id)?.map(|f| f.name);
    Ok(json!({
        "flow_name": flow_name, "nodes": nodes,
        "id": run.id, "flow_id": run.flow_id, "version": run.version, "state": run.cursor.state,
        "current_node": run.cursor.node, "variables": run.cursor.vars, "error": run.cursor.error,
        "timer_at": run.cursor.timer_at.map(rfc3339), "started_at": rfc3339(run.started_at),
        "updated_at": rfc3339(run.updated_at), "events": events,
    }))
}

async fn conversation_runs(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let c = Conversations::new(&read, &actor.scope).get(id.into_inner())?;
    let mut runs = model::runs_of(&read, c.business_id, c.id)?;
    runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
    let items = runs
        .iter()
        .map(|r| run_json(&read, r))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

fn run_of(state: &AppState, actor: &MemberActor, id: RecordId) -> ApiResult<model::Run> {
    let read = state.store.read()?;
    let run =
        model::run(&read, actor.business.id, id)?.ok_or_else(|| ApiError::not_found("run"))?;
    // Seeing the conversation is what it takes to see its runs.
    Conversations::new(&read, &actor.scope).get(run.conversation_id)?;
    Ok(run)
}

async fn cancel_run(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let run = run_of(&state, &actor, id.into_inner())?;
    let who = actor.user.name.clone();
    let run = state
        .store
        .write(move |ctx| {
            let mut run = run.clone();
            runtime::end(
                ctx,
                &mut run,
                RunState::Cancelled,
                &format!("stopped by {who}"),
            )?;
            Ok(run)
        })
        .await?;
    Ok(HttpResponse::Ok().json(run_json(&state.store.read()?, &run)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResumeBody {
    node_id: String,
}

/// Resumes a run that ended (failed, stopped) from a chosen node of its version.
async fn resume_run(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
    body: web::Json<ResumeBody>,
) -> ApiResult<HttpResponse> {
    super::routes::may_edit(&actor)?;
    let run = run_of(&state, &actor, id.into_inner())?;
    let node = body.into_inner().node_id;
    let run = state
        .store
        .write(move |ctx| {
            let mut run = run.clone();
            if let Some(other) = model::live_run(ctx, run.business_id, run.conversation_id)?
                .filter(|o| o.id != run.id)
            {
                return Err(ApiError::new(
                    Code::Conflict,
                    format!("Run {} is still active in this conversation", other.id),
                ));
            }
            let loaded = runtime::load(ctx, run.flow_id, run.version)?
                .ok_or_else(|| ApiError::not_found("flow version"))?;
            if loaded.graph.node(&node).is_none() {
                return Err(ApiError::field(
                    "node_id",
                    "no such node in the run's version",
                ));
            }
            run.cursor.visits.clear();
            runtime::drive(ctx, &mut run, &loaded, Input::ResumeAt(node.clone()))?;
            Ok(run)
        })
        .await?;
    state.jobs_wake.notify_one();
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Ok().json(run_json(&state.store.read()?, &run)?))
}
