//! Records keep time as Unix milliseconds; the API speaks RFC 3339.
use chrono::{DateTime, SecondsFormat, Utc};

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Seconds as a sender wrote them (a webhook's `timestamp`, a token's
/// `expires_in`) in milliseconds; `None` past what a timestamp can hold.
pub fn secs_to_ms(secs: i64) -> Option<i64> {
    secs.checked_mul(1000)
}

/// `secs` from now, in milliseconds; the far future for an absurd `secs`.
pub fn ms_after_secs(secs: i64) -> i64 {
    secs_to_ms(secs).map_or(i64::MAX, |ms| now_ms().saturating_add(ms))
}

pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub mod serde_ms {
    //! Serialises a millisecond timestamp field as RFC 3339 in API responses.
    use serde::Serializer;

    pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*ms))
    }

    pub mod option {
        use serde::Serializer;

        pub fn serialize<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
            match ms {
                Some(ms) => s.serialize_str(&super::super::rfc3339(*ms)),
                None => s.serialize_none(),
            }
        }
    }
}
