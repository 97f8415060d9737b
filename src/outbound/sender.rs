//! The sender: takes due outbox items, sends them through the Graph API under
//! a per-number rate, and records each result. Woken by new items (events) or
//! by the next due time; it never polls on a fixed interval.
use std::{
    collections::{HashMap, HashSet, VecDeque},
    time::{Duration, Instant},
};

use tokio::sync::mpsc;

use super::{due, record, OutboxItem, Wake};
use crate::{
    channels::whatsapp::{
        graph::{self, Failure, Graph, GraphError},
        media, numbers, uploads,
    },
    simulator::Simulator,
    store::{
        ids::{ConversationId, MessageId, NumberId},
        Store,
    },
    time::now_ms,
};

/// The sends of one number within the last second: at most `rate` of them,
/// in any one-second window (a bucket that starts full allowed twice that).
#[derive(Default)]
struct Window {
    sent: VecDeque<Instant>,
    in_flight: usize,
}

impl Window {
    /// How long until another send fits, or None when one fits now.
    fn wait(&mut self, rate: usize, now: Instant) -> Option<Duration> {
        while self
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            self.sent.pop_front();
        }
        if self.sent.len() < rate {
            return None;
        }
        self.sent
            .front()
            .map(|t| (*t + Duration::from_secs(1)).saturating_duration_since(now))
    }
}

pub struct Sender {
    store: Store,
    graph: Graph,
    simulator: Simulator,
    rate: usize,
    wake: Wake,
    drain: Drain,
}

/// Lets a stopping server wait for the sends already with Meta: cut off, a
/// send's answer is lost and the message is left for a person to check.
#[derive(Clone, Default)]
pub struct Drain {
    stopping: std::sync::Arc<std::sync::atomic::AtomicBool>,
    active: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    settled: std::sync::Arc<tokio::sync::Notify>,
}

impl Drain {
    /// Takes no new send, and waits (at most `limit`) for those under way.
    pub async fn finish(&self, limit: Duration) {
        use std::sync::atomic::Ordering::SeqCst;
        self.stopping.store(true, SeqCst);
        let until = tokio::time::Instant::now() + limit;
        while self.active.load(SeqCst) > 0 {
            let settled = self.settled.notified();
            if self.active.load(SeqCst) == 0
                || tokio::time::timeout_at(until, settled).await.is_err()
            {
                break;
            }
        }
    }

    fn stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Due items looked at per number in one pass.
const PER_NUMBER: usize = 256;
/// Sends in flight, all numbers together.
const CONCURRENCY: usize = 64;
/// Sends in flight for one number: a number whose Graph answers slowly
/// cannot take every slot and stall the others.
const CONCURRENCY_PER_NUMBER: usize = 16;

impl Sender {
    pub fn new(
        store: Store,
        graph: Graph,
        simulator: Simulator,
        rate_per_second: u32,
        wake: Wake,
    ) -> Sender {
        Sender {
            store,
            graph,
            simulator,
            rate: rate_per_second.max(1) as usize,
            wake,
            drain: Drain::default(),
        }
    }

    pub fn drain(&self) -> Drain {
        self.drain.clone()
    }

