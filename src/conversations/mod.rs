//! Conversations, messages, notes, labels, and the scoped list of them.
pub mod access;
pub mod model;
pub mod parked;
pub mod repo;
pub mod routes;
pub mod service;
pub mod timeline;
mod wamids;

pub use model::{Conversation, Message};
