//! Typed ULID identifiers: time-ordered, 16 bytes big-endian in keys, 26-char strings in the API.
use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ulid::Ulid;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Ulid);

        impl $name {
            pub fn new() -> Self {
                $name(Ulid::new())
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
