//! Reading the dashboard: sum the hourly buckets of the range that the
//! viewer's scope may see. Cost follows the number of buckets in the range,
//! not the number of conversations the business ever had.
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::{
    bucket_prefix, histogram::Histogram, member_of, record::source_of, Grain, Metric, DAY_MS,
    HOUR_MS, OPEN,
};
use crate::{
    conversations::model::Source,
    store::{
        ids::{BusinessId, MemberId},
        Key, Reader, StoreError, Tbl,
    },
    tenancy::{
        repo as tenancy_repo,
        scope::{Scope, Visibility},
    },
};

/// The viewer's days: `from..=to` in their time zone (offset east of UTC).
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tz_offset_minutes: i64,
}

impl Range {
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// UTC millisecond where the first local day starts. Buckets are hourly,
    /// so a zone with a half-hour offset splits days at the nearest hour.
    fn start_ms(&self) -> i64 {
        let midnight = self
            .from
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_millis());
        let offset_hours = (self.tz_offset_minutes as f64 / 60.0).round() as i64;
        midnight - offset_hours * HOUR_MS
    }
}

fn source_name(s: Source) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Default)]
struct MemberRow {
    assigned: u64,
    closed: u64,
    first_response: Histogram,
}

fn u64_of(v: &[u8]) -> u64 {
    <[u8; 8]>::try_from(v).map_or(0, u64::from_le_bytes)
}

fn quantiles(h: &Histogram) -> Value {
    let round = |q: f64| h.quantile(q).map(|s| s.round());
    json!({"count": h.count(), "median_secs": round(0.5), "p90_secs": round(0.9)})
}

/// Exact local days need hourly buckets; past this many days the older part
/// of the range is read from daily (UTC) buckets, and only its first partial
/// day and the latest this many days by hour (the days people look at).
const HOURLY_UP_TO_DAYS: i64 = 62;

/// The buckets covering `[start, end)`: (grain, first bucket, end bucket).
fn segments(start: i64, end: i64, days: i64) -> Vec<(Grain, u32, u32)> {
    let hours = |a: i64, b: i64| (Grain::Hour, Grain::Hour.bucket(a), Grain::Hour.bucket(b));
    if days <= HOURLY_UP_TO_DAYS {
        return vec![hours(start, end)];
    }
    let first_midnight = start.div_euclid(DAY_MS) * DAY_MS
        + if start.rem_euclid(DAY_MS) == 0 {
            0
        } else {
            DAY_MS
        };
    let last_midnight = end.div_euclid(DAY_MS) * DAY_MS;
    let recent = (end - HOURLY_UP_TO_DAYS * DAY_MS).div_euclid(DAY_MS) * DAY_MS;
    let split = recent.clamp(first_midnight, last_midnight);
    vec![
        hours(start, first_midnight),
        (
            Grain::Day,
            Grain::Day.bucket(first_midnight),
            Grain::Day.bucket(split),
        ),
        hours(split, end),
    ]
}

/// Every (bucket start, key tail, value) of a table over the segments.
fn scan<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    segs: &[(Grain, u32, u32)],
    table: fn(Grain) -> Tbl,
    mut visit: impl FnMut(i64, &[u8], &[u8]),
) -> Result<(), StoreError> {
    for &(grain, first, end) in segs {
        if first >= end {
            continue;
        }
        let (lo, hi) = (bucket_prefix(b, first), bucket_prefix(b, end));
        for (k, v) in r.range_raw(
            table(grain),
            std::ops::Bound::Included(lo.as_slice()),
            std::ops::Bound::Excluded(hi.as_slice()),
            usize::MAX,
            false,
        )? {
            let bucket = k
                .get(16..20)
                .and_then(|h| <[u8; 4]>::try_from(h).ok())
                .map_or(0, u32::from_be_bytes) as i64;
            // A day bucket is placed by its middle: exact totals, and a
            // long chart's bars off by at most the zone's offset.
            let at = bucket * grain.ms() + if grain == Grain::Day { DAY_MS / 2 } else { 0 };
            visit(at, k.get(20..).unwrap_or(&[]), &v);
        }
    }
    Ok(())
}

