//! Flows: WhatsApp automations built on the editor's canvas (React Flow nodes
//! and edges, stored as sent), validated and published as immutable versions,
//! one active per number, and run by a durable engine: a run per
//! conversation pinned to its version, moved one transaction per step by
//! replies and durable timers, with loop guards and the 24-hour window kept.
mod checks;
pub mod decide;
pub mod effects;
pub mod engine;
pub mod graph;
pub mod hours;
pub mod jobs;
pub mod model;
pub mod pause;
pub mod routes;
pub mod runs;
pub mod runtime;
pub mod sim;
pub mod templates;
#[cfg(test)]
mod tests;
pub mod validate;
