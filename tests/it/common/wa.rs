//! Building and sending WhatsApp webhook deliveries as Meta does.
use serde_json::{json, Value};
use wafunnel::channels::whatsapp::signature;

use super::{client::Resp, Client, Harness, APP_SECRET};

/// One delivery holding `messages` (and `statuses`) for `phone_number_id`.
pub fn delivery(phone_number_id: &str, contacts: Value, messages: Value, statuses: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "WABA-1",
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
                    "contacts": contacts,
                    "messages": messages,
                    "statuses": statuses,
                }
            }]
        }]
    })
}

pub fn text(phone_number_id: &str, from: &str, name: &str, wamid: &str, body: &str) -> Value {
    delivery(
        phone_number_id,
        json!([{"profile": {"name": name}, "wa_id": from}]),
        json!([{"from": from, "id": wamid, "timestamp": "1764000000", "type": "text", "text": {"body": body}}]),
        json!([]),
    )
}

impl Harness {
    /// Posts raw bytes to the webhook, signed with the test app secret.
    pub async fn webhook_raw(&self, body: &[u8]) -> Resp {
        let res = reqwest::Client::new()
            .post(self.url("/webhooks/whatsapp"))
            .header("Content-Type", "application/json")
            .header(
                "X-Hub-Signature-256",
                signature::sign(APP_SECRET.as_bytes(), body),
            )
            .body(body.to_vec())
            .send()
            .await
            .expect("webhook");
        Client::read(res).await
    }

    pub async fn webhook(&self, body: &Value) -> Resp {
        self.webhook_raw(body.to_string().as_bytes()).await
    }

    /// A server whose Graph is `graph`, with business "Acme", its signed-in
    /// owner and WhatsApp number `PN1`.
    pub async fn with_number_at(
        graph: &super::fake_graph::FakeGraph,
    ) -> (Harness, super::Biz, Client) {
        let url = graph.url.clone();
        let h = Harness::start_with(move |c| c.meta.graph_url = url);
        let biz = h.new_business("Acme").await;
        let owner = h.login(biz.owner()).await;
        h.register_number(&owner, "PN1").await;
        (h, biz, owner)
    }

    /// Registers a WhatsApp number for the owner's business; returns its id.
    pub async fn register_number(&self, owner: &Client, phone_number_id: &str) -> String {
        let r = owner
            .post(
                "/api/whatsapp/numbers",
                json!({"phone_number_id": phone_number_id, "display_phone_number": "+1 555 000 1111",
                       "waba_id": "WABA-1", "access_token": "EAAG-secret-token"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }
}