pub fn dashboard<R: Reader + ?Sized>(
    r: &R,
    scope: &Scope,
    range: &Range,
    now: i64,
) -> Result<Value, StoreError> {
    let b = scope.business_id;
    let start = range.start_ms();
    let days = range.days();
    let segs = segments(start, start + days * DAY_MS, days);

    let mut by_day: Vec<BTreeMap<String, u64>> = vec![BTreeMap::new(); days as usize];
    let (mut leads, mut assigned, mut closed, mut won) = (0u64, 0u64, 0u64, 0u64);
    let mut rows: HashMap<MemberId, MemberRow> = HashMap::new();
    scan(r, b, &segs, Grain::counts, |at, tail, v| {
        // tail: metric 1, source 1, member 16
        let (Some(metric), Some(source)) = (
            tail.first().copied().and_then(Metric::from_u8),
            tail.get(1).copied().and_then(source_of),
        ) else {
            return;
        };
        let member = tail.get(2..18).and_then(member_of);
        if !scope.sees_conversation(member) {
            return;
        }
        let n = u64_of(v);
        let day = ((at - start).div_euclid(DAY_MS)).clamp(0, days - 1) as usize;
        match metric {
            Metric::Lead => {
                leads += n;
                *by_day[day].entry(source_name(source)).or_insert(0) += n;
            }
            Metric::Assigned => {
                assigned += n;
                if let Some(m) = member {
                    rows.entry(m).or_default().assigned += n;
                }
            }
            Metric::Closed => {
                closed += n;
                if let Some(m) = member {
                    rows.entry(m).or_default().closed += n;
                }
            }
            Metric::Won => won += n,
        }
    })?;

    let mut by_source: BTreeMap<String, Histogram> = BTreeMap::new();
    scan(r, b, &segs, Grain::first_response, |_, tail, v| {
        // tail: source 1, member 16
        let (Some(source), Some(member)) = (
            tail.first().copied().and_then(source_of),
            tail.get(1..17).and_then(member_of),
        ) else {
            return;
        };
        if !scope.sees_conversation(Some(member)) {
            return;
        }
        let h = Histogram::decode(v);
        rows.entry(member).or_default().first_response.merge(&h);
        by_source.entry(source_name(source)).or_default().merge(&h);
    })?;

    let mut open: HashMap<Option<MemberId>, u64> = HashMap::new();
    let prefix = Key::new().id(b.bytes()).done();
    for (k, v) in crate::store::scan_raw(r, OPEN, &prefix, 10_000)? {
        open.insert(k.get(16..32).and_then(member_of), u64_of(&v));
    }
    let overdue = crate::followups::overdue_by_assignee(r, b, now)?;

    let mut members = Vec::new();
    for m in tenancy_repo::members(r, b)? {
        if !scope.sees_conversation(Some(m.id)) {
            continue;
        }
        let name = crate::auth::users::get(r, m.user_id)?
            .map(|u| u.name)
            .unwrap_or_default();
        let row = rows.remove(&m.id).unwrap_or_default();
        members.push(json!({
            "member_id": m.id, "name": name, "role": m.role,
            "assigned": row.assigned, "closed": row.closed,
            "open": open.get(&Some(m.id)).copied().unwrap_or(0),
            "overdue_followups": overdue.get(&m.id).copied().unwrap_or(0),
            "first_response": quantiles(&row.first_response),
        }));
    }

    let leads_by_day: Vec<Value> = by_day
        .iter()
        .enumerate()
        .map(|(i, sources)| {
            let day = range.from + chrono::Days::new(i as u64);
            json!({"day": day.to_string(), "total": sources.values().sum::<u64>(), "by_source": sources})
        })
        .collect();
    let uses_won = super::record::uses_won(r, b)?;
    Ok(json!({
        "from": range.from.to_string(),
        "to": range.to.to_string(),
        "scope": match scope.visibility {
            Visibility::All => "business",
            Visibility::Teams(_) => "team",
            Visibility::Own => "own",
        },
        "leads_by_day": leads_by_day,
        "totals": {
            "leads": leads, "assigned": assigned, "closed": closed, "won": won,
            "conversion_rate": (uses_won && leads > 0).then(|| won as f64 / leads as f64),
        },
        "members": members,
        "first_response_by_source": by_source.iter().map(|(s, h)| {
            let mut q = quantiles(h);
            q["source"] = json!(s);
            q
        }).collect::<Vec<_>>(),
        "unassigned_backlog": scope.sees_unassigned().then(|| open.get(&None).copied().unwrap_or(0)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the zone, the buckets of a long range tile it exactly: every
    /// hour in it is read once, from an hourly or a daily bucket.
    #[test]
    fn long_ranges_are_tiled_by_days_inside_and_hours_at_the_start_and_the_latest_days() {
        for offset_hours in [-11i64, -3, 0, 5, 9, 14] {
            let start = 1_767_225_600_000 - offset_hours * HOUR_MS; // a local midnight
            let days = 200;
            let end = start + days * DAY_MS;
            let mut covered = Vec::new();
            for (grain, first, end_bucket) in segments(start, end, days) {
                for bucket in first..end_bucket {
                    let from = bucket as i64 * grain.ms();
                    covered.extend((0..grain.ms() / HOUR_MS).map(|h| from + h * HOUR_MS));
                }
            }
            let expected: Vec<i64> = (0..days * 24).map(|h| start + h * HOUR_MS).collect();
            assert_eq!(covered, expected, "offset {offset_hours} h");
            // The latest days, the ones people look at, are exact local days.
            let (grain, first, _) = *segments(start, end, days).last().unwrap();
            assert!(
                grain == Grain::Hour && first as i64 * HOUR_MS <= end - HOURLY_UP_TO_DAYS * DAY_MS
            );
        }
        assert_eq!(
            segments(0, 30 * DAY_MS, 30).len(),
            1,
            "short ranges stay hourly"
        );
    }
}
