//! The realtime hub: one WebSocket per tab, events after their commit, and
//! every event filtered by the receiving socket's scope. A conversation
//! reassigned away from a member stops reaching them with that very event,
//! which tells their UI to drop it.
pub mod socket;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use bytestring::ByteString;
use serde_json::{json, Value};
use tokio::sync::{broadcast::error::RecvError, mpsc};

use crate::{
    events::Event,
    store::{
        ids::{BusinessId, ConversationId, MemberId, RecordId, UserId},
        Store,
    },
    tenancy::{repo, Member, Scope},
};

/// Frames queued for one socket at most: a client that falls this far behind
/// is disconnected (it reconnects and refetches) rather than grow the server.
pub const QUEUE: usize = 512;

pub struct Socket {
    pub user_id: UserId,
    pub business_id: BusinessId,
    pub member_id: MemberId,
    /// The member's display name, for colleagues who may not list them
    /// (a member sees their team, not the owner) but see them online.
    pub name: String,
    pub scope: Scope,
    pub viewing: Option<ConversationId>,
    pub out: mpsc::Sender<ByteString>,
}

type Sockets = HashMap<RecordId, Socket>;

/// Sockets grouped by business, so an event costs only its own business's sockets.
#[derive(Clone, Default)]
pub struct Hub {
    businesses: Arc<Mutex<HashMap<BusinessId, Sockets>>>,
}

pub(crate) fn frame(kind: &str, data: Value) -> ByteString {
    ByteString::from(json!({"type": kind, "data": data}).to_string())
}

fn member_of(data: &Value, key: &str) -> Option<MemberId> {
    data.get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
}

/// Queues each socket its frame (if any); a socket that is gone or hopelessly
/// behind is dropped, and its member returned so presence can say so.
fn keep_delivering<'a>(
    sockets: &mut Sockets,
    frame_for: impl Fn(&Socket) -> Option<&'a ByteString>,
) -> Vec<MemberId> {
    let mut dropped = Vec::new();
    sockets.retain(|_, s| {
        let ok = frame_for(s).is_none_or(|f| s.out.try_send(f.clone()).is_ok());
        if !ok {
            dropped.push(s.member_id);
        }
        ok
    });
    dropped
}

/// Whose views a socket may learn: everyone's (None) for owners and `see_all`
/// holders; else only whether others view what it views itself, which is all
/// the "also viewing" line needs, so conversation ids outside its scope stay
/// unknown to it.
fn audience(s: &Socket) -> Option<Option<ConversationId>> {
    (!s.scope.sees_all()).then_some(s.viewing)
}

fn shown(
    viewing: &[ConversationId],
    audience: Option<Option<ConversationId>>,
) -> Vec<ConversationId> {
    match audience {
        None => viewing.to_vec(),
        Some(own) => viewing
            .iter()
            .copied()
            .filter(|c| Some(*c) == own)
            .collect(),
    }
}

/// Import progress is for whoever may open the import: its uploader and
/// those who see everything (a Facebook import, which names no uploader,
/// also for those who manage channels).
fn follows_import(s: &Socket, data: &Value) -> bool {
    if s.scope.sees_all() {
        return true;
    }
    match member_of(data, "created_by") {
        Some(m) => m == s.member_id,
        None => s.scope.has(crate::tenancy::Permission::ManageChannels),
    }
}

impl Hub {
    pub fn register(&self, id: RecordId, socket: Socket) {
        let (b, m) = (socket.business_id, socket.member_id);
        if let Ok(mut map) = self.businesses.lock() {
            map.entry(b).or_default().insert(id, socket);
        }
        self.presence(b, m);
    }

    pub fn unregister(&self, business: BusinessId, id: RecordId) {
        let gone = self.businesses.lock().ok().and_then(|mut map| {
            let sockets = map.get_mut(&business)?;
            let gone = sockets.remove(&id);
            if sockets.is_empty() {
                map.remove(&business);
            }
            gone
        });
        if let Some(s) = gone {
            self.presence(s.business_id, s.member_id);
        }
    }

