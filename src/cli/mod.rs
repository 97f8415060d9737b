//! The command line: `serve` and the operator commands of API.md.
pub mod ops;
mod remote;

use std::{io::IsTerminal, path::PathBuf};

use clap::{Parser, Subcommand};

use crate::{
    auth::password,
    config::Config,
    metrics::Metrics,
    server::{self, StartOptions},
    store::{backup, ids::BusinessId, StoreError},
    tenancy::Role,
};
use ops::Op;

#[derive(Parser)]
#[command(
    name = "wafunnel",
    version,
    about = "Self-hosted WhatsApp lead funnel and team inbox"
)]
pub struct Cli {
    /// Configuration file (TOML); see config.example.toml.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data folder (store, search index, media, secrets); overrides server.data_dir.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to bind; overrides server.listen.
        #[arg(long)]
        listen: Option<String>,
        /// Seed a demo business on an empty data folder and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Businesses.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent snapshot of the store (also while `serve` runs).
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup in place as the store of the data folder.
    Restore {
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing store.
        #[arg(long)]
        force: bool,
    },
    /// Verify that every record decodes and every index agrees (exit 1 otherwise).
    Check,
    /// Rebuild the search index from the store.
    Reindex,
    /// Bring leads in from a file.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// A CSV of leads (any of , ; or tab; UTF-8, UTF-16 or Windows-1252).
    Csv {
        file: PathBuf,
        #[arg(long)]
        business: BusinessId,
        /// Fields to columns: `name=Nome,phone=Telefone,email=E-mail,custom:city=Cidade`.
        #[arg(long, default_value = "")]
        map: String,
        /// Country of phone numbers written without one (default: the business's).
        #[arg(long)]
        default_country: Option<String>,
        /// Assign through this channel's pool (`whatsapp:<id>`, `channel:<id>`, `manual`…).
        #[arg(long)]
        pool: Option<String>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        owner_email: String,
        #[arg(long)]
        owner_name: Option<String>,
        #[arg(long)]
        owner_password: Option<String>,
        /// The owner's account is also a platform administrator.
        #[arg(long)]
        admin: bool,
    },
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        password: Option<String>,
        #[arg(long)]
        business: Option<BusinessId>,
        #[arg(long, value_parser = parse_role)]
        role: Option<Role>,
        /// Platform administrator account.
        #[arg(long)]
        admin: bool,
    },
    List {
        #[arg(long)]
        business: Option<BusinessId>,
    },
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: Option<String>,
    },
}

/// clap's usage error on one line: its message with what it names (the
/// missing arguments on the lines below it), or the subcommands to choose from.
fn usage_error_line(e: &clap::Error) -> String {
    let rendered = e.to_string();
    if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let commands: Vec<&str> = rendered
            .lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .filter_map(|l| l.split_whitespace().next())
            .filter(|c| *c != "help")
            .collect();
        return format!("error: a subcommand is required: {}", commands.join(", "));
    }
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("Usage:"))
        .map(str::trim)
        .collect();
    if message.is_empty() {
        "error: bad arguments".into()
    } else {
        message.join(" ")
    }
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("`{s}` is not one of owner, lead, member"))
}

/// Runs the command line; returns the process exit status.
pub fn main() -> i32 {
    // The store, media, search index and backups hold customers' messages
    // and access tokens: readable by this user only, whatever the shell's umask.
    #[cfg(target_os = "linux")]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version print as clap writes them; a usage error is one line.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            eprintln!("{} (see --help)", usage_error_line(&e));
            return 2;
        }
    };
    if matches!(cli.command, Command::Serve { .. }) {
        crate::release_freed_memory_promptly();
    }
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if let Some(dir) = &cli.data_dir {
        config.server.data_dir = dir.clone();
    }
    if let Command::Serve {
        listen: Some(l), ..
    } = &cli.command
    {
        config.server.listen = l.clone();
        config.settle_public_url();
        if let Err(e) = config.validate() {
            eprintln!("error: {e}");
            return 2;
        }
    }
    match run(cli.command, config) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {}", e.trim_end().replace('\n', "; "));
            1
        }
    }
}

