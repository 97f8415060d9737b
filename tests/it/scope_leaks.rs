//! Side doors around the scope: ways a member could reach a colleague's
//! customer, or more power, without an owner handing it to them: typing in
//! a known phone number, importing a spreadsheet, editing their own
//! permissions, enrolling someone else's account, keeping a socket open.
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::{
    common::{Biz, Client, Harness},
    imports::run,
    realtime::open,
};

/// A conversation for `phone`, assigned by the owner to `assignee`.
async fn customer_of(owner: &Client, phone: &str, assignee: impl ToString) -> String {
    let r = owner
        .post(
            "/api/leads",
            json!({"name": "Zed", "phone": phone, "note": "owner's private note",
                   "assignee_id": assignee.to_string()}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["conversation_id"].as_str().unwrap().to_string()
}

async fn assignee(owner: &Client, conversation: &str) -> Value {
    owner
        .get(&format!("/api/conversations/{conversation}"))
        .await
        .body["assignee_id"]
        .clone()
}

#[tokio::test]
async fn typing_in_a_colleagues_customer_neither_takes_nor_reveals_their_conversation() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let lead = h.login(biz.lead()).await;
    let theirs = customer_of(&owner, "+5511911112222", biz.other_member_id).await;

    for (who, body) in [
        (
            &member,
            json!({"phone": "+5511911112222", "assignee_id": biz.member_id}),
        ),
        (
            &member,
            json!({"phone": "+55 11 91111-2222", "note": "injected"}),
        ),
        (
            &lead,
            json!({"phone": "+5511911112222", "assignee_id": biz.lead_id}),
        ),
    ] {
        let r = who.post("/api/leads", body).await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.code(), "lead_elsewhere");
        assert!(!r.body.to_string().contains(&theirs), "{}", r.body);
    }
    assert_eq!(assignee(&owner, &theirs).await, json!(biz.other_member_id));
    let notes = owner
        .get(&format!("/api/conversations/{theirs}/notes"))
        .await;
    assert_eq!(
        notes.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        notes.body
    );

    // Their own customer, typed in again, joins their own conversation.
    let mine = customer_of(&owner, "+5511933334444", biz.member_id).await;
    let again = member
        .post(
            "/api/leads",
            json!({"phone": "+5511933334444", "note": "came back"}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["conversation_id"], mine);
    // A member still cannot move even their own conversation to someone else.
    let moved = member
        .post(
            "/api/leads",
            json!({"phone": "+5511933334444", "assignee_id": biz.other_member_id}),
        )
        .await;
    assert_eq!(moved.status, 403, "{}", moved.body);
    assert_eq!(assignee(&owner, &mine).await, json!(biz.member_id));
}

async fn grant(owner: &Client, member: impl ToString, permissions: Value) {
    let r = owner
        .patch(
            &format!("/api/members/{}", member.to_string()),
            json!({"permissions": permissions}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn import_csv(c: &Client, csv: &str, duplicates: &str) -> Value {
    let mapping = json!({"columns": {"name": "name", "phone": "phone", "assignee_email": "assignee_email"},
                         "duplicates": duplicates});
    let mut done = run(c, "leads.csv", csv.as_bytes(), "csv", mapping).await;
    done["errors"] = done["errors_csv"].take();
    done
}

#[tokio::test]
async fn an_import_acts_with_the_importers_scope() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let theirs = customer_of(&owner, "+5511911112222", biz.other_member_id).await;
    grant(&owner, biz.member_id, json!(["import"])).await;
    let member = h.login(biz.member()).await;
    let me = biz.member();
    let them = biz.other_member();

    let csv = format!(
        "name,phone,assignee_email\n\
         Zed,+5511911112222,{me}\n\
         Renamed Zed,+5511911112222,\n\
         New One,+5511955556666,{them}\n\
         Mine Now,+5511977778888,{me}\n"
    );
    let run = import_csv(&member, &csv, "attach").await;
    assert_eq!(run["status"], "completed", "{run}");
    assert_eq!(
        (run["rows_done"].as_u64(), run["rows_failed"].as_u64()),
        (Some(1), Some(3)),
        "{run}"
    );
    let errors = run["errors"].as_str().unwrap_or_default();
    assert!(errors.contains("someone outside your team"), "{errors}");
    assert!(
        errors.contains("cannot give leads to that member"),
        "{errors}"
    );
    assert_eq!(assignee(&owner, &theirs).await, json!(biz.other_member_id));

    let update = import_csv(
        &member,
        "name,phone,assignee_email\nRenamed,+5511911112222,\n",
        "update",
    )
    .await;
    assert_eq!(update["rows_failed"], 1, "{update}");
    let contact = owner.get(&format!("/api/conversations/{theirs}")).await;
    assert_eq!(contact.body["contact"]["name"], "Zed");

    // Another importer neither lists nor opens this one's imports.
    grant(&owner, biz.other_member_id, json!(["import"])).await;
    let other = h.login(biz.other_member()).await;
    let list = other.get("/api/imports").await;
    assert_eq!(list.body["items"], json!([]), "{}", list.body);
    let id = run["id"].as_str().unwrap();
    assert_eq!(
        other
            .get(&format!("/api/imports/{id}/preview"))
            .await
            .status,
        404
    );
    assert_eq!(owner.get(&format!("/api/imports/{id}")).await.status, 200);
}

#[tokio::test]
async fn a_team_manager_grants_no_more_than_they_hold_and_never_to_themselves() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    grant(&owner, biz.member_id, json!(["manage_team"])).await;
    let manager = h.login(biz.member()).await;

    let me = format!("/api/members/{}", biz.member_id);
    let raised = manager
        .patch(&me, json!({"permissions": ["manage_team", "see_all"]}))
        .await;
    assert_eq!(raised.status, 403, "{}", raised.body);
    let them = format!("/api/members/{}", biz.other_member_id);
    let see_all = manager
        .patch(&them, json!({"permissions": ["see_all"]}))
        .await;
    assert_eq!(see_all.status, 403, "{}", see_all.body);
    // What the owner gave them stays when the manager sends the list back.
    grant(&owner, biz.other_member_id, json!(["export"])).await;
    let same = manager
        .patch(&them, json!({"permissions": ["export", "manage_team"]}))
        .await;
    assert_eq!(same.status, 200, "{}", same.body);
    let added = manager
        .post(
            "/api/members",
            json!({"name": "Crony", "email": "crony@example.test", "password": "long-enough-pw",
                   "role": "member", "permissions": ["export"]}),
        )
        .await;
    assert_eq!(added.status, 403, "{}", added.body);
    let all = manager.get("/api/conversations?view=all").await;
    assert_eq!(all.body["items"], json!([]));
}

#[tokio::test]
async fn someone_elses_account_joins_by_invitation_not_by_being_added() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let rival: Biz = h.new_business("Rival").await;
    let lead = h.login(biz.lead()).await;
    let r = lead
        .post(
            "/api/members",
            json!({"name": "whatever", "email": rival.owner(), "password": "ignored-pass1",
                   "role": "member"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.code(), "email_taken");
    assert!(
        !r.body.to_string().contains("owner 0"),
        "no name: {}",
        r.body
    );
    let rival_owner = h.login(rival.owner()).await;
    let me = rival_owner.get("/api/auth/me").await;
    assert_eq!(me.body["business"]["id"], json!(rival.id), "{}", me.body);
}

#[tokio::test]
async fn follow_ups_go_with_their_conversation() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let other = h.login(biz.other_member()).await;
    let conversation = customer_of(&owner, "+5511922223333", biz.member_id).await;
    let f = member
        .post(
            "/api/followups",
            json!({"conversation_id": conversation, "note": "wants 20% off",
                   "scheduled_for": "2030-02-01T10:00:00Z"}),
        )
        .await;
    assert_eq!(f.status, 201, "{}", f.body);
    let id = f.body["id"].as_str().unwrap();
    // Nobody is handed a follow-up on a conversation they cannot open.
    let handed = owner
        .patch(
            &format!("/api/followups/{id}"),
            json!({"assignee_id": biz.other_member_id}),
        )
        .await;
    assert_eq!(handed.status, 403, "{}", handed.body);

    let r = owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"assignee_id": biz.other_member_id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mine = member.get("/api/followups").await;
    assert_eq!(mine.body["items"], json!([]), "{}", mine.body);
    let edit = member
        .patch(
            &format!("/api/followups/{id}"),
            json!({"note": "mine still?"}),
        )
        .await;
    assert_eq!(edit.status, 404, "{}", edit.body);
    let theirs = other.get("/api/followups").await;
    assert_eq!(theirs.body["items"][0]["id"], id, "{}", theirs.body);
    assert_eq!(
        theirs.body["items"][0]["assignee_id"],
        json!(biz.other_member_id)
    );
}

#[tokio::test]
async fn pool_figures_show_only_the_work_a_reader_sees() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let pool = json!({"mode": "round_robin", "members": [
        {"member_id": biz.member_id, "weight": 1}, {"member_id": biz.other_member_id, "weight": 1}]});
    assert_eq!(owner.put("/api/leads/pool", pool).await.status, 200);
    let member = h.login(biz.member()).await;
    let seen = member.get("/api/leads/pool").await;
    let rows = seen.body["members"].as_array().unwrap().clone();
    let figures = |who: String| {
        rows.iter()
            .find(|m| m["member_id"] == json!(who))
            .map(|m| m["assigned"].clone())
            .unwrap()
    };
    assert!(figures(biz.member_id.to_string()).is_object());
    assert_eq!(figures(biz.other_member_id.to_string()), Value::Null);
    let all = owner.get("/api/leads/pool").await;
    assert!(
        all.body["members"][1]["assigned"].is_object(),
        "{}",
        all.body
    );
}

/// Whether the server closes `ws` within `wait` (frames before that are skipped).
async fn closes_within(ws: &mut crate::realtime::Ws, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return false,
            Ok(None) | Ok(Some(Err(_))) => return true,
            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_)))) => return true,
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[tokio::test]
async fn a_socket_ends_with_the_session_that_opened_it() {
    let h = Harness::start_with(|c| c.realtime.heartbeat_secs = 1);
    let biz = h.new_business("Acme").await;
    let member = h.login(biz.member()).await;
    let origin = h.base.clone();
    let mut ws = open(&h, &member, Some(&origin)).await.unwrap();
    assert!(!closes_within(&mut ws, Duration::from_millis(2500)).await);
    let out = member.post("/api/auth/logout", json!({})).await;
    assert!(out.status < 300, "{}", out.body);
    assert!(closes_within(&mut ws, Duration::from_secs(5)).await);
}

