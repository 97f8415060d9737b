//! One spreadsheet row becomes a lead by the same rules as every other
//! source (E.164 phone, else email, as the contact's identity), following the
//! import's duplicate policy and assignment; a row that cannot is reported
//! with its number, column and reason.
use serde_json::json;

use super::{
    csv_run::{fail, Row},
    model::{CsvMapping, Duplicates, Import},
};
use crate::{
    assignment::Channel,
    contacts::{self, Contact},
    conversations::{
        model::{Note, Source},
        repo,
    },
    error::{ApiError, ApiResult},
    leads::{self, Capture, Fields},
    store::{
        ids::{ContactId, MemberId, MessageId},
        WriteCtx,
    },
    tenancy::Scope,
};

fn cell<'a>(m: &CsvMapping, cells: &'a [String], target: &str) -> Option<&'a str> {
    m.columns
        .iter()
        .filter(|(_, t)| t.as_str() == target)
        .find_map(|(h, _)| m.headers.iter().position(|x| x == h))
        .and_then(|i| cells.get(i))
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// The header a field came from, for the report.
fn column_of(m: &CsvMapping, target: &str) -> Option<String> {
    m.columns
        .iter()
        .find(|(_, t)| t.as_str() == target)
        .map(|(h, _)| h.clone())
}

fn assignee(ctx: &mut WriteCtx, i: &Import, email: &str) -> ApiResult<Option<MemberId>> {
    let Some(user) = crate::auth::users::by_email(ctx, &email.trim().to_lowercase())? else {
        return Ok(None);
    };
    Ok(crate::tenancy::repo::membership(ctx, user.id, i.business_id)?.map(|m| m.id))
}

/// The contacts a batch created and those it changed: the search index
/// re-reads both after the commit, and deletes nothing for the new ones.
#[derive(Default)]
pub struct Touched {
    pub created: Vec<ContactId>,
    pub changed: Vec<ContactId>,
}

/// Imports one row; the contact it created or changed joins `touched`.
pub fn apply(
    ctx: &mut WriteCtx,
    scope: &Scope,
    i: &mut Import,
    m: &CsvMapping,
    row: &Row,
    touched: &mut Touched,
) -> ApiResult<()> {
    let mut cells = match &row.cells {
        Ok(c) => c.clone(),
        Err(reason) => return Ok(fail(ctx, i, row.number, None, reason.clone(), Vec::new())?),
    };
    // Spreadsheets drop empty cells at a row's end, or add empty ones: only
    // a cell with something in it past the header is a real mismatch.
    if cells.len() > m.headers.len() && cells[m.headers.len()..].iter().all(|c| c.trim().is_empty())
    {
        cells.truncate(m.headers.len());
    }
    if cells.len() < m.headers.len() {
        cells.resize(m.headers.len(), String::new());
    }
    if cells.len() != m.headers.len() {
        let reason = format!(
            "has {} columns; the header has {}",
            cells.len(),
            m.headers.len()
        );
        return Ok(fail(ctx, i, row.number, None, reason, cells)?);
    }
    let get = |t: &str| cell(m, &cells, t).map(str::to_string);
    let country = m.default_country.clone().unwrap_or_default();
    let fields = Fields {
        name: get("name"),
        phone: get("phone"),
        email: get("email"),
        note: get("note"),
    };
    let (who, note) = match leads::validate(fields, &country) {
        Ok(v) => v,
        Err(e) => {
            let first = e.details.as_ref().and_then(|d| d.first());
            let column = first.and_then(|d| column_of(m, &d.field));
            let reason = first.map_or(e.message.clone(), |d| format!("{}: {}", d.field, d.message));
            return Ok(fail(ctx, i, row.number, column, reason, cells)?);
        }
    };
    let mut owner = m.assign.member_id;
    if let Some(email) = get("assignee_email") {
        match assignee(ctx, i, &email)? {
            Some(found) => owner = Some(found),
            None => {
                let column = column_of(m, "assignee_email");
                let reason = format!("assignee_email: {email} is not a member of this business");
                return Ok(fail(ctx, i, row.number, column, reason, cells)?);
            }
        }
    }
    if owner.is_some_and(|to| !scope.may_give_lead_to(to)) {
        let column = column_of(m, "assignee_email");
        let reason = "assignee: you cannot give leads to that member".to_string();
        return Ok(fail(ctx, i, row.number, column, reason, cells)?);
    }
    let b = i.business_id;
    // The phone decides first, then the email, as for every other source.
    let by_phone = match &who.phone {
        Some(p) => contacts::by_phone(ctx, b, p)?,
        None => None,
    };
    let existing: Option<Contact> = match (by_phone, &who.email) {
        (Some(c), _) => Some(c),
        (None, Some(e)) => contacts::by_email(ctx, b, e)?,
        (None, None) => None,
    };
    let policy = m.duplicates;
    let created = existing.is_none();
    if existing.is_some() && policy == Duplicates::Skip {
        i.checkpoint.skipped += 1;
        return Ok(());
    }
    if let Some(c) = &existing {
        // Updating or attaching to a contact is for those who see its
        // conversation; moving that conversation, for those who may reassign.
        let moves_to = if policy == Duplicates::Attach {
            owner
        } else {
            None
        };
        if let Some(conv) = repo::thread_for(ctx, b, c.id, None)?.existing {
            if let Err(e) = leads::check_existing(scope, &conv, moves_to) {
                return Ok(fail(ctx, i, row.number, None, e.message, cells)?);
            }
        }
    }
    if m.dry_run {
        i.checkpoint.done += 1;
        return Ok(());
    }
    let contact = match (existing, policy) {
        (Some(before), Duplicates::Update) => {
            let mut c = before.clone();
            if let Some(n) = &who.name {
                c.name = n.clone();
            }
            if let Some(e) = &who.email {
                if contacts::by_email(ctx, b, e)?.is_none_or(|o| o.id == c.id) {
                    c.email = Some(e.clone());
                }
            }
            // Found by its email: a phone it lacked is learnt, unless another
            // contact has that phone.
            if let (None, Some(p)) = (&c.phone, &who.phone) {
                if contacts::by_phone(ctx, b, p)?.is_none() {
                    c.phone = Some(p.clone());
                }
            }
            if c != before {
                c.updated_at = crate::time::now_ms();
                contacts::save(ctx, Some(&before), &c)?;
            }
            update_conversation(ctx, i, m, &cells, c.id, note)?;
            c.id
        }
        _ => match capture(ctx, i, m, row, &cells, who, note, owner) {
            Ok(c) => c,
            Err(e) if !e.code.http().is_server_error() => {
                return Ok(fail(ctx, i, row.number, None, e.message, cells)?);
            }
            Err(e) => return Err(e),
        },
    };
    for (header, target) in &m.columns {
        if let (Some(key), Some(ix)) = (
            target.strip_prefix("custom:"),
            m.headers.iter().position(|h| h == header),
        ) {
            if let Some(v) = cells.get(ix).filter(|v| !v.is_empty()) {
                contacts::set_field(ctx, b, contact, key, v)?;
            }
        }
    }
    if created {
        touched.created.push(contact);
    } else {
        touched.changed.push(contact);
    }
    i.checkpoint.done += 1;
    Ok(())
}

