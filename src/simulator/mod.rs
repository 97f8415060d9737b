//! The built-in WhatsApp simulator: a customer's phone for sandbox numbers.
//!
//! What a simulated customer types becomes a Meta-shaped delivery, signed with
//! the webhook secret and fed to the same ingest as Meta's, so the inbox, the
//! assignment and the flows see a real conversation. What the business sends
//! to a sandbox number never reaches Graph: the sender hands it here, and the
//! "phone" answers with sent → delivered → read statuses through the same path.
pub mod facebook;
pub mod routes;

use std::{sync::Arc, time::Duration};

use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::{
    channels::whatsapp::{ingest, numbers::WaNumber, signature, webhook},
    contacts,
    conversations::{repo, Conversation},
    error::ApiResult,
    store::{ids::RecordId, Reader, Store},
    time::now_ms,
};

/// How long the simulated phone takes to report delivery, then reading.
const DELIVERED_AFTER: Duration = Duration::from_millis(400);
const READ_AFTER: Duration = Duration::from_millis(900);

#[derive(Clone)]
pub struct Simulator {
    store: Store,
    secret: Arc<str>,
    jobs_wake: Arc<Notify>,
}

/// What a simulated customer can do.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomerMessage {
    Text(String),
    /// Taps a button of one of our interactive messages (its wamid).
    ButtonReply {
        id: String,
        title: String,
        context: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
    },
}

fn digits(display: &str) -> String {
    display.chars().filter(char::is_ascii_digit).collect()
}

fn envelope(number: &WaNumber, value: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": number.waba_id, "changes": [{"field": "messages", "value": value}]}],
    })
}

fn metadata(number: &WaNumber) -> Value {
    json!({
        "display_phone_number": digits(&number.display_phone_number),
        "phone_number_id": number.phone_number_id,
    })
}

pub fn new_wamid() -> String {
    format!("wamid.SIM{}", RecordId::new())
}

/// The delivery Meta would send for this customer message.
pub fn customer_delivery(
    number: &WaNumber,
    wa_id: &str,
    name: &str,
    wamid: &str,
    message: &CustomerMessage,
) -> Value {
    let mut m = json!({"from": wa_id, "id": wamid, "timestamp": (now_ms() / 1000).to_string()});
    match message {
        CustomerMessage::Text(body) => {
            m["type"] = json!("text");
            m["text"] = json!({"body": body});
        }
        CustomerMessage::ButtonReply { id, title, context } => {
            m["type"] = json!("interactive");
            m["interactive"] =
                json!({"type": "button_reply", "button_reply": {"id": id, "title": title}});
            if let Some(c) = context {
                m["context"] = json!({"from": digits(&number.display_phone_number), "id": c});
            }
        }
        CustomerMessage::Location {
            latitude,
            longitude,
            name,
        } => {
            m["type"] = json!("location");
            m["location"] = json!({"latitude": latitude, "longitude": longitude, "name": name});
        }
    }
    envelope(
        number,
        json!({
            "messaging_product": "whatsapp",
            "metadata": metadata(number),
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [m],
        }),
    )
}

/// The status delivery Meta would send for one of our messages.
pub fn status_delivery(number: &WaNumber, wamid: &str, recipient: &str, status: &str) -> Value {
    envelope(
        number,
        json!({
            "messaging_product": "whatsapp",
            "metadata": metadata(number),
            "statuses": [{
                "id": wamid,
                "status": status,
                "timestamp": (now_ms() / 1000).to_string(),
                "recipient_id": recipient,
            }],
        }),
    )
}

impl Simulator {
    pub fn new(store: Store, secret: &str, jobs_wake: Arc<Notify>) -> Simulator {
        Simulator {
            store,
            secret: secret.into(),
            jobs_wake,
        }
    }

    /// Signs a delivery and hands it to the webhook ingest, as Meta would.
    pub async fn deliver(&self, delivery: &Value) -> ApiResult<ingest::Outcome> {
        let body = delivery.to_string();
        let header = signature::sign(self.secret.as_bytes(), body.as_bytes());
        webhook::ingest_signed(
            &self.store,
            &self.secret,
            &self.jobs_wake,
            actix_web::web::Bytes::from(body),
            Some(&header),
        )
        .await
    }

    /// Signs a Facebook page delivery (`leadgen`) and hands it to its webhook ingest.
    pub async fn deliver_page(
        &self,
        delivery: &Value,
    ) -> ApiResult<crate::channels::facebook::webhook::Outcome> {
        let body = delivery.to_string();
        let header = signature::sign(self.secret.as_bytes(), body.as_bytes());
        crate::channels::facebook::webhook::ingest_signed(
            &self.store,
            &self.secret,
            &self.jobs_wake,
            body.as_bytes(),
            Some(&header),
        )
        .await
    }

    /// The customer sends a message; answers its wamid once it is stored.
    pub async fn customer_says(
        &self,
        number: &WaNumber,
        wa_id: &str,
        name: &str,
        message: &CustomerMessage,
    ) -> ApiResult<String> {
        let wamid = new_wamid();
        self.deliver(&customer_delivery(number, wa_id, name, &wamid, message))
            .await?;
        Ok(wamid)
    }

    /// The phone received one of our messages: report delivery, then reading,
    /// a moment apart, as a real phone does.
    pub fn receipts(&self, number: WaNumber, wamid: String, recipient: String) {
        let sim = self.clone();
        tokio::spawn(async move {
            for (wait, status) in [(DELIVERED_AFTER, "delivered"), (READ_AFTER, "read")] {
                tokio::time::sleep(wait).await;
                let delivery = status_delivery(&number, &wamid, &recipient, status);
                if let Err(e) = sim.deliver(&delivery).await {
                    tracing::warn!(%wamid, "simulated {status} receipt failed: {}", e.message);
                }
            }
        });
    }
}

/// The conversation of this customer on this number, if they ever wrote.
pub fn chat_of<R: Reader + ?Sized>(
    r: &R,
    number: &WaNumber,
    wa_id: &str,
) -> ApiResult<Option<(contacts::Contact, Conversation)>> {
    let Some(phone) = contacts::e164_from_wa_id(wa_id) else {
        return Ok(None);
    };
    let Some(contact) = contacts::by_phone(r, number.business_id, &phone)? else {
        return Ok(None);
    };
    Ok(
        repo::for_channel(r, number.business_id, contact.id, Some(number.id))?
            .map(|c| (contact, c)),
    )
}

/// Templates a sandbox number offers, in the shape of Meta's `message_templates`.
pub fn sample_templates() -> Vec<Value> {
    let body = |text: &str| json!([{"type": "BODY", "text": text}]);
    vec![
        json!({"name": "hello_world", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
               "components": body("Hello! Thanks for contacting us. How can we help you today?")}),
        json!({"name": "appointment_reminder", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
               "components": body("Hi {{1}}, this is a reminder of your visit on {{2}}. Reply YES to confirm.")}),
        json!({"name": "follow_up", "language": "en_US", "status": "APPROVED", "category": "MARKETING",
               "components": body("Hi {{1}}, are you still interested in {{2}}? We saved an offer for you.")}),
    ]
}
