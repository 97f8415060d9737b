//! The durable timers and calls of flows: a delay or a question's timeout
//! firing (a timer whose run moved on does nothing), and an HTTP webhook
//! called outside any transaction with its answer fed back to the run.
use std::{sync::Arc, time::Duration};

use serde_json::Value;

use super::{
    engine::Input,
    model,
    runtime::{drive, load},
};
use crate::{
    error::ApiResult,
    scheduler::{Handler, Job, Outcome},
    store::{
        ids::{BusinessId, RecordId},
        Store,
    },
};

pub const TIMER: &str = "flow_timer";
pub const WEBHOOK: &str = "flow_webhook";

fn ids(args: &Value) -> Option<(BusinessId, RecordId, u64)> {
    Some((
        args["business"].as_str()?.parse().ok()?,
        args["run"].as_str()?.parse().ok()?,
        args["seq"].as_u64()?,
    ))
}

fn settle(result: ApiResult<()>) -> Outcome {
    match result {
        Ok(()) => Outcome::Done,
        Err(e) if e.code.http().is_server_error() => Outcome::Retry(e.message),
        Err(e) => Outcome::Fail(e.message),
    }
}

/// Moves a run by `input` if it still exists and is not over.
async fn step(
    store: &Store,
    b: BusinessId,
    run: RecordId,
    input: impl Fn() -> Input<'static> + Send + 'static,
) -> Outcome {
    let result = store
        .write(move |ctx| {
            let Some(mut r) = model::run(ctx, b, run)? else {
                return Ok(());
            };
            if r.cursor.state.is_terminal() {
                return Ok(());
            }
            let Some(loaded) = load(ctx, r.flow_id, r.version)? else {
                return Ok(());
            };
            drive(ctx, &mut r, &loaded, input())
        })
        .await;
    settle(result)
}

pub fn timer(store: Store) -> Handler {
    Arc::new(move |job: Job| {
        let store = store.clone();
        Box::pin(async move {
            let args: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
            match ids(&args) {
                Some((b, run, seq)) => step(&store, b, run, move || Input::Timer { seq }).await,
                None => Outcome::Fail(format!("malformed job payload: {}", job.payload)),
            }
        })
    })
}

/// Calls the URL with retries, then hands the run its answer: `map` puts
/// JSON-pointer values of the response into the run's variables.
async fn call(http: &reqwest::Client, d: &Value) -> (bool, Vec<(String, String)>) {
    let url = d["url"].as_str().unwrap_or("");
    let timeout = Duration::from_secs(d["timeout_seconds"].as_u64().unwrap_or(10).clamp(1, 60));
    let retries = d["retries"].as_u64().unwrap_or(2).min(5);
    for attempt in 0..=retries {
        let req = match d["method"].as_str() {
            Some("GET") => http.get(url),
            _ => http
                .post(url)
                .header("Content-Type", "application/json")
                .body(d["body"].as_str().unwrap_or("{}").to_string()),
        };
        match req.timeout(timeout).send().await {
            Ok(res) if res.status().is_success() => {
                let body: Value = res.json().await.unwrap_or(Value::Null);
                let vars = d["map"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(var, ptr)| {
                        let v = body.pointer(ptr.as_str()?)?;
                        let text = v
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string());
                        Some((
                            var.trim_start_matches("vars.").to_string(),
                            text.chars().take(1000).collect(),
                        ))
                    })
                    .collect();
                return (true, vars);
            }
            Ok(res) if res.status().is_client_error() => return (false, Vec::new()),
            _ => {}
        }
        if attempt < retries {
            tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
        }
    }
    (false, Vec::new())
}

pub fn webhook(store: Store) -> Handler {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_default();
    Arc::new(move |job: Job| {
        let (store, http) = (store.clone(), http.clone());
        Box::pin(async move {
            let args: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
            let Some((b, run, seq)) = ids(&args) else {
                return Outcome::Fail(format!("malformed job payload: {}", job.payload));
            };
            let (ok, vars) = call(&http, &args["call"]).await;
            step(&store, b, run, move || Input::WebhookDone {
                seq,
                ok,
                vars: vars.clone(),
            })
            .await
        })
    })
}

/// Registers the flow jobs with the scheduler.
pub fn register(jobs: &mut crate::scheduler::Scheduler, store: &Store) {
    jobs.handle(TIMER, timer(store.clone()));
    jobs.handle(WEBHOOK, webhook(store.clone()));
    jobs.handle(super::pause::JOB, super::pause::handler(store.clone()));
}
