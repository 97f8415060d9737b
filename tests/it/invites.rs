//! Invitations end to end over HTTP and SMTP: invite → email → accept → the
//! new member is signed in and takes the next lead from their pool.
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{smtp_sink::SmtpSink, wa::text, Harness};

/// The token of the `n`th mail to `to` holding a `https://leads.acme.test/{page}/…` link.
pub(crate) async fn token_in(sink: &SmtpSink, to: &str, n: usize, page: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mails: Vec<String> = sink
            .all()
            .into_iter()
            .filter(|m| m.contains(&format!("To: {to}")))
            .collect();
        if mails.len() >= n {
            let mail = mails[n - 1].replace("=\r\n", "").replace("=3D", "=");
            let prefix = format!("https://leads.acme.test/{page}/");
            let start = mail.find(&prefix).expect("link") + prefix.len();
            return mail[start..]
                .chars()
                .take_while(|c| c.is_ascii_hexdigit())
                .collect();
        }
        assert!(Instant::now() < deadline, "no {page} mail to {to}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A server that mails through a local SMTP sink, with links to
/// `https://leads.acme.test`; `more` adjusts the rest of its configuration.
pub(crate) async fn mailing_harness(
    more: impl FnOnce(&mut wafunnel::config::Config) + Send + 'static,
) -> (SmtpSink, Harness) {
    let sink = SmtpSink::start().await;
    let url = sink.url.clone();
    let h = Harness::start_with(move |c| {
        c.smtp.url = url;
        c.server.public_url = "https://leads.acme.test".into();
        more(c);
    });
    (sink, h)
}

/// The first invitation once its mail reached `email_status`.
async fn until_email(owner: &crate::common::Client, email_status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let list = owner.get("/api/invites").await;
        let first = list.body["items"][0].clone();
        if first["email_status"] == email_status {
            return first;
        }
        assert!(Instant::now() < deadline, "{}", list.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_invitation_whose_mail_the_relay_refused_says_so_until_sent_again() {
    let sink = SmtpSink::refusing().await;
    let url = sink.url.clone();
    let h = Harness::start_with(move |c| c.smtp.url = url);
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let r = owner
        .post(
            "/api/invites",
            json!({"email": "nvoa@acme.test", "role": "member"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["email_status"], "queued");
    let failed = until_email(&owner, "failed").await;
    // The link itself is still good; the person never got it.
    assert_eq!(failed["status"], "pending");
    let why = failed["email_error"].as_str().unwrap_or_default();
    assert!(why.contains("User unknown"), "{failed}");
    assert!(sink.all().is_empty());
    // Sending again is a new mail, queued afresh.
    let id = failed["id"].as_str().unwrap();
    let again = owner
        .post(&format!("/api/invites/{id}/resend"), json!({}))
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["email_status"], "queued");
    assert_eq!(again.body["email_error"], Value::Null);
}

#[tokio::test]
async fn an_invited_member_accepts_signs_in_and_takes_the_next_lead_of_their_pool() {
    let (sink, h) = mailing_harness(|_| {}).await;
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "INV-PN").await;
    owner
        .put(
            &format!("/api/whatsapp/numbers/{number}/pool"),
            json!({"mode": "round_robin", "members": [{"member_id": biz.member_id}]}),
        )
        .await;
    owner
        .put(
            &format!("/api/members/{}/availability", biz.member_id),
            json!({"available": false}),
        )
        .await;
    h.webhook(&text(
        "INV-PN",
        "5511900000701",
        "Waiting",
        "wamid.I1",
        "anyone?",
    ))
    .await;

    let r = owner
        .post(
            "/api/invites",
            json!({"email": "Nova@Acme.test", "role": "member", "team_id": biz.team_a,
            "pools": [{"channel_id": format!("whatsapp:{number}"), "weight": 2}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["status"], "pending");
    let invite = r.body["id"].as_str().unwrap().to_string();
    let token = token_in(&sink, "nova@acme.test", 1, "invite").await;
    assert_eq!(token.len(), 64);
    let sent = until_email(&owner, "sent").await;
    assert_eq!(sent["email_error"], Value::Null);
    // Resending replaces the link: the first one stops working.
    owner
        .post(&format!("/api/invites/{invite}/resend"), json!({}))
        .await;
    let token2 = token_in(&sink, "nova@acme.test", 2, "invite").await;
    assert_ne!(token, token2);
    let nova = h.client();
    let old = nova
        .post(
            "/api/invites/accept",
            json!({"token": token, "name": "Nova", "password": "nova-password-1"}),
        )
        .await;
    assert_eq!(old.status, 400);
    // The page names the business, the address and the role before anyone joins.
    let about = nova
        .post("/api/invites/lookup", json!({"token": token2}))
        .await;
    assert_eq!(about.status, 200, "{}", about.body);
    assert_eq!(
        about.body,
        json!({"business_name": "Acme", "email": "nova@acme.test", "role": "member",
               "existing_account": false})
    );
    let stale = nova
        .post("/api/invites/lookup", json!({"token": token}))
        .await;
    assert_eq!(stale.status, 400, "{}", stale.body);
    // A second invitation to the same address, sent before she joined.
    let twin = owner
        .post(
            "/api/invites",
            json!({"email": "nova@acme.test", "role": "member"}),
        )
        .await;
    assert_eq!(twin.status, 201, "{}", twin.body);

    let r = nova
        .post(
            "/api/invites/accept",
            json!({"token": token2, "name": "Nova Reis", "password": "nova-password-1"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let invites = owner.get("/api/invites").await;
    let twin_now = invites.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == twin.body["id"])
        .cloned()
        .unwrap();
    assert_eq!(
        twin_now["status"], "revoked",
        "no longer pending once she joined"
    );
    let me = nova.get("/api/auth/me").await;
    assert_eq!(me.status, 200, "signed in by accepting");
    let nova_id = r.body["member_id"].as_str().unwrap().to_string();
    let mine = nova.get("/api/conversations?view=mine").await;
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        1,
        "the lead that waited is hers: {}",
        mine.body
    );
    h.webhook(&text(
        "INV-PN",
        "5511900000702",
        "Next",
        "wamid.I2",
        "hello",
    ))
    .await;
    let mine = nova.get("/api/conversations?view=mine").await;
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        2,
        "and the next one"
    );
    let pool = owner
        .get(&format!("/api/whatsapp/numbers/{number}/pool"))
        .await;
    assert!(pool.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["member_id"] == nova_id.as_str() && m["weight"] == 2));
    let again = h
        .client()
        .post(
            "/api/invites/accept",
            json!({"token": token2, "name": "X", "password": "nova-password-1"}),
        )
        .await;
    assert_eq!(again.status, 400, "single use");
    let list = owner.get("/api/invites").await;
    let accepted = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == invite.as_str())
        .cloned()
        .unwrap();
    assert_eq!(accepted["status"], "accepted");
    let fresh = h.client();
    let login = fresh
        .post(
            "/api/auth/login",
            json!({"email": "nova@acme.test", "password": "nova-password-1"}),
        )
        .await;
    assert_eq!(login.status, 200);
}

#[tokio::test]
async fn members_cannot_invite_leads_invite_to_their_team_and_revoked_links_die() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let (owner, lead, member) = (
        h.login(biz.owner()).await,
        h.login(biz.lead()).await,
        h.login(biz.member()).await,
    );
    assert_eq!(
        member
            .post(
                "/api/invites",
                json!({"email": "a@acme.test", "role": "member"})
            )
            .await
            .status,
        403
    );
    assert_eq!(
        lead.post(
            "/api/invites",
            json!({"email": "a@acme.test", "role": "lead"})
        )
        .await
        .status,
        403
    );
    let r = lead
        .post(
            "/api/invites",
            json!({"email": "b@acme.test", "role": "member"}),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["team_id"]),
        (201, &json!(biz.team_a)),
        "{}",
        r.body
    );
    let taken = owner
        .post(
            "/api/invites",
            json!({"email": biz.member(), "role": "member"}),
        )
        .await;
    assert_eq!(taken.status, 409);
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(
        owner.delete(&format!("/api/invites/{id}")).await.status,
        204
    );
    assert_eq!(
        owner.delete(&format!("/api/invites/{id}")).await.status,
        404,
        "revoked already"
    );
    let resent = owner
        .post(&format!("/api/invites/{id}/resend"), json!({}))
        .await;
    assert_eq!(
        resent.status, 409,
        "a revoked link stays dead: {}",
        resent.body
    );
    let list = owner.get("/api/invites").await;
    assert_eq!(list.body["items"][0]["status"], "revoked");
    let outbox = owner.get("/api/mail/outbox").await;
    assert!(
        outbox.body["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("/invite/"),
        "kept for the owner without SMTP"
    );
}

#[tokio::test]
async fn a_person_in_two_businesses_keeps_the_name_they_chose() {
    let (sink, h) = mailing_harness(|_| {}).await;
    let acme = h.new_business("Acme").await;
    let beta = h.new_business("Beta").await;
    let acme_owner = h.login(acme.owner()).await;
    let beta_owner = h.login(beta.owner()).await;
    let r = beta_owner
        .post(
            "/api/invites",
            json!({"email": acme.member(), "role": "member"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let token = token_in(&sink, acme.member(), 1, "invite").await;
    let accepted = h
        .client()
        .post(
            "/api/invites/accept",
            json!({"token": token, "name": "ignored", "password": crate::common::PASSWORD}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let in_beta = accepted.body["member_id"].as_str().unwrap().to_string();

    // Neither business renames them for the other.
    let renamed = beta_owner
        .patch(
            &format!("/api/members/{in_beta}"),
            json!({"name": "Beta's name"}),
        )
        .await;
    assert_eq!(renamed.status, 409, "{}", renamed.body);
    assert_eq!(renamed.body["error"]["code"], "conflict");
    let renamed = acme_owner
        .patch(
            &format!("/api/members/{}", acme.member_id),
            json!({"name": "Acme's name"}),
        )
        .await;
    assert_eq!(renamed.status, 409, "{}", renamed.body);
    // What else a business decides stays its own, the name sent back unchanged.
    let current = acme_owner.get("/api/members").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == acme.member_id.to_string())
        .map(|m| m["name"].clone())
        .unwrap();
    let role = beta_owner
        .patch(
            &format!("/api/members/{in_beta}"),
            json!({"name": current, "role": "lead"}),
        )
        .await;
    assert_eq!(role.status, 200, "{}", role.body);
    assert_eq!(role.body["role"], "lead");
    // They rename themselves, everywhere at once.
    let person = h.login(acme.member()).await;
    let own = person
        .patch(
            &format!("/api/members/{}", acme.member_id),
            json!({"name": "Maria Reis"}),
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.body);
    let seen_in_beta = beta_owner.get("/api/members").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == in_beta.as_str() && m["name"] == "Maria Reis");
    assert!(seen_in_beta);
    // Their own role is still not theirs to change.
    let promoted = person
        .patch(
            &format!("/api/members/{}", acme.member_id),
            json!({"name": "Maria Reis", "role": "lead"}),
        )
        .await;
    assert_eq!(promoted.status, 403, "{}", promoted.body);
    // A person alone in one business is renamed as before.
    let solo = acme_owner
        .patch(
            &format!("/api/members/{}", acme.other_member_id),
            json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(solo.status, 200, "{}", solo.body);
    assert_eq!(solo.body["name"], "Renamed");
}

#[tokio::test]
async fn an_invitation_is_no_way_to_guess_an_existing_accounts_password() {
    let (sink, h) = mailing_harness(|c| c.auth.login_max_failures_per_account = 3).await;
    let victim = h.new_business("Victim").await;
    let rival = h.new_business("Rival").await;
    let rival_owner = h.login(rival.owner()).await;
    let r = rival_owner
        .post(
            "/api/invites",
            json!({"email": victim.owner(), "role": "member"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let token = token_in(&sink, victim.owner(), 1, "invite").await;
    let guesser = h.client();
    for guess in ["12345678", "password", "qwerty12"] {
        let r = guesser
            .post(
                "/api/invites/accept",
                json!({"token": token, "name": "x", "password": guess}),
            )
            .await;
        assert_eq!(r.body["error"]["code"], "invalid_credentials", "{}", r.body);
    }
    // Locked out like a login, even for the right password.
    let r = guesser
        .post(
            "/api/invites/accept",
            json!({"token": token, "name": "x", "password": crate::common::PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.body);
    let login = guesser
        .post(
            "/api/auth/login",
            json!({"email": victim.owner(), "password": crate::common::PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 429, "{}", login.body);

    // The current-password check of a signed-in session counts too.
    let member = h.login(rival.member()).await;
    for _ in 0..3 {
        let r = member
            .post(
                "/api/auth/password",
                json!({"current_password": "wrong-guess-1", "new_password": "another-password-9"}),
            )
            .await;
        assert_eq!(r.body["error"]["code"], "invalid_credentials", "{}", r.body);
    }
    let r = member
        .post(
            "/api/auth/password",
            json!({"current_password": crate::common::PASSWORD, "new_password": "another-password-9"}),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.body);
}
