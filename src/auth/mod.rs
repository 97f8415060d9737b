//! Authentication: argon2id passwords, sessions (JWT cookie + CSRF), API
//! tokens, login throttling, and the extractors that name the actor.
pub mod actor;
pub mod oidc;
pub mod password;
pub mod ratelimit;
pub mod reset;
pub mod routes;
pub mod session;
pub mod sessions;
pub mod signup;
pub mod tokens;
pub mod users;

pub use actor::{Actor, MemberActor};
