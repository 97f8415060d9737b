//! Where leads and messages come from. Each channel owns its webhook, its
//! client for the outside service and its tables.
pub mod custom;
pub mod facebook;
pub mod whatsapp;
