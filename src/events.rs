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
pub type Batch = std::sync::Arc<[Event]>;
