//! Operator commands that act on a store. They run in the CLI process when it
//! can open the store, or inside the running server (through the control
//! endpoint) when `serve` holds it, with the same code either way.
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{
    audit,
    auth::users::{self, AccountType, NewUser},
    error::{ApiError, ApiResult, Code},
    schema,
    store::{self, backup, ids::BusinessId, Store},
    tenancy::{repo, service, Role},
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    TenantCreate {
        name: String,
        owner_email: String,
        owner_name: String,
        owner_password_hash: Option<String>,
        /// The owner is also a platform administrator.
        #[serde(default)]
        admin: bool,
    },
    TenantList,
    UserCreate {
        email: String,
        name: String,
        password_hash: Option<String>,
        business: Option<BusinessId>,
        role: Option<Role>,
        admin: bool,
    },
    UserList {
        business: Option<BusinessId>,
    },
    ResetPassword {
        email: String,
        password_hash: String,
    },
    Backup {
        out: PathBuf,
    },
    Check,
    Reindex,
    ImportCsv {
        file: PathBuf,
        business: BusinessId,
        map: Vec<(String, String)>,
        default_country: Option<String>,
        pool: Option<String>,
    },
}

/// `search`: the running server's index (None: this process may open it).
/// Output lines the command line prints to stderr rather than stdout.
pub const NOTE: &str = "note: ";

/// An account that existed keeps its own name and password: creating a
/// business or a membership for it never changes them, and says so.
fn existing_note(existed: bool, email: &str) -> String {
    if existed {
        format!("{NOTE}{email} already had an account: its name and password are unchanged (`user reset-password` changes the password)\n")
    } else {
        String::new()
    }
}

