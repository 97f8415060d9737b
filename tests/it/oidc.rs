//! Google sign-in against a fake OpenID provider: the whole browser round trip
//! (start → provider → callback) with PKCE, and every way an ID token or a
//! callback must be refused.
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::common::{
    fake_oidc::{FakeOidc, Mode, Person, CLIENT_ID, CLIENT_SECRET},
    Biz, Client, Harness,
};

fn person(sub: &str, email: &str) -> Person {
    Person {
        sub: sub.into(),
        email: email.into(),
        email_verified: true,
    }
}

/// A server with Google sign-in pointed at a fresh fake provider.
fn with_google(
    who: Person,
    adjust: impl FnOnce(&mut wafunnel::config::Config),
) -> (Harness, FakeOidc) {
    let fake = FakeOidc::start(who);
    let issuer = fake.url.clone();
    let h = Harness::start_with(move |c| {
        c.google.client_id = CLIENT_ID.into();
        c.google.client_secret = CLIENT_SECRET.into();
        c.google.issuer = issuer;
        adjust(c);
    });
    (h, fake)
}

async fn setup(who: impl FnOnce(&Biz) -> Person) -> (Harness, FakeOidc, Biz) {
    let (h, fake) = with_google(person("nobody", "nobody@example.test"), |_| {});
    let biz = h.new_business("Acme").await;
    fake.set_person(who(&biz));
    (h, fake, biz)
}