fn run(command: Command, config: Config) -> Result<(), String> {
    match command {
        Command::Serve { demo, .. } => serve(config, demo),
        Command::Tenant { command } => match command {
            TenantCommand::Create {
                name,
                owner_email,
                owner_name,
                owner_password,
                admin,
            } => {
                let (hash, generated) = password_hash(owner_password, "Owner password", true)?;
                let owner_name = owner_name.unwrap_or_else(|| {
                    owner_email.split('@').next().unwrap_or("Owner").to_string()
                });
                // The same rules as the API's.
                for (flag, value) in [("--name", &name), ("--owner-name", &owner_name)] {
                    if let Some(why) = crate::auth::users::name_problem(value) {
                        return Err(format!("{flag} {why}"));
                    }
                }
                let created = op_noting(
                    &config,
                    Op::TenantCreate {
                        name,
                        owner_email,
                        owner_name,
                        owner_password_hash: hash,
                        admin,
                    },
                );
                tell_generated(created, generated)
            }
            TenantCommand::List => op(&config, Op::TenantList),
        },
        Command::User { command } => match command {
            UserCommand::Create {
                email,
                name,
                password,
                business,
                role,
                admin,
            } => {
                if role.is_some() && business.is_none() {
                    return Err("--role needs --business".into());
                }
                if let Some(why) = crate::auth::users::name_problem(&name) {
                    return Err(format!("--name {why}"));
                }
                let (hash, generated) = password_hash(password, "Password", false)?;
                let created = op_noting(
                    &config,
                    Op::UserCreate {
                        email,
                        name,
                        password_hash: hash,
                        business,
                        role,
                        admin,
                    },
                );
                tell_generated(created, generated)
            }
            UserCommand::List { business } => op(&config, Op::UserList { business }),
            UserCommand::ResetPassword { email, password } => {
                let (hash, generated) = password_hash(password, "New password", true)?;
                let reset = op_noting(
                    &config,
                    Op::ResetPassword {
                        email,
                        password_hash: hash.ok_or("a password is required")?,
                    },
                );
                tell_generated(reset, generated)
            }
        },
        Command::Backup { out } => {
            let out = std::path::absolute(&out).map_err(|e| e.to_string())?;
            refuse_data_folder(&out, &config.server.data_dir)?;
            op(&config, Op::Backup { out })
        }
        Command::Restore { from, force } => {
            let sealed = verify_backup(&config, &from)?;
            let report =
                backup::restore(&from, &config.server.data_dir, force).map_err(|e| match e {
                    StoreError::Locked => {
                        "the data folder is in use by a running wafunnel; stop it first".to_string()
                    }
                    other => other.to_string(),
                })?;
            let keyring = crate::channels::facebook::vault::restore(&from, &config.server.data_dir)
                .map_err(|e| format!("restoring the Facebook keyring: {e}"))?;
            if sealed && !keyring {
                // Restored all the same: everything else in it is good.
                eprintln!(
                    "{}the backup holds Facebook sign-ins but no keyring beside it ({}): their page tokens cannot be read; connect Facebook again from Channels, or restore again with the keyring file in place",
                    ops::NOTE,
                    crate::channels::facebook::vault::beside(&from).display()
                );
            }
            println!(
                "restored {} (schema version {})",
                report.path, report.schema_version
            );
            Ok(())
        }
        Command::Check => op(&config, Op::Check),
        Command::Reindex => op(&config, Op::Reindex),
        Command::Import {
            command:
                ImportCommand::Csv {
                    file,
                    business,
                    map,
                    default_country,
                    pool,
                },
        } => {
            let map = crate::imports::cli::parse_map(&map)?;
            // The running server reads the file itself: hand it an absolute path.
            let file =
                std::fs::canonicalize(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            op(
                &config,
                Op::ImportCsv {
                    file,
                    business,
                    map,
                    default_country,
                    pool,
                },
            )
        }
    }
}

/// A password made up for the operator is shown only once the command that
/// sets it has succeeded.
fn tell_generated(done: Result<bool, String>, generated: Option<String>) -> Result<(), String> {
    // An account that existed kept its password: a made-up one means nothing.
    if done? {
        return Ok(());
    }
    if let Some(p) = generated {
        eprintln!("generated password: {p}");
    }
    Ok(())
}

/// Hashes a password given on the command line, asks for one on a terminal,
/// or (when `required` and there is no terminal) makes one up, returned
/// beside the hash for `tell_generated`.
fn password_hash(
    given: Option<String>,
    prompt: &str,
    required: bool,
) -> Result<(Option<String>, Option<String>), String> {
    let (plain, generated) = match given {
        Some(p) => (Some(p), None),
        None if std::io::stdin().is_terminal() => {
            let p = rpassword::prompt_password(format!("{prompt}: ")).map_err(|e| e.to_string())?;
            (Some(p), None)
        }
        None if required => {
            let p = crate::auth::session::random_token(8);
            (Some(p.clone()), Some(p))
        }
        None => (None, None),
    };
    let hash = match plain {
        Some(p) => {
            password::check_len(&p).map_err(|why| format!("password {why}"))?;
            Some(password::hash(&p).map_err(|e| e.message)?)
        }
        None => None,
    };
    Ok((hash, generated))
}

/// Runs an operation on the store directly, or through the running server.
/// A backup is checked whole, on a copy, before it replaces anything: a
/// damaged file (even one redb itself chokes on) is refused with the reason,
/// never put in place for `check` to find broken afterwards.
/// Checks the backup in a scratch copy; answers whether it holds Facebook
/// sign-ins, whose tokens are sealed under the keyring kept beside it.
fn verify_backup(config: &Config, from: &std::path::Path) -> Result<bool, String> {
    // Beside the store, not in /tmp: a store can outgrow a small tmpfs.
    let data_dir = &config.server.data_dir;
    std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let scratch = tempfile::Builder::new()
        .prefix(".restore-check-")
        .tempdir_in(data_dir)
        .map_err(|e| format!("a scratch folder: {e}"))?;
    std::fs::copy(from, scratch.path().join(crate::store::DB_FILE))
        .map_err(|e| format!("{}: {e}", from.display()))?;
    let mut probe = config.clone();
    probe.server.data_dir = scratch.path().to_path_buf();
    // A panic inside the store's code reads as the file's damage, in one line.
    let checked = quietly(|| -> Result<(Vec<String>, bool), String> {
        let store = server::open_store(&probe, Metrics::default()).map_err(|e| e.to_string())?;
        let read = store.read().map_err(|e| e.to_string())?;
        let report =
            crate::store::check::run(&read, store.tables(), &crate::schema::index_checks())
                .map_err(|e| e.to_string())?;
        let sealed = !crate::channels::facebook::login::all(&read)
            .map_err(|e| e.to_string())?
            .is_empty();
        drop(read);
        store.shutdown();
        Ok((report.problems, sealed))
    });
    let refuse = |why: String| format!("{} is not a sound wafunnel backup: {why}", from.display());
    match checked {
        Ok(Ok((problems, sealed))) if problems.is_empty() => Ok(sealed),
        Ok(Ok((problems, _))) => Err(refuse(format!(
            "{} problems, the first: {}",
            problems.len(),
            problems[0]
        ))),
        Ok(Err(e)) => Err(refuse(e)),
        Err(why) => Err(refuse(format!("the file is damaged: {why}"))),
    }
}

/// Runs store code that a damaged file can make panic (redb trusts its own
/// pages): the panic becomes one line for the operator, not a backtrace.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    ran.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unreadable".into())
    })
}

