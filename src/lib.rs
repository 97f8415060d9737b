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
