//! `GET /api/dashboard`: everyone may open it; the scope decides what it sums.
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::query::{dashboard, Range};
use crate::{
    auth::MemberActor,
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    time::now_ms,
};

/// A year and a day: "the last 12 months" plus today.
const MAX_DAYS: i64 = 366;

pub fn routes(r: &mut Routes) {
    r.get("/api/dashboard", show);
}

/// Unknown parameters are let be, as on every other list: a client's
/// cache-buster (`_=…`) must not break the page.
#[derive(Deserialize)]
struct Params {
    from: Option<String>,
    to: Option<String>,
    tz_offset_minutes: Option<i64>,
}

fn day(field: &str, value: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| ApiError::field(field, "must be a date like 2026-11-26"))
}

fn range(p: &Params, now: i64) -> ApiResult<Range> {
    let tz_offset_minutes = p.tz_offset_minutes.unwrap_or(0);
    if !(-14 * 60..=14 * 60).contains(&tz_offset_minutes) {
        return Err(ApiError::field(
            "tz_offset_minutes",
            "must be between -840 and 840",
        ));
    }
    let today = chrono::DateTime::from_timestamp_millis(now + tz_offset_minutes * 60_000)
        .map(|t| t.date_naive())
        .unwrap_or_default();
    let to = match p.to.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => day("to", s)?,
        None => today,
    };
    let from = match p.from.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => day("from", s)?,
        None => to - chrono::Days::new(29),
    };
    let r = Range {
        from,
        to,
        tz_offset_minutes,
    };
    if r.days() < 1 {
        return Err(ApiError::field("from", "must not be after `to`"));
    }
    if r.days() > MAX_DAYS {
        return Err(ApiError::field(
            "from",
            format!("the range is at most {MAX_DAYS} days"),
        ));
    }
    Ok(r)
}

async fn show(
    state: web::Data<AppState>,
    actor: MemberActor,
    q: web::Query<Params>,
) -> ApiResult<HttpResponse> {
    let now = now_ms();
    let range = range(&q, now)?;
    let read = state.store.read()?;
    Ok(HttpResponse::Ok().json(dashboard(&read, &actor.scope, &range, now)?))
}
