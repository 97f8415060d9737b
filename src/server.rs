//! Starting and stopping the server: open the store, build the app, bind,
//! advertise the control endpoint to the CLI, and on shutdown drain requests
//! and let the writer make its final commit.
use std::{
    io::Write,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    thread::JoinHandle,
    time::{Duration, Instant},
};

use actix_web::{middleware::from_fn, web, App, HttpServer};

use crate::{
    auth,
    config::Config,
    http::{self, client_ip::parse_trusted, middleware, parse, AppState, Routes},
    metrics::Metrics,
    schema,
    store::{Store, StoreError, StoreOptions},
};

pub const CONTROL_FILE: &str = "control.json";

/// Reads a secret file, creating it (0600) with 32 random bytes on first use.
pub fn secret_file(path: &Path) -> std::io::Result<String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let s = existing.trim().to_string();
        if !s.is_empty() {
            return Ok(s);
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let secret = auth::session::random_token(32);
    write_private(path, secret.as_bytes())?;
    Ok(secret)
}

pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

pub fn open_store(config: &Config, metrics: Metrics) -> Result<Store, StoreError> {
    Store::open(
        &config.server.data_dir,
        &schema::tables(),
        StoreOptions {
            max_batch: config.writer.max_batch,
            cache_bytes: config.writer.cache_mb * 1024 * 1024,
            metrics,
            writer_nice: config.writer.nice,
        },
    )
}