/// `duplicates: update` on a contact with a conversation: the row's labels
/// join the conversation's (a change, like one made in the inbox), and its
/// note becomes a private note by the importer.
fn update_conversation(
    ctx: &mut WriteCtx,
    i: &Import,
    m: &CsvMapping,
    cells: &[String],
    contact: ContactId,
    note: Option<String>,
) -> ApiResult<()> {
    let b = i.business_id;
    let Some(before) = repo::thread_for(ctx, b, contact, None)?.existing else {
        return Ok(());
    };
    let mut c = before.clone();
    for l in row_labels(m, cells) {
        if !c.labels.contains(&l) {
            c.labels.push(l);
        }
    }
    if c.labels != before.labels {
        c.updated_at = crate::time::now_ms().max(c.updated_at);
        repo::save(ctx, Some(&before), &c)?;
    }
    if let Some(text) = note {
        let n = Note {
            id: MessageId::new(),
            conversation_id: c.id,
            author_id: i.created_by,
            text,
            created_at: crate::time::now_ms(),
        };
        repo::add_note(ctx, b, &n)?;
    }
    Ok(())
}

fn row_labels(m: &CsvMapping, cells: &[String]) -> Vec<String> {
    cell(m, cells, "labels")
        .map(|l| {
            l.split([',', ';'])
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn capture(
    ctx: &mut WriteCtx,
    i: &Import,
    m: &CsvMapping,
    row: &Row,
    cells: &[String],
    who: contacts::Identity,
    note: Option<String>,
    owner: Option<MemberId>,
) -> ApiResult<ContactId> {
    // No pool and nobody chosen: a channel with no pool keeps the lead waiting.
    let channel = match &m.assign.pool_channel_id {
        Some(p) => Channel::parse(p).ok_or_else(|| ApiError::field("assign", "no such channel"))?,
        None => Channel::Custom(i.id),
    };
    let source_label = cell(m, cells, "source");
    let labels = row_labels(m, cells);
    let (c, _) = leads::capture(
        ctx,
        i.business_id,
        &Capture {
            who,
            note,
            number: None,
            source: Source::Import,
            channel,
            assignee: owner,
            fallback: None,
            origin: format!("Imported from {} (row {})", i.file_name, row.number),
            author: None,
            details: json!({"import_id": i.id, "row": row.number, "source": source_label}),
            live: false,
            labels,
        },
    )?;
    Ok(c.contact_id)
}
