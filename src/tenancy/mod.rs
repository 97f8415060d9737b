//! Businesses, members, teams, roles, permissions, and the scope that decides
//! what each member may see.
pub mod invites;
pub mod limits;
pub mod member_audit;
pub mod model;
pub mod repo;
pub mod routes;
pub mod scope;
pub mod service;
pub mod settings;
pub mod support;
pub mod usage;

pub use model::{Business, Member, Permission, Role, Team};
pub use scope::Scope;