    pub async fn run(self) {
        // Whatever queued a message (a person, a flow's timer, an import), the
        // commit announces it and the sender wakes; nobody has to remember to.
        let (store, wake) = (self.store.clone(), self.wake.clone());
        tokio::spawn(async move {
            let mut events = store.subscribe();
            loop {
                match events.recv().await {
                    Ok(batch) if batch.iter().any(|e| e.kind == super::QUEUED) => wake.notify_one(),
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => wake.notify_one(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        type Done = (MessageId, ConversationId, NumberId);
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
        let mut in_flight: HashSet<MessageId> = HashSet::new();
        // One message at a time per conversation, in the order they were
        // queued: sent side by side, a flow's welcome and its question
        // reached the customer in either order.
        let mut busy: HashSet<ConversationId> = HashSet::new();
        let mut windows: HashMap<NumberId, Window> = HashMap::new();
        let finish = |(id, c, n): Done,
                      in_flight: &mut HashSet<MessageId>,
                      busy: &mut HashSet<ConversationId>,
                      windows: &mut HashMap<NumberId, Window>| {
            in_flight.remove(&id);
            busy.remove(&c);
            if let Some(w) = windows.get_mut(&n) {
                w.in_flight = w.in_flight.saturating_sub(1);
            }
        };
        loop {
            let (items, next_due) = match self
                .store
                .read()
                .map_err(|e| e.to_string())
                .and_then(|r| due(&r, now_ms(), PER_NUMBER).map_err(|e| e.to_string()))
            {
                Ok(x) => x,
                Err(e) => {
                    tracing::error!("outbox read failed: {e}");
                    (Vec::new(), Some(now_ms() + 1000))
                }
            };
            let mut wake_at = next_due;
            // Conversations with an earlier message still waiting this pass.
            let mut held: HashSet<ConversationId> = HashSet::new();
            for item in items {
                if self.drain.stopping() {
                    break;
                }
                if in_flight.contains(&item.message_id) {
                    continue;
                }
                if busy.contains(&item.conversation_id) || !held.insert(item.conversation_id) {
                    held.insert(item.conversation_id);
                    continue;
                }
                // Full slots free up with a finished send, which wakes this loop.
                let window = windows.entry(item.number_id).or_default();
                if in_flight.len() >= CONCURRENCY || window.in_flight >= CONCURRENCY_PER_NUMBER {
                    continue;
                }
                let now = Instant::now();
                if let Some(wait) = window.wait(self.rate, now) {
                    let at = now_ms() + wait.as_millis() as i64 + 1;
                    wake_at = Some(wake_at.map_or(at, |w| w.min(at)));
                    continue;
                }
                window.sent.push_back(now);
                window.in_flight += 1;
                in_flight.insert(item.message_id);
                busy.insert(item.conversation_id);
                let (store, graph, sim, done, drain) = (
                    self.store.clone(),
                    self.graph.clone(),
                    self.simulator.clone(),
                    done_tx.clone(),
                    self.drain.clone(),
                );
                drain
                    .active
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    let id = (item.message_id, item.conversation_id, item.number_id);
                    deliver(&store, &graph, &sim, item).await;
                    drain
                        .active
                        .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    drain.settled.notify_waiters();
                    let _ = done.send(id);
                });
            }
            let sleep = wake_at
                .map(|t| Duration::from_millis((t - now_ms()).clamp(0, 60_000) as u64))
                .unwrap_or(Duration::from_secs(60));
            tokio::select! {
                _ = self.wake.notified() => {}
                Some(d) = done_rx.recv() => finish(d, &mut in_flight, &mut busy, &mut windows),
                _ = tokio::time::sleep(sleep) => {}
            }
            while let Ok(d) = done_rx.try_recv() {
                finish(d, &mut in_flight, &mut busy, &mut windows);
            }
        }
    }
}

/// Uploads the item's attachment to Meta and puts its media id in the payload.
async fn attach(
    store: &Store,
    graph: &Graph,
    number: &numbers::WaNumber,
    item: &OutboxItem,
    payload: &mut serde_json::Value,
) -> Result<(), GraphError> {
    let Some(upload_id) = item.upload else {
        return Ok(());
    };
    let gone = |what: &str| GraphError {
        code: 0,
        http_status: 0,
        message: format!("the attachment {what}"),
        failure: Failure::Permanent,
        retry_after: None,
    };
    let upload = store
        .read()
        .ok()
        .and_then(|r| uploads::get(&r, item.business_id, upload_id).ok().flatten())
        .ok_or_else(|| gone("no longer exists"))?;
    let data_dir = store.dir().to_path_buf();
    let bytes = tokio::fs::read(media::file_path(
        &data_dir,
        upload.business_id,
        &upload.id.to_string(),
    ))
    .await
    .map_err(|_| gone("file is missing"))?;
    let id = graph
        .upload_media(
            &number.phone_number_id,
            &number.access_token,
            bytes,
            &upload.mime_type,
            upload.filename.as_deref(),
        )
        .await?;
    let kind = payload["type"].as_str().unwrap_or("document").to_string();
    payload[kind.as_str()]["id"] = serde_json::json!(id);
    Ok(())
}

/// The send's outcome, and the payload with Meta's media id when an
/// attachment was uploaded on the way (a retry reuses it).
async fn send(
    store: &Store,
    graph: &Graph,
    n: &numbers::WaNumber,
    item: &OutboxItem,
) -> (Result<String, GraphError>, Option<String>) {
    let mut payload: serde_json::Value = serde_json::from_str(&item.payload).unwrap_or_default();
    if let Err(e) = attach(store, graph, n, item, &mut payload).await {
        return (Err(e), None);
    }
    let uploaded = item.upload.map(|_| payload.to_string());
    let sent = graph
        .send_message(&n.phone_number_id, &n.access_token, &payload)
        .await;
    (sent, uploaded)
}

async fn deliver(store: &Store, graph: &Graph, sim: &Simulator, item: OutboxItem) {
    let number = store.read().ok().and_then(|r| {
        numbers::get(&r, item.business_id, item.number_id)
            .ok()
            .flatten()
    });
    let suspended = store.read().ok().is_some_and(|r| {
        crate::tenancy::repo::business(&r, item.business_id)
            .ok()
            .flatten()
            .is_some_and(|b| b.suspended)
    });
    if suspended || number.as_ref().is_some_and(|n| n.token_dead) {
        // Held, not failed: the business's resume or the number's new token
        // puts it back in line.
        let held = item.clone();
        if let Err(e) = store.write(move |ctx| super::hold(ctx, &held)).await {
            tracing::error!(message_id = %item.message_id, "holding a message failed: {e}");
        }
        return;
    }
    let now = now_ms();
    let mut uploaded = None;
    let result = match number {
        None => Err(GraphError {
            code: 0,
            http_status: 0,
            message: "The WhatsApp number was removed".into(),
            failure: Failure::Permanent,
            retry_after: None,
        }),
        Some(n) if n.paused_until > now => {
            // Not an attempt: wait for the pause to end.
            let stored = OutboxItem {
                due_at: n.paused_until,
                ..item.clone()
            };
            let old = item.clone();
            let _ = store
                .write(move |ctx| {
                    // Gone (the item was sent meanwhile, or its contact erased): not again.
                    if !ctx.delete(super::OUTBOX, &super::key(&old))? {
                        return Ok(());
                    }
                    ctx.put(super::OUTBOX, &super::key(&stored), &stored)?;
                    Ok(())
                })
                .await;
            return;
        }
        // A sandbox number's customer is the simulator: nothing goes to Meta.
        Some(n) if n.sandbox => {
            let wamid = crate::simulator::new_wamid();
            let stored = item.clone();
            let sent = Ok(wamid.clone());
            match store.write(move |ctx| record(ctx, &stored, &sent)).await {
                Ok(()) => sim.receipts(n, wamid, item.to.clone()),
                Err(e) => {
                    tracing::error!(message_id = %item.message_id, "recording a send failed: {e}")
                }
            }
            return;
        }
        Some(n) => {
            let noted = item.clone();
            match store
                .write(move |ctx| Ok(super::begin_attempt(ctx, &noted)?))
                .await
            {
                Ok(true) => {
                    let (sent, with_media_id) = send(store, graph, &n, &item).await;
                    uploaded = with_media_id;
                    sent
                }
                Ok(false) => Err(graph::uncertain(
                    0,
                    "The server stopped while this message was being sent",
                )),
                Err(e) => {
                    // Nothing left: it stays queued and is tried again.
                    tracing::error!(message_id = %item.message_id, "noting a send failed: {e}");
                    return;
                }
            }
        }
    };
    if let Err(e) = &result {
        tracing::warn!(message_id = %item.message_id, code = e.code, "send failed: {}", e.message);
    }
    let stored = item.clone();
    if let Err(e) = store
        .write(move |ctx| super::record_after_upload(ctx, &stored, &result, uploaded.as_deref()))
        .await
    {
        tracing::error!(message_id = %item.message_id, "recording a send failed: {e}");
    }
}
