//! The RBAC matrix: every registered route × {anonymous, another business's
//! owner, member, lead, owner}. A route missing from the matrix fails the test,
//! so new routes must join it.
use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{wa::text, Client, Harness};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anon,
    Other,
    Member,
    Lead,
    Owner,
}

/// Destructive successes come last, so the order matters: owner acts after the others.
const ORDER: [Who; 5] = [Who::Anon, Who::Other, Who::Member, Who::Lead, Who::Owner];

struct Case {
    method: Method,
    pattern: &'static str,
    path: String,
    body: Box<dyn Fn(Who) -> Option<Value>>,
    expect: [u16; 5],
}

fn case(method: Method, pattern: &'static str, path: impl Into<String>, expect: [u16; 5]) -> Case {
    Case {
        method,
        pattern,
        path: path.into(),
        body: Box::new(|_| None),
        expect,
    }
}

fn with_body(
    method: Method,
    pattern: &'static str,
    path: impl Into<String>,
    body: impl Fn(Who) -> Value + 'static,
    expect: [u16; 5],
) -> Case {
    Case {
        method,
        pattern,
        path: path.into(),
        body: Box::new(move |w| Some(body(w))),
        expect,
    }
}

fn tag(w: Who) -> String {
    format!("{w:?}-{}", ulid::Ulid::new()).to_lowercase()
}

