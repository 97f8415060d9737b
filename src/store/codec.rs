//! The one place records become bytes: a schema-version byte, then bincode 2 (serde).
//! A record type that changes bumps `VERSION` and teaches `upgrade` to read the old bytes.
use serde::{de::DeserializeOwned, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("empty record")]
    Empty,
    #[error("record version {found} is newer than this build understands ({max})")]
    TooNew { found: u8, max: u8 },
    #[error("record version {0} has no upgrade path")]
    NoUpgrade(u8),
    #[error("undecodable record: {0}")]
    Bincode(String),
    #[error("{0} trailing bytes after record")]
    Trailing(usize),
}

pub trait Record: Serialize + DeserializeOwned {
    const VERSION: u8 = 1;

    /// Reads a record written under an older `VERSION`.
    fn upgrade(version: u8, _body: &[u8]) -> Result<Self, CodecError> {
        Err(CodecError::NoUpgrade(version))
    }
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// No record is near this big. The limit is what stops a damaged length
/// prefix (a flipped bit on disk) from asking for exabytes: bincode would
/// allocate before reading, and a failed allocation aborts the process.
const MAX_RECORD_BYTES: usize = 256 * 1024 * 1024;

fn decode_config() -> bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<MAX_RECORD_BYTES>,
> {
    config().with_limit::<MAX_RECORD_BYTES>()
}

pub fn encode<T: Record>(value: &T) -> Vec<u8> {
    let mut out = vec![T::VERSION];
    // Serialising plain serde data into a Vec cannot fail; an error here is a
    // programming error in a record type (e.g. an untagged enum), caught by tests.
    if let Err(e) = bincode::serde::encode_into_std_write(value, &mut out, config()) {
        tracing::error!("record failed to encode: {e}");
    }
    out
}

pub fn decode<T: Record>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if version > T::VERSION {
        return Err(CodecError::TooNew {
            found: version,
            max: T::VERSION,
        });
    }
    if version < T::VERSION {
        return T::upgrade(version, body);
    }
    decode_body(body)
}

/// Decodes a body with no version byte; used by `Record::upgrade` implementations.
pub fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, CodecError> {
    let (value, used) = bincode::serde::decode_from_slice::<T, _>(body, decode_config())
        .map_err(|e| CodecError::Bincode(e.to_string()))?;
    if used != body.len() {
        return Err(CodecError::Trailing(body.len() - used));
    }
    Ok(value)
}

/// Type-erased decoder used by `wafunnel check` to verify every record of a table.
pub fn verify<T: Record>(bytes: &[u8]) -> Result<(), CodecError> {
    decode::<T>(bytes).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct V1 {
        name: String,
    }
    impl Record for V1 {}

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct V2 {
        name: String,
        age: u32,
    }
    impl Record for V2 {
        const VERSION: u8 = 2;
        fn upgrade(version: u8, body: &[u8]) -> Result<Self, CodecError> {
            match version {
                1 => {
                    let old: V1 = decode_body(body)?;
                    Ok(V2 {
                        name: old.name,
                        age: 0,
                    })
                }
                v => Err(CodecError::NoUpgrade(v)),
            }
        }
    }

    #[test]
    fn round_trips_and_upgrades_old_versions() {
        let old = encode(&V1 { name: "ana".into() });
        assert_eq!(old[0], 1);
        assert_eq!(decode::<V1>(&old).unwrap(), V1 { name: "ana".into() });
        assert_eq!(
            decode::<V2>(&old).unwrap(),
            V2 {
                name: "ana".into(),
                age: 0
            }
        );
        let new = encode(&V2 {
            name: "bo".into(),
            age: 3,
        });
        assert!(matches!(
            decode::<V1>(&new),
            Err(CodecError::TooNew { found: 2, max: 1 })
        ));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = decode::<V2>(&bytes);
            let _ = decode::<V1>(&bytes);
        }

        #[test]
        fn every_value_round_trips(name in ".{0,40}", age in proptest::num::u32::ANY) {
            let v = V2 { name, age };
            proptest::prop_assert_eq!(decode::<V2>(&encode(&v)).unwrap(), v);
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<V2>(&[]).is_err());
        assert!(decode::<V2>(&[2, 0xff, 0xff, 0xff]).is_err());
        // A name whose length prefix a damaged disk turned into 2^61 bytes:
        // refused, not allocated (a failed allocation aborts the process).
        let huge = [2, 253, 0, 0, 0, 0, 0, 0, 0, 0x20, b'x'];
        assert!(matches!(decode::<V2>(&huge), Err(CodecError::Bincode(_))));
        let mut trailing = encode(&V1 { name: "x".into() });
        trailing.push(0);
        assert!(matches!(
            decode::<V1>(&trailing),
            Err(CodecError::Trailing(1))
        ));
    }
}
