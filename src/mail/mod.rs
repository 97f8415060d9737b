//! Outgoing email: every message is written to a durable queue in the write
//! that decides to send it, and a job delivers it over SMTP (`smtp.url`,
//! STARTTLS or TLS, through lettre) with retries and backoff. Without
//! `smtp.url` nothing leaves the box: mail is kept in an outbox owners read
//! in the app, so invitations and resets still work on a machine with no mail.
use std::sync::Arc;

use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    auth::MemberActor,
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    scheduler::{self, Handler, Job, Outcome},
    store::{
        self, codec,
        ids::{BusinessId, RecordId},
        Key, Reader, Record, Store, StoreError, TableSpec, Tbl, WriteCtx,
    },
    tenancy::Role,
    time::{now_ms, rfc3339},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    Queued,
    Sent,
    /// No SMTP server configured: kept for owners to read in the app.
    Kept,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mail {
    pub id: RecordId,
    pub business_id: Option<BusinessId>,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub state: MailState,
    pub error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}
impl Record for Mail {}

/// (id) → Mail
const MAILS: Tbl = TableDefinition::new("mails");
/// (business, id) → (): a business's mail, for its owners' outbox
const BY_BUSINESS: Tbl = TableDefinition::new("mails_by_business");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: MAILS,
        verify: codec::verify::<Mail>,
    },
    TableSpec {
        def: BY_BUSINESS,
        verify: store::verify_empty,
    },
];

pub const JOB: &str = "mail_send";

/// The text and HTML of a message with one link, in our house style.
pub fn with_link(
    greeting: &str,
    body: &str,
    action: &str,
    link: &str,
    footer: &str,
) -> (String, String) {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let text = format!("{greeting}\n\n{body}\n\n{action}: {link}\n\n{footer}\n");
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1a2320;max-width:32rem\">\
         <p>{}</p><p>{}</p><p><a href=\"{}\" style=\"display:inline-block;background:#12a16d;color:#fff;\
         padding:10px 18px;border-radius:8px;text-decoration:none;font-weight:600\">{}</a></p>\
         <p style=\"color:#6b7772;font-size:13px\">{}<br>{}</p></body></html>",
        esc(greeting),
        // A body of several lines (a grouped reminder) keeps them in HTML too.
        esc(body).replace('\n', "<br>"),
        esc(link),
        esc(action),
        esc(footer),
        esc(link)
    );
    (text, html)
}

/// Deletes the business's mail that links to one of these conversations (a
/// reminder names the contact); a queued one is not sent then.
pub fn forget_conversations(
    ctx: &mut WriteCtx,
    b: BusinessId,
    gone: &[crate::store::ids::ConversationId],
) -> Result<(), StoreError> {
    let links: Vec<String> = gone.iter().map(|c| format!("/inbox/{c}")).collect();
    for k in store::scan_keys(ctx, BY_BUSINESS, &b.bytes(), None, usize::MAX)? {
        let Some(id) = k.get(16..32).and_then(RecordId::from_bytes) else {
            continue;
        };
        let Some(mail) = store::get::<Mail, _>(ctx, MAILS, &id.bytes())? else {
            continue;
        };
        if links.iter().any(|l| mail.text.contains(l.as_str())) {
            ctx.delete(MAILS, &id.bytes())?;
            ctx.delete(BY_BUSINESS, &k)?;
        }
    }
    Ok(())
}

/// Queues a message in the caller's write; `smtp` says whether it can leave.
pub fn enqueue(
    ctx: &mut WriteCtx,
    smtp: bool,
    business: Option<BusinessId>,
    to: &str,
    subject: &str,
    (text, html): (String, String),
) -> Result<Mail, StoreError> {
    let mail = Mail {
        id: RecordId::new(),
        business_id: business,
        to: to.to_string(),
        subject: subject.to_string(),
        text,
        html,
        state: if smtp {
            MailState::Queued
        } else {
            MailState::Kept
        },
        error: None,
        created_at: now_ms(),
        sent_at: None,
    };
    ctx.put(MAILS, &mail.id.bytes(), &mail)?;
    if let Some(b) = business {
        ctx.put_raw(
            BY_BUSINESS,
            &Key::new().id(b.bytes()).id(mail.id.bytes()).done(),
            &[],
        )?;
    }
    if smtp {
        scheduler::schedule(ctx, JOB, &json!({"id": mail.id}), now_ms(), ATTEMPTS)?;
    }
    Ok(mail)
}