/// A backup written straight into the data folder would replace the live
/// store (or its keyring) under a running server: it goes anywhere else,
/// a subfolder included.
fn refuse_data_folder(out: &std::path::Path, data_dir: &std::path::Path) -> Result<(), String> {
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).ok();
    let folder = out.parent().and_then(canonical);
    if folder.is_some() && folder == canonical(data_dir) {
        return Err(format!(
            "{} is inside the data folder itself; write the backup elsewhere",
            out.display()
        ));
    }
    Ok(())
}

fn op(config: &Config, op: Op) -> Result<(), String> {
    op_noting(config, op).map(|_| ())
}

/// Runs an operation; true when it printed a note (an account that existed).
fn op_noting(config: &Config, op: Op) -> Result<bool, String> {
    // Only the commands that set a business up may start an empty store: a
    // mistyped --data-dir must not read (or back up) a fresh, empty one.
    let creates = matches!(op, Op::TenantCreate { .. } | Op::UserCreate { .. });
    let dir = &config.server.data_dir;
    if !creates && !dir.join(crate::store::DB_FILE).exists() {
        return Err(format!(
            "no wafunnel store in {} (is --data-dir right?)",
            dir.display()
        ));
    }
    let local = quietly(|| match server::open_store(config, Metrics::default()) {
        Ok(store) => {
            let result = ops::execute(&store, None, op.clone());
            store.shutdown();
            Ok(Some(result.map_err(|e| e.message)?))
        }
        Err(StoreError::Locked) => Ok(None),
        Err(e) => Err(e.to_string()),
    })
    .map_err(|why| {
        format!(
            "the store in {} is damaged ({why}); restore a backup",
            dir.display()
        )
    })??;
    let output = match local {
        Some(output) => output,
        None => remote::execute(&config.server.data_dir, &op)?,
    };
    let mut noted = false;
    for line in output.split_inclusive('\n') {
        if let Some(note) = line.strip_prefix(ops::NOTE) {
            eprint!("{}{note}", ops::NOTE);
            noted = true;
        } else {
            print!("{line}");
        }
    }
    Ok(noted)
}

