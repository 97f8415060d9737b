//! Logging: human-readable text or JSON lines, level from `log.level` or RUST_LOG.
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::Config;

pub fn init(config: &Config) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{},actix_server=warn", config.log.level)));
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Colour codes only for a person at a terminal, not in a log file or journald.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = if config.log.format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}