fn build_state(config: Config, store: Store, metrics: Metrics) -> std::io::Result<AppState> {
    let keys = auth::session::Keys::load_or_create(&config.server.data_dir)?;
    let limiter = auth::ratelimit::LoginLimiter::new(
        config.auth.login_max_failures_per_ip,
        config.auth.login_max_failures_per_account,
        Duration::from_secs(config.auth.login_window_secs),
    );
    // Without Meta's app secret no real delivery can be verified anyway; a
    // local secret still lets the simulator sign what it sends.
    let webhook_secret = if config.meta.app_secret.is_empty() {
        secret_file(&config.server.data_dir.join("webhook.secret"))?
    } else {
        config.meta.app_secret.clone()
    };
    let jobs_wake: Arc<tokio::sync::Notify> = Default::default();
    let config_leads = config.leads.clone();
    let push_subject = crate::push::vapid::subject(&config);
    let vapid = crate::push::Vapid::load_or_create(&config.server.data_dir, &push_subject)?;
    let search = crate::search::Search::open(&config.server.data_dir)
        .map_err(|e| std::io::Error::other(e.message))?;
    search
        .start(store.clone())
        .map_err(|e| std::io::Error::other(e.message))?;
    Ok(AppState {
        simulator: crate::simulator::Simulator::new(
            store.clone(),
            &webhook_secret,
            jobs_wake.clone(),
        ),
        store,
        webhook_secret,
        trusted_proxies: parse_trusted(&config.server.trusted_proxies),
        config: Arc::new(config),
        keys,
        limiter,
        reset_limiter: auth::ratelimit::IpThrottle::new(5, Duration::from_secs(900)),
        signup_limiter: auth::ratelimit::IpThrottle::new(5, Duration::from_secs(3600)),
        google: auth::oidc::Provider::new(),
        walkin_limiter: auth::ratelimit::IpThrottle::new(
            config_leads.walkin_max_per_ip,
            Duration::from_secs(config_leads.walkin_window_secs),
        ),
        metrics,
        control_secret: auth::session::random_token(32),
        started: Instant::now(),
        outbox_wake: Default::default(),
        jobs_wake,
        jobs_running: Default::default(),
        hub: Default::default(),
        flow_sims: Default::default(),
        vapid: Arc::new(vapid),
        search,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A server running on its own thread (tests, and `serve` itself).
pub struct Running {
    pub addr: SocketAddr,
    pub store: Store,
    pub state: web::Data<AppState>,
    pub data_dir: PathBuf,
    handle: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Graceful stop: finish in-flight requests, then the writer's final commit.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(t) = self.thread.take() {
            futures_util::FutureExt::now_or_never(self.handle.stop(true));
            let _ = t.join();
        }
    }

    /// Blocks until the server stops by itself (a signal, in `serve`).
    pub fn wait(mut self) -> std::io::Result<()> {
        match self.thread.take() {
            Some(t) => t.join().unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

pub struct StartOptions {
    /// Stop on SIGINT/SIGTERM (the real server); tests stop explicitly.
    pub handle_signals: bool,
}

pub fn start(config: Config, opts: StartOptions) -> Result<Running, StartError> {
    let metrics = Metrics::default();
    let store = open_store(&config, metrics.clone())?;
    start_with_store(config, store, metrics, opts)
}

pub fn start_with_store(
    config: Config,
    store: Store,
    metrics: Metrics,
    opts: StartOptions,
) -> Result<Running, StartError> {
    let data_dir = config.server.data_dir.clone();
    let listen = config.listen_addr();
    let workers = config.server.workers;
    let state = web::Data::new(build_state(config, store.clone(), metrics)?);
    let listener = std::net::TcpListener::bind(listen)?;
    let addr = listener.local_addr()?;
    write_control_file(&data_dir, addr, &state.control_secret)?;
    let (tx, rx) = std::sync::mpsc::channel();
    let thread_store = store.clone();
    let thread_search = state.search.clone();
    let thread_dir = data_dir.clone();
    let shared = state.clone();
    let thread = std::thread::Builder::new()
        .name("wafunnel-http".into())
        .spawn(move || -> std::io::Result<()> {
            let system = actix_rt::System::new();
            let result = system.block_on(async move {
                let graph = crate::channels::whatsapp::graph::Graph::new(&state.config.meta);
                let sender = crate::outbound::sender::Sender::new(
                    state.store.clone(),
                    graph,
                    state.simulator.clone(),
                    state.config.outbound.rate_per_second,
                    state.outbox_wake.clone(),
                );
                let sends = sender.drain();
                actix_rt::spawn(sender.run());
                let mut jobs = crate::scheduler::Scheduler::new(
                    state.store.clone(),
                    state.jobs_wake.clone(),
                    state.jobs_running.clone(),
                );
                jobs.handle(
                    crate::channels::whatsapp::media::JOB_KIND,
                    crate::channels::whatsapp::media::handler(
                        state.store.clone(),
                        crate::channels::whatsapp::graph::Graph::new(&state.config.meta),
                        state.config.server.data_dir.clone(),
                    ),
                );
                let fb_graph = crate::channels::facebook::graph::FbGraph::new(&state.config.meta);
                let lead_source = crate::channels::facebook::leads::LeadSource {
                    store: state.store.clone(),
                    graph: fb_graph.clone(),
                };
                jobs.handle(
                    crate::channels::facebook::leads::JOB_KIND,
                    crate::channels::facebook::leads::handler(lead_source.clone()),
                );
                jobs.handle(
                    crate::channels::facebook::import::JOB_KIND,
                    crate::channels::facebook::import::handler(lead_source),
                );
                jobs.handle(
                    crate::channels::facebook::data_deletion::JOB_KIND,
                    crate::channels::facebook::data_deletion::job::handler(
                        state.store.clone(),
                        crate::channels::facebook::data_deletion::job::Reach {
                            smtp: !state.config.smtp.url.is_empty(),
                            public_url: state.config.server.public_url.clone(),
                        },
                    ),
                );
                jobs.handle(
                    crate::channels::facebook::refresh::JOB_KIND,
                    crate::channels::facebook::refresh::handler(state.store.clone(), fb_graph),
                );
                match state
                    .store
                    .write(|ctx| Ok(crate::dashboard::backfill::run(ctx)?))
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!("dashboard counters backfilled from {n} conversations"),
                    Err(e) => tracing::error!("backfilling the dashboard counters: {e}"),
                }
                match state
                    .store
                    .write(|ctx| Ok(crate::tenancy::usage::backfill(ctx)?))
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!("business usage counters backfilled from {n} records"),
                    Err(e) => tracing::error!("backfilling the usage counters: {e}"),
                }
                if let Err(e) = state
                    .store
                    .write(|ctx| Ok(crate::channels::facebook::refresh::ensure_scheduled(ctx)?))
                    .await
                {
                    tracing::error!("scheduling the Facebook token check: {e}");
                }
                jobs.handle(
                    crate::audit::retention::JOB_KIND,
                    crate::audit::retention::handler(
                        state.store.clone(),
                        state.config.audit.retention_days,
                    ),
                );
                if let Err(e) = state
                    .store
                    .write(|ctx| Ok(crate::audit::retention::ensure_scheduled(ctx)?))
                    .await
                {
                    tracing::error!("scheduling the audit log retention: {e}");
                }
                {
                    use crate::channels::whatsapp::uploads;
                    jobs.handle(
                        uploads::PRUNE_JOB,
                        uploads::prune_handler(
                            state.store.clone(),
                            state.config.server.data_dir.clone(),
                        ),
                    );
                    let first = state.store.write(|ctx| {
                        Ok(crate::scheduler::ensure_periodic(
                            ctx,
                            uploads::PRUNE_JOB,
                            10 * 60_000,
                        )?)
                    });
                    if let Err(e) = first.await {
                        tracing::error!("scheduling the sweep of unsent attachments: {e}");
                    }
                }
                crate::flows::pause::set_cooldown_secs(state.config.flows.rate_limit_cooldown_secs);
                crate::flows::jobs::register(&mut jobs, &state.store);
                jobs.handle(
                    crate::mail::JOB,
                    crate::mail::handler(
                        state.store.clone(),
                        state.config.smtp.url.clone(),
                        state.config.smtp.from.clone(),
                    ),
                );
                jobs.handle(
                    crate::followups::reminder::JOB,
                    crate::followups::reminder::handler(
                        state.store.clone(),
                        crate::followups::reminder::Reach {
                            smtp: !state.config.smtp.url.is_empty(),
                            public_url: state.config.server.public_url.clone(),
                        },
                    ),
                );
                // Imports that ended before they let go of their files.
                let (store, data_dir) = (state.store.clone(), state.config.server.data_dir.clone());
                actix_rt::task::spawn_blocking(move || {
                    crate::imports::model::tidy_files(&store, &data_dir)
                });
                jobs.handle(
                    crate::imports::csv_run::JOB,
                    crate::imports::csv_run::handler(
                        state.store.clone(),
                        state.config.server.data_dir.clone(),
                    ),
                );
                jobs.handle(
                    crate::push::JOB,
                    crate::push::send::handler(state.store.clone(), state.vapid.clone()),
                );
                jobs.handle(
                    crate::contacts::erase::JOB,
                    crate::contacts::erase_run::handler(
                        state.store.clone(),
                        state.search.clone(),
                        state.config.server.data_dir.clone(),
                    ),
                );
                actix_rt::spawn(jobs.run());
                actix_rt::spawn(state.hub.clone().run(state.store.clone()));
                let hub = state.hub.clone();
                let json_limit = state.config.server.json_limit_bytes;
                let mut server = HttpServer::new(move || {
                    let mut routes = Routes::default();
                    http::api(&mut routes);
                    App::new()
                        .app_data(state.clone())
                        .app_data(parse::json_config(json_limit))
                        .app_data(parse::path_config())
                        .app_data(parse::query_config())
                        .app_data(parse::form_config(json_limit))
                        .app_data(web::PayloadConfig::new(json_limit))
                        .wrap(from_fn(crate::admin::support::audit_views))
                        .wrap(from_fn(middleware::csrf))
                        .wrap(middleware::security_headers())
                        .wrap(from_fn(middleware::observe))
                        .configure(|cfg| routes.mount(cfg))
                        .configure(http::control::configure)
                        .default_service(web::to(http::ui::serve))
                })
                .listen(listener)?
                .shutdown_timeout(10);
                if workers > 0 {
                    server = server.workers(workers);
                }
                // Signals are ours: open WebSockets would hold a graceful stop
                // for its whole timeout, and a restart found the data folder in use.
                let server = server.disable_signals().run();
                let handle = server.handle();
                if opts.handle_signals {
                    actix_rt::spawn(async move {
                        stop_requested().await;
                        hub.disconnect_all();
                        handle.stop(true).await;
                    });
                }
                let _ = tx.send(server.handle());
                let served = server.await;
                // Sends already with Meta get their answers recorded.
                sends.finish(std::time::Duration::from_secs(10)).await;
                served
            });
            thread_search.shutdown();
            thread_store.shutdown();
            let _ = std::fs::remove_file(thread_dir.join(CONTROL_FILE));
            result
        })?;
    let handle = rx
        .recv()
        .map_err(|_| std::io::Error::other("the HTTP server failed to start"))?;
    Ok(Running {
        addr,
        store,
        state: shared,
        data_dir,
        handle,
        thread: Some(thread),
    })
}

/// SIGINT or SIGTERM.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Tells CLI commands on this machine where the running server listens and the
/// secret that proves they can read the data folder.
fn write_control_file(data_dir: &Path, addr: SocketAddr, secret: &str) -> std::io::Result<()> {
    let local = match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => {
            SocketAddr::from(([127, 0, 0, 1], a.port()))
        }
        SocketAddr::V6(a) if a.ip().is_unspecified() => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, a.port()))
        }
        other => other,
    };
    let body =
        serde_json::json!({"addr": local.to_string(), "secret": secret, "pid": std::process::id()});
    write_private(&data_dir.join(CONTROL_FILE), body.to_string().as_bytes())
}
