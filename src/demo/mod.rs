//! `serve --demo`: on an empty data folder, a demo business with an owner, a
//! team lead, two members and a team, a sandbox number with the simulator,
//! quick replies and a few live conversations, so a newcomer can sign in and
//! hold a WhatsApp conversation at once.
pub mod chats;
pub mod samples;
pub mod sources;

use crate::{
    assignment,
    auth::{password, users},
    channels::whatsapp::numbers,
    error::ApiResult,
    replies::{self, QuickReply},
    store::ids::RecordId,
    store::{ids::TeamId, Store},
    tenancy::{model::Team, repo, service, Role},
    time::now_ms,
};

pub const PASSWORD: &str = "wafunnel-demo";
pub const BUSINESS: &str = "Sunrise Motors (demo)";
pub const SANDBOX_NUMBER: &str = "+1 555 010 2030";

const QUICK_REPLIES: &[(&str, &str)] = &[
    (
        "hello",
        "Hi! Thanks for writing to Sunrise Motors. How can I help you today?",
    ),
    (
        "hours",
        "We are open Monday to Friday 9:00–19:00 and Saturday 9:00–14:00.",
    ),
    (
        "address",
        "You find us at 120 Harbour Road — free parking in front of the showroom.",
    ),
    (
        "testdrive",
        "Happy to book a test drive! Which day and time suit you best?",
    ),
];

pub const PEOPLE: &[(&str, &str, Role)] = &[
    ("Olivia Owner", "owner@demo.wafunnel.test", Role::Owner),
    ("Liam Lead", "lead@demo.wafunnel.test", Role::Lead),
    ("Ana Souza", "ana@demo.wafunnel.test", Role::Member),
    ("Bruno Lima", "bruno@demo.wafunnel.test", Role::Member),
];

pub enum DemoLogins {
    Seeded(sources::Seeded),
    AlreadyThere,
    /// The folder holds real data: the demo is not mixed into it.
    Skipped,
}

pub fn seed(store: &Store) -> ApiResult<DemoLogins> {
    let read = store.read()?;
    if users::by_email(&read, PEOPLE[0].1)?.is_some() {
        return Ok(DemoLogins::AlreadyThere);
    }
    if users::any_exists(&read)? {
        return Ok(DemoLogins::Skipped);
    }
    drop(read);
    let hash = password::hash(PASSWORD)?;
    let seeded = store.write_blocking(move |ctx| {
        let new = |(name, email, role): &(&str, &str, Role), team_id| service::NewMember {
            email: email.to_string(),
            name: name.to_string(),
            password_hash: Some(hash.clone()),
            role: *role,
            team_id,
            permissions: vec![],
        };
        let (mut business, _, _) = service::create_business(ctx, BUSINESS, &new(&PEOPLE[0], None))?;
        // Its customers are Brazilian: a number typed at the walk-in form
        // without +55 reads as Brazil's, as a real business would set it.
        business.default_country = "BR".into();
        repo::save_business(ctx, &business)?;
        let team = Team {
            id: TeamId::new(),
            business_id: business.id,
            name: "Sales".into(),
            lead_id: None,
            created_at: now_ms(),
        };
        repo::save_team(ctx, &team)?;
        let mut lead = None;
        let mut agents = Vec::new();
        for person in &PEOPLE[1..] {
            let (m, _) = service::add_member(ctx, business.id, &new(person, Some(team.id)))?;
            match m.role {
                Role::Lead => lead = Some(m.id),
                Role::Member => agents.push(m.id),
                Role::Owner => {}
            }
        }
        repo::save_team(
            ctx,
            &Team {
                lead_id: lead,
                ..team.clone()
            },
        )?;
        let number = numbers::sandbox_number(business.id, SANDBOX_NUMBER)?;
        numbers::create(ctx, &number)?;
        // New customers of the sandbox number go to the two agents in turn.
        assignment::set_pool(
            ctx,
            business.id,
            assignment::Channel::WhatsApp(number.id),
            &assignment::Pool::new(
                assignment::Mode::RoundRobin,
                agents
                    .iter()
                    .map(|m| assignment::Slot {
                        member_id: *m,
                        weight: 1,
                    })
                    .collect(),
            ),
        )?;
        for (shortcut, text) in QUICK_REPLIES {
            replies::create(
                ctx,
                &QuickReply {
                    id: RecordId::new(),
                    business_id: business.id,
                    shortcut: shortcut.to_string(),
                    text: text.to_string(),
                    created_at: now_ms(),
                    updated_at: now_ms(),
                },
            )?;
        }
        sources::seed(ctx, business.id, &agents)
    })?;
    Ok(DemoLogins::Seeded(seeded))
}

pub fn banner(url: &str, logins: &DemoLogins) -> String {
    match logins {
        DemoLogins::Skipped => {
            "--demo: this data folder already holds data, so no demo business was added.".into()
        }
        _ => {
            let mut s = format!("\nDemo business \"{BUSINESS}\" — open {url} and sign in as:\n");
            for (name, email, role) in PEOPLE {
                s.push_str(&format!(
                    "  {:<7} {email:<28} password: {PASSWORD}   ({name})\n",
                    role.as_str()
                ));
            }
            s.push_str(&format!(
                "Chat as a customer of the sandbox number {SANDBOX_NUMBER}: sign in as the owner and open {url}/simulator in a second tab.\n"
            ));
            let seeded = match logins {
                DemoLogins::Seeded(s) => Some(s),
                _ => None,
            };
            s.push_str(&sources::banner(url, seeded));
            s
        }
    }
}
