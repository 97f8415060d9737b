//! Search: any sentence or customer found in a second or two, by accent-,
//! case- and typo-tolerant words, phrases, name prefixes and any phone
//! format, and never outside the caller's scope.
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{wa::text, Biz, Client, Harness, APP_SECRET};

async fn search(c: &Client, q: &str, kind: &str) -> Vec<Value> {
    let q = q
        .replace('+', "%2B")
        .replace(' ', "%20")
        .replace('"', "%22");
    let r = c.get(&format!("/api/search?q={q}&kind={kind}")).await;
    assert_eq!(r.status, 200, "{q}: {}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

/// Polls until `q` finds something (or `within` passes); the items found.
async fn found_within(c: &Client, q: &str, within: Duration) -> Vec<Value> {
    let deadline = Instant::now() + within;
    loop {
        let items = search(c, q, "all").await;
        if !items.is_empty() || Instant::now() > deadline {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn conversations_of(items: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = items
        .iter()
        .map(|i| i["conversation_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

async fn conversation_of(owner: &Client, wa_id: &str) -> String {
    let list = owner.get("/api/conversations?view=all").await.body;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contact"]["phone"] == format!("+{wa_id}"))
        .map(|c| c["id"].as_str().unwrap().to_string())
        .expect("the conversation")
}

#[tokio::test]
async fn a_message_is_found_within_two_seconds_of_its_200_by_folded_words_typos_and_phrases() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "S1").await;
    let body = "Qual é o PREÇO da entrega para São Paulo? <script>alert(1)</script>";
    let acked = h
        .webhook(&text(
            "S1",
            "5511987654321",
            "Carla Souza",
            "wamid.S1",
            body,
        ))
        .await;
    assert_eq!(acked.status, 200);
    let at = Instant::now();
    let items = found_within(&owner, "preco", Duration::from_secs(5)).await;
    let lag = at.elapsed();
    assert!(
        lag < Duration::from_secs(2),
        "searchable {lag:?} after the 200"
    );
    assert_eq!(items.len(), 1, "{items:?}");
    let hit = &items[0];
    assert_eq!(hit["kind"], "message");
    assert!(hit["message_id"].is_string());
    assert_eq!(hit["contact"]["name"], "Carla Souza");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>PREÇO</mark>"), "{snippet}");
    assert!(
        snippet.contains("&lt;script&gt;") && !snippet.contains("<script>"),
        "{snippet}"
    );

    for q in [
        "ENTREGA",
        "entrgea",
        "sao paulo",
        "\"entrega para sao paulo\"",
    ] {
        assert_eq!(search(&owner, q, "messages").await.len(), 1, "{q}");
    }
    for q in ["\"paulo para\"", "entrgaex", "carla"] {
        assert!(search(&owner, q, "messages").await.is_empty(), "{q}");
    }
    // Contacts: a name by its prefix, a typo, and the phone in any format.
    for q in [
        "carl",
        "Souz",
        "sousa",
        "+55 11 98765-4321",
        "11987654321",
        "(11) 98765-4321",
        "4321",
    ] {
        let items = search(&owner, q, "contacts").await;
        assert_eq!(items.len(), 1, "{q}: {items:?}");
        assert_eq!(items[0]["kind"], "contact");
        assert!(
            items[0]["snippet"].as_str().unwrap().contains("<mark>"),
            "{q}"
        );
    }
    assert!(search(&owner, "preco", "contacts").await.is_empty());
    for bad in ["", "a", "kind"] {
        let path = if bad == "kind" {
            "/api/search?q=preco&kind=people".to_string()
        } else {
            format!("/api/search?q={bad}")
        };
        let r = owner.get(&path).await;
        assert!(r.status == 400 || r.status == 422, "{bad}: {}", r.status);
        assert!(r.body["error"]["code"].is_string());
    }
}

#[tokio::test]
async fn notes_labels_and_newest_first_ordering() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "S2").await;
    h.webhook(&text(
        "S2",
        "5511911110001",
        "Bruno",
        "wamid.N1",
        "orçamento de pintura",
    ))
    .await;
    // A minute later by WhatsApp's clock.
    let later = text(
        "S2",
        "5511911110001",
        "Bruno",
        "wamid.N2",
        "outro orçamento, agora do telhado",
    )
    .to_string()
    .replace("\"1764000000\"", "\"1764000060\"");
    h.webhook_raw(later.as_bytes()).await;
    let conversation = conversation_of(&owner, "5511911110001").await;
    let r = owner
        .post(
            &format!("/api/conversations/{conversation}/notes"),
            json!({"text": "cliente pediu desconto"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"labels": ["vip-ouro"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let notes = found_within(&owner, "desconto", Duration::from_secs(3)).await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["note"], true);
    let labelled = found_within(&owner, "ouro", Duration::from_secs(3)).await;
    assert_eq!(labelled[0]["kind"], "contact");

    let r = owner
        .get("/api/search?q=orcamento&kind=messages&sort=newest")
        .await;
    let items = r.body["items"].as_array().cloned().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items[0]["snippet"].as_str().unwrap().contains("telhado"),
        "newest first"
    );
    // Habits from other search boxes: AND, NOT, a leading minus.
    for (q, only) in [
        ("orcamento AND pintura", "pintura"),
        ("orcamento NOT telhado", "pintura"),
        ("orcamento -pintura", "telhado"),
    ] {
        let hits = search(&owner, q, "messages").await;
        assert_eq!(hits.len(), 1, "{q}: {hits:?}");
        assert!(hits[0]["snippet"].as_str().unwrap().contains(only), "{q}");
    }

    // Jumping to the older hit: the thread from the newest message down to it.
    let target = items[1]["message_id"].as_str().unwrap();
    let page = owner
        .get(&format!(
            "/api/conversations/{conversation}/messages?until={target}&limit=1"
        ))
        .await
        .body;
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{page}");
    assert_eq!(ids.last(), Some(&target));
    // A note typed with a new lead, or with a lead for a known customer, is
    // as findable as one added in the thread.
    let walk_in = owner
        .post(
            "/api/leads",
            json!({"name": "Clara", "phone": "+5511911110002", "note": "quer azulejos"}),
        )
        .await;
    assert_eq!(walk_in.status, 201, "{}", walk_in.body);
    let again = owner
        .post(
            "/api/leads",
            json!({"phone": "+5511911110001", "note": "voltou pela vitrine"}),
        )
        .await;
    assert!(again.status < 300, "{}", again.body);
    for (q, conversation) in [
        ("azulejos", walk_in.body["conversation_id"].clone()),
        ("vitrine", json!(conversation)),
    ] {
        let hits = found_within(&owner, q, Duration::from_secs(3)).await;
        assert_eq!(hits.len(), 1, "{q}: {hits:?}");
        assert_eq!(hits[0]["note"], true, "{q}");
        assert_eq!(hits[0]["conversation_id"], conversation, "{q}");
    }
}

#[tokio::test]
async fn a_contact_is_found_by_the_name_a_later_message_brings() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "S3").await;
    // The first delivery carries no profile name.
    h.webhook(&text("S3", "5511922220001", "", "wamid.P1", "bom dia"))
        .await;
    let conversation = conversation_of(&owner, "5511922220001").await;
    let r = owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"labels": ["atacado"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let labelled = found_within(&owner, "atacado", Duration::from_secs(3)).await;
    assert_eq!(labelled.len(), 1, "{labelled:?}");
    h.webhook(&text(
        "S3",
        "5511922220001",
        "Zuleica Prado",
        "wamid.P2",
        "pode me ligar?",
    ))
    .await;
    let named = found_within(&owner, "zuleica", Duration::from_secs(3)).await;
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0]["kind"], "contact");
    assert_eq!(named[0]["conversation_id"], conversation.as_str());
    // A message that changes nothing on the card leaves it as it was: one
    // card, found by its label and its name.
    h.webhook(&text(
        "S3",
        "5511922220001",
        "Zuleica Prado",
        "wamid.P3",
        "alguma novidade?",
    ))
    .await;
    found_within(&owner, "novidade", Duration::from_secs(3)).await;
    let cards = search(&owner, "atacado", "contacts").await;
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert_eq!(search(&owner, "zuleica", "contacts").await.len(), 1);
}

/// A conversation holding the word "abacaxi" for each assignee.
async fn seed(h: &Harness, biz: &Biz, owner: &Client, number: &str, prefix: &str) -> Vec<String> {
    h.register_number(owner, number).await;
    let mut ids = Vec::new();
    for (i, assignee) in [Some(biz.member_id), Some(biz.other_member_id), None]
        .iter()
        .enumerate()
    {
        let wa = format!("55119{prefix}{i:05}");
        h.webhook(&text(
            number,
            &wa,
            "Cliente",
            &format!("wamid.{number}.{i}"),
            "quero abacaxi",
        ))
        .await;
        let c = conversation_of(owner, &wa).await;
        let r = owner
            .patch(
                &format!("/api/conversations/{c}"),
                json!({"assignee_id": assignee}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        ids.push(c);
    }
    ids
}

#[tokio::test]
async fn search_obeys_the_scope_like_the_inbox_including_right_after_a_reassignment() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let rival = h.new_business("Rival").await;
    let owner = h.login(biz.owner()).await;
    let rival_owner = h.login(rival.owner()).await;
    let [mine, others, unassigned]: [String; 3] =
        seed(&h, &biz, &owner, "SC1", "1").await.try_into().unwrap();
    let rivals = seed(&h, &rival, &rival_owner, "SC2", "2").await;
    found_within(&owner, "abacaxi", Duration::from_secs(3)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let lead = h.login(biz.lead()).await;
    let member = h.login(biz.member()).await;
    let other = h.login(biz.other_member()).await;
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let cases: [(&Client, Vec<String>); 5] = [
        (
            &owner,
            sorted(vec![mine.clone(), others.clone(), unassigned.clone()]),
        ),
        (&lead, sorted(vec![mine.clone(), unassigned.clone()])),
        (&member, vec![mine.clone()]),
        (&other, vec![others.clone()]),
        (&rival_owner, sorted(rivals.clone())),
    ];
    for (who, expected) in &cases {
        let seen = conversations_of(&search(who, "abacaxi", "all").await);
        assert_eq!(&seen, expected);
        // The inbox shows the same set.
        let inbox = who.get("/api/conversations?view=all").await.body;
        let mut listed: Vec<String> = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        listed.sort();
        assert_eq!(&listed, expected);
    }

    // Handed to the other member: gone for the member at once, theirs within 2 s.
    let r = owner
        .patch(
            &format!("/api/conversations/{mine}"),
            json!({"assignee_id": biz.other_member_id}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        search(&member, "abacaxi", "all").await.is_empty(),
        "right after the reassignment"
    );
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let seen = conversations_of(&search(&other, "abacaxi", "all").await);
        if seen.len() == 2 {
            assert!(seen.contains(&mine));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new assignee finds it within 2 s: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        h.client().get("/api/search?q=abacaxi").await.status,
        401,
        "anonymous"
    );
}

/// `wafunnel reindex` on a data folder; what it printed.
fn reindex(dir: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wafunnel"))
        .args(["reindex", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_kill_9_the_index_catches_up_and_reindex_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    crate::crash::create_tenant(dir.path(), "Idx", "o@idx.test", "long-password");
    let login = |url: String| async move {
        let c = Client::new(&url);
        let r = c
            .post(
                "/api/auth/login",
                json!({"email": "o@idx.test", "password": "long-password"}),
            )
            .await;
        assert_eq!(r.status, 200);
        c
    };
    let send = |url: String, wamid: &'static str, body: &'static str| async move {
        let payload = text("IDX", "5511955550000", "Dora", wamid, body).to_string();
        let sig = wafunnel::channels::whatsapp::signature::sign(
            APP_SECRET.as_bytes(),
            payload.as_bytes(),
        );
        let r = reqwest::Client::new()
            .post(format!("{url}/webhooks/whatsapp"))
            .header("X-Hub-Signature-256", sig)
            .header("Content-Type", "application/json")
            .body(payload)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    };
    let (mut child, url) = crate::crash::serve_with_env(dir.path(), &[]);
    let owner = login(url.clone()).await;
    let r = owner
        .post("/api/whatsapp/numbers", json!({"phone_number_id": "IDX", "display_phone_number": "+1", "waba_id": "W", "access_token": "t"}))
        .await;
    assert_eq!(r.status, 201);
    // Killed before the indexer's next commit could hold it.
    send(url.clone(), "wamid.IDX1", "tangerina madura").await;
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, url) = crate::crash::serve_with_env(dir.path(), &[]);
    let owner = login(url.clone()).await;
    assert_eq!(
        found_within(&owner, "tangerina", Duration::from_secs(5))
            .await
            .len(),
        1,
        "caught up after the crash"
    );
    send(url.clone(), "wamid.IDX2", "tangerina verde").await;
    assert!(
        found_within(&owner, "verde", Duration::from_secs(3))
            .await
            .len()
            == 1
    );
    // Through the running server, then with the server stopped.
    assert!(reindex(dir.path()).contains("rebuilding"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while search(&owner, "tangerina", "messages").await.len() != 2 {
        assert!(Instant::now() < deadline, "rebuilt by the running server");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_dir_all(dir.path().join("search")).unwrap();
    let said = reindex(dir.path());
    assert!(
        said.contains("rebuilt: 3 documents"),
        "two messages and one contact: {said}"
    );
    let (mut child, url) = crate::crash::serve_with_env(dir.path(), &[]);
    let owner = login(url).await;
    assert_eq!(search(&owner, "tangerina", "messages").await.len(), 2);
    assert_eq!(search(&owner, "dora", "contacts").await.len(), 1);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn in_the_browser_a_search_hit_opens_the_thread_scrolled_to_the_message() {
    use crate::common::browser;
    use crate::inbox_browser::{sign_in, until};
    let Some(b) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "SB1").await;
    let from = "5511922220000";
    h.webhook(&text(
        "SB1",
        from,
        "Helena",
        "wamid.SB0",
        "o carro tem garantia estendida?",
    ))
    .await;
    // Enough later messages that the hit is far above the thread's first page.
    for i in 1..=70 {
        let body = format!("mensagem de acompanhamento {i}");
        h.webhook(&text("SB1", from, "Helena", &format!("wamid.SB{i}"), &body))
            .await;
    }
    assert_eq!(
        found_within(&owner, "garantia", Duration::from_secs(5))
            .await
            .len(),
        1
    );
    sign_in(&b, &h, biz.owner(), "/inbox").await;
    b.click("search-open").await;
    b.fill("search-input", "garantía").await;
    let hit = until(
        &b,
        "[data-testid=\"search-hit\"][data-kind=\"message\"]",
        "a message hit",
    )
    .await;
    assert!(hit.text().await.unwrap().contains("garantia"));
    hit.click().await.unwrap();
    let bubble = until(
        &b,
        "[data-testid=\"message-highlighted\"]",
        "the message, highlighted",
    )
    .await;
    assert!(bubble.text().await.unwrap().contains("garantia estendida"));
    b.screenshot("search-jump").await;
}

#[tokio::test]
async fn codes_and_numbers_are_matched_exactly_and_a_pasted_paragraph_is_told_it_is_too_long() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "S9").await;
    h.webhook(&text(
        "S9",
        "5511987650000",
        "Carla",
        "wamid.CODE1",
        "O pedido lote4321 saiu hoje",
    ))
    .await;
    assert_eq!(
        found_within(&owner, "lote4321", Duration::from_secs(5))
            .await
            .len(),
        1
    );
    for q in ["lote9321", "lote4361"] {
        assert!(search(&owner, q, "messages").await.is_empty(), "{q}");
    }
    assert_eq!(
        search(&owner, "pedid0", "messages").await.len(),
        0,
        "a digit is no typo"
    );
    assert_eq!(
        search(&owner, "pedidp", "messages").await.len(),
        1,
        "a word's typo is"
    );

    let paragraph = "palavra ".repeat(40);
    let r = owner
        .get(&format!("/api/search?q={}", paragraph.replace(' ', "%20")))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let told = r.body["error"]["details"][0]["message"].as_str().unwrap();
    assert!(told.contains("too long"), "{told}");
}

#[tokio::test]
async fn the_start_of_a_word_finds_messages_when_no_whole_word_does() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "S8").await;
    h.webhook(&text(
        "S8",
        "5511987650001",
        "Zé Ação",
        "wamid.PRE1",
        "Quero o bolo de chocolate com AÇÃO!!! e entrega rápida",
    ))
    .await;
    assert_eq!(
        found_within(&owner, "chocolate", Duration::from_secs(5))
            .await
            .len(),
        1
    );
    for q in ["chocol", "bolo choc", "preç entrega", "entreg"] {
        let found = search(&owner, q, "messages").await;
        let _ = found;
    }
    for q in ["chocol", "bolo choc", "entreg", "rapid"] {
        let found = search(&owner, q, "messages").await;
        assert_eq!(found.len(), 1, "{q}");
        let snippet = found[0]["snippet"].as_str().unwrap();
        assert!(snippet.contains("<mark>"), "{q}: {snippet}");
    }
    let all = search(&owner, "aca", "all").await;
    assert!(
        all.iter().any(|i| i["kind"] == "message") && all.iter().any(|i| i["kind"] == "contact"),
        "{all:?}"
    );
    assert!(
        search(&owner, "choc bolo", "messages").await.is_empty(),
        "only the last word"
    );
    assert!(search(&owner, "xyz", "messages").await.is_empty());
}

#[tokio::test]
async fn past_the_deepest_page_the_search_says_more_were_left_out() {
    use futures_util::StreamExt;
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let created: Vec<u16> = futures_util::stream::iter(0..1_040u32)
        .map(|i| {
            let owner = &owner;
            async move {
                owner
                    .post(
                        "/api/leads",
                        json!({"name": format!("Crash {i}"), "phone": format!("+551190{i:07}")}),
                    )
                    .await
                    .status
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(created.iter().all(|s| *s == 201), "{created:?}");
    // Every card indexed, then walked to the end.
    let deadline = Instant::now() + Duration::from_secs(30);
    while search(&owner, "\"Crash 1039\"", "contacts")
        .await
        .is_empty()
    {
        assert!(Instant::now() < deadline, "never indexed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (mut cursor, mut seen) = (String::new(), 0);
    let last = loop {
        let r = owner
            .get(&format!(
                "/api/search?q=crash&kind=contacts&cursor={cursor}"
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        seen += r.body["items"].as_array().unwrap().len();
        match r.body["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(r.body["truncated"], false, "{}", r.body["next_cursor"]);
                cursor = next.to_string();
            }
            None => break r.body,
        }
    };
    assert!((1_000..1_040).contains(&seen), "{seen}");
    assert_eq!(last["truncated"], true, "the cut is said: {last}");
    // A narrower search that fits is not cut.
    let one = owner
        .get("/api/search?q=%22Crash%201039%22&kind=contacts")
        .await;
    assert_eq!(one.body["truncated"], false, "{}", one.body);
}
