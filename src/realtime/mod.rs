//! The realtime hub: one WebSocket per tab, events after their commit, and
//! every event filtered by the receiving socket's scope. A conversation
//! reassigned away from a member stops reaching them with that very event,
//! which tells their UI to drop it.
pub mod socket;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use serde_json::{json, Value};
use tokio::sync::{broadcast::error::RecvError, mpsc};

use crate::{
    events::Event,
    store::{
        ids::{BusinessId, ConversationId, MemberId, RecordId, UserId},
        Store,
    },
    tenancy::{repo, Scope},
};

pub struct Socket {
    pub user_id: UserId,
    pub business_id: BusinessId,
    pub member_id: MemberId,
    pub scope: Scope,
    pub viewing: Option<ConversationId>,
    pub out: mpsc::UnboundedSender<String>,
}

#[derive(Clone, Default)]
pub struct Hub {
    sockets: Arc<Mutex<HashMap<RecordId, Socket>>>,
}

fn frame(kind: &str, data: Value) -> String {
    json!({"type": kind, "data": data}).to_string()
}

fn member_of(data: &Value, key: &str) -> Option<MemberId> {
    data.get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
}

impl Hub {
    pub fn register(&self, id: RecordId, socket: Socket) {
        let (b, m) = (socket.business_id, socket.member_id);
        if let Ok(mut map) = self.sockets.lock() {
            map.insert(id, socket);
        }
        self.presence(b, m);
    }

    pub fn unregister(&self, id: RecordId) {
        let gone = self.sockets.lock().ok().and_then(|mut map| map.remove(&id));
        if let Some(s) = gone {
            self.presence(s.business_id, s.member_id);
        }
    }

    pub fn connections(&self) -> usize {
        self.sockets.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Sets what a socket is looking at (a conversation room) and tells the team.
    pub fn view(&self, id: RecordId, conversation: Option<ConversationId>) {
        let who = self.sockets.lock().ok().and_then(|mut map| {
            let s = map.get_mut(&id)?;
            s.viewing = conversation;
            Some((s.business_id, s.member_id))
        });
        if let Some((b, m)) = who {
            self.presence(b, m);
        }
    }

    /// Who of `member` is online and what they are viewing, to their business.
    fn presence(&self, business: BusinessId, member: MemberId) {
        let Ok(map) = self.sockets.lock() else { return };
        let mine: Vec<&Socket> = map.values().filter(|s| s.member_id == member).collect();
        let viewing: Vec<ConversationId> = mine.iter().filter_map(|s| s.viewing).collect();
        let text = frame(
            "presence",
            json!({"member_id": member, "online": !mine.is_empty(), "viewing": viewing}),
        );
        for s in map.values().filter(|s| s.business_id == business) {
            let _ = s.out.send(text.clone());
        }
    }

    /// Delivers one committed event to the sockets allowed to see it.
    pub fn dispatch(&self, store: &Store, event: &Event) {
        let Some(business) = event.business_id else {
            return;
        };
        if event.kind.starts_with("member.") {
            self.refresh_scopes(store, business);
        }
        let Ok(map) = self.sockets.lock() else { return };
        let about_conversation = event.data.get("conversation_id").is_some();
        let assignee = member_of(&event.data, "assignee_id");
        let previous = member_of(&event.data, "previous_assignee_id");
        let text = frame(event.kind, event.data.clone());
        for s in map.values().filter(|s| s.business_id == business) {
            if !about_conversation || s.scope.sees_conversation(assignee) {
                let _ = s.out.send(text.clone());
            } else if event.kind == "conversation.updated"
                && event.data.get("previous_assignee_id").is_some()
                && s.scope.sees_conversation(previous)
            {
                // It left this member's scope: their UI drops it, and nothing more follows.
                let gone =
                    json!({"conversation_id": event.data["conversation_id"], "removed": true});
                let _ = s.out.send(frame("conversation.updated", gone));
            }
        }
    }

    /// Roles, teams and membership changed: rebuild the scopes of that business.
    fn refresh_scopes(&self, store: &Store, business: BusinessId) {
        let Ok(read) = store.read() else { return };
        let (Ok(members), Ok(teams)) =
            (repo::members(&read, business), repo::teams(&read, business))
        else {
            return;
        };
        let Ok(mut map) = self.sockets.lock() else {
            return;
        };
        for s in map.values_mut().filter(|s| s.business_id == business) {
            match members.iter().find(|m| m.id == s.member_id) {
                Some(m) => s.scope = Scope::new(m, &teams, &members),
                // Removed from the business: the socket loses everything.
                None => s.scope.visibility = crate::tenancy::scope::Visibility::Own,
            }
        }
        map.retain(|_, s| members.iter().any(|m| m.id == s.member_id));
    }

    /// Forwards committed events until the store closes.
    pub async fn run(self, store: Store) {
        let mut events = store.subscribe();
        loop {
            match events.recv().await {
                Ok(batch) => {
                    for event in batch.iter() {
                        self.dispatch(&store, event);
                    }
                }
                Err(RecvError::Lagged(n)) => tracing::warn!("realtime hub skipped {n} events"),
                Err(RecvError::Closed) => return,
            }
        }
    }
}
