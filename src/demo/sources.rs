//! The demo's lead sources, so a newcomer can make every kind of lead from
//! the UI: a walk-in form (weighted to Ana), a webhook channel for the
//! website, and a simulated Facebook page, each with a pool of the two agents.
use serde_json::json;

use crate::{
    assignment::{self, Channel, Mode, Pool, Slot},
    channels::{custom, facebook},
    error::ApiResult,
    http::AppState,
    simulator::facebook::LeadBody,
    store::{
        ids::{BusinessId, MemberId, RecordId},
        WriteCtx,
    },
};

pub const WALKIN: &str = "Showroom front desk";
pub const WEBHOOK: &str = "Website contact form";
pub const PAGE: &str = "Sunrise Motors (sandbox page)";

/// What the banner shows once: where to post a webhook lead, with its token.
pub struct Seeded {
    pub walkin_slug: String,
    pub hook_id: RecordId,
    pub hook_token: String,
}

fn pool(mode: Mode, agents: &[MemberId], weights: &[u32]) -> Pool {
    Pool::new(
        mode,
        agents
            .iter()
            .zip(weights.iter().chain(std::iter::repeat(&1)))
            .map(|(m, w)| Slot {
                member_id: *m,
                weight: *w,
            })
            .collect(),
    )
}

pub fn seed(ctx: &mut WriteCtx, b: BusinessId, agents: &[MemberId]) -> ApiResult<Seeded> {
    let (walkin, _) = custom::new_channel(b, custom::Kind::Walkin, WALKIN);
    custom::save(ctx, &walkin)?;
    // Ana works the showroom more: two walk-ins for each of Bruno's.
    assignment::set_pool(
        ctx,
        b,
        Channel::Custom(walkin.id),
        &pool(Mode::Weighted, agents, &[2, 1]),
    )?;
    let (hook, token) = custom::new_channel(b, custom::Kind::Webhook, WEBHOOK);
    custom::save(ctx, &hook)?;
    assignment::set_pool(
        ctx,
        b,
        Channel::Custom(hook.id),
        &pool(Mode::RoundRobin, agents, &[]),
    )?;
    let page = facebook::routes::sandbox_page(b, PAGE);
    facebook::save(ctx, &page)?;
    assignment::set_pool(
        ctx,
        b,
        Channel::Facebook(page.id),
        &pool(Mode::RoundRobin, agents, &[]),
    )?;
    Ok(Seeded {
        walkin_slug: walkin.slug.unwrap_or_default(),
        hook_id: hook.id,
        hook_token: token.unwrap_or_default(),
    })
}

/// A Facebook lead through the real signed webhook, so the Leads page has
/// one; then the welcome flow goes live on the sandbox number (after the
/// scripted chats, which it would otherwise answer).
pub async fn play(state: &AppState, b: BusinessId) -> ApiResult<()> {
    let number = crate::channels::whatsapp::numbers::list(&state.store.read()?, b)?
        .into_iter()
        .find(|n| n.sandbox);
    if let Some(n) = number {
        state
            .store
            .write(move |ctx| {
                crate::flows::templates::install(
                    ctx,
                    b,
                    n.id,
                    "Welcome",
                    crate::flows::templates::welcome(),
                )?;
                Ok(())
            })
            .await?;
    }
    let page = facebook::list(&state.store.read()?, b)?
        .into_iter()
        .find(|p| p.sandbox);
    if let Some(page) = page {
        let lead = LeadBody {
            name: Some("Helena Prado".into()),
            phone: Some("+5511987001234".into()),
            email: Some("helena.prado@example.com".into()),
            answers: [(
                "which model?".to_string(),
                "Sunrise EV hatchback".to_string(),
            )]
            .into(),
        };
        crate::simulator::facebook::simulate(state, &page, &lead).await?;
    }
    Ok(())
}

/// The banner's lines about the lead sources.
pub fn banner(url: &str, seeded: Option<&Seeded>) -> String {
    let Some(s) = seeded else {
        return "Lead sources (walk-in form, website webhook, sandbox Facebook page): the Channels page.\n".into();
    };
    let body = json!({"name": "Rita Gomes", "phone": "+5511987005678", "email": "rita@example.com", "note": "Wants a test drive"});
    format!(
        "Walk-in form: {url}/w/{slug} (QR code and A5 poster on the Channels page)\n\
         Website webhook (token shown only now):\n  curl -X POST {url}/hooks/{id} -H 'Authorization: Bearer {token}' \\\n       -H 'Content-Type: application/json' -d '{body}'\n\
         Facebook Lead Ads: Channels → \"{PAGE}\" → Simulate a lead.\n",
        slug = s.walkin_slug,
        id = s.hook_id,
        token = s.hook_token,
    )
}
