//! Proves a value is never logged: a process-wide subscriber formats every
//! event of the server at debug level, as `wafunnel serve` would print it, and
//! keeps only the lines that contain a watched value.
use std::{
    io::Write,
    sync::{Mutex, OnceLock},
};

use tracing_subscriber::{fmt::MakeWriter, EnvFilter};

#[derive(Default)]
struct Watched {
    values: Vec<String>,
    hits: Vec<String>,
}

fn watched() -> &'static Mutex<Watched> {
    static WATCHED: OnceLock<Mutex<Watched>> = OnceLock::new();
    WATCHED.get_or_init(|| {
        let _ = tracing::subscriber::set_global_default(
            tracing_subscriber::fmt()
                .with_env_filter(EnvFilter::new("wafunnel=debug,it=debug"))
                .with_writer(LineCheck)
                .finish(),
        );
        Mutex::new(Watched::default())
    })
}

/// Starts watching `values` in every log line from now on.
pub fn watch(values: &[&str]) {
    if let Ok(mut w) = watched().lock() {
        w.values.extend(values.iter().map(|v| v.to_string()));
    }
}

/// The lines logged so far that contain one of `values`.
pub fn lines_with(values: &[&str]) -> Vec<String> {
    watched()
        .lock()
        .map(|w| {
            w.hits
                .iter()
                .filter(|l| values.iter().any(|v| l.contains(v)))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Clone, Copy)]
struct LineCheck;

impl Write for LineCheck {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let line = String::from_utf8_lossy(buf);
        if let Ok(mut w) = watched().lock() {
            if w.values.iter().any(|v| line.contains(v.as_str())) {
                w.hits.push(line.into_owned());
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LineCheck {
    type Writer = LineCheck;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}
