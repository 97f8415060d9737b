//! wafunnel: a self-hosted, single-binary WhatsApp lead funnel and team inbox.
//!
//! Modules are organised by domain; each domain owns its tables, logic and routes.

/// Ingest allocates per request and per record on every thread; mimalloc's
/// thread-local free lists cut that cost (meilisearch does the same).
/// (Built without the `mimalloc` feature, the system allocator serves, which
/// heap profilers such as heaptrack can follow.)
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc keeps freed pages for a second before it gives them back to the
/// system (its purge delay), which put about 70 MB more in a 100 MB import's
/// peak resident set, for no measured gain in ingest or import speed
/// (BENCHMARKS.md). It reads that option only from the environment at process
/// start, so the server re-executes itself once with the delay at zero unless
/// the operator chose a value. If the re-execution fails, it runs on as it is.
#[cfg(all(unix, feature = "mimalloc"))]
pub fn release_freed_memory_promptly() {
    use std::os::unix::process::CommandExt;
    const OPTION: &str = "MIMALLOC_PURGE_DELAY";
    if std::env::var_os(OPTION).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let failed = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(OPTION, "0")
        .exec();
    eprintln!("note: running with the allocator's default purge delay ({failed})");
}

#[cfg(not(all(unix, feature = "mimalloc")))]
pub fn release_freed_memory_promptly() {}
pub mod admin;
pub mod assignment;
pub mod audit;
pub mod auth;
pub mod channels;
pub mod cli;
pub mod config;
pub mod contacts;
pub mod conversations;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod events;
pub mod exports;
pub mod flows;
pub mod followups;
pub mod http;
pub mod imports;
pub mod leads;
pub mod mail;
pub mod metrics;
pub mod notifications;
pub mod outbound;
pub mod placeholders;
pub mod push;
pub mod realtime;
pub mod replies;
pub mod scheduler;
pub mod schema;
pub mod search;
pub mod server;
pub mod simulator;
pub mod store;
pub mod telemetry;
pub mod tenancy;
pub mod time;