#[tokio::test]
async fn every_route_answers_each_role_as_expected() {
    use Method as M;
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let other_biz = h.new_business("Rival").await;
    let owner = h.login(biz.owner()).await;
    let clients = [
        h.client(),
        h.login(other_biz.owner()).await,
        h.login(biz.member()).await,
        h.login(biz.lead()).await,
        owner.clone(),
    ];

    // Victims and fixtures the destructive rows act on.
    let token = owner
        .post("/api/tokens", json!({"name": "victim"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mk = |email: String, team| json!({"name": "Victim", "email": email, "role": "member", "team_id": team});
    let v1 = owner
        .post(
            "/api/members",
            mk(format!("v1-{}@x.test", tag(Who::Owner)), biz.team_a),
        )
        .await;
    let v2 = owner
        .post(
            "/api/members",
            mk(format!("v2-{}@x.test", tag(Who::Owner)), biz.team_b),
        )
        .await;
    let (v1, v2) = (
        v1.body["id"].as_str().unwrap().to_string(),
        v2.body["id"].as_str().unwrap().to_string(),
    );
    let team_c = owner
        .post("/api/teams", json!({"name": "Team C"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (m, x, ta, tb) = (biz.member_id, biz.other_member_id, biz.team_a, biz.team_b);

    // Conversations: c1 assigned to the member (team A), c2 to the other member
    // (team B), c3 unassigned.
    h.register_number(&owner, "rbac-number").await;
    for (phone, wamid) in [
        ("5511900000001", "w1"),
        ("5511900000002", "w2"),
        ("5511900000003", "w3"),
    ] {
        assert_eq!(
            h.webhook(&text("rbac-number", phone, "Lead", wamid, "hi"))
                .await
                .status,
            200
        );
    }
    let list = owner.get("/api/conversations").await;
    let conv = |phone: &str| {
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["contact"]["phone"] == format!("+{phone}"))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (c1, c2, c3) = (
        conv("5511900000001"),
        conv("5511900000002"),
        conv("5511900000003"),
    );
    let contact_of = |phone: &str| {
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["contact"]["phone"] == format!("+{phone}"))
            .unwrap()["contact"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // c3's contact: the erase row (near the end) removes it.
    let (k2, k3) = (contact_of("5511900000002"), contact_of("5511900000003"));
    assert_eq!(
        owner
            .patch(
                &format!("/api/conversations/{c1}"),
                json!({"assignee_id": m})
            )
            .await
            .status,
        200
    );
    assert_eq!(
        owner
            .patch(
                &format!("/api/conversations/{c2}"),
                json!({"assignee_id": x})
            )
            .await
            .status,
        200
    );
    let number_list = owner.get("/api/whatsapp/numbers").await;
    let number_id = number_list.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = owner
        .get(&format!("/api/conversations/{c1}/messages"))
        .await;
    let m1 = first.body["items"][0]["id"].as_str().unwrap().to_string();
    let hook = owner
        .post(
            "/api/channels",
            json!({"kind": "webhook", "name": "Victim"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let new_channel = |kind: &'static str, name: &'static str| {
        let owner = owner.clone();
        async move {
            owner
                .post("/api/channels", json!({"kind": kind, "name": name}))
                .await
                .body
                .clone()
        }
    };
    let doomed = new_channel("webhook", "Doomed").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let walkin = new_channel("walkin", "Door").await["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let fb_page = |name: &'static str| {
        let owner = owner.clone();
        async move {
            owner
                .post(
                    "/api/facebook/pages",
                    json!({"sandbox": true, "name": name}),
                )
                .await
                .body
                .clone()
        }
    };
    let fbpage = fb_page("Page").await;
    let (fbpage, fbform) = (
        fbpage["id"].as_str().unwrap().to_string(),
        fbpage["forms"][0]["id"].as_str().unwrap().to_string(),
    );
    let fbdoomed = fb_page("Doomed page").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fbimport = owner
        .post(
            &format!("/api/facebook/pages/{fbpage}/import"),
            json!({"form_id": fbform}),
        )
        .await
        .body["import_id"]
        .as_str()
        .unwrap()
        .to_string();
    let flow_body = json!({"name": "Victim flow", "nodes": [
        {"id": "t", "type": "trigger", "position": {"x": 0, "y": 0}, "data": {"on": "keyword", "keywords": ["never-sent"]}},
        {"id": "m", "type": "message", "position": {"x": 0, "y": 0}, "data": {"kind": "text", "text": "hi"}}],
        "edges": [{"id": "e", "source": "t", "target": "m", "sourceHandle": "next"}]});
    let new_flow = |body: Value| {
        let owner = owner.clone();
        async move {
            owner.post("/api/flows", body).await.body["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let flow = new_flow(flow_body.clone()).await;
    let doomed_flow = new_flow(flow_body.clone()).await;
    let sim = owner
        .post(&format!("/api/flows/{flow}/simulate"), json!({}))
        .await
        .body["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let when = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let new_followup = |note: &'static str| {
        let (owner, when, c1, m) = (owner.clone(), when.clone(), c1.clone(), biz.member_id);
        async move {
            owner
                .post("/api/followups", json!({"conversation_id": c1, "note": note, "scheduled_for": when, "assignee_id": m}))
                .await
                .body["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let followup = new_followup("Call back").await;
    let doomed_followup = new_followup("Doomed").await;
    let new_invite = |email: &'static str| {
        let owner = owner.clone();
        async move {
            owner
                .post("/api/invites", json!({"email": email, "role": "member"}))
                .await
                .body["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let invite = new_invite("resend@invite.test").await;
    let doomed_invite = new_invite("doomed@invite.test").await;
    let csv = b"name,phone\nAna,+5511999990000\n";
    let new_import = || async {
        crate::imports::upload(&owner, "a.csv", csv, &[("kind", "csv")])
            .await
            .body["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let import = new_import().await;
    let doomed_import = new_import().await;
    let device = |endpoint: String| {
        json!({"endpoint": endpoint, "keys": {"auth": "BTBZMqHH6r4Tts7J_aSIgg",
               "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"}})
    };
    let owners_device = owner
        .post(
            "/api/push/subscriptions",
            device("http://127.0.0.1:9/push/owner".into()),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sandbox = owner
        .post("/api/whatsapp/numbers", json!({"sandbox": true}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let quick = owner
        .post(
            "/api/quick-replies",
            json!({"shortcut": "victim", "text": "Hello!"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A second browser of the owner's, for the session rows to end.
    let spare = h.login(biz.owner()).await;
    let spare_session = spare.get("/api/auth/sessions").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let cases = vec![
        case(M::GET, "/healthz", "/healthz", [200, 200, 200, 200, 200]),
        case(M::GET, "/readyz", "/readyz", [200, 200, 200, 200, 200]),
        case(M::GET, "/metrics", "/metrics", [200, 200, 200, 200, 200]),
        case(
            M::GET,
            "/api/openapi.json",
            "/api/openapi.json",
            [200, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/setup",
            "/api/setup",
            [200, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/setup",
            "/api/setup",
            |w| json!({"business_name": "X", "name": "X", "email": format!("{}@x.test", tag(w)), "password": "long-enough"}),
            [409, 409, 409, 409, 409],
        ),
        with_body(
            M::POST,
            "/api/auth/login",
            "/api/auth/login",
            |_| json!({"email": "nobody@x.test", "password": "wrong-password"}),
            [401, 401, 401, 401, 401],
        ),
        case(
            M::GET,
            "/api/auth/me",
            "/api/auth/me",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/auth/password",
            "/api/auth/password",
            |_| json!({"current_password": "x", "new_password": "short"}),
            [401, 422, 422, 422, 422],
        ),
        case(
            M::GET,
            "/api/tokens",
            "/api/tokens",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/tokens",
            "/api/tokens",
            |w| json!({"name": tag(w)}),
            [401, 201, 201, 201, 201],
        ),
        case(
            M::DELETE,
            "/api/tokens/{id}",
            format!("/api/tokens/{token}"),
            [401, 404, 404, 404, 204],
        ),
        case(
            M::GET,
            "/api/members",
            "/api/members",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/members",
            "/api/members",
            |w| json!({"name": "New", "email": format!("{}@x.test", tag(w)), "role": "member"}),
            [401, 201, 403, 201, 201],
        ),
        // Everyone names themselves; their powers are their managers'.
        with_body(
            M::PATCH,
            "/api/members/{id}",
            format!("/api/members/{m}"),
            |_| json!({"name": "Renamed"}),
            [401, 404, 200, 200, 200],
        ),
        with_body(
            M::PATCH,
            "/api/members/{id}",
            format!("/api/members/{m}"),
            |_| json!({"permissions": []}),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::PATCH,
            "/api/members/{id}",
            format!("/api/members/{x}"),
            |_| json!({"name": "Renamed"}),
            [401, 404, 404, 404, 200],
        ),
        with_body(
            M::PUT,
            "/api/members/{id}/availability",
            format!("/api/members/{m}/availability"),
            |_| json!({"available": false}),
            [401, 404, 200, 200, 200],
        ),
        with_body(
            M::PUT,
            "/api/members/{id}/availability",
            format!("/api/members/{x}/availability"),
            |_| json!({"available": false}),
            [401, 404, 404, 404, 200],
        ),
        // The lead removes v1 (their team); the owner then finds it gone.
        case(
            M::DELETE,
            "/api/members/{id}",
            format!("/api/members/{v1}"),
            [401, 404, 403, 204, 404],
        ),
        case(
            M::DELETE,
            "/api/members/{id}",
            format!("/api/members/{v2}"),
            [401, 404, 404, 404, 204],
        ),
        case(
            M::GET,
            "/api/teams",
            "/api/teams",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/teams",
            "/api/teams",
            |w| json!({"name": tag(w)}),
            [401, 201, 403, 403, 201],
        ),
        with_body(
            M::PATCH,
            "/api/teams/{id}",
            format!("/api/teams/{ta}"),
            |w| json!({"name": tag(w)}),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::PATCH,
            "/api/teams/{id}",
            format!("/api/teams/{tb}"),
            |w| json!({"name": tag(w)}),
            [401, 404, 404, 404, 200],
        ),
        case(
            M::DELETE,
            "/api/teams/{id}",
            format!("/api/teams/{team_c}"),
            [401, 404, 404, 404, 204],
        ),
        case(
            M::GET,
            "/api/conversations",
            "/api/conversations",
            [401, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/conversations/{id}",
            format!("/api/conversations/{c1}"),
            [401, 404, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/conversations/{id}",
            format!("/api/conversations/{c2}"),
            [401, 404, 404, 404, 200],
        ),
        case(
            M::GET,
            "/api/conversations/{id}",
            format!("/api/conversations/{c3}"),
            [401, 404, 404, 200, 200],
        ),
        with_body(
            M::PATCH,
            "/api/conversations/{id}",
            format!("/api/conversations/{c1}"),
            |_| json!({"labels": ["vip"]}),
            [401, 404, 200, 200, 200],
        ),
        with_body(
            M::PATCH,
            "/api/conversations/{id}",
            format!("/api/conversations/{c2}"),
            |_| json!({"status": "closed"}),
            [401, 404, 404, 404, 200],
        ),
        // Members cannot see unassigned work; the lead hands it to their member.
        with_body(
            M::PATCH,
            "/api/conversations/{id}",
            format!("/api/conversations/{c3}"),
            move |_| json!({"assignee_id": m}),
            [401, 404, 404, 200, 200],
        ),
        case(
            M::GET,
            "/api/conversations/{id}/messages",
            format!("/api/conversations/{c1}/messages"),
            [401, 404, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/conversations/{id}/messages",
            format!("/api/conversations/{c2}/messages"),
            [401, 404, 404, 404, 200],
        ),
        case(
            M::GET,
            "/api/whatsapp/numbers/{id}/templates",
            format!("/api/whatsapp/numbers/{number_id}/templates"),
            [401, 404, 200, 200, 200],
        ),
        // No fake Meta here: an authorised sync fails upstream (502), which proves it got past access.
        with_body(
            M::POST,
            "/api/whatsapp/numbers/{id}/templates/sync",
            format!("/api/whatsapp/numbers/{number_id}/templates/sync"),
            |_| json!({}),
            [401, 404, 403, 403, 502],
        ),
        with_body(
            M::POST,
            "/api/conversations/{id}/attachments",
            format!("/api/conversations/{c1}/attachments?filename=a.json"),
            |_| json!({"any": "bytes"}),
            [401, 404, 201, 201, 201],
        ),
        with_body(
            M::POST,
            "/api/conversations/{id}/attachments",
            format!("/api/conversations/{c2}/attachments"),
            |_| json!({"any": "bytes"}),
            [401, 404, 404, 404, 201],
        ),
        with_body(
            M::PATCH,
            "/api/whatsapp/numbers/{id}",
            format!("/api/whatsapp/numbers/{number_id}"),
            |_| json!({"display_phone_number": "+1 555 000 2222"}),
            [401, 404, 403, 403, 200],
        ),
        // A plain GET is no WebSocket handshake: 400 once authenticated, 401 before.
        case(M::GET, "/api/ws", "/api/ws", [401, 400, 400, 400, 400]),
        // The simulator speaks for any customer of the business: owners only.
        case(
            M::GET,
            "/api/simulator/{number_id}/chats",
            format!("/api/simulator/{sandbox}/chats"),
            [401, 404, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/simulator/{number_id}/chats/{wa_id}",
            format!("/api/simulator/{sandbox}/chats/5511900000009"),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/simulator/{number_id}/chats/{wa_id}/messages",
            format!("/api/simulator/{sandbox}/chats/5511900000009/messages"),
            |_| json!({"type": "text", "text": "hi from the simulator"}),
            [401, 404, 403, 403, 202],
        ),
        case(
            M::GET,
            "/api/quick-replies",
            "/api/quick-replies",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/quick-replies",
            "/api/quick-replies",
            |w| json!({"shortcut": tag(w).chars().take(30).collect::<String>(), "text": "Hi"}),
            [401, 201, 403, 201, 201],
        ),
        with_body(
            M::PATCH,
            "/api/quick-replies/{id}",
            format!("/api/quick-replies/{quick}"),
            |_| json!({"text": "Hello again"}),
            [401, 404, 403, 200, 200],
        ),
        case(
            M::DELETE,
            "/api/quick-replies/{id}",
            format!("/api/quick-replies/{quick}"),
            [401, 404, 403, 204, 404],
        ),
        // An inbound message is never ours to resend.
        with_body(
            M::POST,
            "/api/conversations/{id}/messages/{message_id}/retry",
            format!("/api/conversations/{c1}/messages/{m1}/retry"),
            |_| json!({}),
            [401, 404, 404, 404, 404],
        ),
        case(
            M::GET,
            "/api/whatsapp/numbers/{id}/pool",
            format!("/api/whatsapp/numbers/{number_id}/pool"),
            [401, 404, 200, 200, 200],
        ),
        with_body(
            M::PUT,
            "/api/whatsapp/numbers/{id}/pool",
            format!("/api/whatsapp/numbers/{number_id}/pool"),
            move |_| json!({"mode": "round_robin", "members": [{"member_id": m}]}),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/leads",
            "/api/leads",
            |w| json!({"name": format!("Lead of {w:?}"), "email": format!("{}@leads.test", tag(w))}),
            [401, 201, 201, 201, 201],
        ),
        case(
            M::GET,
            "/api/leads/pool",
            "/api/leads/pool",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::PUT,
            "/api/leads/pool",
            "/api/leads/pool",
            move |_| json!({"mode": "weighted", "members": []}),
            [401, 200, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/channels",
            "/api/channels",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/channels",
            "/api/channels",
            |w| json!({"kind": "webhook", "name": format!("Hook of {w:?}")}),
            [401, 201, 403, 403, 201],
        ),
        with_body(
            M::PUT,
            "/api/channels/{id}/pool",
            format!("/api/channels/{hook}/pool"),
            |_| json!({"mode": "round_robin", "members": []}),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/channels/{id}/token",
            format!("/api/channels/{hook}/token"),
            |_| json!({}),
            [401, 404, 403, 403, 200],
        ),
        // Only the channel's own token opens it; a session is not one.
        with_body(
            M::POST,
            "/hooks/{id}",
            format!("/hooks/{hook}"),
            |_| json!({"phone": "+5511900000001"}),
            [401, 401, 401, 401, 401],
        ),
        case(
            M::GET,
            "/api/channels/{id}/pool",
            format!("/api/channels/{hook}/pool"),
            [401, 404, 200, 200, 200],
        ),
        case(
            M::DELETE,
            "/api/channels/{id}",
            format!("/api/channels/{doomed}"),
            [401, 404, 403, 403, 204],
        ),
        // The walk-in form, its QR code and poster are public.
        case(
            M::GET,
            "/w/{slug}",
            format!("/w/{walkin}"),
            [200, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/w/{slug}/qr.svg",
            format!("/w/{walkin}/qr.svg"),
            [200, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/w/{slug}/qr.png",
            format!("/w/{walkin}/qr.png"),
            [200, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/w/{slug}/poster",
            format!("/w/{walkin}/poster"),
            [200, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/w/{slug}/thanks.js",
            format!("/w/{walkin}/thanks.js"),
            [200, 200, 200, 200, 200],
        ),
        // A JSON body is not the form; nobody gets in with it.
        with_body(
            M::POST,
            "/w/{slug}",
            format!("/w/{walkin}"),
            |_| json!({"name": "x"}),
            [415, 415, 415, 415, 415],
        ),
        case(
            M::GET,
            "/api/business",
            "/api/business",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::PATCH,
            "/api/business",
            "/api/business",
            |_| json!({"default_country": "BR"}),
            [401, 200, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/leads",
            "/api/leads",
            [401, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/exports/leads.csv",
            "/api/exports/leads.csv",
            [401, 200, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/exports/conversations.csv",
            "/api/exports/conversations.csv",
            [401, 200, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/facebook/pages",
            "/api/facebook/pages",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/facebook/pages",
            "/api/facebook/pages",
            |_| json!({"sandbox": true}),
            [401, 201, 403, 403, 201],
        ),
        case(
            M::DELETE,
            "/api/facebook/pages/{id}",
            format!("/api/facebook/pages/{fbdoomed}"),
            [401, 404, 403, 403, 204],
        ),
        case(
            M::GET,
            "/api/facebook/pages/{id}/pool",
            format!("/api/facebook/pages/{fbpage}/pool"),
            [401, 404, 200, 200, 200],
        ),
        with_body(
            M::PUT,
            "/api/facebook/pages/{id}/pool",
            format!("/api/facebook/pages/{fbpage}/pool"),
            |_| json!({"mode": "round_robin", "members": []}),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/facebook/pages/{id}/import",
            format!("/api/facebook/pages/{fbpage}/import"),
            move |_| json!({"form_id": "123"}),
            [401, 404, 403, 403, 202],
        ),
        case(
            M::GET,
            "/api/facebook/imports/{id}",
            format!("/api/facebook/imports/{fbimport}"),
            [401, 404, 200, 200, 200],
        ),
        // Everyone has their own notifications.
        case(
            M::GET,
            "/api/notifications",
            "/api/notifications",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/notifications/read",
            "/api/notifications/read",
            |_| json!({}),
            [401, 204, 204, 204, 204],
        ),
        // The test server has no Meta app: owners learn that, others may not connect.
        case(
            M::GET,
            "/api/facebook/oauth/start",
            "/api/facebook/oauth/start",
            [401, 409, 403, 403, 409],
        ),
        case(
            M::GET,
            "/api/facebook/oauth/callback",
            "/api/facebook/oauth/callback?code=x&state=y",
            [401, 409, 403, 403, 409],
        ),
        case(
            M::GET,
            "/webhooks/facebook",
            "/webhooks/facebook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
            [403, 403, 403, 403, 403],
        ),
        with_body(
            M::POST,
            "/webhooks/facebook",
            "/webhooks/facebook",
            |_| json!({"object": "page", "entry": []}),
            [401, 401, 401, 401, 401],
        ),
        // Meta's data-deletion callback: only a signed_request gets in.
        with_body(
            M::POST,
            "/webhooks/facebook/data-deletion",
            "/webhooks/facebook/data-deletion",
            |_| json!({"signed_request": "x.y"}),
            [401, 401, 401, 401, 401],
        ),
        // The status page is public; an unknown code is just not found.
        case(
            M::GET,
            "/data-deletion/{code}",
            "/data-deletion/0123456789abcdef01234567",
            [404, 404, 404, 404, 404],
        ),
        with_body(
            M::POST,
            "/api/simulator/facebook/{page_id}/leads",
            format!("/api/simulator/facebook/{fbpage}/leads"),
            |_| json!({"name": "Sim"}),
            [401, 404, 403, 403, 202],
        ),
        // Flows are for those who build them (owners; manage_flows).
        case(
            M::GET,
            "/api/flows",
            "/api/flows",
            [401, 200, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/flows",
            "/api/flows",
            move |_| json!({"name": "New"}),
            [401, 201, 403, 403, 201],
        ),
        case(
            M::GET,
            "/api/flows/templates",
            "/api/flows/templates",
            [401, 200, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/flows/{id}",
            format!("/api/flows/{flow}"),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::PUT,
            "/api/flows/{id}",
            format!("/api/flows/{flow}"),
            |_| json!({"name": "Renamed"}),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/flows/{id}/validate",
            format!("/api/flows/{flow}/validate"),
            |_| json!({}),
            [401, 404, 403, 403, 200],
        ),
        // No number chosen: publishing is refused for what the flow lacks.
        with_body(
            M::POST,
            "/api/flows/{id}/publish",
            format!("/api/flows/{flow}/publish"),
            |_| json!({}),
            [401, 404, 403, 403, 422],
        ),
        with_body(
            M::POST,
            "/api/flows/{id}/disable",
            format!("/api/flows/{flow}/disable"),
            |_| json!({}),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/flows/{id}/duplicate",
            format!("/api/flows/{flow}/duplicate"),
            |_| json!({}),
            [401, 404, 403, 403, 201],
        ),
        case(
            M::GET,
            "/api/flows/{id}/versions",
            format!("/api/flows/{flow}/versions"),
            [401, 404, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/flows/{id}/versions/{version}",
            format!("/api/flows/{flow}/versions/1"),
            [401, 404, 403, 403, 404],
        ),
        case(
            M::GET,
            "/api/flows/{id}/stats",
            format!("/api/flows/{flow}/stats"),
            [401, 404, 403, 403, 200],
        ),
        case(
            M::DELETE,
            "/api/flows/{id}",
            format!("/api/flows/{doomed_flow}"),
            [401, 404, 403, 403, 204],
        ),
        with_body(
            M::POST,
            "/api/flows/{id}/simulate",
            format!("/api/flows/{flow}/simulate"),
            |_| json!({}),
            [401, 404, 403, 403, 201],
        ),
        with_body(
            M::POST,
            "/api/flows/simulations/{session}/input",
            format!("/api/flows/simulations/{sim}/input"),
            |_| json!({"text": "hello"}),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/flows/simulations/{session}/advance",
            format!("/api/flows/simulations/{sim}/advance"),
            |_| json!({"seconds": 5}),
            [401, 404, 403, 403, 200],
        ),
        case(
            M::DELETE,
            "/api/flows/simulations/{session}",
            format!("/api/flows/simulations/{sim}"),
            [401, 204, 403, 403, 204],
        ),
        // A conversation's runs are for whoever sees the conversation.
        case(
            M::GET,
            "/api/conversations/{id}/runs",
            format!("/api/conversations/{c1}/runs"),
            [401, 404, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/flow-runs/{id}/cancel",
            "/api/flow-runs/01M8CMXNAW4SZ7E2REWZA5D3QT/cancel",
            |_| json!({}),
            [401, 404, 404, 404, 404],
        ),
        with_body(
            M::POST,
            "/api/flow-runs/{id}/resume",
            "/api/flow-runs/01M8CMXNAW4SZ7E2REWZA5D3QT/resume",
            |_| json!({"node_id": "t"}),
            [401, 404, 403, 403, 404],
        ),
        // Follow-ups are seen as their assignee's conversations are.
        case(
            M::GET,
            "/api/followups",
            "/api/followups",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/followups",
            "/api/followups",
            {
                let (c1, when) = (c1.clone(), when.clone());
                move |_| json!({"conversation_id": c1, "note": "Ring", "scheduled_for": when})
            },
            [401, 404, 201, 201, 201],
        ),
        with_body(
            M::PATCH,
            "/api/followups/{id}",
            format!("/api/followups/{followup}"),
            |_| json!({"note": "Call back today"}),
            [401, 404, 200, 200, 200],
        ),
        case(
            M::DELETE,
            "/api/followups/{id}",
            format!("/api/followups/{doomed_followup}"),
            [401, 404, 204, 404, 404],
        ),
        case(
            M::GET,
            "/api/conversations/{id}/followups",
            format!("/api/conversations/{c1}/followups"),
            [401, 404, 200, 200, 200],
        ),
        // Identity: public; the test server has neither Google nor open sign-up.
        case(
            M::GET,
            "/api/auth/providers",
            "/api/auth/providers",
            [200, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/auth/google/start",
            "/api/auth/google/start?next=/",
            [409, 409, 409, 409, 409],
        ),
        case(
            M::GET,
            "/api/auth/google/callback",
            "/api/auth/google/callback?code=x&state=y",
            [409, 409, 409, 409, 409],
        ),
        with_body(
            M::POST,
            "/api/auth/signup",
            "/api/auth/signup",
            |w| json!({"business_name": "X", "name": "X", "email": format!("{}@x.test", tag(w)), "password": "long-enough"}),
            [403, 403, 403, 403, 403],
        ),
        // A bad link lands on the sign-in page (the UI), whoever follows it.
        case(
            M::GET,
            "/api/auth/verify-email",
            "/api/auth/verify-email?token=not-a-token",
            [200, 200, 200, 200, 200],
        ),
        // Anyone may ask for a reset; the answer never says whether the address exists.
        with_body(
            M::POST,
            "/api/auth/forgot",
            "/api/auth/forgot",
            |_| json!({"email": "who@nowhere.test"}),
            [202, 202, 202, 202, 202],
        ),
        with_body(
            M::POST,
            "/api/auth/reset",
            "/api/auth/reset",
            |_| json!({"token": "not-a-token", "password": "long-enough-password"}),
            [400, 400, 400, 400, 400],
        ),
        case(
            M::GET,
            "/api/mail/outbox",
            "/api/mail/outbox",
            [401, 200, 403, 403, 200],
        ),
        // Invitations: owners, and leads for their own team.
        case(
            M::GET,
            "/api/invites",
            "/api/invites",
            [401, 200, 403, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/invites",
            "/api/invites",
            |w| json!({"email": format!("new-{}@invite.test", tag(w)), "role": "member"}),
            [401, 201, 403, 201, 201],
        ),
        with_body(
            M::POST,
            "/api/invites/accept",
            "/api/invites/accept",
            |_| json!({"token": "not-a-token", "name": "X", "password": "long-enough-password"}),
            [400, 400, 400, 400, 400],
        ),
        with_body(
            M::POST,
            "/api/invites/lookup",
            "/api/invites/lookup",
            |_| json!({"token": "not-a-token"}),
            [400, 400, 400, 400, 400],
        ),
        with_body(
            M::POST,
            "/api/invites/{id}/resend",
            format!("/api/invites/{invite}/resend"),
            |_| json!({}),
            [401, 404, 403, 404, 200],
        ),
        case(
            M::DELETE,
            "/api/invites/{id}",
            format!("/api/invites/{doomed_invite}"),
            [401, 404, 403, 404, 204],
        ),
        with_body(
            M::POST,
            "/api/imports",
            "/api/imports",
            |_| json!({"kind": "csv"}),
            [401, 415, 403, 403, 415],
        ),
        case(
            M::GET,
            "/api/imports",
            "/api/imports",
            [401, 200, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/imports/{id}",
            format!("/api/imports/{import}"),
            [401, 404, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/imports/{id}/preview",
            format!("/api/imports/{import}/preview"),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::PUT,
            "/api/imports/{id}/mapping",
            format!("/api/imports/{import}/mapping"),
            |_| json!({"columns": {"phone": "phone", "name": "name"}}),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/imports/{id}/start",
            format!("/api/imports/{import}/start"),
            |_| json!({}),
            [401, 404, 403, 403, 202],
        ),
        case(
            M::GET,
            "/api/imports/{id}/errors.csv",
            format!("/api/imports/{import}/errors.csv"),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/imports/{id}/cancel",
            format!("/api/imports/{doomed_import}/cancel"),
            |_| json!({}),
            [401, 404, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/dashboard",
            "/api/dashboard",
            [401, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/search",
            "/api/search?q=hello",
            [401, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/push/key",
            "/api/push/key",
            [401, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/push/subscriptions",
            "/api/push/subscriptions",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/push/subscriptions",
            "/api/push/subscriptions",
            move |w| device(format!("http://127.0.0.1:9/push/{}", tag(w))),
            [401, 201, 201, 201, 201],
        ),
        case(
            M::DELETE,
            "/api/push/subscriptions/{id}",
            format!("/api/push/subscriptions/{owners_device}"),
            [401, 404, 404, 404, 204],
        ),
        with_body(
            M::POST,
            "/api/push/test",
            "/api/push/test",
            |_| json!({}),
            [401, 202, 202, 202, 202],
        ),
        case(
            M::GET,
            "/api/profile/reminders",
            "/api/profile/reminders",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::PUT,
            "/api/profile/reminders",
            "/api/profile/reminders",
            |_| json!({"email": true, "push": false}),
            [401, 200, 200, 200, 200],
        ),
        // A text message has no file: nobody learns more than "not found".
        case(
            M::GET,
            "/api/conversations/{id}/messages/{message_id}/media",
            format!("/api/conversations/{c1}/messages/{m1}/media"),
            [401, 404, 404, 404, 404],
        ),
        // The fixture's customer wrote long ago: the window is closed, so a scoped
        // send is refused for the window (422), never for lack of access.
        with_body(
            M::POST,
            "/api/conversations/{id}/messages",
            format!("/api/conversations/{c1}/messages"),
            |_| json!({"type": "text", "text": "hi"}),
            [401, 404, 422, 422, 422],
        ),
        with_body(
            M::POST,
            "/api/conversations/{id}/messages",
            format!("/api/conversations/{c2}/messages"),
            |_| json!({"type": "text", "text": "hi"}),
            [401, 404, 404, 404, 422],
        ),
        case(
            M::GET,
            "/api/conversations/{id}/notes",
            format!("/api/conversations/{c1}/notes"),
            [401, 404, 200, 200, 200],
        ),
        // What was done to a conversation: whoever may open it; c2 is team B's.
        case(
            M::GET,
            "/api/conversations/{id}/activity",
            format!("/api/conversations/{c2}/activity"),
            [401, 404, 404, 404, 200],
        ),
        with_body(
            M::POST,
            "/api/conversations/{id}/notes",
            format!("/api/conversations/{c1}/notes"),
            |w| json!({"text": format!("note by {w:?}")}),
            [401, 404, 201, 201, 201],
        ),
        with_body(
            M::POST,
            "/api/conversations/{id}/notes",
            format!("/api/conversations/{c2}/notes"),
            |_| json!({"text": "x"}),
            [401, 404, 404, 404, 201],
        ),
        with_body(
            M::POST,
            "/api/conversations/{id}/read",
            format!("/api/conversations/{c1}/read"),
            |_| json!({}),
            [401, 404, 204, 204, 204],
        ),
        with_body(
            M::POST,
            "/api/conversations/{id}/read",
            format!("/api/conversations/{c2}/read"),
            |_| json!({}),
            [401, 404, 404, 404, 204],
        ),
        case(
            M::GET,
            "/api/whatsapp/numbers",
            "/api/whatsapp/numbers",
            [401, 200, 200, 200, 200],
        ),
        with_body(
            M::POST,
            "/api/whatsapp/numbers",
            "/api/whatsapp/numbers",
            |w| json!({"phone_number_id": format!("pn-{}", tag(w)), "display_phone_number": "+1 555", "waba_id": "W1", "access_token": "t"}),
            [401, 201, 403, 403, 201],
        ),
        case(
            M::GET,
            "/webhooks/whatsapp",
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
            [403, 403, 403, 403, 403],
        ),
        with_body(
            M::POST,
            "/webhooks/whatsapp",
            "/webhooks/whatsapp",
            |_| json!({"object": "whatsapp_business_account", "entry": []}),
            [401, 401, 401, 401, 401],
        ),
        case(
            M::GET,
            "/api/admin/dead-letters",
            "/api/admin/dead-letters",
            [401, 403, 403, 403, 403],
        ),
        // The platform admin API: nobody in a business reaches it.
        case(
            M::GET,
            "/api/admin/businesses",
            "/api/admin/businesses",
            [401, 403, 403, 403, 403],
        ),
        with_body(
            M::POST,
            "/api/admin/businesses",
            "/api/admin/businesses",
            |w| json!({"name": "Sneaky", "owner_email": format!("{}@x.test", tag(w)), "owner_name": "S"}),
            [401, 403, 403, 403, 403],
        ),
        case(
            M::GET,
            "/api/admin/businesses/{id}",
            format!("/api/admin/businesses/{}", biz.id),
            [401, 403, 403, 403, 403],
        ),
        with_body(
            M::PATCH,
            "/api/admin/businesses/{id}",
            format!("/api/admin/businesses/{}", biz.id),
            |_| json!({"suspended": true}),
            [401, 403, 403, 403, 403],
        ),
        case(
            M::GET,
            "/api/admin/jobs",
            "/api/admin/jobs",
            [401, 403, 403, 403, 403],
        ),
        with_body(
            M::POST,
            "/api/admin/jobs/{id}/retry",
            format!("/api/admin/jobs/{}/retry", ulid::Ulid::new()),
            |_| json!({}),
            [401, 403, 403, 403, 403],
        ),
        case(
            M::GET,
            "/api/admin/health",
            "/api/admin/health",
            [401, 403, 403, 403, 403],
        ),
        // Support access: owners grant it; only platform admins open a visit.
        case(
            M::GET,
            "/api/business/support-access",
            "/api/business/support-access",
            [401, 200, 403, 403, 200],
        ),
        with_body(
            M::PUT,
            "/api/business/support-access",
            "/api/business/support-access",
            |_| json!({"hours": 24}),
            [401, 200, 403, 403, 200],
        ),
        case(
            M::DELETE,
            "/api/business/support-access",
            "/api/business/support-access",
            [401, 200, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/admin/businesses/{id}/support-session",
            format!("/api/admin/businesses/{}/support-session", biz.id),
            |_| json!({}),
            [401, 403, 403, 403, 403],
        ),
        case(
            M::DELETE,
            "/api/admin/support-session",
            "/api/admin/support-session",
            [401, 403, 403, 403, 403],
        ),
        // The audit log: owners read their business's, admins everyone's.
        case(
            M::GET,
            "/api/audit",
            "/api/audit",
            [401, 200, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/audit",
            "/api/audit?action=no_such_action",
            [401, 400, 403, 403, 400],
        ),
        case(
            M::GET,
            "/api/admin/audit",
            "/api/admin/audit",
            [401, 403, 403, 403, 403],
        ),
        // Correcting a contact: whoever may open one of its conversations
        // (c2's is the other member's, team B).
        with_body(
            M::PATCH,
            "/api/contacts/{id}",
            format!("/api/contacts/{k2}"),
            |_| json!({"name": "Lead Two"}),
            [401, 404, 404, 404, 200],
        ),
        // Data rights for one contact: owners only; another business's is not found.
        case(
            M::GET,
            "/api/contacts/{id}/export",
            format!("/api/contacts/{k3}/export"),
            [401, 404, 403, 403, 200],
        ),
        with_body(
            M::POST,
            "/api/contacts/{id}/erase",
            format!("/api/contacts/{k3}/erase"),
            |_| json!({"confirm": "ERASE"}),
            [401, 404, 403, 403, 200],
        ),
        // Everyone manages their own sessions; another user's is not found.
        case(
            M::GET,
            "/api/auth/sessions",
            "/api/auth/sessions",
            [401, 200, 200, 200, 200],
        ),
        case(
            M::DELETE,
            "/api/auth/sessions/{id}",
            format!("/api/auth/sessions/{spare_session}"),
            [401, 404, 404, 404, 204],
        ),
        case(
            M::DELETE,
            "/api/auth/sessions",
            "/api/auth/sessions",
            [401, 200, 200, 200, 200],
        ),
        // Last: it ends the sessions the rows above use.
        with_body(
            M::POST,
            "/api/auth/logout",
            "/api/auth/logout",
            |_| json!({}),
            [401, 204, 204, 204, 204],
        ),
    ];

    let mut failures = Vec::new();
    for c in &cases {
        for (i, who) in ORDER.iter().enumerate() {
            let client: &Client = &clients[i];
            let r = client
                .request(c.method.clone(), &c.path, (c.body)(*who))
                .await;
            if r.status != c.expect[i] {
                failures.push(format!(
                    "{} {} as {who:?}: expected {}, got {} {}",
                    c.method, c.path, c.expect[i], r.status, r.body
                ));
            }
            if r.status >= 400 {
                assert!(
                    r.body["error"]["code"].is_string(),
                    "{} {}: error JSON expected, got {}",
                    c.method,
                    c.path,
                    r.body
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "RBAC matrix mismatches:\n{}",
        failures.join("\n")
    );

    let covered: BTreeSet<(String, String)> = cases
        .iter()
        .map(|c| (c.method.to_string(), c.pattern.to_string()))
        .collect();
    let registered: BTreeSet<(String, String)> =
        wafunnel::http::route_table().into_iter().collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the RBAC matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );

    // The API description names the success statuses the matrix met.
    let doc = h.client().get("/api/openapi.json").await.body;
    let mut undocumented = Vec::new();
    for c in &cases {
        let method = c.method.as_str().to_lowercase();
        let responses = &doc["paths"][c.pattern][&method]["responses"];
        for status in c.expect.iter().filter(|s| (200..400).contains(*s)) {
            if responses[status.to_string()].is_null() {
                undocumented.push(format!("{} {} answers {status}", c.method, c.pattern));
            }
        }
    }
    undocumented.sort();
    undocumented.dedup();
    assert!(
        undocumented.is_empty(),
        "success statuses missing from /api/openapi.json:\n{}",
        undocumented.join("\n")
    );
}
