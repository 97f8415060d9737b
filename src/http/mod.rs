//! The HTTP surface: shared state, the route table of every domain, middleware,
//! request parsing errors, health and metrics, and the embedded UI.
pub mod client_ip;
pub mod control;
pub mod health;
pub mod middleware;
pub mod openapi;
pub mod parse;
pub mod routes;
pub mod ui;

use std::{sync::Arc, time::Instant};

pub use client_ip::client_ip;
pub use routes::Routes;

use crate::{
    admin, auth, channels::whatsapp, config::Config, conversations, metrics::Metrics, store::Store,
    tenancy,
};

pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub keys: auth::session::Keys,
    pub limiter: auth::ratelimit::LoginLimiter,
    /// Walk-in form submissions per client IP.
    pub walkin_limiter: auth::ratelimit::IpThrottle,
    /// Forgot-password requests per client IP.
    pub reset_limiter: auth::ratelimit::IpThrottle,
    /// Sign-up requests per client IP.
    pub signup_limiter: auth::ratelimit::IpThrottle,
    /// Google sign-in: the provider's discovery document and keys, cached.
    pub google: auth::oidc::Provider,
    pub metrics: Metrics,
    pub control_secret: String,
    /// `meta.app_secret`, or a generated local one when Meta is not configured.
    pub webhook_secret: String,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub started: Instant,
    pub outbox_wake: crate::outbound::Wake,
    pub jobs_wake: std::sync::Arc<tokio::sync::Notify>,
    /// The jobs the scheduler is running right now (the admin's jobs view).
    pub jobs_running: crate::scheduler::Running,
    pub hub: crate::realtime::Hub,
    pub simulator: crate::simulator::Simulator,
    /// The flow editor's simulations, in memory.
    pub flow_sims: Arc<crate::flows::sim::Sessions>,
    /// The server's VAPID key for browser push.
    pub vapid: Arc<crate::push::Vapid>,
    pub search: crate::search::Search,
}

/// Every API route of every domain: one line per domain.
pub fn api(routes: &mut Routes) {
    health::routes(routes);
    openapi::routes(routes);
    auth::routes::routes(routes);
    tenancy::routes::routes(routes);
    conversations::routes::routes(routes);
    conversations::timeline::routes(routes);
    whatsapp::numbers::routes(routes);
    whatsapp::webhook::routes(routes);
    whatsapp::media::routes(routes);
    whatsapp::templates::routes(routes);
    whatsapp::uploads::routes(routes);
    admin::routes(routes);
    crate::realtime::socket::routes(routes);
    crate::simulator::routes::routes(routes);
    crate::replies::routes(routes);
    crate::assignment::routes::routes(routes);
    crate::leads::routes(routes);
    crate::exports::routes::routes(routes);
    tenancy::settings::routes(routes);
    tenancy::support::routes(routes);
    crate::channels::custom::routes(routes);
    crate::channels::facebook::routes::routes(routes);
    crate::channels::facebook::oauth::routes(routes);
    crate::channels::facebook::webhook::routes(routes);
    crate::channels::facebook::data_deletion::routes::routes(routes);
    crate::simulator::facebook::routes(routes);
    crate::notifications::routes(routes);
    crate::flows::routes::routes(routes);
    crate::flows::sim::routes(routes);
    crate::followups::routes::routes(routes);
    crate::mail::routes(routes);
    crate::auth::reset::routes(routes);
    tenancy::invites::routes(routes);
    crate::push::routes::routes(routes);
    crate::dashboard::routes::routes(routes);
    crate::imports::routes::routes(routes);
    crate::search::routes::routes(routes);
    crate::notifications::prefs::routes(routes);
    crate::audit::routes::routes(routes);
    auth::sessions::routes(routes);
    auth::signup::routes(routes);
    auth::oidc::routes(routes);
    crate::contacts::routes::routes(routes);
    crate::contacts::edit::routes(routes);
}

/// The (method, path) of every API route, for the RBAC matrix and the API description.
pub fn route_table() -> Vec<(String, String)> {
    let mut routes = Routes::default();
    api(&mut routes);
    routes.table()
}
