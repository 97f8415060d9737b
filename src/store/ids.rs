//! Typed ULID identifiers: time-ordered, 16 bytes big-endian in keys, 26-char strings in the API.
use std::{fmt, str::FromStr, sync::Mutex};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ulid::{Generator, Ulid};

/// One generator for the whole process, so ids made within the same millisecond still sort
/// in the order they were made: "newest first" never hangs on random bits.
static GENERATOR: Mutex<Generator> = Mutex::new(Generator::new());

fn next_ulid() -> Ulid {
    let mut generator = GENERATOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Overflow needs 2^80 ids in one millisecond; a random id is the sane fallback.
    generator.generate().unwrap_or_else(|_| Ulid::new())
}

/// An id that sorts at `at_ms` rather than now (a message that arrived late
/// takes its place by when it was sent). Ids made for the same millisecond
/// sort in the order they were made within this process; the low 40 bits
/// are random, so ids from separate runs do not collide.
pub fn ulid_at(at_ms: i64) -> Ulid {
    static SEQUENCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQUENCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & ((1 << 40) - 1);
    let random = u128::from(rand::random::<u64>() & ((1 << 40) - 1));
    Ulid::from_parts(
        at_ms.clamp(0, (1 << 48) - 1) as u64,
        (u128::from(n) << 40) | random,
    )
}

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Ulid);

        impl $name {
            pub fn new() -> Self {
                $name(next_ulid())
            }
            pub fn bytes(&self) -> [u8; 16] {
                self.0.to_bytes()
            }
            pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
                let arr: [u8; 16] = bytes.get(..16)?.try_into().ok()?;
                Some($name(Ulid::from_bytes(arr)))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = ulid::DecodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ulid::from_string(s).map($name)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.serialize_str(&self.0.to_string())
                } else {
                    s.serialize_u128(self.0 .0)
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if d.is_human_readable() {
                    let s = String::deserialize(d)?;
                    Ulid::from_string(&s)
                        .map($name)
                        .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a valid id")))
                } else {
                    u128::deserialize(d).map(|v| $name(Ulid(v)))
                }
            }
        }
    )*};
}

id_type!(
    UserId,
    BusinessId,
    MemberId,
    TeamId,
    SessionId,
    TokenId,
    RecordId,
    ContactId,
    ConversationId,
    MessageId,
    NumberId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_in_one_millisecond_sort_in_the_order_they_were_made() {
        let ids: Vec<BusinessId> = (0..10_000).map(|_| BusinessId::new()).collect();
        let same_ms = ids
            .windows(2)
            .filter(|w| w[0].0.timestamp_ms() == w[1].0.timestamp_ms())
            .count();
        assert!(same_ms > 0, "the loop is fast enough to share milliseconds");
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ids_of_different_types_share_one_sequence() {
        let a = ContactId::new();
        let b = ConversationId::new();
        assert!(a.0 < b.0);
    }
}
