//! Events published after a commit; realtime, search and the scheduler consume them.
use serde::Serialize;

use crate::store::ids::BusinessId;

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    #[serde(skip)]
    pub business_id: Option<BusinessId>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub data: serde_json::Value,
}

impl Event {
    pub fn new(
        business_id: Option<BusinessId>,
        kind: &'static str,
        data: serde_json::Value,
    ) -> Self {
        Event {
            business_id,
            kind,
            data,
        }
    }
}

/// The events of one commit, published together: one wake-up per commit for
/// every subscriber instead of one per event.
pub type Batch = std::sync::Arc<Committed>;

/// A commit's events and its place in the store's commit order (`seq`, as
/// `store::commit_seq` reads it in any snapshot): a consumer that read a
/// snapshot knows which later events that snapshot already holds.
#[derive(Debug)]
pub struct Committed {
    pub seq: u64,
    pub events: Vec<Event>,
}

impl std::ops::Deref for Committed {
    type Target = [Event];

    fn deref(&self) -> &[Event] {
        &self.events
    }
}
