//! Meta's data-deletion callback: a forged `signed_request` stores nothing; a
//! valid one answers at once and its job deletes that Facebook user's login,
//! tokens and profile in every business, disconnects the pages that depended
//! on them, tells the owners, keeps the leads, survives a restart in the
//! middle, and leaves none of the values anywhere in the data folder.
use std::{path::Path, time::Duration};

use serde_json::{json, Value};
use wafunnel::channels::facebook::data_deletion::{self, job, Phase};

use crate::common::{
    client::Resp,
    fake_facebook::{
        FakeFacebook, APP_ID, CODE_2, PAGE_2_ID, PAGE_ID, PAGE_TOKEN, USER_EMAIL, USER_ID,
        USER_NAME, USER_PICTURE, USER_TOKEN,
    },
    log_watch,
    smtp_sink::SmtpSink,
    Client, Harness, APP_SECRET,
};

async fn post_form(h: &Harness, form: &[(&str, &str)]) -> Resp {
    let res = reqwest::Client::new()
        .post(h.url("/webhooks/facebook/data-deletion"))
        .form(form)
        .send()
        .await
        .unwrap();
    Client::read(res).await
}

fn signed(secret: &str, payload: Value) -> String {
    data_deletion::sign_request(secret, &payload)
}

fn deletion_of(user_id: &str) -> Value {
    json!({"algorithm": "HMAC-SHA256", "expires": 1764003600, "issued_at": 1764000000, "user_id": user_id})
}

async fn status_json(h: &Harness, code: &str) -> Resp {
    let res = reqwest::Client::new()
        .get(h.url(&format!("/data-deletion/{code}")))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    Client::read(res).await
}

fn deletion_jobs(h: &Harness) -> usize {
    let read = h.server.store.read().unwrap();
    wafunnel::scheduler::pending(&read, usize::MAX)
        .unwrap()
        .iter()
        .filter(|j| j.kind == data_deletion::JOB_KIND)
        .count()
}

#[tokio::test]
async fn a_forged_signed_request_is_refused_and_stores_nothing() {
    let h = Harness::start();
    let wrong_algorithm = signed(
        APP_SECRET,
        json!({"algorithm": "HMAC-SHA1", "user_id": USER_ID}),
    );
    let wrong_secret = signed("not-the-app-secret", deletion_of(USER_ID));
    let good = signed(APP_SECRET, deletion_of(USER_ID));
    let (sig, payload) = good.split_once('.').unwrap();
    let tampered = format!(
        "{sig}.{}",
        signed(APP_SECRET, deletion_of("1"))
            .split_once('.')
            .unwrap()
            .1
    );
    for form in [
        vec![("signed_request", wrong_secret.as_str())],
        vec![("signed_request", wrong_algorithm.as_str())],
        vec![("signed_request", tampered.as_str())],
        vec![("signed_request", "not-a-signed-request")],
        vec![("signed_request", "")],
        vec![("signed_request", payload)],
        vec![("other", good.as_str())],
    ] {
        let r = post_form(&h, &form).await;
        assert_eq!((r.status, r.code()), (401, "invalid_signature"), "{form:?}");
        assert!(r.body.get("url").is_none());
    }
    // A JSON body is not the form either.
    let res = reqwest::Client::new()
        .post(h.url("/webhooks/facebook/data-deletion"))
        .json(&json!({"signed_request": good}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(deletion_jobs(&h), 0, "nothing was stored");
    let unknown = status_json(&h, "0123456789abcdef01234567").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(status_json(&h, "not_a_code!").await.status, 404);
}

/// Facebook Login from the Channels page with the fake's `code`.
async fn connect(h: &Harness, owner: &Client, code: &str) {
    let browser = owner.without_redirects();
    let res = browser
        .get(h.url("/api/facebook/oauth/start"))
        .send()
        .await
        .unwrap();
    let dialog = reqwest::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let state = dialog
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let back = format!("/api/facebook/oauth/callback?code={code}&state={state}");
    let res = browser.get(h.url(&back)).send().await.unwrap();
    let landing = res.headers()["location"].to_str().unwrap().to_string();
    assert!(landing.contains("facebook=connected"), "{landing}");
}

async fn page_status(owner: &Client, page_id: &str) -> Value {
    let pages = owner.get("/api/facebook/pages").await;
    pages.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["page_id"] == page_id)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Meta's `leadgen` webhook for a lead of the fake's page and form.
async fn deliver_lead(h: &Harness, leadgen_id: &str) {
    let lead = json!({"object": "page", "entry": [{"id": PAGE_ID, "time": 1764000000, "changes": [{"field": "leadgen",
        "value": {"leadgen_id": leadgen_id, "page_id": PAGE_ID, "form_id": "555000111", "created_time": 1764000000}}]}]});
    let res = crate::facebook::post_signed(h, &lead, APP_SECRET).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// The login keys in the data folder's Facebook keyring.
fn login_keys(dir: &Path) -> usize {
    let ring: Value =
        serde_json::from_slice(&std::fs::read(dir.join("facebook-keys.json")).unwrap()).unwrap();
    ring["keys"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("login:"))
        .count()
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                out.push(path.display().to_string());
            }
        }
    }
    out
}