/// Tries of one mail against a relay that is down or refuses for now (4xx):
/// they span about four hours, so a relay restarted or a quota that resets
/// does not lose an invitation or a reset link. A 5xx refusal fails at once.
const ATTEMPTS: u32 = 30;

fn message(from: &str, m: &Mail) -> Result<lettre::Message, String> {
    use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
    let sender: Mailbox = from.parse().map_err(|e| format!("smtp.from: {e}"))?;
    // RFC 5322 asks for one, and mail providers mark mail without one as
    // spam; the mail's own id keeps it the same on every retry.
    let message_id = format!("<{}@{}>", m.id, sender.email.domain());
    lettre::Message::builder()
        .message_id(Some(message_id))
        .from(sender)
        .to(m
            .to
            .parse()
            .map_err(|e| format!("recipient {}: {e}", m.to))?)
        .subject(m.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(m.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(m.html.clone()),
                ),
        )
        .map_err(|e| e.to_string())
}

/// `smtp://` to another machine upgrades with STARTTLS unless the URL says
/// otherwise (`?tls=opportunistic`, or `?tls=none` for a plain relay on a
/// trusted network): a password and customers' names never cross a network
/// in clear by default. A relay on this machine stays plain.
fn encrypted_by_default(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return url.to_string();
    };
    if parsed.scheme() != "smtp" {
        return url.to_string();
    }
    let tls = parsed
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.to_string());
    let local = parsed.host_str().is_some_and(|h| {
        h.eq_ignore_ascii_case("localhost")
            || h.trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match tls.as_deref() {
        Some("none") => {
            let kept: Vec<(String, String)> = parsed
                .query_pairs()
                .filter(|(k, _)| k != "tls")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            parsed.set_query(None);
            if !kept.is_empty() {
                parsed.query_pairs_mut().extend_pairs(kept);
            }
        }
        None if !local => {
            parsed.query_pairs_mut().append_pair("tls", "required");
        }
        _ => {}
    }
    parsed.to_string()
}

async fn deliver(url: &str, from: &str, m: &Mail) -> Result<(), (bool, String)> {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let msg = message(from, m).map_err(|e| (false, e))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&encrypted_by_default(url))
        .map_err(|e| (false, format!("smtp.url: {e}")))?
        .timeout(Some(std::time::Duration::from_secs(20)))
        .build();
    match transport.send(msg).await {
        Ok(_) => Ok(()),
        // 5xx is the server refusing for good; anything else may pass later.
        Err(e) => Err((!e.is_permanent(), e.to_string())),
    }
}

pub fn handler(store: Store, url: String, from: String) -> Handler {
    let (url, from) = (Arc::new(url), Arc::new(from));
    Arc::new(move |job: Job| {
        let (store, url, from) = (store.clone(), url.clone(), from.clone());
        Box::pin(async move {
            let args: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
            let Some(id) = args["id"].as_str().and_then(|s| s.parse::<RecordId>().ok()) else {
                return Outcome::Fail(format!("malformed job payload: {}", job.payload));
            };
            let mail: Option<Mail> = match store.read().map(|r| store::get(&r, MAILS, &id.bytes()))
            {
                Ok(Ok(m)) => m,
                _ => return Outcome::Retry("reading the mail failed".into()),
            };
            let Some(mail) = mail.filter(|m| m.state == MailState::Queued) else {
                return Outcome::Done;
            };
            let result = deliver(&url, &from, &mail).await;
            let last_try = job.attempts + 1 >= job.max_attempts;
            // The operator learns of a broken SMTP setup from the log, not
            // only from an owner reading the outbox.
            if let Err((retry, e)) = &result {
                let attempt = job.attempts + 1;
                if *retry && !last_try {
                    tracing::warn!(mail = %mail.id, attempt, "mail not delivered yet, will retry: {e}");
                } else {
                    tracing::error!(mail = %mail.id, attempt, "mail not delivered, given up: {e}");
                }
            }
            let (state, error, outcome) = match result {
                Ok(()) => (MailState::Sent, None, Outcome::Done),
                Err((true, e)) if !last_try => {
                    (MailState::Queued, Some(e.clone()), Outcome::Retry(e))
                }
                Err((_, e)) => (MailState::Failed, Some(e.clone()), Outcome::Fail(e)),
            };
            let saved = store
                .write(move |ctx| {
                    let mut m = mail.clone();
                    m.state = state;
                    m.error = error.clone();
                    m.sent_at = (state == MailState::Sent).then(now_ms);
                    ctx.put(MAILS, &m.id.bytes(), &m)?;
                    Ok(())
                })
                .await;
            match saved {
                Ok(()) => outcome,
                Err(e) => Outcome::Retry(e.message),
            }
        })
    })
}

