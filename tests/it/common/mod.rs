//! The test harness: the real server in-process on 127.0.0.1:0 with a temp data
//! folder, and a client that keeps cookies and sends the CSRF header like the UI.
#![allow(dead_code)]

pub mod browser;
pub mod client;
pub mod fake_facebook;
pub mod fake_graph;
pub mod fake_oidc;
pub mod log_watch;
pub mod push_sink;
pub mod smtp_sink;
pub mod wa;

use std::sync::OnceLock;

use wafunnel::{
    auth::password,
    config::Config,
    server::{self, Running, StartOptions},
    store::ids::{BusinessId, MemberId, TeamId},
    tenancy::{model::Team, repo, service, Role},
    time::now_ms,
};

pub use client::Client;

pub const PASSWORD: &str = "correct-horse-battery";

/// One argon2 hash shared by every fixture user: hashing is slow by design.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash(PASSWORD).expect("hash"))
        .clone()
}

pub struct Harness {
    pub server: Running,
    pub dir: tempfile::TempDir,
    pub base: String,
}

pub fn test_config(dir: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.server.data_dir = dir.to_path_buf();
    config.server.listen = "127.0.0.1:0".into();
    config.server.workers = 2;
    config.meta.app_secret = APP_SECRET.into();
    // Never Meta from a test: a closed local port unless a test starts a fake.
    config.meta.graph_url = "http://127.0.0.1:9".into();
    config.meta.dialog_url = "http://127.0.0.1:9".into();
    config.meta.verify_token = VERIFY_TOKEN.into();
    config
}

pub const APP_SECRET: &str = "test-app-secret";
pub const VERIFY_TOKEN: &str = "test-verify-token";

impl Harness {
    pub fn start() -> Harness {
        Self::start_with(|_| {})
    }

    pub fn start_with(adjust: impl FnOnce(&mut Config)) -> Harness {
        Self::start_in(tempfile::tempdir().expect("tempdir"), adjust)
    }

    /// Starts on an existing data folder (fixtures, restarts).
    pub fn start_in(dir: tempfile::TempDir, adjust: impl FnOnce(&mut Config)) -> Harness {
        let mut config = test_config(dir.path());
        adjust(&mut config);
        // After an in-process stop, the HTTP workers drop their share of the
        // store a moment later, and redb refuses a second open in one process
        // until then: a restart waits for that (a new process never has to).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let server = loop {
            let started = server::start(
                config.clone(),
                StartOptions {
                    handle_signals: false,
                },
            );
            match started {
                Err(server::StartError::Store(wafunnel::store::StoreError::Locked))
                    if std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other.expect("server starts"),
            }
        };
        let base = server.url();
        Harness { server, dir, base }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What Prometheus would scrape from `/metrics`.
    pub async fn metrics(&self) -> String {
        reqwest::get(self.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A business with an owner, a lead leading team A, a member of team A, a
    /// member of team B, all with `PASSWORD`. Emails are unique per call.
    pub async fn new_business(&self, name: &str) -> Biz {
        let tag = ulid::Ulid::new().to_string().to_lowercase();
        let hash = password_hash();
        let email = move |who: &str| format!("{who}-{tag}@example.test");
        let emails = [
            email("owner"),
            email("lead"),
            email("member"),
            email("other"),
        ];
        let name = name.to_string();
        let e = emails.clone();
        let biz = self
            .server
            .store
            .write(move |ctx| {
                let person = |i: usize, role: Role, team: Option<TeamId>| service::NewMember {
                    email: e[i].clone(),
                    name: format!("{} {}", role.as_str(), i),
                    password_hash: Some(hash.clone()),
                    role,
                    team_id: team,
                    permissions: vec![],
                };
                let (business, _, owner) =
                    service::create_business(ctx, &name, &person(0, Role::Owner, None))?;
                let mut team = |n: &str| -> Result<Team, wafunnel::error::ApiError> {
                    let t = Team {
                        id: TeamId::new(),
                        business_id: business.id,
                        name: n.into(),
                        lead_id: None,
                        created_at: now_ms(),
                    };
                    repo::save_team(ctx, &t)?;
                    Ok(t)
                };
                let team_a = team("Team A")?;
                let team_b = team("Team B")?;
                let (lead, _) =
                    service::add_member(ctx, business.id, &person(1, Role::Lead, Some(team_a.id)))?;
                repo::save_team(
                    ctx,
                    &Team {
                        lead_id: Some(lead.id),
                        ..team_a.clone()
                    },
                )?;
                let (member, _) = service::add_member(
                    ctx,
                    business.id,
                    &person(2, Role::Member, Some(team_a.id)),
                )?;
                let (other, _) = service::add_member(
                    ctx,
                    business.id,
                    &person(3, Role::Member, Some(team_b.id)),
                )?;
                Ok(Biz {
                    id: business.id,
                    owner_id: owner.id,
                    lead_id: lead.id,
                    member_id: member.id,
                    other_member_id: other.id,
                    team_a: team_a.id,
                    team_b: team_b.id,
                    emails: e.clone(),
                })
            })
            .await
            .expect("fixture business");
        biz
    }

    /// A platform administrator (made as the operator's command line does), signed in.
    pub async fn platform_admin(&self) -> Client {
        let op = wafunnel::cli::ops::Op::UserCreate {
            email: "ops@platform.test".into(),
            name: "Ops".into(),
            password_hash: Some(password_hash()),
            business: None,
            role: None,
            admin: true,
        };
        let store = self.server.store.clone();
        tokio::task::spawn_blocking(move || wafunnel::cli::ops::execute(&store, None, op))
            .await
            .unwrap()
            .unwrap();
        self.login("ops@platform.test").await
    }

    /// A client signed in as `email` with the fixture password.
    pub async fn login(&self, email: &str) -> Client {
        let c = self.client();
        let r = c
            .post(
                "/api/auth/login",
                serde_json::json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 200, "login {email}: {}", r.body);
        c
    }
}

/// What `wafunnel check` verifies: every record decodes, every index agrees.
pub fn assert_store_checks(read: &wafunnel::store::ReadTxn) {
    let report = wafunnel::store::check::run(
        read,
        &wafunnel::schema::tables(),
        &wafunnel::schema::index_checks(),
    )
    .unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[derive(Clone, Debug)]
pub struct Biz {
    pub id: BusinessId,
    pub owner_id: MemberId,
    pub lead_id: MemberId,
    pub member_id: MemberId,
    pub other_member_id: MemberId,
    pub team_a: TeamId,
    pub team_b: TeamId,
    /// owner, lead, member (team A), other member (team B)
    pub emails: [String; 4],
}

impl Biz {
    pub fn owner(&self) -> &str {
        &self.emails[0]
    }
    pub fn lead(&self) -> &str {
        &self.emails[1]
    }
    pub fn member(&self) -> &str {
        &self.emails[2]
    }
    pub fn other_member(&self) -> &str {
        &self.emails[3]
    }
}

/// Opens a data folder's store as the tests read it behind the server (a batch of one, no priority).
pub fn open_store(
    dir: &std::path::Path,
) -> Result<wafunnel::store::Store, wafunnel::store::StoreError> {
    wafunnel::store::Store::open(
        dir,
        &wafunnel::schema::tables(),
        wafunnel::store::StoreOptions {
            max_batch: 1,
            cache_bytes: wafunnel::store::DEFAULT_CACHE_MB << 20,
            metrics: Default::default(),
            writer_nice: 0,
        },
    )
}
