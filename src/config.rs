//! Configuration: defaults < config.toml < WAFUNNEL_SECTION_KEY environment < command-line flags.
//! Every key is documented in config.example.toml.
use std::{net::SocketAddr, path::PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: Server,
    pub auth: Auth,
    pub writer: Writer,
    pub outbound: Outbound,
    pub realtime: Realtime,
    pub leads: Leads,
    pub flows: Flows,
    pub meta: Meta,
    pub smtp: Smtp,
    pub push: Push,
    pub google: Google,
    pub audit: Audit,
    pub log: Log,
}

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Server {
    pub listen: String,
    pub data_dir: PathBuf,
    pub public_url: String,
    pub signup: String,
    pub trusted_proxies: Vec<String>,
    pub json_limit_bytes: usize,
    pub workers: usize,
    /// `public_url` was worked out from `listen`, not configured.
    #[serde(skip)]
    pub public_url_derived: bool,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            listen: DEFAULT_LISTEN.into(),
            data_dir: PathBuf::from("./data"),
            public_url: DEFAULT_PUBLIC_URL.into(),
            signup: "closed".into(),
            trusted_proxies: vec![],
            json_limit_bytes: 1024 * 1024,
            workers: 0,
            public_url_derived: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Auth {
    pub session_ttl_hours: u64,
    pub login_window_secs: u64,
    pub login_max_failures_per_account: u32,
    pub login_max_failures_per_ip: u32,
}

impl Default for Auth {
    fn default() -> Self {
        Auth {
            session_ttl_hours: 24 * 7,
            login_window_secs: 15 * 60,
            login_max_failures_per_account: 10,
            login_max_failures_per_ip: 50,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Writer {
    pub max_batch: usize,
    pub cache_mb: usize,
    /// The writer thread's `nice` (-20..=0; 0 leaves it as it is): see `store::writer::first_in_line`.
    pub nice: i32,
}

impl Default for Writer {
    fn default() -> Self {
        Writer {
            max_batch: 1024,
            cache_mb: crate::store::DEFAULT_CACHE_MB,
            nice: crate::store::WRITER_NICE,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Outbound {
    pub rate_per_second: u32,
}

impl Default for Outbound {
    fn default() -> Self {
        Outbound {
            rate_per_second: 80,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Realtime {
    /// Seconds between the server's pings on each WebSocket.
    pub heartbeat_secs: u64,
    /// A socket silent (no pong, no frame) this long is dropped.
    pub client_timeout_secs: u64,
}

impl Default for Realtime {
    fn default() -> Self {
        Realtime {
            heartbeat_secs: 15,
            client_timeout_secs: 45,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Leads {
    /// Walk-in form submissions one client IP may make per window.
    pub walkin_max_per_ip: u32,
    pub walkin_window_secs: u64,
}

impl Default for Leads {
    fn default() -> Self {
        Leads {
            walkin_max_per_ip: 20,
            walkin_window_secs: 600,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Flows {
    /// How long a number's flow starts no new runs after Meta rate-limits it.
    pub rate_limit_cooldown_secs: u64,
}

impl Default for Flows {
    fn default() -> Self {
        Flows {
            rate_limit_cooldown_secs: 1800,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Meta {
    pub graph_url: String,
    pub graph_version: String,
    pub dialog_url: String,
    pub app_id: String,
    pub app_secret: String,
    pub verify_token: String,
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            graph_url: "https://graph.facebook.com".into(),
            graph_version: "v21.0".into(),
            dialog_url: "https://www.facebook.com".into(),
            app_id: String::new(),
            app_secret: String::new(),
            verify_token: String::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Smtp {
    pub url: String,
    pub from: String,
}

impl Default for Smtp {
    fn default() -> Self {
        Smtp {
            url: String::new(),
            from: "wafunnel <noreply@localhost>".into(),
        }
    }
}

/// Browser push (VAPID): the key lives in the data folder; only the contact is configured.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Push {
    /// `mailto:` or `https:` contact push services may use; empty = `server.public_url`
    /// when it is https, else `smtp.from` (see `push::vapid::subject`).
    pub subject: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Google {
    pub client_id: String,
    pub client_secret: String,
    pub issuer: String,
}

impl Default for Google {
    fn default() -> Self {
        Google {
            client_id: String::new(),
            client_secret: String::new(),
            issuer: "https://accounts.google.com".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Audit {
    pub retention_days: u32,
}

impl Default for Audit {
    fn default() -> Self {
        Audit {
            retention_days: 365,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Log {
    pub format: String,
    pub level: String,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            format: "text".into(),
            level: "info".into(),
        }
    }
}

/// A configuration problem, always naming the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

const ENV_PREFIX: &str = "WAFUNNEL_";

impl Config {
    /// Loads the file (when given), then applies the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Config, ConfigError> {
        let base = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))?;
                toml::from_str::<Config>(&text).map_err(|e| {
                    ConfigError(format!(
                        "config file {}: {}",
                        path.display(),
                        describe(&text, &e)
                    ))
                })?
            }
            None => Config::default(),
        };
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        let mut config = base.with_env(&env)?;
        config.settle_public_url();
        config.validate()?;
        Ok(config)
    }

    /// Links the server hands out (walk-in forms, QR codes, webhook URLs,
    /// invitations) must reach it: with no `server.public_url` of its own, a
    /// server listening elsewhere than the default names its own address.
    pub fn settle_public_url(&mut self) {
        let s = &mut self.server;
        if s.public_url != DEFAULT_PUBLIC_URL && !s.public_url_derived {
            return;
        }
        let Ok(addr) = s.listen.parse::<SocketAddr>() else {
            return;
        };
        s.public_url = match addr.ip() {
            _ if s.listen == DEFAULT_LISTEN => DEFAULT_PUBLIC_URL.to_string(),
            ip if ip.is_unspecified() => format!("http://localhost:{}", addr.port()),
            std::net::IpAddr::V6(v6) => format!("http://[{v6}]:{}", addr.port()),
            std::net::IpAddr::V4(v4) => format!("http://{v4}:{}", addr.port()),
        };
        s.public_url_derived = true;
    }

    /// Applies `WAFUNNEL_SECTION_KEY` overrides, coercing each to the key's type.
    pub fn with_env(self, vars: &[(String, String)]) -> Result<Config, ConfigError> {
        let mut tree =
            toml::Value::try_from(&self).map_err(|e| ConfigError(format!("config: {e}")))?;
        let Some(sections) = tree.as_table_mut() else {
            return Err(ConfigError("config: not a table".into()));
        };
        for (name, raw) in vars {
            let rest = name[ENV_PREFIX.len()..].to_ascii_lowercase();
            let Some((section, key)) = rest.split_once('_') else {
                continue;
            };
            // Unknown sections may be someone else's variables (a wrapper
            // script's), so they do not stop start-up; a typo is still told.
            let Some(table) = sections.get_mut(section).and_then(|s| s.as_table_mut()) else {
                eprintln!("warning: environment {name} names no configuration section ({section}); ignored");
                continue;
            };
            let Some(current) = table.get(key) else {
                return Err(ConfigError(format!(
                    "environment {name}: unknown key {section}.{key}"
                )));
            };
            let value = coerce(current, raw)
                .map_err(|why| ConfigError(format!("environment {name}: {why}")))?;
            table.insert(key.to_string(), value);
        }
        Config::deserialize(tree).map_err(|e| {
            let one_line = e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            ConfigError(format!("environment: {one_line}"))
        })
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, why: String| Err(ConfigError(format!("{key}: {why}")));
        if self.server.listen.parse::<SocketAddr>().is_err() {
            return bad(
                "server.listen",
                format!(
                    "`{}` is not an address like 127.0.0.1:8080",
                    self.server.listen
                ),
            );
        }
        if !matches!(self.server.signup.as_str(), "closed" | "open") {
            return bad("server.signup", "must be `closed` or `open`".into());
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return bad("log.format", "must be `text` or `json`".into());
        }
        if !(self.server.public_url.starts_with("http://")
            || self.server.public_url.starts_with("https://"))
        {
            return bad(
                "server.public_url",
                "must start with http:// or https://".into(),
            );
        }
        for cidr in &self.server.trusted_proxies {
            if cidr.parse::<ipnet::IpNet>().is_err() && cidr.parse::<std::net::IpAddr>().is_err() {
                return bad("server.trusted_proxies", format!("`{cidr}` is not a CIDR"));
            }
        }
        if self.outbound.rate_per_second == 0 {
            // Zero would read as "no limit" or "never send"; it is neither.
            return bad("outbound.rate_per_second", "must be at least 1".into());
        }
        if self.writer.max_batch == 0 {
            return bad("writer.max_batch", "must be at least 1".into());
        }
        if self.writer.cache_mb == 0 {
            return bad("writer.cache_mb", "must be at least 1".into());
        }
        let subject = self.push.subject.trim();
        if !subject.is_empty()
            && !subject.starts_with("mailto:")
            && !subject.starts_with("https://")
        {
            // Push services refuse our tokens with any other contact.
            return bad("push.subject", "must be a mailto: or https:// URI".into());
        }
        if !(-20..=0).contains(&self.writer.nice) {
            // A writer behind the request threads would only make every write wait longer.
            return bad("writer.nice", "must be between -20 and 0".into());
        }
        if self.server.json_limit_bytes < 1024 {
            return bad("server.json_limit_bytes", "must be at least 1024".into());
        }
        // A bare word would be read as a target name and silence every log line.
        let directives_ok = self.log.level.split(',').all(|d| {
            let d = d.trim();
            d.parse::<tracing::level_filters::LevelFilter>().is_ok() || d.contains('=')
        });
        if !directives_ok || tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return bad(
                "log.level",
                format!(
                    "`{}` is not a level (error, warn, info, debug, trace)",
                    self.log.level
                ),
            );
        }
        let web = |v: &str| v.starts_with("http://") || v.starts_with("https://");
        for (key, value) in [
            ("meta.graph_url", &self.meta.graph_url),
            ("meta.dialog_url", &self.meta.dialog_url),
            ("google.issuer", &self.google.issuer),
        ] {
            if !web(value) {
                return bad(
                    key,
                    format!("`{value}` must start with http:// or https://"),
                );
            }
        }
        let smtp = &self.smtp.url;
        if !(smtp.is_empty() || smtp.starts_with("smtp://") || smtp.starts_with("smtps://")) {
            return bad(
                "smtp.url",
                format!("`{smtp}` must start with smtp:// or smtps:// (or be empty)"),
            );
        }
        if self.smtp.from.parse::<lettre::message::Mailbox>().is_err() {
            return bad(
                "smtp.from",
                format!(
                    "`{}` is not an address like `Name <noreply@example.com>`",
                    self.smtp.from
                ),
            );
        }
        if self.auth.session_ttl_hours == 0 {
            return bad("auth.session_ttl_hours", "must be at least 1".into());
        }
        if self.realtime.heartbeat_secs == 0
            || self.realtime.client_timeout_secs <= self.realtime.heartbeat_secs
        {
            return bad(
                "realtime.client_timeout_secs",
                "must be longer than realtime.heartbeat_secs, which must be at least 1".into(),
            );
        }
        Ok(())
    }

    pub fn listen_addr(&self) -> SocketAddr {
        self.server
            .listen
            .parse()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080)))
    }

    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }
}

/// "server.listen (line 3): invalid type ..." from a TOML error and its span.
fn describe(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().replace('\n', " ");
    let Some(span) = e.span() else { return message };
    let before = &text[..span.start.min(text.len())];
    let line_no = before.matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    let section = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    match line.split_once('=') {
        Some((key, _)) if !line.trim_start().starts_with('[') => {
            let key = key.trim();
            let full = match section {
                Some(s) => format!("{s}.{key}"),
                None => key.to_string(),
            };
            format!("{full} (line {line_no}): {message}")
        }
        _ => format!("line {line_no}: {message}"),
    }
}

fn coerce(current: &toml::Value, raw: &str) -> Result<toml::Value, String> {
    use toml::Value;
    Ok(match current {
        Value::String(_) => Value::String(raw.to_string()),
        Value::Integer(_) => Value::Integer(
            raw.trim()
                .parse()
                .map_err(|_| format!("`{raw}` is not a whole number"))?,
        ),
        Value::Boolean(_) => match raw.trim() {
            "true" | "1" | "yes" => Value::Boolean(true),
            "false" | "0" | "no" => Value::Boolean(false),
            _ => return Err(format!("`{raw}` is not true or false")),
        },
        Value::Array(_) => Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        other => return Err(format!("cannot override a {} value", other.type_str())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_keys_with_their_types() {
        let c = Config::default()
            .with_env(&env(&[
                ("WAFUNNEL_META_GRAPH_URL", "http://127.0.0.1:9999"),
                ("WAFUNNEL_AUDIT_RETENTION_DAYS", "30"),
                (
                    "WAFUNNEL_SERVER_TRUSTED_PROXIES",
                    "10.0.0.0/8, 127.0.0.1/32",
                ),
            ]))
            .unwrap();
        assert_eq!(c.meta.graph_url, "http://127.0.0.1:9999");
        assert_eq!(c.audit.retention_days, 30);
        assert_eq!(c.server.trusted_proxies, vec!["10.0.0.0/8", "127.0.0.1/32"]);
    }

    #[test]
    fn links_follow_the_listen_address_unless_a_public_url_is_set() {
        let settled = |listen: &str, public_url: Option<&str>| {
            let mut c = Config::default();
            c.server.listen = listen.into();
            if let Some(u) = public_url {
                c.server.public_url = u.into();
            }
            c.settle_public_url();
            c.server.public_url
        };
        assert_eq!(settled("127.0.0.1:8080", None), "http://localhost:8080");
        assert_eq!(settled("127.0.0.1:18122", None), "http://127.0.0.1:18122");
        assert_eq!(settled("0.0.0.0:9000", None), "http://localhost:9000");
        assert_eq!(settled("[::1]:9000", None), "http://[::1]:9000");
        assert_eq!(
            settled("0.0.0.0:9000", Some("https://crm.example.com")),
            "https://crm.example.com"
        );
        // Worked out once, it follows a later --listen.
        let mut c = Config::default();
        c.server.listen = "0.0.0.0:9000".into();
        c.settle_public_url();
        c.server.listen = "127.0.0.1:9100".into();
        c.settle_public_url();
        assert_eq!(c.server.public_url, "http://127.0.0.1:9100");
    }

    #[test]
    fn bad_environment_values_name_the_variable() {
        let err = Config::default()
            .with_env(&env(&[("WAFUNNEL_AUDIT_RETENTION_DAYS", "many")]))
            .unwrap_err();
        assert!(err.0.contains("WAFUNNEL_AUDIT_RETENTION_DAYS"), "{err}");
        let err = Config::default()
            .with_env(&env(&[("WAFUNNEL_SERVER_LISTN", "x")]))
            .unwrap_err();
        assert!(err.0.contains("server.listn"), "{err}");
    }

    #[test]
    fn values_that_would_break_the_server_later_are_refused_at_start_in_one_line() {
        let refused = |pairs: &[(&str, &str)]| {
            let c = Config::default().with_env(&env(pairs));
            match c {
                Err(e) => e.0,
                Ok(c) => c.validate().expect_err("refused").0,
            }
        };
        for (pairs, key) in [
            (&[("WAFUNNEL_LOG_LEVEL", "loud")][..], "log.level"),
            (&[("WAFUNNEL_SMTP_URL", "http://mail")], "smtp.url"),
            (&[("WAFUNNEL_SMTP_FROM", "notanaddress")], "smtp.from"),
            (&[("WAFUNNEL_META_GRAPH_URL", "notaurl")], "meta.graph_url"),
            (&[("WAFUNNEL_GOOGLE_ISSUER", "accounts")], "google.issuer"),
            (
                &[("WAFUNNEL_AUTH_SESSION_TTL_HOURS", "0")],
                "auth.session_ttl_hours",
            ),
            (
                &[("WAFUNNEL_REALTIME_CLIENT_TIMEOUT_SECS", "0")],
                "realtime.client_timeout_secs",
            ),
            (
                &[("WAFUNNEL_AUDIT_RETENTION_DAYS", "-5")],
                "audit.retention_days",
            ),
            (&[("WAFUNNEL_WRITER_NICE", "5")], "writer.nice"),
            (
                &[("WAFUNNEL_PUSH_SUBJECT", "http://inbox.example")],
                "push.subject",
            ),
        ] {
            let why = refused(pairs);
            assert!(why.contains(key) && !why.contains('\n'), "{pairs:?}: {why}");
        }
        let fine = Config::default()
            .with_env(&env(&[
                ("WAFUNNEL_LOG_LEVEL", "info,wafunnel=debug"),
                ("WAFUNNEL_SMTP_URL", "smtp://user:pass@mail.example.com:587"),
                ("WAFUNNEL_SMTP_FROM", "Acme <noreply@acme.test>"),
            ]))
            .unwrap();
        fine.validate().unwrap();
        Config::default().validate().unwrap();
    }

    #[test]
    fn file_errors_name_the_key() {
        let text = "[server]\nlisen = \"x\"\n";
        let err = toml::from_str::<Config>(text).unwrap_err();
        assert!(describe(text, &err).starts_with("server.lisen (line 2): unknown field"));
        let text = "[log]\nformat = \"text\"\n[audit]\nretention_days = \"soon\"\n";
        let err = toml::from_str::<Config>(text).unwrap_err();
        assert!(
            describe(text, &err).starts_with("audit.retention_days (line 4): invalid type"),
            "{}",
            describe(text, &err)
        );
        let mut c = Config::default();
        c.server.signup = "maybe".into();
        assert!(c.validate().unwrap_err().0.starts_with("server.signup"));
    }
}
