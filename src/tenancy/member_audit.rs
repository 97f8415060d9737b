//! The audit entries of membership changes: who was added, which role and
//! permission changes were made, who was removed. Written by the member
//! routes in the transaction of the change.
use super::model::{Member, Permission};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    auth::users,
    error::ApiResult,
    store::WriteCtx,
};

fn email_of(ctx: &WriteCtx, m: &Member) -> ApiResult<String> {
    Ok(users::get(ctx, m.user_id)?
        .map(|u| u.email)
        .unwrap_or_default())
}

pub fn added(
    ctx: &mut WriteCtx,
    origin: &Origin,
    who: &Who,
    m: &Member,
    email: &str,
) -> ApiResult<()> {
    let note = Note::new(
        Action::MemberAdded,
        Some(m.business_id),
        who.clone(),
        format!("Added {email} as {}", m.role.as_str()),
    )
    .target("member", m.id);
    Ok(audit::record(ctx, origin, &note)?)
}

pub fn removed(ctx: &mut WriteCtx, origin: &Origin, who: &Who, m: &Member) -> ApiResult<()> {
    let email = email_of(ctx, m)?;
    let note = Note::new(
        Action::MemberRemoved,
        Some(m.business_id),
        who.clone(),
        format!("Removed {email} ({}) from the business", m.role.as_str()),
    )
    .target("member", m.id);
    Ok(audit::record(ctx, origin, &note)?)
}

/// One entry per security-relevant change of a member edit (a rename is none).
pub fn changed(
    ctx: &mut WriteCtx,
    origin: &Origin,
    who: &Who,
    before: &Member,
    after: &Member,
) -> ApiResult<()> {
    let email = email_of(ctx, after)?;
    let names = |p: &[Permission]| {
        let v: Vec<String> = p
            .iter()
            .filter_map(|p| serde_json::to_value(p).ok())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut notes = Vec::new();
    if before.role != after.role {
        notes.push(Note::new(
            Action::MemberRoleChanged,
            Some(after.business_id),
            who.clone(),
            format!(
                "Changed the role of {email} from {} to {}",
                before.role.as_str(),
                after.role.as_str()
            ),
        ));
    }
    if before.permissions != after.permissions {
        notes.push(Note::new(
            Action::MemberPermissionsChanged,
            Some(after.business_id),
            who.clone(),
            format!(
                "Changed the permissions of {email} from {} to {}",
                names(&before.permissions),
                names(&after.permissions)
            ),
        ));
    }
    for n in notes {
        audit::record(ctx, origin, &n.target("member", after.id))?;
    }
    Ok(())
}
