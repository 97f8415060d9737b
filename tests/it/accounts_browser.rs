//! Accounts in Chromium, end to end through real mail: an owner invites a
//! colleague from the Team page and the colleague accepts from the emailed
//! link; a user who forgot their password sets a new one from theirs.
use serde_json::json;

use crate::{
    common::{browser, smtp_sink::SmtpSink, Client, Harness},
    inbox_browser::{sign_in, until},
    invites::token_in,
};

fn harness(sink: &SmtpSink) -> Harness {
    let url = sink.url.clone();
    Harness::start_with(move |c| {
        c.smtp.url = url;
        c.server.public_url = "https://leads.acme.test".into();
    })
}

#[tokio::test]
async fn back_from_facebook_signed_out_signs_in_and_lands_on_channels() {
    let Some(tab) = browser::start(1280, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    tab.client
        .goto(&h.url("/api/facebook/oauth/callback?code=AUTH-CODE&state=expired"))
        .await
        .unwrap();
    tab.text("Your session ended while Facebook was asking")
        .await;
    tab.screenshot("facebook-back-signed-out").await;
    tab.fill("login-email", biz.owner()).await;
    tab.fill("login-password", crate::common::PASSWORD).await;
    tab.click("login-submit").await;
    tab.el("ws-status").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tab.client.current_url().await.unwrap().path() != "/channels" {
        assert!(std::time::Instant::now() < deadline, "not on Channels");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_invitation_the_mail_server_refused_says_so_on_the_team_page() {
    let Some(tab) = browser::start(1280, 900).await else {
        return;
    };
    let sink = SmtpSink::refusing().await;
    let h = harness(&sink);
    let biz = h.new_business("Acme").await;
    sign_in(&tab, &h, biz.owner(), "/team").await;
    tab.click("invite-open").await;
    tab.fill("invite-email", "nina@acme.tset").await;
    tab.click("invite-submit").await;
    // The list asks again while the mail is on its way, with no reload.
    until(
        &tab,
        "[data-testid=\"invite-row\"][data-email=\"nina@acme.tset\"] [data-testid=\"invite-email-trouble\"][data-email-status=\"failed\"]",
        "the invitation's mail shown as not delivered",
    )
    .await;
    tab.text("Email not delivered").await;
    tab.text("User unknown").await;
    tab.screenshot("invite-mail-refused").await;
}

#[tokio::test]
async fn an_owner_invites_by_email_and_the_colleague_accepts_from_the_link() {
    let Some(owner_tab) = browser::start(1280, 900).await else {
        return;
    };
    let Some(newcomer) = browser::start(390, 844).await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let h = harness(&sink);
    let biz = h.new_business("Acme").await;

    sign_in(&owner_tab, &h, biz.owner(), "/team").await;
    owner_tab.click("invite-open").await;
    owner_tab.fill("invite-email", "nina@acme.test").await;
    owner_tab
        .css("[data-testid=\"invite-role\"] option[value=\"lead\"]")
        .await
        .click()
        .await
        .unwrap();
    owner_tab.screenshot("invite-dialog").await;
    owner_tab.click("invite-submit").await;
    until(
        &owner_tab,
        "[data-testid=\"invite-row\"][data-email=\"nina@acme.test\"][data-status=\"pending\"]",
        "the pending invitation in the list",
    )
    .await;

    let token = token_in(&sink, "nina@acme.test", 1, "invite").await;
    newcomer
        .client
        .goto(&h.url(&format!("/invite/{token}")))
        .await
        .unwrap();
    // The page says which business the link joins before anything is typed.
    newcomer.text("Join Acme").await;
    newcomer.fill("accept-name", "Nina Prado").await;
    newcomer.fill("accept-password", "nina-long-password").await;
    newcomer.screenshot("invite-accept-phone").await;
    newcomer.click("accept-submit").await;
    newcomer.el("ws-status").await;
    let url = newcomer.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/inbox", "signed in and in the inbox");

    // The account works with the password chosen on the page, as a lead.
    let nina = Client::new(&h.url(""));
    let r = nina
        .post(
            "/api/auth/login",
            json!({"email": "nina@acme.test", "password": "nina-long-password"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let me = nina.get("/api/auth/me").await;
    assert_eq!(me.body["member"]["role"], "lead", "{}", me.body);

    owner_tab.client.refresh().await.unwrap();
    until(
        &owner_tab,
        "[data-testid=\"invite-row\"][data-email=\"nina@acme.test\"][data-status=\"accepted\"]",
        "the invitation shown accepted",
    )
    .await;
}

#[tokio::test]
async fn a_forgotten_password_is_replaced_from_the_emailed_link_and_old_sessions_end() {
    let Some(tab) = browser::start(390, 844).await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let h = harness(&sink);
    let biz = h.new_business("Acme").await;
    let old_session = h.login(biz.member()).await;
    assert_eq!(old_session.get("/api/auth/me").await.status, 200);

    tab.client.goto(&h.url("/login")).await.unwrap();
    tab.click("forgot-link").await;
    tab.fill("forgot-email", biz.member()).await;
    tab.click("forgot-submit").await;
    tab.el("forgot-sent").await;
    tab.screenshot("forgot-sent-phone").await;

    let token = token_in(&sink, biz.member(), 1, "reset").await;
    tab.client
        .goto(&h.url(&format!("/reset/{token}")))
        .await
        .unwrap();
    tab.fill("reset-password", "a-brand-new-password").await;
    tab.fill("reset-password2", "a-brand-new-password").await;
    tab.click("reset-submit").await;
    tab.el("reset-done").await;
    tab.screenshot("reset-done-phone").await;

    assert_eq!(
        old_session.get("/api/auth/me").await.status,
        401,
        "the reset signed the user out everywhere"
    );
    tab.client.goto(&h.url("/login")).await.unwrap();
    tab.fill("login-email", biz.member()).await;
    tab.fill("login-password", "a-brand-new-password").await;
    tab.click("login-submit").await;
    tab.el("ws-status").await;

    // The link worked once.
    let anon = Client::new(&h.url(""));
    let again = anon
        .post(
            "/api/auth/reset",
            json!({"token": token, "password": "yet-another-password"}),
        )
        .await;
    assert_eq!(again.status, 400, "{}", again.body);
}

#[tokio::test]
async fn a_member_removed_while_signed_in_is_signed_out_at_once_instead_of_reconnecting() {
    let Some(b) = browser::start(1280, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    sign_in(&b, &h, biz.member(), "/inbox").await;
    b.el("conversation-list").await;

    let gone = owner
        .delete(&format!("/api/members/{}", biz.member_id))
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    // Their session ended with the membership: the tab says so at once
    // (before, it showed "reconnecting" until some click met a 401).
    let notice = until(
        &b,
        "[data-testid=\"login-notice\"]",
        "the signed-out notice",
    )
    .await;
    assert!(notice.text().await.unwrap().contains("session has ended"));
    b.screenshot("member-removed-while-signed-in").await;
    let _ = b.client.clone().close().await;
}
