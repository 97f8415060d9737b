//! Facebook Lead Ads against a fake Graph: pages connect through Facebook
//! Login, a `leadgen` webhook becomes an assigned lead exactly once, a form's
//! history imports without doubling what the webhook brought, and a dead
//! token flags the page until it is reconnected, losing no lead.
use std::time::Duration;

use serde_json::{json, Value};
use wafunnel::channels::whatsapp::signature;

use crate::common::{
    client::Resp,
    fake_facebook::{FakeFacebook, APP_ID, CODE_3, FORM_ID, PAGE_3_ID, PAGE_4_ID, PAGE_ID},
    Biz, Client, Harness, APP_SECRET,
};

fn harness(fb: &FakeFacebook) -> Harness {
    let url = fb.url.clone();
    Harness::start_with(move |c| {
        c.meta.graph_url = url;
        c.meta.app_id = APP_ID.into();
        c.meta.dialog_url = "https://dialog.example".into();
    })
}

pub(crate) async fn post_signed(h: &Harness, body: &Value, secret: &str) -> Resp {
    let bytes = body.to_string().into_bytes();
    let res = reqwest::Client::new()
        .post(h.url("/webhooks/facebook"))
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            signature::sign(secret.as_bytes(), &bytes),
        )
        .body(bytes)
        .send()
        .await
        .unwrap();
    Client::read(res).await
}

/// Meta's sample: ids and times as numbers.
fn leadgen(leadgen_id: u64, page_id: &str) -> Value {
    json!({"object": "page", "entry": [{"id": page_id, "time": 1764000000, "changes": [{"field": "leadgen",
        "value": {"leadgen_id": leadgen_id, "page_id": page_id.parse::<u64>().unwrap_or(0), "form_id": FORM_ID.parse::<u64>().unwrap(),
                  "ad_id": 6040000001u64, "adgroup_id": 6040000002u64, "created_time": 1764000000}}]}]})
}

/// Facebook Login from the Channels page: where the browser lands after
/// Meta sends it back with `code`.
async fn sign_in(h: &Harness, owner: &Client, code: &str) -> String {
    let browser = owner.without_redirects();
    let res = browser
        .get(h.url("/api/facebook/oauth/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let dialog = reqwest::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(dialog.host_str(), Some("dialog.example"));
    assert_eq!(dialog.path(), "/v21.0/dialog/oauth");
    let q: std::collections::HashMap<_, _> = dialog.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], APP_ID);
    assert!(q["scope"].contains("leads_retrieval") && q["scope"].contains("pages_manage_metadata"));
    assert!(q["redirect_uri"].ends_with("/api/facebook/oauth/callback"));
    // Meta sends the browser back with a code and our state.
    let back = format!(
        "/api/facebook/oauth/callback?code={code}&state={}",
        q["state"]
    );
    let res = browser.get(h.url(&back)).send().await.unwrap();
    assert_eq!(res.status(), 302);
    res.headers()["location"].to_str().unwrap().to_string()
}

/// Facebook Login from the Channels page to the page being stored.
async fn connect(h: &Harness, owner: &Client) -> String {
    let landing = sign_in(h, owner, FakeFacebook::code()).await;
    assert!(
        landing.contains("/channels?facebook=connected"),
        "{landing}"
    );
    let pages = owner.get("/api/facebook/pages").await;
    assert_eq!(pages.body["oauth_configured"], true);
    let page = &pages.body["items"][0];
    assert_eq!(page["page_id"], PAGE_ID);
    assert_eq!(page["status"], "active");
    assert_eq!(page["forms"][0]["name"], "Spring promo");
    assert!(
        !pages.body.to_string().contains("PAGE-TOKEN"),
        "tokens never leave"
    );
    page["id"].as_str().unwrap().to_string()
}

