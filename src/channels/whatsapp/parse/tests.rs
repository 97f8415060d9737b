//! Parser tests: one realistic payload per message type and status, and
//! properties that random input never panics and never loses a message.
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
    let (back, used): (Delivery, usize) = bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
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
