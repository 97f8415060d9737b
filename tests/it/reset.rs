//! Forgotten passwords, through a real SMTP conversation: the same answer for
//! any address, a link mailed to real ones, good once, and every session of
//! the user ended by the reset.
use std::time::{Duration, Instant};

use serde_json::json;

use crate::{
    common::{Client, Harness, PASSWORD},
    invites::mailing_harness,
};

/// The mail's text with quoted-printable soft breaks undone.
fn unfolded(mail: &str) -> String {
    mail.replace("=\r\n", "").replace("=3D", "=")
}

#[tokio::test]
async fn a_reset_link_is_mailed_works_once_and_signs_out_everywhere() {
    let (sink, h) = mailing_harness(|c| c.smtp.from = "Acme <noreply@acme.test>".into()).await;
    let biz = h.new_business("Acme").await;
    let member = h.login(biz.member()).await;
    assert_eq!(member.get("/api/auth/me").await.status, 200);

    let anon = h.client();
    let r = anon
        .post(
            "/api/auth/forgot",
            json!({"email": biz.member().to_uppercase()}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let nobody = anon
        .post("/api/auth/forgot", json!({"email": "nobody@acme.test"}))
        .await;
    assert_eq!(
        (nobody.status, &nobody.body),
        (202, &r.body),
        "the same answer"
    );

    let deadline = Instant::now() + Duration::from_secs(10);
    while sink.all().is_empty() {
        assert!(Instant::now() < deadline, "no mail reached the SMTP server");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mails = sink.all();
    assert_eq!(mails.len(), 1, "only the real address gets mail");
    let mail = unfolded(&mails[0]);
    assert!(mail.contains(&format!("To: {}", biz.member())), "{mail}");
    assert!(mail.contains("From: Acme <noreply@acme.test>"), "{mail}");
    // Providers file mail without a Message-ID as spam.
    let id = mail.lines().find_map(|l| l.strip_prefix("Message-ID: "));
    assert!(
        id.is_some_and(|id| id.starts_with('<') && id.trim_end().ends_with("@acme.test>")),
        "{mail}"
    );
    assert!(
        mail.contains("Subject: Reset your wafunnel password"),
        "{mail}"
    );
    assert!(
        mail.contains("multipart/alternative") && mail.contains("text/html"),
        "{mail}"
    );
    let start = mail
        .find("https://leads.acme.test/reset/")
        .expect("the link")
        + "https://leads.acme.test/reset/".len();
    let token: String = mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(token.len(), 64);

    let weak = anon
        .post(
            "/api/auth/reset",
            json!({"token": token, "password": "short"}),
        )
        .await;
    assert_eq!(weak.status, 422);
    let done = anon
        .post(
            "/api/auth/reset",
            json!({"token": token, "password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        member.get("/api/auth/me").await.status,
        401,
        "signed out everywhere"
    );
    let again = anon
        .post(
            "/api/auth/reset",
            json!({"token": token, "password": "another-new-password"}),
        )
        .await;
    assert_eq!(again.status, 400, "single use");
    let fresh = Client::new(&h.base);
    let old = fresh
        .post(
            "/api/auth/login",
            json!({"email": biz.member(), "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status, 401);
    let new = fresh
        .post(
            "/api/auth/login",
            json!({"email": biz.member(), "password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(new.status, 200);

    // Asking over and over from one address is slowed down.
    let mut last = 0;
    for _ in 0..5 {
        last = anon
            .post("/api/auth/forgot", json!({"email": "x@acme.test"}))
            .await
            .status;
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn without_smtp_mail_is_kept_for_owners_and_reset_links_for_nobody() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.client()
        .post("/api/auth/forgot", json!({"email": biz.member()}))
        .await;
    let outbox = owner.get("/api/mail/outbox").await;
    assert_eq!(outbox.status, 200);
    assert_eq!(outbox.body["smtp_configured"], false);
    assert_eq!(
        outbox.body["items"],
        json!([]),
        "a member's reset link is not the owner's to read"
    );
    let member = h.login(biz.member()).await;
    assert_eq!(member.get("/api/mail/outbox").await.status, 403);
}

#[tokio::test]
async fn a_new_password_voids_every_older_reset_link() {
    let (sink, h) = mailing_harness(|_| {}).await;
    let biz = h.new_business("Acme").await;
    let anon = h.client();
    let forgot = || anon.post("/api/auth/forgot", json!({"email": biz.member()}));
    assert_eq!(forgot().await.status, 202);
    assert_eq!(forgot().await.status, 202);
    let first = crate::invites::token_in(&sink, biz.member(), 1, "reset").await;
    let second = crate::invites::token_in(&sink, biz.member(), 2, "reset").await;
    let reset = |token: String, password: &'static str| {
        anon.post(
            "/api/auth/reset",
            json!({"token": token, "password": password}),
        )
    };
    assert_eq!(reset(second, "new-password-one").await.status, 200);
    let late = reset(first, "new-password-two").await;
    assert_eq!(late.status, 400, "the older mail is void: {}", late.body);

    // A link mailed before the user changed their password themselves dies too.
    assert_eq!(forgot().await.status, 202);
    let third = crate::invites::token_in(&sink, biz.member(), 3, "reset").await;
    let mut member = h.client();
    let login = member
        .post(
            "/api/auth/login",
            json!({"email": biz.member(), "password": "new-password-one"}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    member.send_csrf = true;
    let changed = member
        .post(
            "/api/auth/password",
            json!({"current_password": "new-password-one", "new_password": "new-password-three"}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(reset(third, "new-password-four").await.status, 400);
}
