//! Walk-in channels: a public form behind a QR code in the shop. A submission
//! becomes a lead through the channel's pool, the customer is told who will
//! contact them, and bots, floods and mistakes store nothing.
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{wa::text, Client, Harness};

struct Walkin {
    id: String,
    path: String,
}

async fn create(owner: &Client, name: &str, pool: Value) -> Walkin {
    let r = owner
        .post(
            "/api/channels",
            json!({"kind": "walkin", "name": name, "pool": pool}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let slug = r.body["slug"].as_str().unwrap();
    for (key, tail) in [
        ("form_url", ""),
        ("qr_url", "/qr.svg"),
        ("qr_png_url", "/qr.png"),
        ("poster_url", "/poster"),
    ] {
        assert!(
            r.body[key]
                .as_str()
                .unwrap()
                .ends_with(&format!("/w/{slug}{tail}")),
            "{key}: {}",
            r.body
        );
    }
    assert!(r.body["token"].is_null(), "a walk-in form has no secret");
    Walkin {
        id: r.body["id"].as_str().unwrap().to_string(),
        path: format!("/w/{slug}"),
    }
}

async fn submit(h: &Harness, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let res = reqwest::Client::new()
        .post(h.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn conversations(owner: &Client) -> Vec<Value> {
    owner.get("/api/conversations?view=all").await.body["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_customer_fills_the_form_and_is_told_who_will_contact_them() {
    let h = Harness::start();
    let biz = h.new_business("Loja Azul").await;
    let owner = h.login(biz.owner()).await;
    let walkin = create(
        &owner,
        "Store Centro",
        json!({"mode": "round_robin", "members": [{"member_id": biz.member_id, "weight": 1}]}),
    )
    .await;

    let page = reqwest::get(h.url(&walkin.path)).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("Loja Azul") && html.contains("name=\"phone\""));
    assert!(
        html.contains("name=\"website\""),
        "the honeypot is in the form"
    );

    let (status, html) = submit(
        &h,
        &walkin.path,
        &[
            ("name", "Carla Souza"),
            ("phone", "+55 11 98765-4321"),
            ("email", "carla@example.com"),
            ("note", "The blue sofa"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Thank you, Carla!"), "{html}");
    assert!(html.contains("member 2"), "names the assignee: {html}");

    let items = conversations(&owner).await;
    assert_eq!(items.len(), 1);
    let c = &items[0];
    assert_eq!(c["source"], "walkin");
    assert_eq!(c["assignee_id"], biz.member_id.to_string());
    assert_eq!(c["contact"]["phone"], "+5511987654321");
    let timeline = owner
        .get(&format!(
            "/api/conversations/{}/messages",
            c["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        timeline.body["items"][0]["text"],
        "Walk-in at Store Centro: The blue sofa"
    );
    let detail = owner
        .get(&format!("/api/conversations/{}", c["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        detail.body["assignment"]["channel"],
        format!("channel:{}", walkin.id)
    );

    // The QR code and the poster are public, for printing.
    let svg = reqwest::get(h.url(&format!("{}/qr.svg", walkin.path)))
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let png = reqwest::get(h.url(&format!("{}/qr.png", walkin.path)))
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
    let poster = reqwest::get(h.url(&format!("{}/poster", walkin.path)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(poster.contains("size:A5") && poster.contains("<svg") && poster.contains(&walkin.path));

    // Clients that ask for JSON get the ids.
    let res = reqwest::Client::new()
        .post(h.url(&walkin.path))
        .header("Accept", "application/json")
        .form(&[("name", "Rui"), ("phone", "+351 912 345 678")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["assignee_id"], biz.member_id.to_string());
    assert!(body["conversation_id"].is_string() && body["contact_id"].is_string());
}

#[tokio::test]
async fn mistakes_bots_floods_and_unknown_forms_store_nothing() {
    let h = Harness::start_with(|c| c.leads.walkin_max_per_ip = 3);
    let biz = h.new_business("Loja Verde").await;
    let owner = h.login(biz.owner()).await;
    let walkin = create(
        &owner,
        "Kiosk",
        json!({"mode": "round_robin", "members": []}),
    )
    .await;

    let (status, html) = submit(
        &h,
        &walkin.path,
        &[("name", " "), ("phone", ""), ("email", "nope")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Please tell us your name."), "{html}");
    assert!(html.contains("Please give us a phone number."));
    assert!(html.contains("does not look right"), "the email too");
    let (status, html) = submit(&h, &walkin.path, &[("name", "Ana <b>"), ("phone", "12")]).await;
    assert_eq!(status, 422);
    // The business has no default country: the visitor must give theirs.
    assert!(html.contains("Include the country code"), "{html}");
    assert!(
        html.contains("value=\"Ana &lt;b&gt;\""),
        "kept, escaped: {html}"
    );

    let (status, html) = submit(
        &h,
        &walkin.path,
        &[
            ("name", "Bot"),
            ("phone", "+5511900000000"),
            ("website", "http://spam.example"),
        ],
    )
    .await;
    assert_eq!(status, 200, "a bot sees success");
    assert!(html.contains("Thank you"));
    assert!(
        conversations(&owner).await.is_empty(),
        "nothing stored so far"
    );

    // The fourth form from one address within the window is refused.
    let (status, _) = submit(
        &h,
        &walkin.path,
        &[("name", "Zé"), ("phone", "+5511900000001")],
    )
    .await;
    assert_eq!(status, 429);
    let res = reqwest::Client::new()
        .post(h.url(&walkin.path))
        .header("Accept", "application/json")
        .form(&[("name", "Zé"), ("phone", "+5511900000001")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(conversations(&owner).await.is_empty());

    let (status, _) = submit(
        &h,
        "/w/no-such-form-123456",
        &[("name", "X"), ("phone", "+5511900000002")],
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        reqwest::get(h.url("/w/no-such-form-123456/qr.png"))
            .await
            .unwrap()
            .status(),
        404
    );

    // A deleted channel's form is gone, with its pool.
    assert_eq!(
        owner
            .delete(&format!("/api/channels/{}", walkin.id))
            .await
            .status,
        204
    );
    assert_eq!(
        reqwest::get(h.url(&walkin.path)).await.unwrap().status(),
        404
    );
    let r = owner
        .get(&format!("/api/channels/{}/pool", walkin.id))
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn a_person_by_walk_in_then_webhook_then_whatsapp_is_one_contact_with_one_timeline() {
    let h = Harness::start();
    let biz = h.new_business("Loja Roxa").await;
    let owner = h.login(biz.owner()).await;
    let pool = json!({"mode": "round_robin", "members": [
        {"member_id": biz.member_id, "weight": 1}, {"member_id": biz.other_member_id, "weight": 1}]});
    let r = owner
        .patch("/api/business", json!({"default_country": "br"}))
        .await;
    assert_eq!(r.body["default_country"], "BR", "{}", r.body);
    let walkin = create(&owner, "Front desk", pool.clone()).await;
    let hook = owner
        .post(
            "/api/channels",
            json!({"kind": "webhook", "name": "Website", "pool": pool}),
        )
        .await;
    let number = h.register_number(&owner, "PN-ONE").await;
    owner
        .put(
            &format!("/api/whatsapp/numbers/{number}/pool"),
            json!({"mode": "round_robin", "members": [{"member_id": biz.other_member_id, "weight": 1}]}),
        )
        .await;

    let (status, _) = submit(
        &h,
        &walkin.path,
        &[("name", "Dora"), ("phone", "(11) 91234-5678")],
    )
    .await;
    assert_eq!(status, 200);
    let first = conversations(&owner).await;
    let assignee = first[0]["assignee_id"].clone();
    let res = reqwest::Client::new()
        .post(h.url(&format!("/hooks/{}", hook.body["id"].as_str().unwrap())))
        .bearer_auth(hook.body["token"].as_str().unwrap())
        .json(&json!({"name": "Dora Lima", "phone": "+55 11 91234-5678", "email": "dora@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    h.webhook(&text(
        "PN-ONE",
        "5511912345678",
        "Dora",
        "wamid.DORA1",
        "Oi, vim pela loja",
    ))
    .await;

    let items = conversations(&owner).await;
    assert_eq!(items.len(), 1, "one timeline: {items:?}");
    let c = &items[0];
    assert_eq!(
        c["assignee_id"], assignee,
        "the person keeps their assignee"
    );
    assert_eq!(
        c["contact"]["email"], "dora@example.com",
        "the webhook added the email"
    );
    let timeline = owner
        .get(&format!(
            "/api/conversations/{}/messages",
            c["id"].as_str().unwrap()
        ))
        .await;
    let texts: Vec<&str> = timeline.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(texts.contains(&"Walk-in at Front desk"), "{texts:?}");
    assert!(
        texts.contains(&"Lead from Website, as \u{201c}Dora Lima\u{201d}"),
        "the known contact keeps her name and the timeline the one typed: {texts:?}"
    );
    assert!(texts.contains(&"Oi, vim pela loja"), "{texts:?}");
}