    /// Closes every socket of a business (it was suspended): dropping a
    /// socket's queue ends its task, and a reconnect is authenticated afresh.
    pub fn disconnect_business(&self, business: BusinessId) -> usize {
        self.businesses
            .lock()
            .ok()
            .and_then(|mut map| map.remove(&business))
            .map_or(0, |sockets| sockets.len())
    }

    /// Closes every socket (the server is stopping): clients reconnect to
    /// the next process instead of holding this one open.
    pub fn disconnect_all(&self) -> usize {
        self.businesses
            .lock()
            .map(|mut map| map.drain().map(|(_, sockets)| sockets.len()).sum())
            .unwrap_or(0)
    }

    pub fn connections(&self) -> usize {
        self.businesses
            .lock()
            .map(|m| m.values().map(HashMap::len).sum())
            .unwrap_or(0)
    }

    /// The socket's scope as it is now (roles and teams change while it is open).
    pub fn scope_of(&self, business: BusinessId, id: RecordId) -> Option<Scope> {
        let map = self.businesses.lock().ok()?;
        Some(map.get(&business)?.get(&id)?.scope.clone())
    }

    /// Sets what a socket is looking at (a conversation room) and tells the team.
    pub fn view(&self, business: BusinessId, id: RecordId, conversation: Option<ConversationId>) {
        let Some((me, others)) = self.businesses.lock().ok().and_then(|mut map| {
            let sockets = map.get_mut(&business)?;
            let me = sockets.get_mut(&id)?;
            me.viewing = conversation;
            let me = me.member_id;
            // Those already here: a socket that sees only shared views
            // learns of them now that it shares this one.
            let mut others: Vec<MemberId> = sockets
                .values()
                .filter(|s| {
                    s.member_id != me && conversation.is_some() && s.viewing == conversation
                })
                .map(|s| s.member_id)
                .collect();
            others.sort();
            others.dedup();
            Some((me, others))
        }) else {
            return;
        };
        self.presence(business, me);
        for m in others {
            self.presence(business, m);
        }
    }

    /// Who is online in a business and what each member is viewing, as a
    /// new socket with `scope` (viewing nothing yet) may know it.
    pub fn online(&self, business: BusinessId, scope: &Scope) -> Vec<Value> {
        let Ok(map) = self.businesses.lock() else {
            return Vec::new();
        };
        let mut members: HashMap<MemberId, (&str, Vec<ConversationId>)> = HashMap::new();
        for s in map.get(&business).into_iter().flat_map(HashMap::values) {
            let entry = members.entry(s.member_id).or_insert((&s.name, Vec::new()));
            entry.1.extend(s.viewing);
        }
        members
            .into_iter()
            .map(|(m, (name, viewing))| {
                let key = (!scope.sees_all()).then_some(None);
                json!({"member_id": m, "name": name, "online": true, "viewing": shown(&viewing, key)})
            })
            .collect()
    }

    /// Who of `member` is online and what they are viewing, to their business.
    fn presence(&self, business: BusinessId, member: MemberId) {
        let dropped = {
            let Ok(mut map) = self.businesses.lock() else {
                return;
            };
            let Some(sockets) = map.get_mut(&business) else {
                return;
            };
            let mine: Vec<&Socket> = sockets.values().filter(|s| s.member_id == member).collect();
            let online = !mine.is_empty();
            let name = mine.first().map(|s| s.name.clone());
            let viewing: Vec<ConversationId> = mine.iter().filter_map(|s| s.viewing).collect();
            // One frame per distinct list shown: the whole list, or the part
            // a recipient shares (for most, nothing).
            let mut frames: HashMap<Vec<ConversationId>, ByteString> = HashMap::new();
            for s in sockets.values() {
                frames
                    .entry(shown(&viewing, audience(s)))
                    .or_insert_with_key(|list| {
                        frame(
                            "presence",
                            json!({"member_id": member, "name": name, "online": online, "viewing": list}),
                        )
                    });
            }
            keep_delivering(sockets, |s| frames.get(&shown(&viewing, audience(s))))
        };
        self.announce(business, dropped);
    }

