//! What the HTTP benchmarks share: arguments, a business with a team, and percentiles.
#![allow(dead_code)]
use std::time::Duration;

use wafunnel::{
    auth::password,
    store::{
        ids::{BusinessId, MemberId},
        Store,
    },
    tenancy::{model::Team, repo as tenancy_repo, service as tenancy, Role},
};

pub const PASSWORD: &str = "bench-password";

pub const FIRST_NAMES: &[&str] = &[
    "Maria",
    "José",
    "Ana",
    "João",
    "Antônio",
    "Francisca",
    "Carlos",
    "Paulo",
    "Adriana",
    "Juliana",
    "Márcia",
    "Fernanda",
    "Patrícia",
    "Aline",
    "Sandra",
    "Lucas",
    "Gabriel",
    "Rafael",
    "Mariana",
    "Beatriz",
    "Camila",
    "Letícia",
    "Bruno",
    "Rodrigo",
    "Diego",
    "Sofía",
    "Valentina",
    "Mateo",
    "Emily",
    "Olivia",
];
pub const SURNAMES: &[&str] = &[
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "García",
    "Martínez",
    "Smith",
];

/// A small deterministic generator, so every run seeds the same data.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// The product's store with every table, in `dir`.
pub fn open_store(dir: &std::path::Path) -> Store {
    Store::open(
        dir,
        &wafunnel::schema::tables(),
        wafunnel::store::StoreOptions {
            max_batch: 64,
            cache_bytes: wafunnel::store::DEFAULT_CACHE_MB << 20,
            metrics: Default::default(),
            writer_nice: 0,
        },
    )
    .expect("store")
}

pub fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// "Bench": owner m0, lead m1 of team Sales (m1–m4), members m2–m10.
pub fn business(store: &Store) -> (BusinessId, Vec<MemberId>) {
    let hash = password::hash(PASSWORD).expect("hash");
    store
        .write_blocking(move |ctx| {
            let person = |i: usize, role: Role, team| tenancy::NewMember {
                email: format!("m{i}@bench.test"),
                name: format!("Member {i}"),
                password_hash: Some(hash.clone()),
                role,
                team_id: team,
                permissions: vec![],
            };
            let (b, _, _) = tenancy::create_business(ctx, "Bench", &person(0, Role::Owner, None))?;
            let team = Team {
                id: Default::default(),
                business_id: b.id,
                name: "Sales".into(),
                lead_id: None,
                created_at: 0,
            };
            tenancy_repo::save_team(ctx, &team)?;
            let mut members = Vec::new();
            for i in 1..=10 {
                let role = if i == 1 { Role::Lead } else { Role::Member };
                let team_id = (i <= 4).then_some(team.id);
                members.push(
                    tenancy::add_member(ctx, b.id, &person(i, role, team_id))?
                        .0
                        .id,
                );
            }
            tenancy_repo::save_team(
                ctx,
                &Team {
                    lead_id: Some(members[0]),
                    ..team.clone()
                },
            )?;
            Ok((b.id, members))
        })
        .expect("fixture")
}

pub fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

/// A signed-in HTTP client of the running server.
pub async fn login(base: &str, email: &str) -> reqwest::Client {
    login_with_csrf(base, email).await.0
}

/// A signed-in client and the CSRF token its changes must carry.
pub async fn login_with_csrf(base: &str, email: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let login = client
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert!(login.status().is_success(), "login {email}");
    let csrf = login
        .cookies()
        .find(|c| c.name() == "wf_csrf")
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    (client, csrf)
}
