//! The demo's first conversations, played through the simulator and the
//! outbox exactly as a customer and the staff would: nothing is written around
//! the real paths, so what a newcomer sees is what the product does.
use serde_json::json;

use super::{BUSINESS, PEOPLE};
use crate::{
    auth::users,
    channels::whatsapp::numbers,
    conversations::{model::Conversation, repo as conversations},
    error::{ApiError, ApiResult},
    http::AppState,
    outbound::{self, compose},
    simulator::CustomerMessage,
    store::ids::{BusinessId, ConversationId, MemberId},
    tenancy::{model::Member, repo, Scope},
    time::now_ms,
};

enum Step {
    Customer(CustomerMessage),
    /// A member (by e-mail) answers with a compose body.
    Staff(&'static str, serde_json::Value),
}

struct Chat {
    wa_id: &'static str,
    name: &'static str,
    assignee: Option<&'static str>,
    labels: &'static [&'static str],
    steps: Vec<Step>,
}

fn text(t: &str) -> Step {
    Step::Customer(CustomerMessage::Text(t.into()))
}

fn reply(who: &'static str, t: &str) -> Step {
    Step::Staff(who, json!({"type": "text", "text": t}))
}

fn script() -> Vec<Chat> {
    let ana = "ana@demo.wafunnel.test";
    let bruno = "bruno@demo.wafunnel.test";
    vec![
        Chat {
            wa_id: "5511987654321",
            name: "Carla Mendes",
            assignee: Some(ana),
            labels: &["test-drive"],
            steps: vec![
                text("Hi! I saw the 2022 Corolla on your website. Is it still available?"),
                reply(ana, "Hi Carla! Yes, it is — 38,000 km, one owner. Would you like to book a test drive?"),
                text("Yes please! Is Saturday morning possible? 🚗"),
            ],
        },
        Chat {
            wa_id: "447700900123",
            name: "Priya Nair",
            assignee: Some(bruno),
            labels: &["financing"],
            steps: vec![
                text("Hello, what financing options do you have for a used SUV?"),
                Step::Staff(
                    bruno,
                    json!({"type": "interactive", "interactive": {"type": "button",
                        "body": "We offer 12 to 60 months with 10% down. Which term interests you?",
                        "buttons": [{"id": "term-36", "title": "36 months"}, {"id": "term-60", "title": "60 months"}]}}),
                ),
                Step::Customer(CustomerMessage::ButtonReply {
                    id: "term-36".into(),
                    title: "36 months".into(),
                    context: None,
                }),
            ],
        },
        Chat {
            wa_id: "14155550123",
            name: "James Carter",
            assignee: None,
            labels: &[],
            steps: vec![
                text("Good afternoon. Do you buy cars? I'd like to sell my 2015 Civic."),
                Step::Customer(CustomerMessage::Location {
                    latitude: 37.7749,
                    longitude: -122.4194,
                    name: Some("I'm here, can someone come and see it?".into()),
                }),
            ],
        },
    ]
}

fn member_by_email(state: &AppState, members: &[Member], email: &str) -> ApiResult<Member> {
    let read = state.store.read()?;
    let user = users::by_email(&read, email)?.ok_or_else(|| ApiError::not_found("demo user"))?;
    members
        .iter()
        .find(|m| m.user_id == user.id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("demo member"))
}

/// Plays the script; the sender and the simulator finish the receipts after.
pub async fn play(state: &AppState) -> ApiResult<()> {
    let read = state.store.read()?;
    let owner =
        users::by_email(&read, PEOPLE[0].1)?.ok_or_else(|| ApiError::not_found("demo owner"))?;
    let business = repo::memberships(&read, owner.id)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found(BUSINESS))?
        .business_id;
    let number = numbers::list(&read, business)?
        .into_iter()
        .find(|n| n.sandbox)
        .ok_or_else(|| ApiError::not_found("sandbox number"))?;
    let members = repo::members(&read, business)?;
    let teams = repo::teams(&read, business)?;
    drop(read);
    let mut taken = Vec::new();
    for chat in script() {
        let mut conversation: Option<ConversationId> = None;
        for step in chat.steps {
            match step {
                Step::Customer(message) => {
                    state
                        .simulator
                        .customer_says(&number, chat.wa_id, chat.name, &message)
                        .await?;
                    if conversation.is_none() {
                        let id = find(state, &number, chat.wa_id)?;
                        let assignee = match chat.assignee {
                            Some(email) => Some(member_by_email(state, &members, email)?.id),
                            None => None,
                        };
                        assign(state, business, id, assignee, chat.labels).await?;
                        taken.extend(assignee.map(|m| (id, m)));
                        conversation = Some(id);
                    }
                }
                Step::Staff(email, body) => {
                    let Some(id) = conversation else { continue };
                    let member = member_by_email(state, &members, email)?;
                    let scope = Scope::new(&member, &teams, &members);
                    let composed = compose::compose(&body)?;
                    state
                        .store
                        .write(move |ctx| outbound::enqueue(ctx, &scope, id, &composed, None))
                        .await?;
                    state.outbox_wake.notify_one();
                    // Let the phone receive it before the customer answers.
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                }
            }
        }
    }
    followups(state, business, taken).await?;
    super::sources::play(state, business).await
}

/// A few follow-ups, so the Follow-ups page and the dashboard have something
/// late, something for later today and something for tomorrow.
async fn followups(
    state: &AppState,
    business: BusinessId,
    taken: Vec<(ConversationId, MemberId)>,
) -> ApiResult<()> {
    const NOTES: [(&str, i64); 3] = [
        ("Send the quote we promised", -3_600_000),
        ("Call to confirm the visit", 2 * 3_600_000),
        ("Ask how the first week went", 26 * 3_600_000),
    ];
    let now = now_ms();
    state
        .store
        .write(move |ctx| {
            for (&(conversation, member), (note, offset)) in taken.iter().zip(NOTES) {
                crate::followups::schedule(
                    ctx,
                    business,
                    conversation,
                    note,
                    now + offset,
                    member,
                    member,
                )?;
            }
            Ok(())
        })
        .await
}

fn find(state: &AppState, number: &numbers::WaNumber, wa_id: &str) -> ApiResult<ConversationId> {
    crate::simulator::chat_of(&state.store.read()?, number, wa_id)?
        .map(|(_, c)| c.id)
        .ok_or_else(|| ApiError::not_found("demo conversation"))
}

async fn assign(
    state: &AppState,
    business: BusinessId,
    id: ConversationId,
    assignee: Option<MemberId>,
    labels: &'static [&'static str],
) -> ApiResult<()> {
    state
        .store
        .write(move |ctx| {
            let before: Conversation = conversations::get(ctx, business, id)?
                .ok_or_else(|| ApiError::not_found("conversation"))?;
            let mut c = before.clone();
            c.assignee_id = assignee;
            c.labels = labels.iter().map(|l| l.to_string()).collect();
            c.updated_at = now_ms().max(before.updated_at);
            crate::conversations::service::save_changed(ctx, &before, &c, None)
        })
        .await
}
