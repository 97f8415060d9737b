//! The audit log: an append-only record of security-relevant actions (sign-ins,
//! password and session changes, role and membership changes, tokens, flow
//! publishing, imports and exports). An action that writes records its entry
//! in the same transaction, so the log never claims what did not commit nor
//! misses what did; reads (exports) and failures (a wrong password) record
//! their entry in a write of their own.
pub mod repo;
pub mod retention;
pub mod routes;

use std::{
    fmt::Display,
    future::{ready, Ready},
};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};

pub use repo::{Entry, Partition, TABLES};

use crate::{
    auth::users::User,
    error::{ApiError, ApiResult},
    http::{client_ip, AppState},
    store::{
        ids::{BusinessId, UserId},
        Reader, Store, StoreError, WriteCtx,
    },
    tenancy::repo as tenancy_repo,
    time::now_ms,
};

macro_rules! actions {
    ($($variant:ident => $code:literal;)*) => {
        /// What happened, as a stable snake_case code: filters and scripts rely on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $(Action::$variant => $code),* }
            }

            pub fn parse(s: &str) -> Option<Action> {
                match s { $($code => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    LoginSucceeded => "login_succeeded";
    LoginFailed => "login_failed";
    SignedUp => "signed_up";
    EmailVerified => "email_verified";
    GoogleLinked => "google_linked";
    PasswordChanged => "password_changed";
    PasswordReset => "password_reset";
    SessionRevoked => "session_revoked";
    MemberAdded => "member_added";
    MemberRoleChanged => "member_role_changed";
    MemberPermissionsChanged => "member_permissions_changed";
    MemberRemoved => "member_removed";
    InviteCreated => "invite_created";
    InviteResent => "invite_resent";
    InviteRevoked => "invite_revoked";
    InviteAccepted => "invite_accepted";
    ApiTokenCreated => "api_token_created";
    ApiTokenRevoked => "api_token_revoked";
    ChannelTokenRotated => "channel_token_rotated";
    FlowPublished => "flow_published";
    ImportStarted => "import_started";
    ExportDownloaded => "export_downloaded";
    BusinessSettingsChanged => "business_settings_changed";
    BusinessCreated => "business_created";
    BusinessUpdated => "business_updated";
    BusinessSuspended => "business_suspended";
    BusinessResumed => "business_resumed";
    JobRetried => "job_retried";
    SupportAccessGranted => "support_access_granted";
    SupportAccessRevoked => "support_access_revoked";
    SupportSessionOpened => "support_session_opened";
    SupportSessionClosed => "support_session_closed";
    SupportView => "support_view";
    DataDeletionRequested => "data_deletion_requested";
    DataDeletionCompleted => "data_deletion_completed";
    ContactExported => "contact_exported";
    ContactErased => "contact_erased";
}

/// Who acted. The email is a snapshot: the entry keeps saying who it was
/// after the account is renamed or deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Who {
    User {
        id: UserId,
        email: String,
    },
    /// The server itself, or an operator at the command line.
    System,
    /// Someone not signed in (a failed sign-in).
    Anonymous,
}

impl Who {
    pub fn user(u: &User) -> Who {
        Who::User {
            id: u.id,
            email: u.email.clone(),
        }
    }
}

/// What the action was done to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub kind: String,
    pub id: String,
}

/// Where the request came from: the client IP (after the trusted proxies,
/// never a raw `X-Forwarded-For`) and its user agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origin {
    pub ip: String,
    pub user_agent: String,
}

impl Origin {
    pub fn of(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> Origin {
        let ua = req
            .headers()
            .get("User-Agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Origin {
            ip: client_ip(req, trusted).to_string(),
            user_agent: ua.chars().take(256).collect(),
        }
    }

    /// Work the server does by itself (jobs) or at an operator's command.
    pub fn local(what: &str) -> Origin {
        Origin {
            ip: String::new(),
            user_agent: what.to_string(),
        }
    }
}

impl FromRequest for Origin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.app_data::<web::Data<AppState>>()
                .map(|s| Origin::of(req, &s.trusted_proxies))
                .ok_or_else(|| ApiError::internal("application state missing")),
        )
    }
}

/// An entry about to be written; `record` adds the id, time and origin.
#[derive(Debug, Clone)]
pub struct Note {
    pub business_id: Option<BusinessId>,
    pub actor: Who,
    pub action: Action,
    pub target: Option<Target>,
    pub summary: String,
}

impl Note {
    pub fn new(
        action: Action,
        business_id: Option<BusinessId>,
        actor: Who,
        summary: impl Into<String>,
    ) -> Note {
        Note {
            business_id,
            actor,
            action,
            target: None,
            summary: summary.into(),
        }
    }

    pub fn target(mut self, kind: &str, id: impl Display) -> Note {
        self.target = Some(Target {
            kind: kind.to_string(),
            id: id.to_string(),
        });
        self
    }

    /// The same note for another business (account-wide actions are told to
    /// each business the account belongs to).
    pub fn in_business(&self, business_id: Option<BusinessId>) -> Note {
        Note {
            business_id,
            ..self.clone()
        }
    }
}

/// Writes the entry in the caller's transaction, timed now.
pub fn record(ctx: &mut WriteCtx, origin: &Origin, note: &Note) -> Result<(), StoreError> {
    record_at(ctx, origin, note, now_ms()).map(|_| ())
}

/// Writes the entry with an explicit time (tests of retention use old ones).
pub fn record_at(
    ctx: &mut WriteCtx,
    origin: &Origin,
    note: &Note,
    at: i64,
) -> Result<Entry, StoreError> {
    let entry = Entry {
        id: repo::id_at(at),
        business_id: note.business_id,
        actor: note.actor.clone(),
        action: note.action.code().to_string(),
        at,
        ip: origin.ip.chars().take(64).collect(),
        user_agent: origin.user_agent.chars().take(256).collect(),
        summary: note.summary.chars().take(500).collect(),
        target: note.target.clone(),
    };
    repo::insert(ctx, &entry)?;
    Ok(entry)
}

/// For an action that writes nothing itself (an export, a failed sign-in).
pub async fn record_alone(store: &Store, origin: Origin, notes: Vec<Note>) -> ApiResult<()> {
    store
        .write(move |ctx| {
            for n in &notes {
                record(ctx, &origin, n)?;
            }
            Ok(())
        })
        .await
}

/// The businesses an account-wide action concerns: each the user belongs to,
/// or the platform when none.
pub fn businesses_of<R: Reader + ?Sized>(
    r: &R,
    user: UserId,
) -> Result<Vec<Option<BusinessId>>, StoreError> {
    let mut out: Vec<Option<BusinessId>> = tenancy_repo::memberships(r, user)?
        .into_iter()
        .map(|m| Some(m.business_id))
        .collect();
    if out.is_empty() {
        out.push(None);
    }
    Ok(out)
}

/// Records one note per business the user belongs to.
pub fn record_for_account(
    ctx: &mut WriteCtx,
    origin: &Origin,
    user: UserId,
    note: &Note,
) -> Result<(), StoreError> {
    for b in businesses_of(ctx, user)? {
        record(ctx, origin, &note.in_business(b))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