    /// Sockets dropped for falling behind: their members' presence changed.
    fn announce(&self, business: BusinessId, dropped: Vec<MemberId>) {
        for m in dropped {
            self.presence(business, m);
        }
    }

    /// Delivers one committed event to the sockets allowed to see it.
    pub fn dispatch(&self, store: &Store, event: &Event) {
        let Some(business) = event.business_id else {
            return;
        };
        // The search indexer's own notices; nothing a browser shows.
        if event.kind.starts_with("index.") {
            return;
        }
        let mut about_member = None;
        if event.kind.starts_with("member.") || event.kind.starts_with("team.") {
            let members = self.refresh_scopes(store, business);
            if event.kind.starts_with("member.") {
                let id = member_of(&event.data, "member_id");
                about_member = Some(members.into_iter().find(|m| Some(m.id) == id));
            }
        }
        // A member's own notification reaches only them.
        let recipient = member_of(&event.data, "recipient_id");
        let about_conversation = event.data.get("conversation_id").is_some();
        let assignee = member_of(&event.data, "assignee_id");
        let previous = member_of(&event.data, "previous_assignee_id");
        let reassigned_away = event.kind == "conversation.updated"
            && event.data.get("previous_assignee_id").is_some();
        // Built only once a socket of the business takes it: at full webhook
        // rate most events have nobody watching.
        let text = std::cell::OnceCell::new();
        let text = || text.get_or_init(|| frame(event.kind, event.data.clone()));
        // It left a member's scope: their UI drops it, and nothing more follows.
        let removed = std::cell::OnceCell::new();
        let dropped = {
            let Ok(mut map) = self.businesses.lock() else {
                return;
            };
            let Some(sockets) = map.get_mut(&business) else {
                return;
            };
            keep_delivering(sockets, |s| {
                if let Some(r) = recipient {
                    (s.member_id == r).then(text)
                } else if event.kind == "import.progress" {
                    follows_import(s, &event.data).then(text)
                } else if let Some(member) = &about_member {
                    // Members outside one's directory stay unknown, even by id.
                    let sees = match member {
                        Some(m) => s.scope.sees_member(m),
                        None => s.scope.manages_directory(),
                    };
                    sees.then(text)
                } else if !about_conversation || s.scope.sees_conversation(assignee) {
                    Some(text())
                } else if reassigned_away && s.scope.sees_conversation(previous) {
                    Some(removed.get_or_init(|| {
                        frame(
                            "conversation.updated",
                            json!({"conversation_id": event.data["conversation_id"], "removed": true}),
                        )
                    }))
                } else {
                    None
                }
            })
        };
        self.announce(business, dropped);
    }

    /// Roles, teams and membership changed: rebuild the scopes of that business.
    /// Returns the business's members as they are now.
    fn refresh_scopes(&self, store: &Store, business: BusinessId) -> Vec<Member> {
        let Ok(read) = store.read() else {
            return Vec::new();
        };
        let (Ok(members), Ok(teams)) =
            (repo::members(&read, business), repo::teams(&read, business))
        else {
            return Vec::new();
        };
        let Ok(mut map) = self.businesses.lock() else {
            return members;
        };
        let Some(map) = map.get_mut(&business) else {
            return members;
        };
        for s in map.values_mut() {
            match members.iter().find(|m| m.id == s.member_id) {
                Some(m) => s.scope = Scope::new(m, &teams, &members),
                // Removed from the business: the socket loses everything.
                None => s.scope.visibility = crate::tenancy::scope::Visibility::Own,
            }
        }
        map.retain(|_, s| members.iter().any(|m| m.id == s.member_id));
        members
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
