//! Opening hours as a flow states them: `{open: "09:00", close: "18:00",
//! days: [1..=7] (Monday = 1), utc_offset_minutes}`.
use chrono::{Datelike, Duration, NaiveTime, TimeZone, Utc};
use serde_json::Value;

/// Whether the business is open at `now_ms` by these hours. Closing before
/// opening means overnight (22:00 → 06:00).
pub fn open_at(hours: &Value, now_ms: i64) -> bool {
    let time = |k: &str| NaiveTime::parse_from_str(hours[k].as_str().unwrap_or(""), "%H:%M").ok();
    let (Some(open), Some(close)) = (time("open"), time("close")) else {
        return false;
    };
    let offset = hours["utc_offset_minutes"]
        .as_i64()
        .unwrap_or(0)
        .clamp(-14 * 60, 14 * 60);
    let Some(utc) = Utc.timestamp_millis_opt(now_ms).single() else {
        return false;
    };
    let local = utc.naive_utc() + Duration::minutes(offset);
    let days: Vec<u32> = match hours["days"].as_array() {
        Some(d) => d
            .iter()
            .filter_map(|x| x.as_u64())
            .map(|x| x as u32)
            .collect(),
        None => (1..=5).collect(),
    };
    let today = local.weekday().number_from_monday();
    let t = local.time();
    if open <= close {
        days.contains(&today) && t >= open && t < close
    } else {
        let yesterday = if today == 1 { 7 } else { today - 1 };
        (days.contains(&today) && t >= open) || (days.contains(&yesterday) && t < close)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn weekday_hours_in_the_business_time_zone() {
        let h = json!({"open": "09:00", "close": "18:00", "days": [1, 2, 3, 4, 5], "utc_offset_minutes": -180});
        assert!(
            open_at(&h, at("2026-11-26T12:00:00Z")),
            "Thursday 09:00 in São Paulo"
        );
        assert!(!open_at(&h, at("2026-11-26T11:59:00Z")), "08:59 local");
        assert!(
            !open_at(&h, at("2026-11-26T21:00:00Z")),
            "18:00 local closes"
        );
        assert!(!open_at(&h, at("2026-11-28T15:00:00Z")), "Saturday");
        let night = json!({"open": "22:00", "close": "06:00", "days": [5]});
        assert!(open_at(&night, at("2026-11-27T23:00:00Z")), "Friday night");
        assert!(
            open_at(&night, at("2026-11-28T05:00:00Z")),
            "into Saturday morning"
        );
        assert!(!open_at(&json!({}), at("2026-11-27T23:00:00Z")));
    }
}
