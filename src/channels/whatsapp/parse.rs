//! Parser of Meta's WhatsApp Cloud API webhook bodies into typed events.
//!
//! Pure and total: any byte string gives `Ok` or `Err`, never a panic (fuzzed
//! in `fuzz/` and property-tested below). Meta's payloads drift, so the parser
//! is lenient where it can be without losing data:
//! - ids, timestamps, sizes, quantities and prices may be JSON strings or numbers;
//! - empty or missing optional strings become `None` (an empty `from` with a
//!   `user_id` is a WhatsApp username, not an error);
//! - a message is never dropped for its type: unknown types, types we do not
//!   model and known types with a malformed body become
//!   [`MessageKind::Unsupported`], and every message keeps its own JSON in `raw`;
//! - only a message or status without an `id` is skipped (it cannot be
//!   deduplicated), and the rest of the delivery still parses.
//!
//! The public types go into redb through bincode's serde support, which cannot
//! deserialise self-describing data: hence no `serde_json::Value`, untagged,
//! flattened or conditionally skipped fields in them. JSON is read by hand from
//! a `serde_json::Value` instead.
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `object` of every WhatsApp Business Account webhook.
pub const WHATSAPP_OBJECT: &str = "whatsapp_business_account";

type Obj = Map<String, Value>;

/// One webhook POST: one [`Change`] per `entry[].changes[]` whose `field` is `messages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// `entry.id`: the WhatsApp Business Account id ("" when absent).
    pub waba_id: String,
    /// `value.metadata.phone_number_id` ("" when absent).
    pub phone_number_id: String,
    /// `value.metadata.display_phone_number` ("" when absent).
    pub display_phone_number: String,
    pub contacts: Vec<WaContact>,
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusUpdate>,
    /// `value.errors`: errors about the whole delivery.
    pub errors: Vec<WaError>,
}

/// `value.contacts[]`: the profile of a sender.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaContact {
    /// Phone number without `+`; `None` when withheld for a username.
    pub wa_id: Option<String>,
    /// Business-scoped user id (BSUID), e.g. `BR.1502576394655843`.
    pub user_id: Option<String>,
    /// `profile.name`.
    pub name: Option<String>,
    /// `profile.username`, when the user adopted a WhatsApp username.
    pub username: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// The `wamid.…` id, never empty: the dedup key.
    pub id: String,
    /// Sender phone (`from`); `None` when empty or absent (usernames).
    pub from: Option<String>,
    /// Sender BSUID: `from_user_id`, else `user_id`.
    pub user_id: Option<String>,
    /// Unix seconds; 0 when absent or unreadable.
    pub timestamp: i64,
    pub context: Option<Context>,
    pub referral: Option<Referral>,
    pub kind: MessageKind,
    /// This message object as compact JSON (keys sorted), for raw views and debugging.
    pub raw: String,
}

/// `message.context`: what the message replies to or was forwarded from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Context {
    /// Sender of the quoted message.
    pub from: Option<String>,
    /// `wamid` of the quoted message.
    pub id: Option<String>,
    pub forwarded: bool,
    pub frequently_forwarded: bool,
    /// Set when the customer asks about a catalog product ("Message business").
    pub referred_product: Option<ReferredProduct>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferredProduct {
    pub catalog_id: Option<String>,
    pub product_retailer_id: Option<String>,
}

/// `message.referral`: the click-to-WhatsApp ad or post the customer came from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Referral {
    pub source_url: Option<String>,
    pub source_id: Option<String>,
    pub source_type: Option<String>,
    pub headline: Option<String>,
    pub body: Option<String>,
    pub media_type: Option<String>,
    pub image_url: Option<String>,
    pub video_url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub ctwa_clid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MessageKind {
    Text {
        body: String,
    },
    Image(Media),
    Video(Media),
    Audio {
        media: Media,
        voice: bool,
    },
    Document {
        media: Media,
        filename: Option<String>,
    },
    Sticker {
        media: Media,
        animated: bool,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
        url: Option<String>,
    },
    Contacts(Vec<SharedContact>),
    /// `interactive.button_reply`.
    ButtonReply {
        id: String,
        title: String,
    },
    /// `interactive.list_reply`.
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// `interactive.nfm_reply` (WhatsApp Flows); `response_json` is the flow's
    /// answer as a JSON string (an object is re-encoded compactly).
    FlowReply {
        name: Option<String>,
        body: Option<String>,
        response_json: Option<String>,
    },
    /// Quick-reply button of a template (`type: button`).
    Button {
        payload: String,
        text: String,
    },
    /// `emoji: None` means the customer removed their reaction.
    Reaction {
        message_id: String,
        emoji: Option<String>,
    },
    Order {
        catalog_id: String,
        text: Option<String>,
        items: Vec<OrderItem>,
    },
    /// Number or identity changes. `new_wa_id` is `system.wa_id`
    /// (`user_changed_number`) or `system.new_wa_id` (older
    /// `customer_changed_number`); `new_user_id` is `system.user_id`
    /// (`user_changed_user_id`); `identity` comes with `customer_identity_changed`.
    System {
        body: String,
        system_type: String,
        new_wa_id: Option<String>,
        new_user_id: Option<String>,
        identity: Option<String>,
    },
    /// Meta's `unsupported`/`unknown`, any type we do not model (`type_name`
    /// is then Meta's `type`, e.g. `poll`, or `interactive.<subtype>`), and a
    /// known type whose body is malformed. `errors` are the message's own.
    Unsupported {
        type_name: String,
        errors: Vec<WaError>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// Media id for `GET /{media_id}`.
    pub id: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub file_size: Option<u64>,
}

/// One card of a `contacts` message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedContact {
    /// `name.formatted_name`, else first and last name joined ("" if none).
    pub formatted_name: String,
    pub phones: Vec<SharedPhone>,
    pub emails: Vec<String>,
    /// `org.company` (or `org` itself when it is a string).
    pub org: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedPhone {
    /// As written on the card (falls back to `wa_id`).
    pub phone: String,
    pub wa_id: Option<String>,
    /// Meta's `type`: `CELL`, `HOME`, `WORK`…
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub product_retailer_id: String,
    pub quantity: u32,
    pub item_price: f64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    /// `wamid` of our outbound message.
    pub id: String,
    pub status: Status,
    /// Unix seconds; 0 when absent or unreadable.
    pub timestamp: i64,
    pub recipient_id: Option<String>,
    /// Recipient BSUID: `recipient_user_id`, else `user_id`.
    pub user_id: Option<String>,
    pub errors: Vec<WaError>,
    /// `conversation.id` (absent under per-message pricing).
    pub conversation_id: Option<String>,
    /// `pricing.category`: `utility`, `marketing`, `service`…
    pub pricing_category: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Sent,
    Delivered,
    Read,
    Failed,
    /// Any other `status` string, kept verbatim ("" when absent).
    Other(String),
}

impl Status {
    fn from_meta(s: &str) -> Status {
        match s {
            "sent" => Status::Sent,
            "delivered" => Status::Delivered,
            "read" => Status::Read,
            "failed" => Status::Failed,
            other => Status::Other(other.to_string()),
        }
    }

    /// Progress order for out-of-order deliveries: apply a status only when
    /// its rank is above the stored one. `Failed` is terminal and ranks above
    /// everything; `Other` ranks 0 and never moves a message.
    pub fn rank(&self) -> u8 {
        match self {
            Status::Other(_) => 0,
            Status::Sent => 1,
            Status::Delivered => 2,
            Status::Read => 3,
            Status::Failed => 4,
        }
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self, Status::Failed)
    }

    pub fn as_str(&self) -> &str {
        match self {
            Status::Sent => "sent",
            Status::Delivered => "delivered",
            Status::Read => "read",
            Status::Failed => "failed",
            Status::Other(s) => s,
        }
    }
}

/// An entry of an `errors` array (message, status or delivery level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaError {
    /// 0 when absent or unreadable.
    pub code: i64,
    pub title: Option<String>,
    pub message: Option<String>,
    /// `error_data.details`.
    pub details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum ParseError {
    #[error("webhook body is not JSON: {0}")]
    NotJson(String),
    #[error("not a WhatsApp webhook: {0}")]
    NotWhatsApp(String),
}