/// Every text frame within `wait`, presence included.
async fn all_frames(ws: &mut crate::realtime::Ws, wait: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
            out.push(serde_json::from_str(&t).unwrap());
        }
    }
    out
}

async fn join(ws: &mut crate::realtime::Ws, conversation: &str) {
    use futures_util::SinkExt;
    let text = json!({"type": "join", "conversation_id": conversation}).to_string();
    ws.send(tokio_tungstenite::tungstenite::Message::Text(text.into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_socket_learns_only_what_its_scope_sees() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let theirs = customer_of(&owner, "+5511911112222", biz.other_member_id).await;
    let mine = customer_of(&owner, "+5511933334444", biz.member_id).await;
    let origin = h.base.clone();
    let mut ws_owner = open(&h, &owner, Some(&origin)).await.unwrap();
    let mut ws_member = open(&h, &member, Some(&origin)).await.unwrap();
    let wait = Duration::from_millis(1000);
    all_frames(&mut ws_member, wait).await;

    // The owner at a colleague's conversation, then importing: neither reaches the member.
    join(&mut ws_owner, &theirs).await;
    let r = import_csv(
        &owner,
        "name,phone,assignee_email\nAna,+5511900001111,\n",
        "skip",
    )
    .await;
    assert_eq!(r["status"], "completed", "{r}");
    // Nor does a newcomer to another team, not even by id.
    let hired = owner
        .post(
            "/api/members",
            json!({"name": "Newcomer", "email": "newcomer@example.test", "password": "long-enough-pw",
                   "role": "member", "team_id": biz.team_b}),
        )
        .await;
    assert_eq!(hired.status, 201, "{}", hired.body);
    let seen = all_frames(&mut ws_member, wait).await;
    let text = serde_json::to_string(&seen).unwrap();
    assert!(!text.contains(&theirs), "{text}");
    assert!(!text.contains("import.progress"), "{text}");
    assert!(!text.contains("member.created"), "{text}");
    let presence = seen
        .iter()
        .find(|f| f["type"] == "presence")
        .expect("presence");
    assert_eq!(presence["data"]["viewing"], json!([]), "{presence}");

    // Both at the member's own conversation: that much they share.
    join(&mut ws_owner, &mine).await;
    all_frames(&mut ws_member, wait).await;
    join(&mut ws_member, &mine).await;
    let seen = all_frames(&mut ws_member, wait).await;
    assert!(
        seen.iter().any(|f| f["type"] == "presence"
            && f["data"]["member_id"] == json!(biz.owner_id)
            && f["data"]["viewing"] == json!([mine])),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_reminder_never_tells_someone_about_a_customer_they_lost() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let conversation = customer_of(&owner, "+5511922224444", biz.member_id).await;
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(700)).to_rfc3339();
    let f = member
        .post(
            "/api/followups",
            json!({"conversation_id": conversation, "note": "call about the loan", "scheduled_for": soon}),
        )
        .await;
    assert_eq!(f.status, 201, "{}", f.body);
    // Taken back to the unassigned queue before it falls due.
    let r = owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"assignee_id": null}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    tokio::time::sleep(std::time::Duration::from_millis(2_000)).await;
    let told = member.get("/api/notifications").await.body["items"].clone();
    let about: Vec<&Value> = told
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "followup")
        .collect();
    assert!(about.is_empty(), "{told}");
}