async fn facebook_leads(owner: &Client, n: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let items = owner
            .get("/api/conversations?view=all&source=facebook")
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .clone();
        if items.len() >= n || tokio::time::Instant::now() > deadline {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn pool_of(owner: &Client, page: &str, biz: &Biz) {
    let r = owner
        .put(
            &format!("/api/facebook/pages/{page}/pool"),
            json!({"mode": "round_robin", "members": [{"member_id": biz.member_id, "weight": 1}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_connected_page_turns_each_leadgen_into_one_assigned_lead() {
    let fb = FakeFacebook::start();
    let h = harness(&fb);
    let biz = h.new_business("Loja Azul").await;
    let owner = h.login(biz.owner()).await;
    let page = connect(&h, &owner).await;
    let calls = fb.requests();
    assert!(
        calls.iter().any(|(m, p, q)| m == "POST"
            && p.ends_with(&format!("{PAGE_ID}/subscribed_apps"))
            && q.contains("subscribed_fields=leadgen")
            && q.contains("access_token=PAGE-TOKEN-1")),
        "{calls:?}"
    );
    pool_of(&owner, &page, &biz).await;

    fb.add_lead(
        "444444444444",
        "Carla Souza",
        "+5511987654321",
        "carla@example.com",
    );
    let r = post_signed(&h, &leadgen(444444444444, PAGE_ID), APP_SECRET).await;
    assert_eq!(
        (r.status, &r.body["received"]),
        (200, &json!(1)),
        "{}",
        r.body
    );
    let leads = facebook_leads(&owner, 1).await;
    assert_eq!(leads.len(), 1);
    let c = &leads[0];
    assert_eq!(c["contact"]["name"], "Carla Souza");
    assert_eq!(c["contact"]["phone"], "+5511987654321");
    assert_eq!(c["contact"]["email"], "carla@example.com");
    assert_eq!(c["assignee_id"], biz.member_id.to_string());
    let timeline = owner
        .get(&format!(
            "/api/conversations/{}/messages",
            c["id"].as_str().unwrap()
        ))
        .await;
    let line = &timeline.body["items"][0];
    assert_eq!(
        line["text"],
        "Lead from Facebook form Spring promo: which store?: Centro"
    );

    // Meta redelivers: nothing new. A bad signature and an unknown page store nothing either.
    let again = post_signed(&h, &leadgen(444444444444, PAGE_ID), APP_SECRET).await;
    assert_eq!(again.body["duplicates"], 1);
    let forged = post_signed(&h, &leadgen(444444444445, PAGE_ID), "not-the-secret").await;
    assert_eq!((forged.status, forged.code()), (401, "invalid_signature"));
    let stray = post_signed(&h, &leadgen(444444444446, "999"), APP_SECRET).await;
    assert_eq!(
        (stray.status, &stray.body["unknown_pages"]),
        (200, &json!(1))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(facebook_leads(&owner, 2).await.len(), 1);
    let fetches = fb
        .requests()
        .iter()
        .filter(|(_, p, _)| p.ends_with("/444444444444"))
        .count();
    assert_eq!(fetches, 1, "fetched once");
}

#[tokio::test]
async fn a_forms_history_imports_once_and_a_dead_token_waits_for_the_reconnect() {
    let fb = FakeFacebook::start();
    let h = harness(&fb);
    let biz = h.new_business("Loja Verde").await;
    let owner = h.login(biz.owner()).await;
    let page = connect(&h, &owner).await;
    for i in 0..250u64 {
        fb.add_lead(
            &format!("7000000{i:05}"),
            &format!("Lead {i}"),
            &format!("+55119{:08}", 70_000_000 + i),
            "",
        );
    }
    // One of them already arrived by webhook.
    post_signed(&h, &leadgen(700000000007, PAGE_ID), APP_SECRET).await;
    assert_eq!(facebook_leads(&owner, 1).await.len(), 1);

    let mut ws = crate::realtime::open(&h, &owner, None).await.unwrap();
    let r = owner
        .post(
            &format!("/api/facebook/pages/{page}/import"),
            json!({"form_id": FORM_ID}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let import = r.body["import_id"].as_str().unwrap().to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let done = loop {
        let i = owner
            .get(&format!("/api/facebook/imports/{import}"))
            .await
            .body;
        if i["status"] != "running" || tokio::time::Instant::now() > deadline {
            break i;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(done["status"], "completed", "{done}");
    let progress: Vec<Value> = crate::realtime::frames(&mut ws, Duration::from_millis(300))
        .await
        .into_iter()
        .filter(|f| f["type"] == "import.progress" && f["data"]["id"] == import.as_str())
        .map(|f| f["data"]["rows_done"].clone())
        .collect();
    assert_eq!(progress.first(), Some(&json!(0)), "started: {progress:?}");
    assert_eq!(
        progress.last(),
        Some(&json!(249)),
        "page by page: {progress:?}"
    );
    assert!(progress.len() >= 4, "{progress:?}");
    assert_eq!(
        (done["rows_done"].as_u64(), done["rows_duplicate"].as_u64()),
        (Some(249), Some(1))
    );
    let pages_read = fb
        .requests()
        .iter()
        .filter(|(_, p, _)| p.ends_with("/leads"))
        .count();
    assert_eq!(pages_read, 3, "100 + 100 + 50");
    let first = owner.get("/api/leads?source=facebook&limit=200").await;
    assert_eq!(first.status, 200, "{}", first.body);
    let rows = first.body["items"].as_array().unwrap();
    assert_eq!(
        rows[0]["channel"],
        json!({"kind": "facebook", "id": page, "name": "Loja Azul"})
    );
    let rest = owner
        .get(&format!(
            "/api/leads?source=facebook&limit=200&cursor={}",
            first.body["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        rows.len() + rest.body["items"].as_array().unwrap().len(),
        250
    );
    assert!(rest.body["next_cursor"].is_null());
    let csv = owner
        .get(&format!("/api/exports/leads.csv?channel=facebook:{page}"))
        .await;
    assert_eq!(csv.status, 200);
    let text = csv
        .body
        .as_str()
        .unwrap()
        .strip_prefix('\u{feff}')
        .expect("a BOM for Excel");
    assert!(text.starts_with(
        "created_at,name,phone,email,source,channel,assignee,status,conversation_id\n"
    ));
    assert_eq!(text.lines().count(), 251, "a header and 250 leads");
    assert!(
        text.contains(",Lead 7,+5511970000007,,facebook,Loja Azul,"),
        "{}",
        &text[..400]
    );
    let member = h.login(biz.member()).await;
    assert_eq!(
        member.get("/api/exports/leads.csv").await.status,
        403,
        "members need export"
    );

    // A lead Meta refuses to hand over (here: an id it does not know) is not
    // lost in silence: the page shows why, for the owner to fix.
    post_signed(&h, &leadgen(800000000099, PAGE_ID), APP_SECRET).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let p = owner.get("/api/facebook/pages").await.body["items"][0].clone();
        if let Some(e) = p["last_error"].as_str() {
            assert!(e.contains("100"), "{p}");
            assert_ne!(p["status"], "token_invalid", "{p}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no error shown: {p}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The user changed their Facebook password: every token died.
    fb.revoke_tokens();
    fb.add_lead(
        "800000000001",
        "Late Lead",
        "+5511988880001",
        "late@example.com",
    );
    post_signed(&h, &leadgen(800000000001, PAGE_ID), APP_SECRET).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let p = owner.get("/api/facebook/pages").await.body["items"][0].clone();
        if p["status"] == "token_invalid" {
            assert!(p["last_error"].as_str().unwrap().contains("190"), "{p}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the page is flagged: {p}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = owner
        .get("/api/conversations?view=all&source=facebook")
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["contact"]["name"] == "Late Lead")
        .count();
    assert_eq!(before, 0);

    // Reconnecting brings a new token, and the lead that waited arrives.
    connect(&h, &owner).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let late = owner
            .get("/api/conversations?view=all&source=facebook")
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["contact"]["name"] == "Late Lead");
        if late {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the waiting lead arrives"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_page_meta_will_not_subscribe_is_named_and_the_others_connect() {
    let fb = FakeFacebook::start();
    let h = harness(&fb);
    let biz = h.new_business("Loja Verde").await;
    let owner = h.login(biz.owner()).await;
    let landing = sign_in(&h, &owner, CODE_3).await;
    let landing = reqwest::Url::parse(&landing).unwrap();
    let q: std::collections::HashMap<_, _> = landing.query_pairs().into_owned().collect();
    assert_eq!(q["facebook"], "partial", "{landing}");
    assert!(q["message"].starts_with("1 page(s) connected"), "{landing}");
    assert!(
        q["message"]
            .contains("Loja Sem Acesso (Facebook said: (#200) The user must be an administrator"),
        "{landing}"
    );
    let pages = owner.get("/api/facebook/pages").await.body;
    let items = pages["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{pages}");
    assert_eq!(items[0]["page_id"], PAGE_3_ID);
    assert_eq!(items[0]["status"], "active");
    assert_eq!(items[0]["forms"][0]["name"], "Green form");
    let subscribed: Vec<String> = fb
        .requests()
        .into_iter()
        .filter(|(m, p, _)| m == "POST" && p.ends_with("/subscribed_apps"))
        .map(|(_, p, _)| p)
        .collect();
    assert_eq!(subscribed.len(), 2, "both pages were asked: {subscribed:?}");
    assert!(subscribed.iter().any(|p| p.contains(PAGE_4_ID)));
}

#[tokio::test]
async fn a_browser_back_from_facebook_without_a_session_is_sent_to_sign_in_first() {
    let fb = FakeFacebook::start();
    let h = harness(&fb);
    let back = h.url("/api/facebook/oauth/callback?code=AUTH-CODE&state=expired");
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = browser
        .get(&back)
        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Fchannels&error=facebook_signed_out"
    );
    // A script gets the API's answer.
    let res = browser.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(fb.requests().is_empty(), "nothing was asked of Facebook");
}

#[tokio::test]
async fn a_sandbox_page_makes_real_leads_without_meta_and_oauth_needs_configuration() {
    let h = Harness::start_with(|c| c.meta.app_id = String::new());
    let biz = h.new_business("Loja Roxa").await;
    let owner = h.login(biz.owner()).await;
    let r = owner.get("/api/facebook/oauth/start").await;
    assert_eq!((r.status, r.code()), (409, "not_configured"));
    assert_eq!(
        owner.get("/api/facebook/pages").await.body["oauth_configured"],
        false
    );
    let member = h.login(biz.member()).await;
    assert_eq!(member.get("/api/facebook/oauth/start").await.status, 403);

    let page = owner
        .post(
            "/api/facebook/pages",
            json!({"sandbox": true, "name": "Demo page"}),
        )
        .await;
    assert_eq!(page.status, 201, "{}", page.body);
    let id = page.body["id"].as_str().unwrap();
    pool_of(&owner, id, &biz).await;
    let r = owner
        .post(
            &format!("/api/simulator/facebook/{id}/leads"),
            json!({"name": "Bia Sandbox", "phone": "+5511977776666", "email": "bia@example.com"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let leads = facebook_leads(&owner, 1).await;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0]["contact"]["name"], "Bia Sandbox");
    assert_eq!(leads[0]["assignee_id"], biz.member_id.to_string());
    assert_eq!(
        member
            .post(&format!("/api/simulator/facebook/{id}/leads"), json!({}))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn a_lead_graph_keeps_refusing_is_shown_to_the_owners_when_retries_run_out() {
    let fb = FakeFacebook::start();
    let h = harness(&fb);
    let biz = h.new_business("Loja Verde").await;
    let owner = h.login(biz.owner()).await;
    let page = connect(&h, &owner).await;
    fb.add_lead(
        "455555555555",
        "Rui Lima",
        "+5511987650000",
        "rui@example.com",
    );
    fb.set_down(true);
    let fetch = wafunnel::channels::facebook::leads::handler(
        wafunnel::channels::facebook::leads::LeadSource {
            store: h.server.store.clone(),
            graph: wafunnel::channels::facebook::graph::FbGraph::new(&h.server.state.config.meta),
        },
    );
    let job = |attempts: u32| wafunnel::scheduler::Job {
        id: wafunnel::store::ids::RecordId::new(),
        kind: wafunnel::channels::facebook::leads::JOB_KIND.into(),
        payload: json!({"page": page, "leadgen_id": "455555555555"}).to_string(),
        attempts,
        max_attempts: 12,
        due_at: 0,
        last_error: None,
        last_run_at: None,
    };
    let lost = |n: &Value| n["kind"] == "facebook_lead_failed";
    assert!(matches!(
        fetch(job(0)).await,
        wafunnel::scheduler::Outcome::Retry(_)
    ));
    let told = owner.get("/api/notifications").await.body;
    assert!(
        !told["items"].as_array().unwrap().iter().any(lost),
        "a first refusal is retried quietly: {told}"
    );

    assert!(matches!(
        fetch(job(11)).await,
        wafunnel::scheduler::Outcome::Retry(_)
    ));
    let told = owner.get("/api/notifications").await.body;
    let note = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| lost(n))
        .cloned();
    let note = note.unwrap_or_else(|| panic!("the owner is told the lead is lost: {told}"));
    assert!(
        note["text"].as_str().unwrap().contains("455555555555"),
        "{note}"
    );
    let shown = owner.get("/api/facebook/pages").await.body["items"][0].clone();
    assert!(
        shown["last_error"]
            .as_str()
            .unwrap_or("")
            .contains("after 12 tries"),
        "{shown}"
    );
    let member = h.login(biz.member()).await;
    let theirs = member.get("/api/notifications").await.body;
    assert!(
        !theirs["items"].as_array().unwrap().iter().any(lost),
        "members are not told: {theirs}"
    );

    // The owner reads it on the page's card in Channels.
    let Some(b) = crate::common::browser::start(1366, 900).await else {
        return;
    };
    crate::inbox_browser::sign_in(&b, &h, biz.owner(), "/channels").await;
    let note = b.el("fb-page-error").await;
    b.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![serde_json::to_value(&note).unwrap()],
        )
        .await
        .unwrap();
    let shown = note.text().await.unwrap();
    assert!(
        shown.contains("455555555555") && shown.contains("after 12 tries"),
        "{shown}"
    );
    b.screenshot("facebook-page-lead-lost").await;
}

#[tokio::test]
async fn the_daily_token_check_flags_a_dead_page_token() {
    let fb = FakeFacebook::start();
    let h = harness(&fb);
    let biz = h.new_business("Loja Cinza").await;
    let owner = h.login(biz.owner()).await;
    connect(&h, &owner).await;
    let check = wafunnel::channels::facebook::refresh::handler(
        h.server.store.clone(),
        wafunnel::channels::facebook::graph::FbGraph::new(&h.server.state.config.meta),
    );
    let job = |n: u8| wafunnel::scheduler::Job {
        id: wafunnel::store::ids::RecordId::new(),
        kind: wafunnel::channels::facebook::refresh::JOB_KIND.into(),
        payload: "{}".into(),
        attempts: 0,
        max_attempts: 3,
        due_at: i64::from(n),
        last_error: None,
        last_run_at: None,
    };
    assert!(matches!(
        check(job(1)).await,
        wafunnel::scheduler::Outcome::Done
    ));
    let page = owner.get("/api/facebook/pages").await.body["items"][0].clone();
    assert_eq!(page["status"], "active", "a live token stays active");
    fb.revoke_tokens();
    assert!(matches!(
        check(job(2)).await,
        wafunnel::scheduler::Outcome::Done
    ));
    let page = owner.get("/api/facebook/pages").await.body["items"][0].clone();
    assert_eq!(page["status"], "token_invalid", "{page}");
    let told = owner.get("/api/notifications").await.body;
    assert!(
        told["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "facebook_token_invalid"
                && n["text"].as_str().unwrap().contains("connect it again")),
        "the owner is told: {told}"
    );
    assert!(
        fb.requests()
            .iter()
            .any(|(m, p, _)| m == "GET" && p.ends_with(&format!("/{PAGE_ID}"))),
        "the check asked Graph about the page"
    );
    let pending = wafunnel::scheduler::pending(&h.server.store.read().unwrap(), 100).unwrap();
    assert!(
        pending
            .iter()
            .filter(|j| j.kind == wafunnel::channels::facebook::refresh::JOB_KIND)
            .count()
            >= 2,
        "each check schedules the next day's"
    );
}