#[tokio::test]
async fn a_valid_request_deletes_that_person_everywhere_even_across_a_restart() {
    let fb = FakeFacebook::start();
    let sink = SmtpSink::start().await;
    let (graph, smtp) = (fb.url.clone(), sink.url.clone());
    let adjust = move |c: &mut wafunnel::config::Config| {
        c.meta.graph_url = graph.clone();
        c.meta.app_id = APP_ID.into();
        c.meta.dialog_url = "https://dialog.example".into();
        c.smtp.url = smtp.clone();
    };
    // Everything the server logs from here on is checked for her values.
    let canary = format!("canary-{}", ulid::Ulid::new());
    let hers = [
        USER_ID,
        USER_TOKEN,
        PAGE_TOKEN,
        USER_NAME,
        USER_EMAIL,
        USER_PICTURE,
    ];
    log_watch::watch(&hers);
    log_watch::watch(&[&canary]);
    tracing::info!("log watch {canary}");
    assert_eq!(
        log_watch::lines_with(&[&canary]).len(),
        1,
        "the log watch sees events"
    );
    let h = Harness::start_with(adjust.clone());
    // Ana connects Loja Azul's page; Bruno connects another page in another business.
    let azul = h.new_business("Loja Azul").await;
    let azul_owner = h.login(azul.owner()).await;
    connect(&h, &azul_owner, FakeFacebook::code()).await;
    let verde = h.new_business("Loja Verde").await;
    let verde_owner = h.login(verde.owner()).await;
    connect(&h, &verde_owner, CODE_2).await;
    assert_eq!(page_status(&azul_owner, PAGE_ID).await["status"], "active");
    // A lead arrives through Ana's page token.
    fb.add_lead(
        "444444444499",
        "Carla Souza",
        "+5511987650099",
        "carla@example.com",
    );
    deliver_lead(&h, "444444444499").await;
    let leads = || async {
        azul_owner
            .get("/api/conversations?view=all&source=facebook")
            .await
            .body["items"]
            .as_array()
            .map_or(0, Vec::len)
    };
    until("the lead is fetched", || async { leads().await == 1 }).await;

    // Each login's profile and tokens are sealed under a key of its own.
    assert_eq!(login_keys(h.dir.path()), 2);

    // The job stops after its delete commit; the server restarts there.
    job::pause_after_delete(h.dir.path(), true);
    let r = post_form(
        &h,
        &[("signed_request", &signed(APP_SECRET, deletion_of(USER_ID)))],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let code = r.body["confirmation_code"].as_str().unwrap().to_string();
    assert!(r.body["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/data-deletion/{code}")));
    let again = post_form(
        &h,
        &[("signed_request", &signed(APP_SECRET, deletion_of(USER_ID)))],
    )
    .await;
    assert_eq!(
        again.body["confirmation_code"],
        code.as_str(),
        "the pending request is reused"
    );
    let pending = status_json(&h, &code).await;
    assert_eq!(pending.body["status"], "pending");
    assert_eq!(pending.body["completed_at"], Value::Null);
    let store = h.server.store.clone();
    let c = code.clone();
    until("the delete commit", || {
        let (store, c) = (store.clone(), c.clone());
        async move {
            data_deletion::get(&store.read().unwrap(), &c)
                .unwrap()
                .is_some_and(|d| d.phase == Phase::Deleted)
        }
    })
    .await;
    drop(store);
    assert_eq!(status_json(&h, &code).await.body["status"], "pending");
    let Harness { server, dir, .. } = h;
    server.stop();
    job::pause_after_delete(dir.path(), false);
    let h = Harness::start_in(dir, adjust);
    until("completed after the restart", || async {
        status_json(&h, &code).await.body["status"] == "completed"
    })
    .await;
    let done = status_json(&h, &code).await;
    assert!(done.body["completed_at"].is_string(), "{}", done.body);
    let html = reqwest::get(h.url(&format!("/data-deletion/{code}")))
        .await
        .unwrap();
    assert!(html.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = html.text().await.unwrap();
    assert!(
        html.contains("Deletion completed") && html.contains(&code),
        "{html}"
    );

    // Ana's page is disconnected, with the reason; Bruno's is untouched.
    let azul_owner = h.login(azul.owner()).await;
    let page = page_status(&azul_owner, PAGE_ID).await;
    assert_eq!(page["status"], "disconnected", "{page}");
    assert!(page["disconnected_reason"]
        .as_str()
        .unwrap()
        .contains("delete their data"));
    let verde_owner = h.login(verde.owner()).await;
    assert_eq!(
        page_status(&verde_owner, PAGE_2_ID).await["status"],
        "active"
    );
    // The owners were told, in the app and by email; the other business was not.
    let told = azul_owner.get("/api/notifications").await;
    assert!(told.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "facebook_data_deletion"
            && n["text"].as_str().unwrap().contains("Loja Azul")));
    let others = verde_owner.get("/api/notifications").await;
    assert!(!others.body.to_string().contains("facebook_data_deletion"));
    until("the owner's email", || async {
        sink.all()
            .iter()
            .any(|m| m.contains(azul.owner()) && m.contains("disconnected"))
    })
    .await;
    assert!(!sink.all().iter().any(|m| m.contains(verde.owner())));
    // The business keeps its lead and conversation.
    assert_eq!(
        azul_owner
            .get("/api/conversations?view=all&source=facebook")
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let audit = azul_owner.get("/api/audit").await;
    assert!(audit.body.to_string().contains("data_deletion_completed"));
    assert!(!audit.body.to_string().contains(USER_ID));

    // Ana's key is destroyed: stale copies of her sealed bytes are unreadable; Bruno's stays.
    assert_eq!(login_keys(h.dir.path()), 1);
    // The data folder, store and index, byte by byte, after shutdown.
    let Harness { server, dir, .. } = h;
    server.stop();
    assert_eq!(
        log_watch::lines_with(&hers),
        Vec::<String>::new(),
        "no log line holds her id, tokens or profile"
    );
    assert!(
        !files_containing(dir.path(), "Carla Souza").is_empty(),
        "the scan finds what stays (the lead)"
    );
    for value in [
        USER_ID,
        USER_TOKEN,
        PAGE_TOKEN,
        USER_NAME,
        USER_EMAIL,
        USER_PICTURE,
    ] {
        assert_eq!(
            files_containing(dir.path(), value),
            Vec::<String>::new(),
            "{value} is left"
        );
    }
}

#[tokio::test]
async fn a_value_still_found_by_the_scan_keeps_the_request_pending_with_the_reason() {
    let fb = FakeFacebook::start();
    let graph = fb.url.clone();
    let h = Harness::start_with(move |c| {
        c.meta.graph_url = graph;
        c.meta.app_id = APP_ID.into();
        c.meta.dialog_url = "https://dialog.example".into();
    });
    let biz = h.new_business("Loja Espelho").await;
    let owner = h.login(biz.owner()).await;
    connect(&h, &owner, FakeFacebook::code()).await;
    // The same person also left a lead with their email: the business keeps
    // its leads, so the scan cannot come out clean and says where it looked.
    fb.add_lead("444444444477", "Someone Else", "+5511987650077", USER_EMAIL);
    deliver_lead(&h, "444444444477").await;
    until("the lead is fetched", || async {
        owner
            .get("/api/conversations?view=all&source=facebook")
            .await
            .body["items"]
            .as_array()
            .is_some_and(|i| i.len() == 1)
    })
    .await;
    let r = post_form(
        &h,
        &[("signed_request", &signed(APP_SECRET, deletion_of(USER_ID)))],
    )
    .await;
    let code = r.body["confirmation_code"].as_str().unwrap().to_string();
    let store = h.server.store.clone();
    until("the scan's reason", || {
        let (store, code) = (store.clone(), code.clone());
        async move {
            data_deletion::get(&store.read().unwrap(), &code)
                .unwrap()
                .and_then(|d| d.last_error)
                .is_some_and(|e| e.contains("still stored (table "))
        }
    })
    .await;
    let d = data_deletion::get(&store.read().unwrap(), &code)
        .unwrap()
        .unwrap();
    assert_eq!(d.phase, Phase::Deleted, "deleted, not yet verified");
    assert!(
        !d.last_error.unwrap().contains(USER_EMAIL),
        "the reason names no value"
    );
    assert_eq!(status_json(&h, &code).await.body["status"], "pending");
    assert_eq!(deletion_jobs(&h), 1, "retried");
    assert_eq!(page_status(&owner, PAGE_ID).await["status"], "disconnected");
}