impl MessageKind {
    /// Meta's `type` for this kind (`interactive` for the three replies).
    pub fn type_name(&self) -> &str {
        match self {
            MessageKind::Text { .. } => "text",
            MessageKind::Image(_) => "image",
            MessageKind::Video(_) => "video",
            MessageKind::Audio { .. } => "audio",
            MessageKind::Document { .. } => "document",
            MessageKind::Sticker { .. } => "sticker",
            MessageKind::Location { .. } => "location",
            MessageKind::Contacts(_) => "contacts",
            MessageKind::ButtonReply { .. }
            | MessageKind::ListReply { .. }
            | MessageKind::FlowReply { .. } => "interactive",
            MessageKind::Button { .. } => "button",
            MessageKind::Reaction { .. } => "reaction",
            MessageKind::Order { .. } => "order",
            MessageKind::System { .. } => "system",
            MessageKind::Unsupported { type_name, .. } => type_name,
        }
    }
}

impl Change {
    /// The `contacts[]` entry describing the sender of `msg`: matched on
    /// `user_id`, then on `wa_id == from`, else the only contact if there is one.
    pub fn contact_of(&self, msg: &InboundMessage) -> Option<&WaContact> {
        let by_user = msg
            .user_id
            .as_ref()
            .and_then(|u| self.contacts.iter().find(|c| c.user_id.as_ref() == Some(u)));
        let by_phone = || {
            msg.from
                .as_ref()
                .and_then(|f| self.contacts.iter().find(|c| c.wa_id.as_ref() == Some(f)))
        };
        let only = || match self.contacts.as_slice() {
            [c] => Some(c),
            _ => None,
        };
        by_user.or_else(by_phone).or_else(only)
    }
}

/// Parses a webhook body (verify its signature first, on these same bytes).
///
/// # Errors
/// Only [`ParseError::NotJson`] when the body is not JSON, and
/// [`ParseError::NotWhatsApp`] when it is not an object whose `object` is
/// `whatsapp_business_account`; anything inside is parsed leniently.
pub fn parse(body: &[u8]) -> Result<Delivery, ParseError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| ParseError::NotJson(e.to_string()))?;
    let Some(root) = root.as_object() else {
        return Err(ParseError::NotWhatsApp("body is not a JSON object".into()));
    };
    match root.get("object") {
        Some(Value::String(s)) if s == WHATSAPP_OBJECT => {}
        Some(Value::String(s)) => return Err(ParseError::NotWhatsApp(format!("object is {s:?}"))),
        Some(_) => return Err(ParseError::NotWhatsApp("object is not a string".into())),
        None => return Err(ParseError::NotWhatsApp("no object field".into())),
    }

    let mut changes = Vec::new();
    for entry in objects(root.get("entry")) {
        let waba_id = scalar(entry.get("id")).unwrap_or_default();
        for change in objects(entry.get("changes")) {
            if change.get("field").and_then(Value::as_str) != Some("messages") {
                continue;
            }
            if let Some(value) = change.get("value").and_then(Value::as_object) {
                changes.push(parse_change(waba_id.clone(), value));
            }
        }
    }
    Ok(Delivery { changes })
}

fn parse_change(waba_id: String, value: &Obj) -> Change {
    let metadata = value.get("metadata").and_then(Value::as_object);
    let meta_field = |k: &str| metadata.and_then(|m| scalar(m.get(k))).unwrap_or_default();
    Change {
        waba_id,
        phone_number_id: meta_field("phone_number_id"),
        display_phone_number: meta_field("display_phone_number"),
        contacts: objects(value.get("contacts")).map(parse_contact).collect(),
        messages: objects(value.get("messages"))
            .filter_map(parse_message)
            .collect(),
        statuses: objects(value.get("statuses"))
            .filter_map(parse_status)
            .collect(),
        errors: parse_errors(value.get("errors")),
    }
}

fn parse_contact(c: &Obj) -> WaContact {
    let profile = c.get("profile").and_then(Value::as_object);
    WaContact {
        wa_id: text(c.get("wa_id")),
        user_id: text(c.get("user_id")),
        name: profile.and_then(|p| text(p.get("name"))),
        username: profile.and_then(|p| text(p.get("username"))),
    }
}

fn parse_message(m: &Obj) -> Option<InboundMessage> {
    let id = text(m.get("id"))?;
    Some(InboundMessage {
        id,
        from: text(m.get("from")),
        user_id: text(m.get("from_user_id")).or_else(|| text(m.get("user_id"))),
        timestamp: int(m.get("timestamp")).unwrap_or(0),
        context: m
            .get("context")
            .and_then(Value::as_object)
            .map(parse_context),
        referral: m
            .get("referral")
            .and_then(Value::as_object)
            .map(parse_referral),
        kind: parse_kind(m),
        raw: serde_json::to_string(m).unwrap_or_default(),
    })
}

fn parse_context(c: &Obj) -> Context {
    Context {
        from: text(c.get("from")),
        id: text(c.get("id")),
        forwarded: flag(c.get("forwarded")),
        frequently_forwarded: flag(c.get("frequently_forwarded")),
        referred_product: c
            .get("referred_product")
            .and_then(Value::as_object)
            .map(|p| ReferredProduct {
                catalog_id: text(p.get("catalog_id")),
                product_retailer_id: text(p.get("product_retailer_id")),
            }),
    }
}

fn parse_referral(r: &Obj) -> Referral {
    let f = |k: &str| text(r.get(k));
    Referral {
        source_url: f("source_url"),
        source_id: f("source_id"),
        source_type: f("source_type"),
        headline: f("headline"),
        body: f("body"),
        media_type: f("media_type"),
        image_url: f("image_url"),
        video_url: f("video_url"),
        thumbnail_url: f("thumbnail_url"),
        ctwa_clid: f("ctwa_clid"),
    }
}

fn parse_kind(m: &Obj) -> MessageKind {
    let type_name = scalar(m.get("type")).unwrap_or_default();
    let body = m.get(type_name.as_str());
    let known = match type_name.as_str() {
        "text" => object(body).and_then(|t| {
            Some(MessageKind::Text {
                body: scalar(t.get("body"))?,
            })
        }),
        "image" => object(body).and_then(media).map(MessageKind::Image),
        "video" => object(body).and_then(media).map(MessageKind::Video),
        "audio" => object(body).and_then(|a| {
            Some(MessageKind::Audio {
                media: media(a)?,
                voice: flag(a.get("voice")),
            })
        }),
        "document" => object(body).and_then(|d| {
            Some(MessageKind::Document {
                media: media(d)?,
                filename: text(d.get("filename")),
            })
        }),
        "sticker" => object(body).and_then(|s| {
            Some(MessageKind::Sticker {
                media: media(s)?,
                animated: flag(s.get("animated")),
            })
        }),
        "location" => object(body).and_then(location),
        "contacts" => body.and_then(Value::as_array).map(|cards| {
            MessageKind::Contacts(
                cards
                    .iter()
                    .filter_map(Value::as_object)
                    .map(shared_contact)
                    .collect(),
            )
        }),
        "interactive" => {
            if let Some(i) = object(body) {
                return interactive(m, i);
            }
            None
        }
        "button" => object(body).and_then(|b| {
            Some(MessageKind::Button {
                payload: scalar(b.get("payload")).unwrap_or_default(),
                text: scalar(b.get("text"))?,
            })
        }),
        "reaction" => object(body).and_then(|r| {
            Some(MessageKind::Reaction {
                message_id: text(r.get("message_id"))?,
                emoji: text(r.get("emoji")),
            })
        }),
        "order" => object(body).and_then(order),
        "system" => object(body).and_then(system),
        // `unsupported`, `unknown`, and every type we do not model.
        _ => None,
    };
    known.unwrap_or_else(|| unsupported(m, type_name))
}

fn unsupported(m: &Obj, type_name: String) -> MessageKind {
    MessageKind::Unsupported {
        type_name,
        errors: parse_errors(m.get("errors")),
    }
}

fn media(o: &Obj) -> Option<Media> {
    Some(Media {
        id: text(o.get("id"))?,
        mime_type: text(o.get("mime_type")),
        sha256: text(o.get("sha256")),
        caption: text(o.get("caption")),
        file_size: whole(o.get("file_size")),
    })
}

fn location(o: &Obj) -> Option<MessageKind> {
    Some(MessageKind::Location {
        latitude: float(o.get("latitude"))?,
        longitude: float(o.get("longitude"))?,
        name: text(o.get("name")),
        address: text(o.get("address")),
        url: text(o.get("url")),
    })
}