/// One attempt as the browser makes it: what the callback was and the
/// `wf_oidc` cookie that went with it, to replay them.
struct Attempt {
    callback: String,
    cookie: String,
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// start → the provider → back with a code: the callback to call.
async fn begin(h: &Harness, next: &str) -> Attempt {
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = raw
        .get(h.url(&format!("/api/auth/google/start?next={next}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let cookie = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("wf_oidc="))
        .expect("the sign-in cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/api/auth/google"));
    let cookie = cookie.split(';').next().unwrap().to_string();
    let to_provider = reqwest::Url::parse(&location(&r)).unwrap();
    let q: std::collections::HashMap<_, _> = to_provider.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["redirect_uri"].ends_with("/api/auth/google/callback"));
    let back = raw.get(to_provider).send().await.unwrap();
    assert_eq!(back.status(), 302, "the provider sends the browser back");
    let back = reqwest::Url::parse(&location(&back)).unwrap();
    Attempt {
        callback: format!("{}?{}", back.path(), back.query().unwrap_or_default()),
        cookie,
    }
}

/// Calls the callback in `client`'s cookie jar (so the session lands there)
/// with the attempt's sign-in cookie; the Location it answers.
async fn finish(h: &Harness, client: &Client, a: &Attempt) -> String {
    let r = client
        .without_redirects()
        .get(h.url(&a.callback))
        .header(COOKIE, &a.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302, "{:?}", r.text().await);
    location(&r)
}

async fn sign_in(h: &Harness, next: &str) -> (Client, String) {
    let c = h.client();
    let a = begin(h, next).await;
    let to = finish(h, &c, &a).await;
    (c, to)
}

#[tokio::test]
async fn a_verified_google_account_signs_in_its_user_and_is_linked() {
    let (h, fake, biz) = setup(|b| person("g-100", &b.owner().to_uppercase())).await;
    let (c, to) = sign_in(&h, "/inbox?tab=mine").await;
    assert_eq!(to, "/inbox?tab=mine");
    let me = c.get("/api/auth/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["user"]["email"], biz.owner());
    assert_eq!(me.body["business"]["id"], biz.id.to_string());
    assert!(c.cookie("wf_csrf").is_some());

    // Linked: the same Google account finds the user by its id even after
    // its address changed at Google.
    fake.set_person(person("g-100", "renamed@gmail.example"));
    let (c2, to) = sign_in(&h, "/").await;
    assert_eq!(to, "/");
    assert_eq!(
        c2.get("/api/auth/me").await.body["user"]["email"],
        biz.owner()
    );

    // Another Google account with the owner's address is not that user.
    fake.set_person(person("g-999", biz.owner()));
    let (c3, to) = sign_in(&h, "/").await;
    assert_eq!(to, "/login?error=google_failed");
    assert_eq!(c3.get("/api/auth/me").await.status, 401);

    // The audit log says how they signed in, and what failed.
    let log = c.get("/api/audit?action=login_succeeded").await;
    assert!(
        log.body.to_string().contains("signed in with Google"),
        "{}",
        log.body
    );
    let read = h.server.store.read().unwrap();
    let owner = wafunnel::auth::users::by_email(&read, biz.owner())
        .unwrap()
        .unwrap();
    assert_eq!(
        wafunnel::auth::oidc::linked_sub(&read, owner.id)
            .unwrap()
            .as_deref(),
        Some("g-100")
    );
    let log = c.get("/api/audit?action=google_linked").await;
    assert_eq!(
        log.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        log.body
    );
    let log = c.get("/api/audit?action=login_failed").await;
    assert!(
        log.body.to_string().contains("Failed Google sign-in"),
        "{}",
        log.body
    );
}

#[tokio::test]
async fn bad_id_tokens_are_refused() {
    let (h, fake, _) = setup(|b| person("g-1", b.owner())).await;
    for mode in [
        Mode::WrongKey,
        Mode::WrongAudience,
        Mode::AnotherClients,
        Mode::FromTheFuture,
        Mode::Expired,
    ] {
        fake.set_mode(mode.clone());
        let (c, to) = sign_in(&h, "/inbox").await;
        assert_eq!(to, "/login?error=google_failed", "{mode:?}");
        assert_eq!(c.get("/api/auth/me").await.status, 401, "{mode:?}");
        assert!(c.cookie("wf_session").is_none(), "{mode:?}");
    }
    // The same provider with a good token works: the refusals were the tokens.
    fake.set_mode(Mode::Good);
    let (c, to) = sign_in(&h, "/inbox").await;
    assert_eq!(to, "/inbox");
    assert_eq!(c.get("/api/auth/me").await.status, 200);
}

#[tokio::test]
async fn a_callback_or_a_nonce_works_once() {
    let (h, fake, _) = setup(|b| person("g-2", b.owner())).await;
    let a = begin(&h, "/inbox").await;
    assert_eq!(finish(&h, &h.client(), &a).await, "/inbox");
    let exchanges = fake.token_requests();

    // The same callback and cookie again: refused before any code exchange.
    let replay = h.client();
    assert_eq!(finish(&h, &replay, &a).await, "/login?error=google_failed");
    assert_eq!(fake.token_requests(), exchanges);
    assert_eq!(replay.get("/api/auth/me").await.status, 401);

    // A fresh attempt whose token carries the spent nonce.
    let spent = fake.nonces()[0].clone();
    fake.set_mode(Mode::Nonce(spent));
    let (c, to) = sign_in(&h, "/inbox").await;
    assert_eq!(to, "/login?error=google_failed");
    assert_eq!(c.get("/api/auth/me").await.status, 401);

    // A callback without its cookie, or with another attempt's state.
    fake.set_mode(Mode::Good);
    let a = begin(&h, "/").await;
    let b = begin(&h, "/").await;
    let mixed = Attempt {
        callback: a.callback.clone(),
        cookie: b.cookie.clone(),
    };
    assert_eq!(
        finish(&h, &h.client(), &mixed).await,
        "/login?error=google_failed"
    );
    let no_cookie = Attempt {
        callback: a.callback,
        cookie: "other=1".into(),
    };
    assert_eq!(
        finish(&h, &h.client(), &no_cookie).await,
        "/login?error=google_failed"
    );
}

#[tokio::test]
async fn unverified_and_unknown_emails_create_nothing() {
    let (h, fake, biz) = setup(|b| Person {
        email_verified: false,
        ..person("g-3", b.owner())
    })
    .await;
    let (c, to) = sign_in(&h, "/").await;
    // Google's own check: no link of ours is waiting.
    assert_eq!(to, "/login?error=google_email_unverified");
    assert_eq!(c.get("/api/auth/me").await.status, 401);

    fake.set_person(person("g-4", "stranger@gmail.example"));
    let (c, to) = sign_in(&h, "/").await;
    assert_eq!(to, "/login?error=no_account");
    assert_eq!(c.get("/api/auth/me").await.status, 401);
    let read = h.server.store.read().unwrap();
    assert!(
        wafunnel::auth::users::by_email(&read, "stranger@gmail.example")
            .unwrap()
            .is_none()
    );

    // The unverified try did not link the account either: a verified one
    // with another id may still sign in.
    fake.set_person(person("g-5", biz.owner()));
    assert_eq!(sign_in(&h, "/").await.1, "/");
}

#[tokio::test]
async fn an_account_signed_up_but_unconfirmed_is_not_signed_in_nor_linked() {
    let (h, _fake) = with_google(person("g-8", "new@bakery.test"), |c| {
        c.server.signup = "open".into();
    });
    let r = h
        .client()
        .post(
            "/api/auth/signup",
            json!({"business_name": "Bakery", "name": "New", "email": "new@bakery.test",
                   "password": crate::common::PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 202);
    let (c, to) = sign_in(&h, "/").await;
    assert_eq!(to, "/login?error=email_unverified");
    assert_eq!(c.get("/api/auth/me").await.status, 401);
    let read = h.server.store.read().unwrap();
    let user = wafunnel::auth::users::by_email(&read, "new@bakery.test")
        .unwrap()
        .unwrap();
    assert_eq!(
        wafunnel::auth::oidc::linked_sub(&read, user.id).unwrap(),
        None
    );
}

#[tokio::test]
async fn rotated_signing_keys_are_fetched_again() {
    let (h, fake, _) = setup(|b| person("g-6", b.owner())).await;
    assert_eq!(sign_in(&h, "/").await.1, "/");
    assert_eq!(fake.jwks_requests(), 1, "keys are cached");
    assert_eq!(sign_in(&h, "/").await.1, "/");
    assert_eq!(fake.jwks_requests(), 1, "keys are cached");
    fake.set_mode(Mode::Rotated);
    assert_eq!(sign_in(&h, "/").await.1, "/");
    assert_eq!(
        fake.jwks_requests(),
        2,
        "an unknown key id fetched the keys again"
    );
}

#[tokio::test]
async fn providers_say_what_is_on_and_start_refuses_when_off() {
    let h = Harness::start();
    let anon = h.client();
    let r = anon.get("/api/auth/providers").await;
    assert_eq!(
        (r.status, &r.body),
        (200, &json!({"google": false, "signup": false}))
    );
    let r = anon.get("/api/auth/google/start?next=/").await;
    assert_eq!((r.status, r.code()), (409, "not_configured"));

    let (h, _fake, _) = setup(|b| person("g-7", b.owner())).await;
    let r = h.client().get("/api/auth/providers").await;
    assert_eq!(r.body, json!({"google": true, "signup": false}));

    // A provider that cannot be reached sends the browser back to sign in.
    let (down, fake) = with_google(person("g-9", "x@example.test"), |_| {});
    drop(fake);
    let r = Client::new(&down.base)
        .without_redirects()
        .get(down.url("/api/auth/google/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(location(&r), "/login?error=google_failed");

    // `next` never leaves the site.
    let (_, to) = sign_in(&h, "https://evil.example/").await;
    assert_eq!(to, "/");
    let (_, to) = sign_in(&h, "//evil.example/").await;
    assert_eq!(to, "/");
}
