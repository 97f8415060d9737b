//! Team management as owners, leads and members see it.
use serde_json::json;

use crate::common::Harness;

fn emails(body: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn members_see_their_own_team_only_and_owners_see_everyone() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let rival = h.new_business("Rival").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let lead = h.login(biz.lead()).await;

    let all = emails(&owner.get("/api/members").await.body);
    assert_eq!(all.len(), 4);
    assert!(
        !all.iter().any(|e| rival.emails.contains(e)),
        "another business never shows"
    );

    let mut team_a = vec![biz.lead().to_string(), biz.member().to_string()];
    team_a.sort();
    assert_eq!(emails(&member.get("/api/members").await.body), team_a);
    assert_eq!(emails(&lead.get("/api/members").await.body), team_a);
    let teams = member.get("/api/teams").await;
    assert_eq!(teams.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(teams.body["items"][0]["member_count"], 2);
}

#[tokio::test]
async fn leads_add_plain_members_to_their_own_team_only() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let lead = h.login(biz.lead()).await;
    let added = lead
        .post(
            "/api/members",
            json!({"name": "Nia", "email": "nia@example.test", "role": "member"}),
        )
        .await;
    assert_eq!(added.status, 201);
    assert_eq!(added.body["team_id"], json!(biz.team_a));
    let promote = lead
        .post(
            "/api/members",
            json!({"name": "Max", "email": "max@example.test", "role": "lead"}),
        )
        .await;
    assert_eq!(promote.status, 403);
    let elsewhere = lead
        .post("/api/members", json!({"name": "Ivo", "email": "ivo@example.test", "role": "member", "team_id": biz.team_b}))
        .await;
    assert_eq!(elsewhere.status, 403);
    let perms = lead
        .patch(
            &format!("/api/members/{}", biz.member_id),
            json!({"permissions": ["see_all"]}),
        )
        .await;
    assert_eq!(perms.status, 403, "leads do not hand out permissions");
}

#[tokio::test]
async fn owners_manage_roles_teams_and_permissions() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let r = owner
        .patch(
            &format!("/api/members/{}", biz.other_member_id),
            json!({"role": "lead", "team_id": null, "permissions": ["export", "see_all", "export"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["role"], "lead");
    assert_eq!(r.body["team_id"], json!(null));
    assert_eq!(r.body["permissions"], json!(["see_all", "export"]));

    // see_all widens what that member sees immediately, without signing in again.
    let other = h.login(biz.other_member()).await;
    assert_eq!(
        other.get("/api/members").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    let last_owner = owner
        .patch(
            &format!("/api/members/{}", biz.owner_id),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!((last_owner.status, last_owner.code()), (409, "conflict"));
    let dup = owner
        .post(
            "/api/members",
            json!({"name": "Again", "email": biz.member(), "role": "member"}),
        )
        .await;
    assert_eq!((dup.status, dup.code()), (409, "email_taken"));
    let no_team = owner
        .post("/api/members", json!({"name": "T", "email": "t@example.test", "role": "member", "team_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}))
        .await;
    assert_eq!((no_team.status, no_team.code()), (422, "validation_failed"));
}

#[tokio::test]
async fn availability_changes_are_logged_and_reported() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let member = h.login(biz.member()).await;
    let r = member
        .put(
            &format!("/api/members/{}/availability", biz.member_id),
            json!({"available": false}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["available"], false);
    let me = member.get("/api/auth/me").await;
    assert_eq!(me.body["member"]["available"], false);
    let read = h.server.store.read().unwrap();
    let log = wafunnel::tenancy::repo::availability_log(&read, biz.id, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].member_id, log[0].available, log[0].changed_by),
        (biz.member_id, false, biz.member_id)
    );
}

#[tokio::test]
async fn deleting_a_team_unassigns_its_members() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    assert_eq!(
        owner
            .delete(&format!("/api/teams/{}", biz.team_b))
            .await
            .status,
        204
    );
    let members = owner.get("/api/members").await;
    let other = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == json!(biz.other_member_id))
        .cloned()
        .unwrap();
    assert_eq!(other["team_id"], json!(null));
}

#[tokio::test]
async fn names_emails_and_passwords_that_would_break_lists_or_guessing_are_refused() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    for (body, field) in [
        (
            json!({"name": "Ana\r\nBcc: x@evil.test", "email": "ana@acme.test", "role": "member"}),
            "name",
        ),
        (
            json!({"name": "Ana", "email": "ana\u{0}@acme.test", "role": "member"}),
            "email",
        ),
        (
            json!({"name": "Ana", "email": "ana@acme.test", "role": "member", "password": "        "}),
            "password",
        ),
    ] {
        let r = owner.post("/api/members", body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(r.body["error"]["details"][0]["field"], field, "{}", r.body);
    }
    let r = owner
        .patch(
            &format!("/api/members/{}", biz.member_id),
            json!({"name": "Bia\u{7}"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let listed = owner.get("/api/members").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 4);
}