fn shared_contact(c: &Obj) -> SharedContact {
    let name = c.get("name");
    let formatted_name = match name {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(n)) => text(n.get("formatted_name")).unwrap_or_else(|| {
            [n.get("first_name"), n.get("last_name")]
                .into_iter()
                .filter_map(text)
                .collect::<Vec<_>>()
                .join(" ")
        }),
        _ => String::new(),
    };
    let phones = objects(c.get("phones"))
        .filter_map(|p| {
            let wa_id = text(p.get("wa_id"));
            Some(SharedPhone {
                phone: text(p.get("phone")).or_else(|| wa_id.clone())?,
                wa_id,
                kind: text(p.get("type")),
            })
        })
        .collect();
    let emails = match c.get("emails") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|e| match e {
                Value::Object(o) => text(o.get("email")),
                other => text(Some(other)),
            })
            .collect(),
        _ => Vec::new(),
    };
    let org = match c.get("org") {
        Some(Value::Object(o)) => text(o.get("company")),
        other => text(other),
    };
    SharedContact {
        formatted_name,
        phones,
        emails,
        org,
    }
}

fn interactive(m: &Obj, i: &Obj) -> MessageKind {
    // `type` names the reply object; infer it when absent.
    let sub = scalar(i.get("type")).or_else(|| {
        ["button_reply", "list_reply", "nfm_reply"]
            .into_iter()
            .find(|k| i.contains_key(*k))
            .map(str::to_string)
    });
    let reply = sub.as_deref().and_then(|s| object(i.get(s)));
    let kind = match (sub.as_deref(), reply) {
        (Some("button_reply"), Some(r)) => button_reply(r),
        (Some("list_reply"), Some(r)) => list_reply(r),
        (Some("nfm_reply"), Some(r)) => Some(flow_reply(r)),
        _ => None,
    };
    kind.unwrap_or_else(|| {
        let type_name = match sub {
            Some(s) if !s.is_empty() => format!("interactive.{s}"),
            _ => "interactive".to_string(),
        };
        unsupported(m, type_name)
    })
}

fn button_reply(r: &Obj) -> Option<MessageKind> {
    Some(MessageKind::ButtonReply {
        id: scalar(r.get("id"))?,
        title: scalar(r.get("title"))?,
    })
}

fn list_reply(r: &Obj) -> Option<MessageKind> {
    Some(MessageKind::ListReply {
        id: scalar(r.get("id"))?,
        title: scalar(r.get("title"))?,
        description: text(r.get("description")),
    })
}

fn flow_reply(r: &Obj) -> MessageKind {
    MessageKind::FlowReply {
        name: text(r.get("name")),
        body: text(r.get("body")),
        // Meta sends a JSON-encoded string; some relays pass the object itself.
        response_json: match r.get("response_json") {
            Some(v @ (Value::Object(_) | Value::Array(_))) => serde_json::to_string(v).ok(),
            other => text(other),
        },
    }
}

fn order(o: &Obj) -> Option<MessageKind> {
    let items = match o.get("product_items") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|item| {
                let item = item.as_object()?;
                Some(OrderItem {
                    product_retailer_id: scalar(item.get("product_retailer_id"))?,
                    quantity: whole(item.get("quantity")).and_then(|q| u32::try_from(q).ok())?,
                    item_price: float(item.get("item_price"))?,
                    currency: scalar(item.get("currency"))?,
                })
            })
            // One malformed item makes the whole order Unsupported (raw kept)
            // rather than silently showing a partial order.
            .collect::<Option<Vec<_>>>()?,
        Some(_) => return None,
    };
    Some(MessageKind::Order {
        catalog_id: text(o.get("catalog_id"))?,
        text: text(o.get("text")),
        items,
    })
}

fn system(s: &Obj) -> Option<MessageKind> {
    Some(MessageKind::System {
        body: scalar(s.get("body")).unwrap_or_default(),
        system_type: text(s.get("type"))?,
        new_wa_id: text(s.get("new_wa_id")).or_else(|| text(s.get("wa_id"))),
        new_user_id: text(s.get("user_id")),
        identity: text(s.get("identity")),
    })
}

fn parse_status(s: &Obj) -> Option<StatusUpdate> {
    let id = text(s.get("id"))?;
    let status = Status::from_meta(&scalar(s.get("status")).unwrap_or_default());
    let conversation = s.get("conversation").and_then(Value::as_object);
    let pricing = s.get("pricing").and_then(Value::as_object);
    Some(StatusUpdate {
        id,
        status,
        timestamp: int(s.get("timestamp")).unwrap_or(0),
        recipient_id: text(s.get("recipient_id")),
        user_id: text(s.get("recipient_user_id")).or_else(|| text(s.get("user_id"))),
        errors: parse_errors(s.get("errors")),
        conversation_id: conversation.and_then(|c| text(c.get("id"))),
        pricing_category: pricing.and_then(|p| text(p.get("category"))),
    })
}

fn parse_errors(v: Option<&Value>) -> Vec<WaError> {
    objects(v)
        .map(|e| WaError {
            code: int(e.get("code")).unwrap_or(0),
            title: text(e.get("title")),
            message: text(e.get("message")),
            details: e
                .get("error_data")
                .and_then(Value::as_object)
                .and_then(|d| text(d.get("details"))),
        })
        .collect()
}

// ---- lenient field readers ------------------------------------------------

/// The objects of an array; nothing when `v` is absent or not an array.
fn objects(v: Option<&Value>) -> impl Iterator<Item = &Obj> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn object(v: Option<&Value>) -> Option<&Obj> {
    v.and_then(Value::as_object)
}

/// A string, or a number written as a string; empty strings included.
fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Like [`scalar`], but blank strings are `None`.
fn text(v: Option<&Value>) -> Option<String> {
    scalar(v).filter(|s| !s.trim().is_empty())
}

/// Integral values from numbers or numeric strings; floats are truncated,
/// non-finite or out-of-range values are `None`.
fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(f64_to_i64)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(f64_to_i64))
        }
        _ => None,
    }
}

fn f64_to_i64(f: f64) -> Option<i64> {
    // ±9e18 stays clear of i64's bounds, where f64 rounding could overflow.
    (f.is_finite() && (-9.0e18..=9.0e18).contains(&f)).then_some(f as i64)
}

/// Non-negative whole numbers from numbers or numeric strings (`2`, `"2"`,
/// `2.0`); fractions are `None` rather than truncated.
fn whole(v: Option<&Value>) -> Option<u64> {
    let exact = match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    let f = float(v)?;
    (f >= 0.0 && f.fract() == 0.0 && f <= 9.0e18).then_some(f as u64)
}

/// Finite floats from numbers or numeric strings.
fn float(v: Option<&Value>) -> Option<f64> {
    let f = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    f.is_finite().then_some(f)
}

