//! The admin's business list (search, pages, usage), creation and limits.
use serde_json::json;

use super::{admin, audit_actions, items, set_limits, view_of};
use crate::{
    common::{wa::text, Harness, PASSWORD},
    flows::says,
};

#[tokio::test]
async fn the_list_searches_pages_and_counts_usage() {
    let h = Harness::start();
    let tag = ulid::Ulid::new().to_string();
    let biz = h.new_business(&format!("Usage Motors {tag}")).await;
    for i in 0..2 {
        h.new_business(&format!("usage motors {tag} branch {i}"))
            .await;
    }
    h.new_business("Unrelated Bakery").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "USAGE-PN").await;
    // Three messages from now, one from a year ago: the 30-day figure skips it.
    for (phone, wamid) in [
        ("5511900000101", "wamid.U1"),
        ("5511900000102", "wamid.U2"),
        ("5511900000101", "wamid.U3"),
    ] {
        assert_eq!(
            h.webhook(&says("USAGE-PN", phone, wamid, "hi"))
                .await
                .status,
            200
        );
    }
    let old = text("USAGE-PN", "5511900000103", "Old", "wamid.U4", "long ago");
    assert_eq!(h.webhook(&old).await.status, 200);
    let admin = admin(&h).await;

    // Case-insensitive substring search, newest first, two to a page.
    let needle = format!("MOTORS {}", tag.to_lowercase());
    let q = needle.replace(' ', "%20");
    let first = admin
        .get(&format!("/api/admin/businesses?q={q}&limit=2"))
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let page1 = items(&first.body);
    assert_eq!(page1.len(), 2);
    let cursor = first.body["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let second = admin
        .get(&format!(
            "/api/admin/businesses?q={q}&limit=2&cursor={cursor}"
        ))
        .await;
    let page2 = items(&second.body);
    assert_eq!(page2.len(), 1, "{}", second.body);
    assert!(second.body["next_cursor"].is_null());
    let names: Vec<&str> = page1
        .iter()
        .chain(&page2)
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names[2],
        format!("Usage Motors {tag}"),
        "oldest last: {names:?}"
    );
    assert!(names
        .iter()
        .all(|n| n.to_lowercase().contains(&needle.to_lowercase())));

    let v = &page2[0];
    assert_eq!(v["id"], json!(biz.id));
    assert_eq!(
        v["usage"],
        json!({"members": 4, "numbers": 1, "pages": 0, "conversations": 3,
               "messages_30d": 3, "media_bytes": 0}),
        "{v}"
    );
    assert_eq!(v["suspended"], false);
    assert!(v["suspended_at"].is_null());
    assert_eq!(
        v["limits"],
        json!({"max_members": null, "max_numbers": null, "max_flows": null})
    );
    assert_eq!(v["owners"].as_array().unwrap().len(), 1);
    assert_eq!(v["owners"][0]["email"], biz.owner());
    assert!(v["support_access_until"].is_null());
    assert_eq!(view_of(&admin, &biz.id.to_string()).await, *v);

    let bad = admin.get("/api/admin/businesses?cursor=nope").await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let missing = admin
        .get(&format!("/api/admin/businesses/{}", ulid::Ulid::new()))
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn an_admin_creates_a_business_whose_owner_can_sign_in() {
    let h = Harness::start();
    let admin = admin(&h).await;
    let email = format!("founder-{}@new.test", ulid::Ulid::new()).to_lowercase();
    let r = admin
        .post(
            "/api/admin/businesses",
            json!({"name": "  Fresh Start  ", "owner_email": email, "owner_name": "Founder",
                   "owner_password": PASSWORD, "default_country": "br",
                   "limits": {"max_members": 3, "max_flows": 0}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["name"], "Fresh Start");
    assert_eq!(r.body["default_country"], "BR");
    assert_eq!(
        r.body["limits"],
        json!({"max_members": 3, "max_numbers": null, "max_flows": 0})
    );
    assert_eq!(r.body["owners"][0]["email"], email);
    assert_eq!(r.body["usage"]["members"], 1);
    let id = r.body["id"].as_str().unwrap().to_string();
    let owner = h.login(&email).await;
    assert_eq!(
        owner.get("/api/auth/me").await.body["business"]["id"],
        json!(id)
    );
    assert!(audit_actions(&admin, &id)
        .await
        .contains(&"business_created".to_string()));

    for (body, field) in [
        (
            json!({"name": "", "owner_email": "a@b.test", "owner_name": "A"}),
            "name",
        ),
        (
            json!({"name": "X", "owner_email": "nope", "owner_name": "A"}),
            "owner_email",
        ),
        (
            json!({"name": "X", "owner_email": "a@b.test", "owner_name": "A", "limits": {"max_seats": 1}}),
            "limits.max_seats",
        ),
        (
            json!({"name": "X", "owner_email": "a@b.test", "owner_name": "A", "limits": {"max_flows": -1}}),
            "limits.max_flows",
        ),
    ] {
        let r = admin.post("/api/admin/businesses", body).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["error"]["details"][0]["field"], field, "{}", r.body);
    }
}

#[tokio::test]
async fn limits_refuse_the_next_member_number_and_flow_until_raised() {
    let h = Harness::start();
    let biz = h.new_business("Capped").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "CAP-PN1").await;
    let admin = admin(&h).await;
    let id = biz.id.to_string();
    let v = set_limits(
        &admin,
        &id,
        json!({"max_members": 4, "max_numbers": 1, "max_flows": 0}),
    )
    .await;
    assert_eq!(
        v["limits"],
        json!({"max_members": 4, "max_numbers": 1, "max_flows": 0})
    );

    let member = |n: u32| json!({"name": "New", "email": format!("new{n}-{id}@x.test").to_lowercase(), "role": "member"});
    let invite =
        |n: u32| json!({"email": format!("inv{n}-{id}@x.test").to_lowercase(), "role": "member"});
    let number = |pn: &str| {
        json!({"phone_number_id": pn, "display_phone_number": "+1 555 000 2222",
                                   "waba_id": "W", "access_token": "t"})
    };
    let refused = [
        owner.post("/api/members", member(1)).await,
        owner.post("/api/invites", invite(1)).await,
        owner.post("/api/whatsapp/numbers", number("CAP-PN2")).await,
        owner
            .post("/api/flows", json!({"name": "One too many"}))
            .await,
    ];
    for r in &refused {
        assert_eq!((r.status, r.code()), (409, "limit_reached"), "{}", r.body);
    }
    let after = view_of(&admin, &id).await;
    assert_eq!(after["usage"]["members"], 4, "nothing was added: {after}");
    assert_eq!(after["usage"]["numbers"], 1);

    // Raised (numbers, flows) or lifted (members): the same requests go through.
    let v = set_limits(
        &admin,
        &id,
        json!({"max_members": null, "max_numbers": 2, "max_flows": 1}),
    )
    .await;
    assert_eq!(
        v["limits"],
        json!({"max_members": null, "max_numbers": 2, "max_flows": 1})
    );
    for r in [
        owner.post("/api/members", member(2)).await,
        owner.post("/api/invites", invite(2)).await,
        owner.post("/api/whatsapp/numbers", number("CAP-PN2")).await,
        owner.post("/api/flows", json!({"name": "Allowed"})).await,
    ] {
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = owner.post("/api/flows", json!({"name": "Third"})).await;
    assert_eq!((r.status, r.code()), (409, "limit_reached"));
    assert_eq!(view_of(&admin, &id).await["usage"]["members"], 5);
    assert!(audit_actions(&admin, &id)
        .await
        .contains(&"business_updated".to_string()));

    // A partial change keeps the other limits.
    let v = set_limits(&admin, &id, json!({"max_flows": 5})).await;
    assert_eq!(
        v["limits"],
        json!({"max_members": null, "max_numbers": 2, "max_flows": 5})
    );
}
