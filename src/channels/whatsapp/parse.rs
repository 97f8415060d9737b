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
    let root: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => surrogates::mend_lone_surrogates(body)
            .and_then(|mended| serde_json::from_slice(&mended).ok())
            .ok_or_else(|| ParseError::NotJson(e.to_string()))?,
    };
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
mod tests;

mod surrogates;