/// `true` only for JSON `true` or the string "true".
fn flag(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    const WAMID: &str = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDNzQ1RDk5MkY0QTFGRkE3AA==";

    /// A Meta delivery with one `messages` change holding `value`.
    fn envelope(value: Value) -> Vec<u8> {
        let mut value = value;
        let v = value.as_object_mut().unwrap();
        v.insert("messaging_product".into(), json!("whatsapp"));
        v.entry("metadata").or_insert(json!({
            "display_phone_number": "15550001111",
            "phone_number_id": "106540352242922"
        }));
        serde_json::to_vec(&json!({
            "object": "whatsapp_business_account",
            "entry": [{ "id": "102290129340398", "changes": [{ "field": "messages", "value": value }] }]
        }))
        .unwrap()
    }

    /// Parses one inbound message from Carla and returns it.
    fn one_message(message: Value) -> InboundMessage {
        let body = envelope(json!({
            "contacts": [{ "profile": { "name": "Carla" }, "wa_id": "5511987654321" }],
            "messages": [message]
        }));
        let mut d = parse(&body).unwrap();
        assert_eq!(d.changes.len(), 1);
        let change = d.changes.pop().unwrap();
        assert_eq!(change.messages.len(), 1, "{change:?}");
        change.messages.into_iter().next().unwrap()
    }

    fn kind_of(type_name: &str, body: Value) -> MessageKind {
        let mut m = json!({ "from": "5511987654321", "id": WAMID, "timestamp": "1764000000", "type": type_name });
        m.as_object_mut()
            .unwrap()
            .insert(type_name.to_string(), body);
        one_message(m).kind
    }

    fn bare_media(id: &str, mime: &str) -> Media {
        Media {
            id: id.into(),
            mime_type: Some(mime.into()),
            sha256: None,
            caption: None,
            file_size: None,
        }
    }

    #[test]
    fn text_with_context_reply() {
        let body = envelope(json!({
            "contacts": [{ "profile": { "name": "Carla" }, "wa_id": "5511987654321" }],
            "messages": [{
                "context": { "from": "15550001111", "id": "wamid.HBgLQUOTED" },
                "from": "5511987654321", "id": WAMID, "timestamp": "1764000000", "type": "text",
                "text": { "body": "Hi, how much is it?" }
            }]
        }));
        let d = parse(&body).unwrap();
        let c = &d.changes[0];
        assert_eq!(c.waba_id, "102290129340398");
        assert_eq!(c.phone_number_id, "106540352242922");
        assert_eq!(c.display_phone_number, "15550001111");
        assert_eq!(
            c.contacts,
            vec![WaContact {
                wa_id: Some("5511987654321".into()),
                user_id: None,
                name: Some("Carla".into()),
                username: None
            }]
        );
        let m = &c.messages[0];
        assert_eq!(m.id, WAMID);
        assert_eq!(m.from.as_deref(), Some("5511987654321"));
        assert_eq!(m.user_id, None);
        assert_eq!(m.timestamp, 1_764_000_000);
        assert_eq!(
            m.kind,
            MessageKind::Text {
                body: "Hi, how much is it?".into()
            }
        );
        assert_eq!(m.kind.type_name(), "text");
        assert_eq!(
            m.context,
            Some(Context {
                from: Some("15550001111".into()),
                id: Some("wamid.HBgLQUOTED".into()),
                forwarded: false,
                frequently_forwarded: false,
                referred_product: None,
            })
        );
        assert_eq!(m.referral, None);
        assert_eq!(
            c.contact_of(m).and_then(|c| c.name.as_deref()),
            Some("Carla")
        );
        // raw is this message, compact, and parses back.
        let raw: Value = serde_json::from_str(&m.raw).unwrap();
        assert_eq!(raw["text"]["body"], "Hi, how much is it?");
        assert!(!m.raw.contains('\n'));
    }

    #[test]
    fn forwarded_and_product_inquiry_context() {
        let m = one_message(json!({
            "context": { "forwarded": true, "frequently_forwarded": true,
                         "referred_product": { "catalog_id": "2252148", "product_retailer_id": "sku-9" } },
            "from": "5511987654321", "id": WAMID, "timestamp": "1764000000", "type": "text",
            "text": { "body": "Is this in stock?" }
        }));
        let ctx = m.context.unwrap();
        assert!(ctx.forwarded && ctx.frequently_forwarded);
        assert_eq!(ctx.id, None);
        assert_eq!(
            ctx.referred_product,
            Some(ReferredProduct {
                catalog_id: Some("2252148".into()),
                product_retailer_id: Some("sku-9".into())
            })
        );
    }

    #[test]
    fn image_with_caption() {
        let k = kind_of(
            "image",
            json!({ "caption": "The blue one", "mime_type": "image/jpeg",
                    "sha256": "Pz3ZbG9Nj7Q5sX0=", "id": "1203948572039485" }),
        );
        assert_eq!(
            k,
            MessageKind::Image(Media {
                id: "1203948572039485".into(),
                mime_type: Some("image/jpeg".into()),
                sha256: Some("Pz3ZbG9Nj7Q5sX0=".into()),
                caption: Some("The blue one".into()),
                file_size: None,
            })
        );
    }

    #[test]
    fn audio_voice_note() {
        let k = kind_of(
            "audio",
            json!({ "mime_type": "audio/ogg; codecs=opus", "sha256": "abc=", "id": "998877", "voice": true }),
        );
        let MessageKind::Audio { media, voice } = k else {
            panic!("{k:?}")
        };
        assert!(voice);
        assert_eq!(media.id, "998877");
        assert_eq!(media.mime_type.as_deref(), Some("audio/ogg; codecs=opus"));
        // A plain audio file has voice false or absent.
        let k = kind_of("audio", json!({ "mime_type": "audio/mpeg", "id": "1" }));
        assert_eq!(
            k,
            MessageKind::Audio {
                media: bare_media("1", "audio/mpeg"),
                voice: false
            }
        );
    }

    #[test]
    fn video_with_numeric_file_size() {
        let k = kind_of(
            "video",
            json!({ "mime_type": "video/mp4", "sha256": "v=", "id": "445566", "file_size": 1_048_576 }),
        );
        let MessageKind::Video(m) = k else {
            panic!("{k:?}")
        };
        assert_eq!(m.file_size, Some(1_048_576));
        assert_eq!(m.caption, None);
    }

    #[test]
    fn document_with_filename() {
        let k = kind_of(
            "document",
            json!({ "caption": "Quote", "filename": "orçamento-2026.pdf", "mime_type": "application/pdf",
                    "sha256": "d=", "id": "7788", "file_size": "20480" }),
        );
        let MessageKind::Document { media, filename } = k else {
            panic!("{k:?}")
        };
        assert_eq!(filename.as_deref(), Some("orçamento-2026.pdf"));
        assert_eq!(media.caption.as_deref(), Some("Quote"));
        assert_eq!(media.file_size, Some(20480));
    }

    #[test]
    fn sticker_animated() {
        let k = kind_of(
            "sticker",
            json!({ "mime_type": "image/webp", "sha256": "s=", "id": "5566", "animated": true }),
        );
        let MessageKind::Sticker { media, animated } = k else {
            panic!("{k:?}")
        };
        assert!(animated);
        assert_eq!(media.mime_type.as_deref(), Some("image/webp"));
    }

    #[test]
    fn location() {
        let k = kind_of(
            "location",
            json!({ "latitude": -23.561414, "longitude": -46.655881, "name": "MASP",
                    "address": "Av. Paulista, 1578 - Bela Vista, São Paulo", "url": "https://masp.org.br" }),
        );
        assert_eq!(
            k,
            MessageKind::Location {
                latitude: -23.561414,
                longitude: -46.655881,
                name: Some("MASP".into()),
                address: Some("Av. Paulista, 1578 - Bela Vista, São Paulo".into()),
                url: Some("https://masp.org.br".into()),
            }
        );
        // A pin without a place: coordinates only, here sent as strings.
        let k = kind_of(
            "location",
            json!({ "latitude": "38.9", "longitude": "-77.03" }),
        );
        assert_eq!(
            k,
            MessageKind::Location {
                latitude: 38.9,
                longitude: -77.03,
                name: None,
                address: None,
                url: None
            }
        );
    }

    #[test]
    fn contacts_card() {
        let k = kind_of(
            "contacts",
            json!([{
                "addresses": [{ "city": "Menlo Park", "country": "United States", "type": "HOME" }],
                "birthday": "2012-08-18",
                "emails": [{ "email": "ana@example.com", "type": "WORK" }, "ana.home@example.com"],
                "name": { "formatted_name": "Ana Lima", "first_name": "Ana", "last_name": "Lima" },
                "org": { "company": "Lima Imóveis", "department": "Sales", "title": "Broker" },
                "phones": [
                    { "phone": "+55 11 91234-5678", "wa_id": "5511912345678", "type": "CELL" },
                    { "phone": "+55 11 3333-4444", "type": "WORK" },
                    { "type": "HOME" }
                ],
                "urls": [{ "url": "https://lima.example", "type": "WORK" }]
            }, {
                "name": { "first_name": "Bob", "last_name": "Stone" },
                "phones": [{ "wa_id": "15551234567" }]
            }]),
        );
        assert_eq!(
            k,
            MessageKind::Contacts(vec![
                SharedContact {
                    formatted_name: "Ana Lima".into(),
                    phones: vec![
                        SharedPhone {
                            phone: "+55 11 91234-5678".into(),
                            wa_id: Some("5511912345678".into()),
                            kind: Some("CELL".into()),
                        },
                        SharedPhone {
                            phone: "+55 11 3333-4444".into(),
                            wa_id: None,
                            kind: Some("WORK".into())
                        },
                    ],
                    emails: vec!["ana@example.com".into(), "ana.home@example.com".into()],
                    org: Some("Lima Imóveis".into()),
                },
                SharedContact {
                    formatted_name: "Bob Stone".into(),
                    phones: vec![SharedPhone {
                        phone: "15551234567".into(),
                        wa_id: Some("15551234567".into()),
                        kind: None
                    }],
                    emails: vec![],
                    org: None,
                },
            ])
        );
    }

    #[test]
    fn interactive_button_reply() {
        let k = kind_of(
            "interactive",
            json!({ "type": "button_reply", "button_reply": { "id": "yes", "title": "Yes" } }),
        );
        assert_eq!(
            k,
            MessageKind::ButtonReply {
                id: "yes".into(),
                title: "Yes".into()
            }
        );
        assert_eq!(k.type_name(), "interactive");
    }

    #[test]
    fn interactive_list_reply() {
        let k = kind_of(
            "interactive",
            json!({ "type": "list_reply",
                    "list_reply": { "id": "r2", "title": "2 bedrooms", "description": "From R$ 450k" } }),
        );
        assert_eq!(
            k,
            MessageKind::ListReply {
                id: "r2".into(),
                title: "2 bedrooms".into(),
                description: Some("From R$ 450k".into())
            }
        );
        let k = kind_of(
            "interactive",
            json!({ "type": "list_reply", "list_reply": { "id": 7, "title": "Seven" } }),
        );
        assert_eq!(
            k,
            MessageKind::ListReply {
                id: "7".into(),
                title: "Seven".into(),
                description: None
            }
        );
    }

    #[test]
    fn interactive_flow_nfm_reply() {
        let k = kind_of(
            "interactive",
            json!({ "type": "nfm_reply", "nfm_reply": {
                "name": "flow", "body": "Sent",
                "response_json": "{\"flow_token\":\"tok-1\",\"budget\":\"500k\"}" } }),
        );
        assert_eq!(
            k,
            MessageKind::FlowReply {
                name: Some("flow".into()),
                body: Some("Sent".into()),
                response_json: Some("{\"flow_token\":\"tok-1\",\"budget\":\"500k\"}".into()),
            }
        );
        // An object instead of an encoded string is re-encoded, not lost.
        let k = kind_of(
            "interactive",
            json!({ "type": "nfm_reply", "nfm_reply": { "response_json": { "a": 1 } } }),
        );
        assert_eq!(
            k,
            MessageKind::FlowReply {
                name: None,
                body: None,
                response_json: Some("{\"a\":1}".into())
            }
        );
    }

    #[test]
    fn interactive_unknown_subtype_is_unsupported() {
        let k = kind_of(
            "interactive",
            json!({ "type": "call_permission_reply", "call_permission_reply": { "response": "accept" } }),
        );
        assert_eq!(
            k,
            MessageKind::Unsupported {
                type_name: "interactive.call_permission_reply".into(),
                errors: vec![]
            }
        );
        let k = kind_of(
            "interactive",
            json!({ "type": "button_reply", "button_reply": { "title": "no id" } }),
        );
        assert_eq!(
            k,
            MessageKind::Unsupported {
                type_name: "interactive.button_reply".into(),
                errors: vec![]
            }
        );
    }

    #[test]
    fn template_quick_reply_button() {
        let k = kind_of(
            "button",
            json!({ "payload": "STOP_PROMOS", "text": "Stop promotions" }),
        );
        assert_eq!(
            k,
            MessageKind::Button {
                payload: "STOP_PROMOS".into(),
                text: "Stop promotions".into()
            }
        );
    }

    #[test]
    fn reaction_and_reaction_removed() {
        let k = kind_of(
            "reaction",
            json!({ "message_id": "wamid.OURS", "emoji": "\u{1F44D}" }),
        );
        assert_eq!(
            k,
            MessageKind::Reaction {
                message_id: "wamid.OURS".into(),
                emoji: Some("👍".into())
            }
        );
        let k = kind_of(
            "reaction",
            json!({ "message_id": "wamid.OURS", "emoji": "" }),
        );
        assert_eq!(
            k,
            MessageKind::Reaction {
                message_id: "wamid.OURS".into(),
                emoji: None
            }
        );
        let k = kind_of("reaction", json!({ "message_id": "wamid.OURS" }));
        assert_eq!(
            k,
            MessageKind::Reaction {
                message_id: "wamid.OURS".into(),
                emoji: None
            }
        );
    }

    #[test]
    fn order_with_string_and_numeric_quantities_and_prices() {
        let k = kind_of(
            "order",
            json!({ "catalog_id": "2252148", "text": "Deliver Friday please",
                    "product_items": [
                        { "product_retailer_id": "sku-1", "quantity": "2", "item_price": "49.90", "currency": "BRL" },
                        { "product_retailer_id": "sku-2", "quantity": 1, "item_price": 120, "currency": "BRL" },
                        { "product_retailer_id": 33, "quantity": 3.0, "item_price": 0.5, "currency": "BRL" }
                    ] }),
        );
        assert_eq!(
            k,
            MessageKind::Order {
                catalog_id: "2252148".into(),
                text: Some("Deliver Friday please".into()),
                items: vec![
                    OrderItem {
                        product_retailer_id: "sku-1".into(),
                        quantity: 2,
                        item_price: 49.9,
                        currency: "BRL".into()
                    },
                    OrderItem {
                        product_retailer_id: "sku-2".into(),
                        quantity: 1,
                        item_price: 120.0,
                        currency: "BRL".into()
                    },
                    OrderItem {
                        product_retailer_id: "33".into(),
                        quantity: 3,
                        item_price: 0.5,
                        currency: "BRL".into()
                    },
                ],
            }
        );
        // A fractional or negative quantity is not an order we can show.
        for bad in [json!(1.5), json!(-1), json!("two"), json!(5_000_000_000u64)] {
            let k = kind_of(
                "order",
                json!({ "catalog_id": "1", "product_items": [
                    { "product_retailer_id": "a", "quantity": bad, "item_price": 1, "currency": "USD" }] }),
            );
            assert_eq!(
                k,
                MessageKind::Unsupported {
                    type_name: "order".into(),
                    errors: vec![]
                }
            );
        }
    }

    #[test]
    fn system_number_and_identity_changes() {
        let k = kind_of(
            "system",
            json!({ "body": "Carla changed their phone number to a number you can message.",
                    "wa_id": "5511900001111", "type": "user_changed_number" }),
        );
        assert_eq!(
            k,
            MessageKind::System {
                body: "Carla changed their phone number to a number you can message.".into(),
                system_type: "user_changed_number".into(),
                new_wa_id: Some("5511900001111".into()),
                new_user_id: None,
                identity: None,
            }
        );
        let k = kind_of(
            "system",
            json!({ "body": "NAME changed from 5511987654321 to 5511900001111",
                    "new_wa_id": 5_511_900_001_111u64, "type": "customer_changed_number" }),
        );
        let MessageKind::System {
            system_type,
            new_wa_id,
            ..
        } = k
        else {
            panic!("{k:?}")
        };
        assert_eq!(system_type, "customer_changed_number");
        assert_eq!(new_wa_id.as_deref(), Some("5511900001111"));

        let k = kind_of(
            "system",
            json!({ "body": "User changed their user id", "user_id": "BR.2098765432109876", "type": "user_changed_user_id" }),
        );
        let MessageKind::System {
            system_type,
            new_user_id,
            new_wa_id,
            ..
        } = k
        else {
            panic!("{k:?}")
        };
        assert_eq!(system_type, "user_changed_user_id");
        assert_eq!(new_user_id.as_deref(), Some("BR.2098765432109876"));
        assert_eq!(new_wa_id, None);

        let k = kind_of(
            "system",
            json!({ "body": "Security code changed", "identity": "acd2c8f4a6b1", "type": "customer_identity_changed" }),
        );
        let MessageKind::System { identity, .. } = k else {
            panic!("{k:?}")
        };
        assert_eq!(identity.as_deref(), Some("acd2c8f4a6b1"));
    }

    #[test]
    fn unsupported_with_errors() {
        let m = one_message(json!({
            "from": "5511987654321", "id": WAMID, "timestamp": "1764000000", "type": "unsupported",
            "errors": [{ "code": 131051, "title": "Message type unknown",
                         "message": "Message type unknown",
                         "error_data": { "details": "Message type is currently not supported." } }]
        }));
        assert_eq!(
            m.kind,
            MessageKind::Unsupported {
                type_name: "unsupported".into(),
                errors: vec![WaError {
                    code: 131051,
                    title: Some("Message type unknown".into()),
                    message: Some("Message type unknown".into()),
                    details: Some("Message type is currently not supported.".into()),
                }],
            }
        );
        let m = one_message(json!({
            "from": "5511987654321", "id": WAMID, "timestamp": "1764000000", "type": "unknown",
            "errors": [{ "code": "131051", "title": "Unsupported message type" }]
        }));
        let MessageKind::Unsupported { type_name, errors } = m.kind else {
            panic!()
        };
        assert_eq!(type_name, "unknown");
        assert_eq!(errors[0].code, 131051);
        assert_eq!(errors[0].details, None);
    }

    #[test]
    fn future_type_poll_is_kept_with_raw_json() {
        let m = one_message(json!({
            "from": "5511987654321", "id": WAMID, "timestamp": "1764000000", "type": "poll",
            "poll": { "question": "Which day?", "options": ["Mon", "Tue"], "selected": [1] }
        }));
        assert_eq!(
            m.kind,
            MessageKind::Unsupported {
                type_name: "poll".into(),
                errors: vec![]
            }
        );
        assert_eq!(m.kind.type_name(), "poll");
        let raw: Value = serde_json::from_str(&m.raw).unwrap();
        assert_eq!(raw["poll"]["question"], "Which day?");
        assert_eq!(raw["poll"]["options"], json!(["Mon", "Tue"]));
        assert_eq!(raw["id"], WAMID);
    }

    #[test]
    fn malformed_known_types_become_unsupported_not_dropped() {
        let cases = [
            ("text", json!({ "no_body": true })),
            ("text", json!("just a string")),
            ("image", json!({ "mime_type": "image/jpeg" })), // no media id
            ("location", json!({ "latitude": "north", "longitude": 1 })),
            ("reaction", json!({ "emoji": "x" })),
            ("order", json!({ "product_items": [] })), // no catalog
            (
                "order",
                json!({ "catalog_id": "1", "product_items": "many" }),
            ),
            ("contacts", json!({ "name": "not an array" })),
            ("system", json!({ "body": "no type" })),
            ("button", json!({ "payload": "P" })),
        ];
        for (type_name, body) in cases {
            let k = kind_of(type_name, body.clone());
            assert_eq!(
                k,
                MessageKind::Unsupported {
                    type_name: type_name.into(),
                    errors: vec![]
                },
                "{type_name} {body}"
            );
        }
        // The type's object missing altogether, or no type at all.
        let m = one_message(json!({ "from": "1", "id": WAMID, "timestamp": "1", "type": "image" }));
        assert_eq!(
            m.kind,
            MessageKind::Unsupported {
                type_name: "image".into(),
                errors: vec![]
            }
        );
        let m = one_message(json!({ "from": "1", "id": WAMID }));
        assert_eq!(
            m.kind,
            MessageKind::Unsupported {
                type_name: String::new(),
                errors: vec![]
            }
        );
        assert_eq!(m.timestamp, 0);
    }

    #[test]
    fn referral_from_click_to_whatsapp_ad() {
        let m = one_message(json!({
            "referral": {
                "source_url": "https://fb.me/3cr4Wqqkv", "source_id": "120212345678900123", "source_type": "ad",
                "headline": "Apartments in Pinheiros", "body": "Book a visit today", "media_type": "image",
                "image_url": "https://scontent.example/ad.jpg", "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a"
            },
            "from": "5511987654321", "id": WAMID, "timestamp": "1764000000", "type": "text",
            "text": { "body": "Hi! I saw your ad" }
        }));
        let r = m.referral.unwrap();
        assert_eq!(r.source_type.as_deref(), Some("ad"));
        assert_eq!(r.source_id.as_deref(), Some("120212345678900123"));
        assert_eq!(r.headline.as_deref(), Some("Apartments in Pinheiros"));
        assert_eq!(r.media_type.as_deref(), Some("image"));
        assert!(r.ctwa_clid.unwrap().starts_with("ARAk"));
        assert_eq!(r.video_url, None);
        assert_eq!(r.thumbnail_url, None);
    }

    fn status_change(statuses: Value) -> Vec<StatusUpdate> {
        let d = parse(&envelope(json!({ "statuses": statuses }))).unwrap();
        assert!(d.changes[0].messages.is_empty());
        d.changes[0].statuses.clone()
    }

    #[test]
    fn statuses_sent_delivered_read_failed() {
        let s = status_change(json!([
            { "id": "wamid.A", "status": "sent", "timestamp": "1764000005", "recipient_id": "5511987654321",
              "conversation": { "id": "c0ffee", "expiration_timestamp": "1764086400", "origin": { "type": "service" } },
              "pricing": { "billable": true, "pricing_model": "CBP", "category": "service" } },
            { "id": "wamid.A", "status": "delivered", "timestamp": 1764000006, "recipient_id": "5511987654321",
              "pricing": { "billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility" } },
            { "id": "wamid.A", "status": "read", "timestamp": "1764000007", "recipient_id": "5511987654321" },
            { "id": "wamid.B", "status": "failed", "timestamp": "1764000008", "recipient_id": "5511987654321",
              "errors": [{ "code": 131047, "title": "Re-engagement message",
                           "message": "Re-engagement message",
                           "error_data": { "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number." } }] },
            { "id": "wamid.C", "status": "deleted", "timestamp": "1764000009" },
            { "status": "read", "timestamp": "1764000009" }
        ]));
        assert_eq!(s.len(), 5, "a status without id is skipped");
        assert_eq!(
            s[0],
            StatusUpdate {
                id: "wamid.A".into(),
                status: Status::Sent,
                timestamp: 1_764_000_005,
                recipient_id: Some("5511987654321".into()),
                user_id: None,
                errors: vec![],
                conversation_id: Some("c0ffee".into()),
                pricing_category: Some("service".into()),
            }
        );
        assert_eq!(s[1].status, Status::Delivered);
        assert_eq!(s[1].timestamp, 1_764_000_006);
        assert_eq!(s[1].conversation_id, None);
        assert_eq!(s[1].pricing_category.as_deref(), Some("utility"));
        assert_eq!(s[2].status, Status::Read);
        assert_eq!(
            (
                s[2].conversation_id.as_ref(),
                s[2].pricing_category.as_ref()
            ),
            (None, None)
        );
        assert_eq!(s[3].status, Status::Failed);
        assert_eq!(s[3].errors[0].code, 131047);
        assert!(s[3].errors[0]
            .details
            .as_deref()
            .unwrap()
            .contains("24 hours"));
        assert_eq!(s[4].status, Status::Other("deleted".into()));
        assert_eq!(s[4].recipient_id, None);
    }

    #[test]
    fn status_rank_and_names() {
        assert!(Status::Sent.rank() < Status::Delivered.rank());
        assert!(Status::Delivered.rank() < Status::Read.rank());
        assert!(Status::Read.rank() < Status::Failed.rank());
        assert_eq!(Status::Other("x".into()).rank(), 0);
        assert!(Status::Failed.is_terminal() && !Status::Read.is_terminal());
        for s in ["sent", "delivered", "read", "failed", "warning"] {
            assert_eq!(Status::from_meta(s).as_str(), s);
        }
    }

    #[test]
    fn username_payload_with_empty_from_and_user_id() {
        let body = envelope(json!({
            "contacts": [{ "profile": { "name": "Carla", "username": "@carla.s" }, "wa_id": "", "user_id": "BR.1502576394655843" }],
            "messages": [{ "from": "", "from_user_id": "BR.1502576394655843", "id": WAMID, "timestamp": "1764000000",
                           "type": "text", "text": { "body": "oi" } },
                         { "user_id": "BR.77", "id": "wamid.2", "timestamp": "1764000001",
                           "type": "text", "text": { "body": "no from at all" } }],
            "statuses": [{ "id": "wamid.OUT", "status": "read", "timestamp": "1764000002",
                           "recipient_id": "", "recipient_user_id": "BR.1502576394655843" }]
        }));
        let d = parse(&body).unwrap();
        let c = &d.changes[0];
        assert_eq!(
            c.contacts[0],
            WaContact {
                wa_id: None,
                user_id: Some("BR.1502576394655843".into()),
                name: Some("Carla".into()),
                username: Some("@carla.s".into()),
            }
        );
        let m = &c.messages[0];
        assert_eq!(m.from, None);
        assert_eq!(m.user_id.as_deref(), Some("BR.1502576394655843"));
        assert_eq!(c.contact_of(m), Some(&c.contacts[0]));
        assert_eq!(c.messages[1].from, None);
        assert_eq!(c.messages[1].user_id.as_deref(), Some("BR.77"));
        assert_eq!(c.statuses[0].recipient_id, None);
        assert_eq!(
            c.statuses[0].user_id.as_deref(),
            Some("BR.1502576394655843")
        );
    }

    #[test]
    fn numbers_as_strings_or_numbers_parse_alike() {
        let as_strings = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
            "metadata":{"display_phone_number":"15550001111","phone_number_id":"106540352242922"},
            "contacts":[{"profile":{"name":"Carla"},"wa_id":"5511987654321"}],
            "messages":[{"from":"5511987654321","id":"wamid.N1","timestamp":"1764000000","type":"image",
                         "image":{"id":"1203948572039485","mime_type":"image/jpeg","file_size":"73210"}}],
            "statuses":[{"id":"wamid.S1","status":"sent","timestamp":"1764000005","recipient_id":"5511987654321",
                         "errors":[{"code":"130429"}]}]}}]}]}"#;
        let as_numbers = br#"{"object":"whatsapp_business_account","entry":[{"id":102290129340398,"changes":[{"field":"messages","value":{
            "metadata":{"display_phone_number":15550001111,"phone_number_id":106540352242922},
            "contacts":[{"profile":{"name":"Carla"},"wa_id":5511987654321}],
            "messages":[{"from":5511987654321,"id":"wamid.N1","timestamp":1764000000,"type":"image",
                         "image":{"id":1203948572039485,"mime_type":"image/jpeg","file_size":73210}}],
            "statuses":[{"id":"wamid.S1","status":"sent","timestamp":1764000005,"recipient_id":5511987654321,
                         "errors":[{"code":130429}]}]}}]}]}"#;
        let mut a = parse(as_strings).unwrap();
        let mut b = parse(as_numbers).unwrap();
        // raw differs by construction (it is the JSON as sent); everything else is equal.
        a.changes[0].messages[0].raw.clear();
        b.changes[0].messages[0].raw.clear();
        assert_eq!(a, b);
        let c = &a.changes[0];
        assert_eq!(c.phone_number_id, "106540352242922");
        assert_eq!(c.messages[0].timestamp, 1_764_000_000);
        let MessageKind::Image(m) = &c.messages[0].kind else {
            panic!()
        };
        assert_eq!(m.id, "1203948572039485");
        assert_eq!(m.file_size, Some(73210));
        assert_eq!(c.statuses[0].errors[0].code, 130429);
    }

    #[test]
    fn several_entries_changes_messages_and_statuses_in_one_post() {
        let msg = |id: &str, body: &str| json!({ "from": "5511987654321", "id": id, "timestamp": "1764000000", "type": "text", "text": { "body": body } });
        let body = serde_json::to_vec(&json!({
            "object": "whatsapp_business_account",
            "entry": [
                { "id": "WABA1", "changes": [
                    { "field": "messages", "value": { "metadata": { "phone_number_id": "P1", "display_phone_number": "1" },
                        "messages": [msg("wamid.1", "one"), { "type": "text", "text": { "body": "no id" } }, msg("wamid.2", "two")] } },
                    { "field": "message_template_status_update", "value": { "event": "APPROVED" } },
                    { "field": "messages", "value": { "metadata": { "phone_number_id": "P2", "display_phone_number": "2" },
                        "statuses": [{ "id": "wamid.O1", "status": "delivered", "timestamp": "1" },
                                     { "id": "wamid.O2", "status": "read", "timestamp": "2" }] } }
                ] },
                "garbage entry",
                { "id": "WABA2", "changes": [
                    { "field": "messages", "value": { "metadata": { "phone_number_id": "P3", "display_phone_number": "3" },
                        "messages": [msg("wamid.3", "three")],
                        "statuses": [{ "id": "wamid.O3", "status": "sent", "timestamp": "3" }] } },
                    { "field": "messages", "value": "not an object" }
                ] }
            ]
        }))
        .unwrap();
        let d = parse(&body).unwrap();
        let summary: Vec<_> = d
            .changes
            .iter()
            .map(|c| {
                (
                    c.waba_id.as_str(),
                    c.phone_number_id.as_str(),
                    c.messages.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
                    c.statuses.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("WABA1", "P1", vec!["wamid.1", "wamid.2"], vec![]),
                ("WABA1", "P2", vec![], vec!["wamid.O1", "wamid.O2"]),
                ("WABA2", "P3", vec!["wamid.3"], vec!["wamid.O3"]),
            ]
        );
    }

    #[test]
    fn unicode_escapes_are_decoded() {
        // Bytes exactly as Meta sends them: non-ASCII escaped.
        let raw = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"2"},"contacts":[{"profile":{"name":"Jos\u00e9 Andr\u00e9"},"wa_id":"351912345678"}],"messages":[{"from":"351912345678","id":"wamid.E","timestamp":"1764000000","type":"text","text":{"body":"Caf\u00e9 \u00e0s 10h? \ud83d\ude00"}}]}}]}]}"#;
        let d = parse(raw).unwrap();
        let c = &d.changes[0];
        assert_eq!(c.contacts[0].name.as_deref(), Some("José André"));
        assert_eq!(
            c.messages[0].kind,
            MessageKind::Text {
                body: "Café às 10h? 😀".into()
            }
        );
        assert!(c.messages[0].raw.contains("Café"));
    }

    #[test]
    fn delivery_level_errors() {
        let d = parse(&envelope(json!({
            "errors": [{ "code": 131000, "title": "Something went wrong", "message": "Something went wrong",
                         "error_data": { "details": "Unknown error" } }]
        })))
        .unwrap();
        assert_eq!(
            d.changes[0].errors,
            vec![WaError {
                code: 131000,
                title: Some("Something went wrong".into()),
                message: Some("Something went wrong".into()),
                details: Some("Unknown error".into()),
            }]
        );
    }

    #[test]
    fn non_messages_fields_are_skipped() {
        let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","time":1764000000,"changes":[
            {"field":"account_update","value":{"phone_number":"15550001111","event":"VERIFIED_ACCOUNT"}},
            {"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":1}}]}]}"#;
        assert_eq!(parse(body).unwrap(), Delivery { changes: vec![] });
        let empty = br#"{"object":"whatsapp_business_account"}"#;
        assert_eq!(parse(empty).unwrap(), Delivery { changes: vec![] });
    }

    #[test]
    fn other_objects_and_non_json_are_errors() {
        let page = br#"{"object":"page","entry":[{"id":"1","time":1764000000,"changes":[{"field":"leadgen","value":{"leadgen_id":444}}]}]}"#;
        assert!(matches!(parse(page), Err(ParseError::NotWhatsApp(m)) if m.contains("page")));
        for body in [
            &br#"[1,2]"#[..],
            br#"{"entry":[]}"#,
            br#"{"object":7}"#,
            b"null",
            b"\"whatsapp_business_account\"",
        ] {
            assert!(
                matches!(parse(body), Err(ParseError::NotWhatsApp(_))),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        for body in [
            &b""[..],
            b"   ",
            b"{",
            b"object=whatsapp_business_account",
            b"\xff\xfe{}",
            br#"{"object":"whatsapp_business_account",}"#,
        ] {
            assert!(
                matches!(parse(body), Err(ParseError::NotJson(_))),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn extreme_numbers_do_not_panic_or_wrap() {
        let m = one_message(
            json!({ "from": "1", "id": WAMID, "timestamp": "1e400", "type": "video",
                                    "video": { "id": "1", "file_size": -5 } }),
        );
        assert_eq!(m.timestamp, 0);
        let MessageKind::Video(v) = m.kind else {
            panic!()
        };
        assert_eq!(v.file_size, None);
        let m = one_message(
            json!({ "from": "1", "id": WAMID, "timestamp": 1.764e9, "type": "text", "text": { "body": "" } }),
        );
        assert_eq!(m.timestamp, 1_764_000_000);
        assert_eq!(
            m.kind,
            MessageKind::Text {
                body: String::new()
            }
        );
        let m = one_message(
            json!({ "from": "1", "id": WAMID, "timestamp": u64::MAX, "type": "text", "text": { "body": "x" } }),
        );
        assert_eq!(m.timestamp, 0);
        assert_eq!(int(Some(&json!(" 42 "))), Some(42));
        assert_eq!(whole(Some(&json!("18446744073709551615"))), Some(u64::MAX));
        assert_eq!(
            whole(Some(&json!("9007199254740993"))),
            Some(9_007_199_254_740_993)
        );
        assert_eq!(whole(Some(&json!("3.0"))), Some(3));
        assert_eq!(whole(Some(&json!(-0.5))), None);
        assert_eq!(float(Some(&json!("NaN"))), None);
        assert_eq!(float(Some(&json!("inf"))), None);
    }

    #[test]
    fn delivery_roundtrips_through_bincode() {
        let body = envelope(json!({
            "contacts": [{ "profile": { "name": "Carla" }, "wa_id": "5511987654321" }],
            "messages": [
                { "from": "5511987654321", "id": "wamid.1", "timestamp": "1", "type": "location",
                  "location": { "latitude": 1.5, "longitude": -2.25 } },
                { "from": "5511987654321", "id": "wamid.2", "timestamp": "2", "type": "order",
                  "order": { "catalog_id": "c", "product_items": [{ "product_retailer_id": "p", "quantity": 1, "item_price": 9.99, "currency": "EUR" }] } },
                { "from": "5511987654321", "id": "wamid.3", "timestamp": "3", "type": "poll", "poll": {} }
            ],
            "statuses": [{ "id": "wamid.O", "status": "failed", "timestamp": "4", "errors": [{ "code": 131026 }] }]
        }));
        let d = parse(&body).unwrap();
        assert_bincode_roundtrip(&d);
    }

    fn assert_bincode_roundtrip(d: &Delivery) {
        let cfg = bincode::config::standard();
        let bytes = bincode::serde::encode_to_vec(d, cfg).unwrap();
        let (back, used): (Delivery, usize) =
            bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(&back, d);
    }

    // ---- property tests ---------------------------------------------------

    const KEYS: &[&str] = &[
        "object",
        "entry",
        "id",
        "changes",
        "field",
        "value",
        "metadata",
        "phone_number_id",
        "display_phone_number",
        "contacts",
        "profile",
        "name",
        "username",
        "wa_id",
        "user_id",
        "from_user_id",
        "recipient_user_id",
        "messages",
        "statuses",
        "from",
        "timestamp",
        "type",
        "text",
        "body",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "interactive",
        "button",
        "reaction",
        "order",
        "system",
        "context",
        "referral",
        "errors",
        "code",
        "error_data",
        "details",
        "title",
        "message",
        "status",
        "recipient_id",
        "conversation",
        "pricing",
        "category",
        "voice",
        "animated",
        "latitude",
        "longitude",
        "file_size",
        "mime_type",
        "caption",
        "filename",
        "product_items",
        "product_retailer_id",
        "quantity",
        "item_price",
        "currency",
        "catalog_id",
        "button_reply",
        "list_reply",
        "nfm_reply",
        "response_json",
        "description",
        "payload",
        "phones",
        "phone",
        "emails",
        "email",
        "org",
        "company",
        "formatted_name",
        "first_name",
        "message_id",
        "emoji",
        "new_wa_id",
        "identity",
        "forwarded",
        "frequently_forwarded",
        "referred_product",
        "source_id",
    ];
    const STRINGS: &[&str] = &[
        "whatsapp_business_account",
        "messages",
        "text",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "button",
        "reaction",
        "order",
        "system",
        "unsupported",
        "unknown",
        "poll",
        "button_reply",
        "list_reply",
        "nfm_reply",
        "user_changed_number",
        "sent",
        "delivered",
        "read",
        "failed",
        "true",
        "1764000000",
        "-1",
        "0",
        "2.5",
        "1e400",
        "-1e400",
        "NaN",
        "inf",
        "",
        " ",
        "wamid.X",
        "é",
        "\u{0}",
        "99999999999999999999999",
        "18446744073709551615",
        "9223372036854775808",
        "{\"a\":1}",
    ];
    const TYPES: &[&str] = &[
        "text",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "button",
        "reaction",
        "order",
        "system",
        "unsupported",
        "unknown",
        "poll",
        "",
    ];

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from), // non-finite becomes null
            prop::sample::select(STRINGS).prop_map(|s| Value::String(s.to_string())),
            ".{0,12}".prop_map(Value::String),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![4 => prop::sample::select(KEYS).prop_map(str::to_string), 1 => "[a-z_]{0,10}"]
    }

    /// Any JSON value, biased towards webhook keys and tricky scalars.
    fn any_json() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn id_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => "wamid\\.[A-Za-z0-9]{1,8}".prop_map(Value::String),
            1 => any::<u32>().prop_map(Value::from),
            1 => any_json(),
        ]
    }

    /// A message object with a (mostly) known type and a randomly typed body.
    fn message_shaped() -> impl Strategy<Value = Value> {
        (
            id_value(),
            any_json(),
            any_json(),
            prop::sample::select(TYPES),
            any_json(),
            any_json(),
            any_json(),
            any_json(),
        )
            .prop_map(|(id, from, ts, ty, body, ctx, referral, errors)| {
                obj(vec![
                    ("id", id),
                    ("from", from),
                    ("timestamp", ts),
                    ("type", Value::String(ty.to_string())),
                    (ty, body),
                    ("context", ctx),
                    ("referral", referral),
                    ("errors", errors),
                ])
            })
    }

    fn status_shaped() -> impl Strategy<Value = Value> {
        (
            id_value(),
            any_json(),
            any_json(),
            any_json(),
            any_json(),
            any_json(),
        )
            .prop_map(|(id, status, ts, errors, conversation, pricing)| {
                obj(vec![
                    ("id", id),
                    ("status", status),
                    ("timestamp", ts),
                    ("errors", errors),
                    ("conversation", conversation),
                    ("pricing", pricing),
                ])
            })
    }

    fn webhook_shaped() -> impl Strategy<Value = Value> {
        let field = prop_oneof![3 => Just(json!("messages")), 1 => any_json()];
        let change = (
            field,
            any_json(),
            prop::collection::vec(any_json(), 0..3),
            prop::collection::vec(message_shaped(), 0..4),
            prop::collection::vec(status_shaped(), 0..3),
            any_json(),
        )
            .prop_map(|(field, metadata, contacts, messages, statuses, errors)| {
                obj(vec![
                    ("field", field),
                    (
                        "value",
                        obj(vec![
                            ("metadata", metadata),
                            ("contacts", Value::Array(contacts)),
                            ("messages", Value::Array(messages)),
                            ("statuses", Value::Array(statuses)),
                            ("errors", errors),
                        ]),
                    ),
                ])
            });
        let entry = (id_value(), prop::collection::vec(change, 0..3))
            .prop_map(|(id, changes)| obj(vec![("id", id), ("changes", Value::Array(changes))]));
        prop::collection::vec(entry, 0..3)
            .prop_map(|entries| json!({ "object": WHATSAPP_OBJECT, "entry": entries }))
    }

    /// Messages the parser must keep: every object with a usable id in a
    /// `messages` change, whatever its type or body.
    fn keepable_messages(v: &Value) -> usize {
        objects(v.get("entry"))
            .flat_map(|e| objects(e.get("changes")))
            .filter(|c| c.get("field").and_then(Value::as_str) == Some("messages"))
            .filter_map(|c| c.get("value").and_then(Value::as_object))
            .flat_map(|v| objects(v.get("messages")))
            .filter(|m| text(m.get("id")).is_some())
            .count()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&body);
        }

        #[test]
        fn arbitrary_json_never_panics(v in any_json()) {
            let _ = parse(&serde_json::to_vec(&v).unwrap());
            // Also as the `value` of a well-formed envelope.
            let wrapped = json!({ "object": WHATSAPP_OBJECT, "entry": [{ "changes": [{ "field": "messages", "value": v }] }] });
            prop_assert!(parse(&serde_json::to_vec(&wrapped).unwrap()).is_ok());
        }

        #[test]
        fn webhook_shaped_json_parses_keeps_every_message_and_roundtrips(v in webhook_shaped()) {
            let d = parse(&serde_json::to_vec(&v).unwrap()).unwrap();
            let kept: usize = d.changes.iter().map(|c| c.messages.len()).sum();
            prop_assert_eq!(kept, keepable_messages(&v));
            for m in d.changes.iter().flat_map(|c| &c.messages) {
                prop_assert!(!m.id.is_empty());
                prop_assert!(serde_json::from_str::<Value>(&m.raw).map(|r| r.is_object()).unwrap_or(false));
            }
            assert_bincode_roundtrip(&d);
        }
    }
}
