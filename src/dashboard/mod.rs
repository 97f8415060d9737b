//! The dashboard: how the funnel and the team are doing, scoped like
//! everything else. Page views never walk history: the write path keeps
//! hourly and daily counters (leads, assignments, closes, wins per source and member),
//! first-response histograms and open-conversation gauges, and a view only
//! sums the buckets of its date range.
pub mod backfill;
pub mod histogram;
pub mod query;
pub mod record;
pub mod routes;

use redb::TableDefinition;

use crate::store::{
    self,
    ids::{BusinessId, ConversationId, MemberId},
    Key, TableSpec, Tbl,
};

/// (business, hour, metric, source, member) → u64 LE: events in that hour.
const COUNTS: Tbl = TableDefinition::new("dash_counts");
/// The same by UTC day, so a year is 365 buckets rather than 8,760.
const COUNTS_DAY: Tbl = TableDefinition::new("dash_counts_day");
/// (business, hour, source, member) → histogram of first-response seconds.
const FIRST_RESPONSE: Tbl = TableDefinition::new("dash_first_response");
/// The same by UTC day.
const FIRST_RESPONSE_DAY: Tbl = TableDefinition::new("dash_first_response_day");
/// (business, member or zeros) → u64 LE: open conversations now.
const OPEN: Tbl = TableDefinition::new("dash_open");
/// (business, conversation) → (): somebody answered it already.
const ANSWERED: Tbl = TableDefinition::new("dash_answered");
/// (business, conversation) → (): its first lead is credited to a member.
const CREDITED: Tbl = TableDefinition::new("dash_credited");
/// (business, conversation) → (): it was counted as won (once, whatever
/// its label does afterwards).
const WON: Tbl = TableDefinition::new("dash_won");
/// (business, flag) → (): facts about a business ("won" labels in use, counters backfilled).
const FLAGS: Tbl = TableDefinition::new("dash_flags");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: COUNTS,
        verify: store::verify_len::<8>,
    },
    TableSpec {
        def: COUNTS_DAY,
        verify: store::verify_len::<8>,
    },
    TableSpec {
        def: FIRST_RESPONSE,
        verify: store::verify_len::<{ histogram::BYTES }>,
    },
    TableSpec {
        def: FIRST_RESPONSE_DAY,
        verify: store::verify_len::<{ histogram::BYTES }>,
    },
    TableSpec {
        def: OPEN,
        verify: store::verify_len::<8>,
    },
    TableSpec {
        def: ANSWERED,
        verify: store::verify_empty,
    },
    TableSpec {
        def: CREDITED,
        verify: store::verify_empty,
    },
    TableSpec {
        def: WON,
        verify: store::verify_empty,
    },
    TableSpec {
        def: FLAGS,
        verify: store::verify_empty,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Metric {
    /// A lead arrived (a new conversation, or a lead joining a person's timeline).
    Lead = 1,
    Assigned = 2,
    Closed = 3,
    /// A conversation got a "won" label.
    Won = 4,
}

impl Metric {
    fn from_u8(v: u8) -> Option<Metric> {
        Some(match v {
            1 => Metric::Lead,
            2 => Metric::Assigned,
            3 => Metric::Closed,
            4 => Metric::Won,
            _ => return None,
        })
    }
}

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// Bucket width: hours give exact local days, days keep long ranges cheap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    Hour,
    Day,
}

pub const GRAINS: [Grain; 2] = [Grain::Hour, Grain::Day];

impl Grain {
    pub fn ms(self) -> i64 {
        match self {
            Grain::Hour => HOUR_MS,
            Grain::Day => DAY_MS,
        }
    }

    pub fn bucket(self, ms: i64) -> u32 {
        ms.div_euclid(self.ms()).clamp(0, u32::MAX as i64) as u32
    }

    pub fn counts(self) -> Tbl {
        match self {
            Grain::Hour => COUNTS,
            Grain::Day => COUNTS_DAY,
        }
    }

    pub fn first_response(self) -> Tbl {
        match self {
            Grain::Hour => FIRST_RESPONSE,
            Grain::Day => FIRST_RESPONSE_DAY,
        }
    }
}

fn member_bytes(m: Option<MemberId>) -> [u8; 16] {
    m.map_or([0; 16], |m| m.bytes())
}

fn member_of(bytes: &[u8]) -> Option<MemberId> {
    if bytes.iter().all(|b| *b == 0) {
        None
    } else {
        MemberId::from_bytes(bytes)
    }
}

fn bucket_prefix(b: BusinessId, bucket: u32) -> Vec<u8> {
    Key::new().id(b.bytes()).raw(&bucket.to_be_bytes()).done()
}

fn answered_key(b: BusinessId, c: ConversationId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).done()
}

fn flag_key(b: BusinessId, flag: &str) -> Vec<u8> {
    Key::new().id(b.bytes()).str(flag).done()
}

/// Labels that mean the deal was won.
pub fn is_won_label(label: &str) -> bool {
    let l = label.trim().to_lowercase().replace(['_', ' '], "-");
    matches!(
        l.as_str(),
        "won" | "closed-won" | "deal-won" | "ganho" | "ganado"
    )
}
