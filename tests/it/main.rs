//! One integration test binary: the harness in `common/`, a module per domain.
mod common;

mod assignment;
mod auth;
mod browser;
mod cli;
mod crash;
mod errors;
mod facebook;
mod flows;
mod flows_browser;
mod followups;
mod hooks;
mod inbox_browser;
mod invites;
mod leads;
mod leads_browser;
mod outbound;
mod push;
mod rbac;
mod realtime;
mod reset;
mod simulator;
mod store;
mod team;
mod walkin;
mod whatsapp;
