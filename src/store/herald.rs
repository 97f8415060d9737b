//! The herald: answers the writer's waiters and publishes its events.
use std::{sync::mpsc, thread::JoinHandle};

use tokio::sync::broadcast;

use super::writer::{Output, Reply};

/// What a commit leaves to announce: its waiters' answers, then its events.
pub(super) struct Announcement {
    pub replies: Vec<(Reply, Output)>,
    pub events: Option<crate::events::Batch>,
}

impl Announcement {
    fn deliver(self, events: &broadcast::Sender<crate::events::Batch>) {
        for (reply, out) in self.replies {
            reply.send(Ok(out));
        }
        // No subscriber is fine: events are a notification, the store is the truth.
        if let Some(batch) = self.events {
            let _ = events.send(batch);
        }
    }
}

/// Answers waiters and publishes events on its own thread, in commit order,
/// while the writer starts the next batch. Waking a request's task costs a
/// syscall per waiter (the worker thread is parked in epoll): about 7 % of
/// the writer's time at full webhook rate, on the one thread every write waits for.
pub(super) struct Herald {
    queue: Option<mpsc::Sender<Announcement>>,
    thread: Option<JoinHandle<()>>,
    events: broadcast::Sender<crate::events::Batch>,
}

impl Herald {
    pub fn start(events: broadcast::Sender<crate::events::Batch>) -> Self {
        let (tx, rx) = mpsc::channel::<Announcement>();
        let published = events.clone();
        let thread = std::thread::Builder::new()
            .name("wafunnel-herald".into())
            .spawn(move || {
                while let Ok(a) = rx.recv() {
                    a.deliver(&published);
                }
            });
        match thread {
            Ok(t) => Herald {
                queue: Some(tx),
                thread: Some(t),
                events,
            },
            Err(e) => {
                tracing::warn!("writer: announcing on the writer thread ({e})");
                Herald {
                    queue: None,
                    thread: None,
                    events,
                }
            }
        }
    }

    pub fn announce(&self, a: Announcement) {
        let unsent = match &self.queue {
            Some(q) => q.send(a).err().map(|e| e.0),
            None => Some(a),
        };
        if let Some(a) = unsent {
            a.deliver(&self.events);
        }
    }

    /// Delivers everything announced so far, then returns.
    pub fn stop(mut self) {
        self.queue.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
