//! The WhatsApp Cloud API channel: signed webhooks in, Graph API out.
pub mod deadletters;
pub mod graph;
pub mod ingest;
pub mod media;
mod media_check;
pub mod numbers;
pub mod parse;
pub mod signature;
pub mod templates;
pub mod uploads;
pub mod webhook;
