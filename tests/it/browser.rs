//! Browser tests: Chromium through chromedriver against the real server.
use std::time::Duration;

use fantoccini::Locator;

use crate::common::{browser, Harness};

#[tokio::test]
async fn setup_then_add_a_member_who_sees_a_restricted_sidebar() {
    let Some(b) = browser::start(1280, 800).await else {
        return;
    };
    let h = Harness::start();
    b.client.goto(&h.url("/")).await.unwrap();
    b.fill("setup-business-name", "Acme Motors").await;
    b.fill("setup-name", "Ada Owner").await;
    b.fill("setup-email", "ada@acme.test").await;
    b.fill("setup-password", "owner-password-1").await;
    b.fill("setup-password-confirm", "owner-password-1").await;
    b.screenshot("setup").await;
    b.click("setup-submit").await;

    b.el("sidebar").await;
    assert!(b.exists("nav-inbox").await && b.exists("nav-profile").await);
    b.click("nav-team").await;
    b.click("add-member").await;
    b.fill("member-name", "Bruno Member").await;
    b.fill("member-email", "bruno@acme.test").await;
    b.fill("member-password", "member-password-1").await;
    b.el("member-role")
        .await
        .select_by_value("member")
        .await
        .unwrap();
    b.click("member-submit").await;
    b.css("[data-testid=\"member-row\"][data-email=\"bruno@acme.test\"]")
        .await;
    b.screenshot("team").await;

    b.click("user-menu").await;
    b.click("logout").await;
    b.fill("login-email", "bruno@acme.test").await;
    b.fill("login-password", "member-password-1").await;
    b.click("login-submit").await;
    b.el("sidebar").await;
    b.el("nav-inbox").await;
    // Give the session query a moment so a late render cannot add the entry.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(b.exists("nav-profile").await);
    assert!(
        !b.exists("nav-team").await,
        "a plain member does not see Team"
    );
    b.screenshot("member-sidebar").await;

    // And the server agrees: the member cannot reach the team API either.
    b.client.goto(&h.url("/team")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rows = b
        .client
        .find_all(Locator::Css("[data-testid=\"add-member\"]"))
        .await
        .unwrap();
    assert!(rows.is_empty(), "no add-member control for a member");
    let _ = b.client.clone().close().await;
}

#[tokio::test]
async fn a_wrong_password_shows_an_error_and_dark_mode_persists() {
    let Some(b) = browser::start(390, 844).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    b.client.goto(&h.url("/login")).await.unwrap();
    b.fill("login-email", biz.owner()).await;
    b.fill("login-password", "definitely-wrong").await;
    b.click("login-submit").await;
    let err = b.el("login-error").await.text().await.unwrap();
    assert!(!err.trim().is_empty());
    b.fill("login-password", crate::common::PASSWORD).await;
    b.click("login-submit").await;
    // Phone width: the sidebar is a drawer behind the menu button.
    b.css("[aria-label=\"Open menu\"]").await;
    b.click("theme-toggle").await;
    b.client.refresh().await.unwrap();
    b.text("No conversations yet").await;
    let class = b
        .css("html")
        .await
        .attr("class")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        class.contains("dark"),
        "dark mode survives a reload: {class}"
    );
    b.screenshot("phone-dark").await;
    let _ = b.client.clone().close().await;
}