/// The demo's first conversations go through the running server's real paths.
fn play_demo_chats(running: &server::Running) {
    let played = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            rt.block_on(crate::demo::chats::play(&running.state))
                .map_err(|e| e.message)
        });
    if let Err(e) = played {
        tracing::warn!("demo conversations were not added: {e}");
    }
}

fn serve(config: Config, demo: bool) -> Result<(), String> {
    crate::telemetry::init(&config);
    let metrics = Metrics::default();
    let store = server::open_store(&config, metrics.clone()).map_err(|e| match e {
        StoreError::Locked => format!(
            "{} is in use by another running wafunnel",
            config.server.data_dir.display()
        ),
        other => other.to_string(),
    })?;
    let demo_logins = if demo {
        let logins = crate::demo::seed(&store).map_err(|e| e.message)?;
        if let Err(e) = crate::demo::samples::seed(&store, &config.server.data_dir) {
            tracing::warn!("demo sample imports were not added: {}", e.message);
        }
        Some(logins)
    } else {
        None
    };
    let running = server::start_with_store(
        config.clone(),
        store,
        metrics,
        StartOptions {
            handle_signals: true,
        },
    )
    .map_err(|e| format!("cannot start: {e}"))?;
    let url = format!("http://{}", running.addr);
    tracing::info!("wafunnel {} listening on {url}", env!("CARGO_PKG_VERSION"));
    println!(
        "wafunnel is running at {url} (data in {})",
        config.server.data_dir.display()
    );
    if let Some(logins) = demo_logins {
        if matches!(logins, crate::demo::DemoLogins::Seeded(_)) {
            play_demo_chats(&running);
        }
        println!("{}", crate::demo::banner(&url, &logins));
    }
    running.wait().map_err(|e| e.to_string())
}
