//! Conversations and their messages.
use serde::{Deserialize, Serialize};

use crate::store::{
    ids::{BusinessId, ContactId, ConversationId, MemberId, MessageId, NumberId},
    Record,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Whatsapp,
    Facebook,
    Walkin,
    Webhook,
    Manual,
    Import,
}

impl Source {
    pub fn parse(s: &str) -> Option<Source> {
        Some(match s {
            "whatsapp" => Source::Whatsapp,
            "facebook" => Source::Facebook,
            "walkin" => Source::Walkin,
            "webhook" => Source::Webhook,
            "manual" => Source::Manual,
            "import" => Source::Import,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub text: String,
    pub kind: String,
    pub direction: Direction,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: ConversationId,
    pub business_id: BusinessId,
    pub contact_id: ContactId,
    /// The WhatsApp number the conversation runs on, when it has one.
    pub number_id: Option<NumberId>,
    pub source: Source,
    pub status: Status,
    pub assignee_id: Option<MemberId>,
    pub labels: Vec<String>,
    pub last_message: Option<Preview>,
    /// Drives the 24-hour customer-service window.
    pub last_inbound_at: Option<i64>,
    /// Inbound messages ever; a member's unread count is this minus what they have seen.
    pub inbound_count: u64,
    pub created_at: i64,
    /// Last activity: orders every list.
    pub updated_at: i64,
}
impl Record for Conversation {}

pub const WINDOW_MS: i64 = 24 * 3_600_000;

impl Conversation {
    /// A fresh open conversation with a contact on a channel, nobody's yet.
    pub fn start(
        business_id: BusinessId,
        contact_id: ContactId,
        number_id: Option<NumberId>,
        source: Source,
        now: i64,
    ) -> Conversation {
        Conversation {
            id: ConversationId::new(),
            business_id,
            contact_id,
            number_id,
            source,
            status: Status::Open,
            assignee_id: None,
            labels: Vec::new(),
            last_message: None,
            last_inbound_at: None,
            inbound_count: 0,
            created_at: now,
            updated_at: now,
        }
    }

    /// When the customer-service window closes (None: it never opened).
    pub fn window_expires_at(&self) -> Option<i64> {
        self.last_inbound_at.map(|t| t + WINDOW_MS)
    }

    pub fn window_open(&self, now: i64) -> bool {
        self.window_expires_at().is_some_and(|t| t > now)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Received,
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl MessageStatus {
    /// Statuses only move forward; `failed` is terminal, and a message the
    /// customer has read cannot fail after all (a late or stray report).
    pub fn advances_to(self, next: MessageStatus) -> bool {
        next > self && !(next == MessageStatus::Failed && self == MessageStatus::Read)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub from_customer: bool,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub business_id: BusinessId,
    pub conversation_id: ConversationId,
    pub direction: Direction,
    /// WhatsApp message type (`text`, `image`, `interactive`, …).
    pub kind: String,
    /// What a person reads in the thread and what search indexes.
    pub text: String,
    /// The type-specific fields, as JSON (media ids, location, buttons, …).
    pub details: String,
    pub wa_message_id: Option<String>,
    pub status: MessageStatus,
    pub error: Option<String>,
    pub author_id: Option<MemberId>,
    /// The WhatsApp id of the message this one replies to.
    pub reply_to: Option<String>,
    pub reactions: Vec<Reaction>,
    /// When WhatsApp says it was sent (inbound) or we created it (outbound).
    pub created_at: i64,
    pub updated_at: i64,
}
impl Record for Message {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub author_id: MemberId,
    pub text: String,
    pub created_at: i64,
}
impl Record for Note {}

#[cfg(test)]
mod tests {
    use super::MessageStatus::*;

    #[test]
    fn statuses_only_move_forward_and_failed_is_terminal() {
        assert!(
            Sent.advances_to(Delivered) && Delivered.advances_to(Read) && Sent.advances_to(Read)
        );
        assert!(
            !Read.advances_to(Delivered) && !Delivered.advances_to(Sent) && !Read.advances_to(Read)
        );
        assert!(Queued.advances_to(Failed) && Delivered.advances_to(Failed));
        assert!(!Failed.advances_to(Read) && !Failed.advances_to(Failed));
        assert!(
            !Read.advances_to(Failed),
            "what the customer read did not fail"
        );
    }
}
