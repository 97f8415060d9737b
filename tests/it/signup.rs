//! Self-service sign-up through a real SMTP conversation: closed by default;
//! when open, a new business whose owner signs in only after the emailed
//! link, which works once; the same answer for a taken address, which gets a
//! note instead of a second business; and a per-IP limit.
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{smtp_sink::SmtpSink, Client, Harness, PASSWORD};

const SITE: &str = "https://leads.acme.test";

fn body(email: &str, business: &str) -> Value {
    json!({"business_name": business, "name": "Ana Owner", "email": email, "password": PASSWORD})
}

async fn open_with_mail() -> (Harness, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url.clone();
    let h = Harness::start_with(move |c| {
        c.server.signup = "open".into();
        c.server.public_url = SITE.into();
        c.smtp.url = url;
        c.smtp.from = "Acme <noreply@acme.test>".into();
    });
    (h, sink)
}

/// Waits for the `n`th mail and returns it with quoted-printable undone.
async fn mail(sink: &SmtpSink, n: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    while sink.all().len() < n {
        assert!(
            Instant::now() < deadline,
            "mail {n} never reached the SMTP server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sink.all()[n - 1].replace("=\r\n", "").replace("=3D", "=")
}

/// The hex token that follows `prefix` (a link) in a mail.
fn token_after(mail: &str, prefix: &str) -> String {
    let at = mail.find(prefix).expect("the link") + prefix.len();
    mail[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

async fn location(c: &Client, path: &str) -> String {
    let r = c
        .without_redirects()
        .get(format!("{}{path}", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    r.headers()["location"].to_str().unwrap().to_string()
}

async fn login(c: &Client, email: &str) -> (u16, String) {
    let r = c
        .post(
            "/api/auth/login",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    (r.status, r.code().to_string())
}

#[tokio::test]
async fn closed_by_default() {
    let h = Harness::start();
    let r = h
        .client()
        .post("/api/auth/signup", body("ana@acme.test", "Acme"))
        .await;
    assert_eq!((r.status, r.code()), (403, "signup_closed"));
    let read = h.server.store.read().unwrap();
    assert!(wafunnel::auth::users::by_email(&read, "ana@acme.test")
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn sign_up_verify_once_then_sign_in_as_owner() {
    let (h, sink) = open_with_mail().await;
    let anon = h.client();
    assert_eq!(
        anon.get("/api/auth/providers").await.body,
        json!({"google": false, "signup": true})
    );
    let r = anon
        .post("/api/auth/signup", body("Ana@Bakery.test", "Ana's Bakery"))
        .await;
    assert_eq!(
        (r.status, &r.body),
        (202, &json!({"status": "verification_sent"}))
    );

    let m = mail(&sink, 1).await;
    assert!(m.contains("To: ana@bakery.test"), "{m}");
    assert!(
        m.contains("Subject: Confirm your email for wafunnel"),
        "{m}"
    );
    let token = token_after(&m, &format!("{SITE}/api/auth/verify-email?token="));
    assert_eq!(token.len(), 64);

    // Not before the link: the right password still gets email_unverified,
    // a wrong one the usual answer (nothing said about the account).
    let c = h.client();
    assert_eq!(
        login(&c, "ana@bakery.test").await,
        (403, "email_unverified".into())
    );
    let wrong = c
        .post(
            "/api/auth/login",
            json!({"email": "ana@bakery.test", "password": "wrong-password"}),
        )
        .await;
    assert_eq!(wrong.status, 401);

    let link = format!("/api/auth/verify-email?token={token}");
    assert_eq!(location(&c, &link).await, "/login?verified=1");
    assert_eq!(
        location(&c, &link).await,
        "/login?error=verification_invalid"
    );
    assert_eq!(
        location(&c, "/api/auth/verify-email?token=abc").await,
        "/login?error=verification_invalid"
    );

    assert_eq!(login(&c, "ana@bakery.test").await, (200, String::new()));
    let me = c.get("/api/auth/me").await;
    assert_eq!(me.body["business"]["name"], "Ana's Bakery", "{}", me.body);
    assert_eq!(me.body["member"]["role"], "owner");
    assert_eq!(me.body["memberships"].as_array().map(Vec::len), Some(1));
    let log = c.get("/api/audit?action=signed_up").await;
    assert_eq!(
        log.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        log.body
    );
}

#[tokio::test]
async fn a_taken_address_gets_the_same_answer_and_no_new_business() {
    let (h, sink) = open_with_mail().await;
    let biz = h.new_business("Acme").await;
    let before = wafunnel::tenancy::repo::businesses(&h.server.store.read().unwrap())
        .unwrap()
        .len();
    let r = h
        .client()
        .post(
            "/api/auth/signup",
            body(&biz.owner().to_uppercase(), "Impostor Ltd"),
        )
        .await;
    assert_eq!(
        (r.status, &r.body),
        (202, &json!({"status": "verification_sent"}))
    );

    let m = mail(&sink, 1).await;
    assert!(m.contains(&format!("To: {}", biz.owner())), "{m}");
    assert!(
        m.contains("Subject: You already have a wafunnel account"),
        "{m}"
    );
    assert!(!m.contains("verify-email"), "{m}");
    let after = wafunnel::tenancy::repo::businesses(&h.server.store.read().unwrap()).unwrap();
    assert_eq!(after.len(), before);
    assert!(after.iter().all(|b| b.name != "Impostor Ltd"));

    // The existing account is untouched: same password, still verified.
    let c = h.login(biz.owner()).await;
    assert_eq!(c.get("/api/auth/me").await.body["business"]["name"], "Acme");
}

#[tokio::test]
async fn sign_up_is_validated_and_rate_limited_per_ip() {
    let (h, _sink) = open_with_mail().await;
    let c = h.client();
    let weak = c
        .post(
            "/api/auth/signup",
            json!({"business_name": "", "name": "Bo", "email": "not-an-email", "password": "short"}),
        )
        .await;
    assert_eq!(weak.status, 422, "{}", weak.body);
    let fields = weak.body.to_string();
    for f in ["business_name", "email", "password"] {
        assert!(fields.contains(f), "{f}: {fields}");
    }
    for i in 0..4 {
        let r = c
            .post("/api/auth/signup", body(&format!("bo{i}@acme.test"), "Bo"))
            .await;
        assert_eq!(r.status, 202, "{i}: {}", r.body);
    }
    let r = c
        .post("/api/auth/signup", body("bo9@acme.test", "Bo"))
        .await;
    assert_eq!((r.status, r.code()), (429, "rate_limited"));
    assert!(r.headers.get("retry-after").is_some());
    let read = h.server.store.read().unwrap();
    assert!(wafunnel::auth::users::by_email(&read, "bo9@acme.test")
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_password_reset_link_also_confirms_the_address() {
    let (h, sink) = open_with_mail().await;
    let c = h.client();
    let r = c
        .post("/api/auth/signup", body("cy@acme.test", "Cy Shop"))
        .await;
    assert_eq!(r.status, 202);
    mail(&sink, 1).await;
    assert_eq!(login(&c, "cy@acme.test").await.0, 403);
    let r = c
        .post("/api/auth/forgot", json!({"email": "cy@acme.test"}))
        .await;
    assert_eq!(r.status, 202);
    let m = mail(&sink, 2).await;
    let token = token_after(&m, &format!("{SITE}/reset/"));
    let r = c
        .post(
            "/api/auth/reset",
            json!({"token": token, "password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = c
        .post(
            "/api/auth/login",
            json!({"email": "cy@acme.test", "password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}