pub fn execute(store: &Store, search: Option<&crate::search::Search>, op: Op) -> ApiResult<String> {
    match op {
        Op::Reindex => match search {
            Some(s) if s.request_rebuild() => Ok(
                "the running server is rebuilding the search index from the store; searches fill up as it goes\n".into(),
            ),
            Some(_) => Err(ApiError::internal("the search indexer is not running")),
            None => crate::search::reindex_offline(store),
        },
        Op::TenantCreate {
            name,
            owner_email,
            owner_name,
            owner_password_hash,
            admin,
        } => {
            if name.trim().is_empty() {
                return Err(ApiError::field("name", "is required"));
            }
            if !users::valid_email(&owner_email) {
                return Err(ApiError::field(
                    "owner-email",
                    "is not a valid email address",
                ));
            }
            let owner = service::NewMember {
                email: owner_email,
                name: owner_name,
                password_hash: owner_password_hash,
                role: Role::Owner,
                team_id: None,
                permissions: vec![],
            };
            let (business, user, existed) = store.write_blocking(move |ctx| {
                let existed = users::by_email(ctx, &owner.email)?.is_some();
                let (business, mut user, _) = service::create_business(ctx, &name, &owner)?;
                if admin && user.account_type != AccountType::Admin {
                    user.account_type = AccountType::Admin;
                    users::save(ctx, &user)?;
                }
                Ok((business, user, existed))
            })?;
            Ok(format!(
                "{}\t{}\t{}\n{}",
                business.id,
                business.name,
                user.email,
                existing_note(existed, &user.email)
            ))
        }
        Op::TenantList => {
            let read = store.read()?;
            let mut out = String::from("ID\tNAME\tMEMBERS\tCREATED\n");
            for b in repo::businesses(&read)? {
                let members = repo::members(&read, b.id)?.len();
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    b.id,
                    b.name,
                    members,
                    crate::time::rfc3339(b.created_at)
                ));
            }
            Ok(out)
        }
        Op::UserCreate {
            email,
            name,
            password_hash,
            business,
            role,
            admin,
        } => {
            if !users::valid_email(&email) {
                return Err(ApiError::field("email", "is not a valid email address"));
            }
            let (user, existed) = store.write_blocking(move |ctx| {
                let account_type = if admin {
                    AccountType::Admin
                } else {
                    AccountType::User
                };
                let found = users::by_email(ctx, &email)?;
                let existed = found.is_some();
                let mut user = match (found, business) {
                    (Some(existing), Some(_)) => existing,
                    (Some(_), None) => {
                        return Err(ApiError::new(
                            Code::EmailTaken,
                            "This email address is already in use",
                        ))
                    }
                    (None, _) => users::create(
                        ctx,
                        &NewUser {
                            email: email.clone(),
                            name: name.clone(),
                            password_hash: password_hash.clone(),
                            account_type,
                        },
                    )?,
                };
                if admin && user.account_type != AccountType::Admin {
                    user.account_type = AccountType::Admin;
                    users::save(ctx, &user)?;
                }
                if let Some(b) = business {
                    repo::business(ctx, b)?.ok_or_else(|| ApiError::not_found("business"))?;
                    if repo::membership(ctx, user.id, b)?.is_some() {
                        return Err(ApiError::new(
                            Code::EmailTaken,
                            "Already a member of this business",
                        ));
                    }
                    let new = service::NewMember {
                        email: user.email.clone(),
                        name: user.name.clone(),
                        password_hash: None,
                        role: role.unwrap_or(Role::Member),
                        team_id: None,
                        permissions: vec![],
                    };
                    service::add_member(ctx, b, &new)?;
                }
                Ok((user, existed))
            })?;
            Ok(format!(
                "{}\t{}\n{}",
                user.id,
                user.email,
                existing_note(existed, &user.email)
            ))
        }
        Op::UserList { business } => {
            let read = store.read()?;
            if let Some(b) = business {
                repo::business(&read, b)?.ok_or_else(|| ApiError::not_found("business"))?;
            }
            let mut out = String::from("ID\tEMAIL\tNAME\tTYPE\tROLE\n");
            let all = users::list(&read)?;
            for u in all {
                let role = match business {
                    Some(b) => match repo::membership(&read, u.id, b)? {
                        Some(m) => m.role.as_str().to_string(),
                        None => continue,
                    },
                    None => "-".to_string(),
                };
                let kind = match u.account_type {
                    AccountType::Admin => "admin",
                    AccountType::User => "user",
                };
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    u.id, u.email, u.name, kind, role
                ));
            }
            Ok(out)
        }
        Op::ResetPassword {
            email,
            password_hash,
        } => {
            let user = store.write_blocking(move |ctx| {
                let user =
                    users::by_email(ctx, &email)?.ok_or_else(|| ApiError::not_found("user"))?;
                crate::auth::session::delete_all_for(ctx, user.id)?;
                let note = audit::Note::new(
                    audit::Action::PasswordReset,
                    None,
                    audit::Who::System,
                    format!("An operator reset the password of {} at the command line; every session ended", user.email),
                )
                .target("user", user.id);
                audit::record_for_account(ctx, &audit::Origin::local("wafunnel cli"), user.id, &note)?;
                users::set_password(ctx, user.id, &password_hash)
            })?;
            Ok(format!(
                "password reset for {}; every session signed out\n",
                user.email
            ))
        }
        Op::Backup { out } => {
            let report = backup::snapshot(store.database(), store.tables(), &out)?;
            // Facebook tokens are sealed under keys kept outside the store.
            let keys = crate::channels::facebook::vault::backup(store.dir(), &out)
                .map_err(|e| ApiError::internal(format!("copying the Facebook keyring: {e}")))?;
            // Files are only added to, never rewritten: copied after the
            // snapshot, they hold every file it names.
            let files: Vec<String> = ["media", "imports"]
                .iter()
                .map(|f| store.dir().join(f))
                .filter(|p| std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_some()))
                .map(|p| p.display().to_string())
                .collect();
            Ok(format!(
                "backup written to {} ({} records, schema version {}){}\n{}",
                report.path,
                report.records,
                report.schema_version,
                if keys {
                    format!(
                        "; Facebook keyring at {}",
                        crate::channels::facebook::vault::beside(&out).display()
                    )
                } else {
                    String::new()
                },
                if files.is_empty() {
                    String::new()
                } else {
                    format!(
                        "{NOTE}the files of messages and imports are not in the backup: copy {} with it\n",
                        files.join(" and ")
                    )
                }
            ))
        }
        Op::ImportCsv {
            file,
            business,
            map,
            default_country,
            pool,
        } => crate::imports::cli::import_csv(
            store,
            &crate::imports::cli::CsvArgs {
                file,
                business,
                map,
                default_country,
                pool,
            },
        ),
        Op::Check => {
            let read = store.read()?;
            let report = store::check::run(&read, store.tables(), &schema::index_checks())?;
            let mut out = String::new();
            for (table, n) in &report.tables {
                out.push_str(&format!("{table}: {n} records\n"));
            }
            if report.ok() {
                out.push_str("ok: every record decodes and every index agrees\n");
                Ok(out)
            } else {
                for p in &report.problems {
                    out.push_str(&format!("problem: {p}\n"));
                }
                Err(ApiError::new(
                    Code::Conflict,
                    format!("{out}{} problems found", report.problems.len()),
                ))
            }
        }
    }
}