pub fn routes(r: &mut Routes) {
    r.get("/api/mail/outbox", outbox);
}

/// The business's mail, newest first: what went out, and what is kept here
/// because no SMTP server is configured. Owners only.
async fn outbox(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    if actor.scope.role != Role::Owner {
        return Err(ApiError::forbidden("The mail outbox is for owners"));
    }
    let read = state.store.read()?;
    let mut items = Vec::new();
    for k in store::scan_keys(&read, BY_BUSINESS, &actor.business.id.bytes(), None, 500)? {
        if let Some(id) = k.get(16..).and_then(RecordId::from_bytes) {
            if let Some(m) = store::get::<Mail, _>(&read, MAILS, &id.bytes())? {
                items.push(m);
            }
        }
    }
    items.sort_by_key(|m| std::cmp::Reverse(m.created_at));
    let items: Vec<Value> = items
        .iter()
        .map(|m| json!({"id": m.id, "to": m.to, "subject": m.subject, "text": m.text, "html": m.html,
                        "state": m.state, "error": m.error, "created_at": rfc3339(m.created_at), "sent_at": m.sent_at.map(rfc3339)}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null, "smtp_configured": !state.config.smtp.url.is_empty()})))
}

/// A user's mail (resets) belongs to no business: visible to nobody in the app.
pub fn get<R: Reader + ?Sized>(r: &R, id: RecordId) -> Result<Option<Mail>, StoreError> {
    store::get(r, MAILS, &id.bytes())
}

#[cfg(test)]
mod tests {
    use super::encrypted_by_default as url;

    #[test]
    fn a_relay_down_for_hours_does_not_lose_the_mail() {
        let span: i64 = (0..super::ATTEMPTS - 1)
            .map(crate::scheduler::backoff_ms)
            .sum();
        assert!(span >= 3 * 3_600_000, "tries span only {} s", span / 1000);
    }

    #[test]
    fn smtp_to_another_machine_is_encrypted_unless_the_url_says_otherwise() {
        assert_eq!(
            url("smtp://u:p@mail.example.com:587"),
            "smtp://u:p@mail.example.com:587?tls=required"
        );
        assert_eq!(
            url("smtp://mail.example.com:587?tls=opportunistic"),
            "smtp://mail.example.com:587?tls=opportunistic"
        );
        assert_eq!(url("smtp://relay.lan:25?tls=none"), "smtp://relay.lan:25");
        assert_eq!(url("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
        assert_eq!(url("smtp://localhost:25"), "smtp://localhost:25");
        assert_eq!(url("smtp://[::1]:25"), "smtp://[::1]:25");
        assert_eq!(
            url("smtps://u:p@mail.example.com"),
            "smtps://u:p@mail.example.com"
        );
    }

    #[test]
    fn a_body_of_several_lines_keeps_its_lines_in_html_and_stays_escaped() {
        let (text, html) = super::with_link(
            "Hi Ana,",
            "Carla: call <back>\nRui: send the quote",
            "Open",
            "https://x.test/followups",
            "wafunnel",
        );
        assert!(text.contains("Carla: call <back>\nRui: send the quote"));
        assert!(
            html.contains("Carla: call &lt;back&gt;<br>Rui: send the quote"),
            "{html}"
        );
    }
}
