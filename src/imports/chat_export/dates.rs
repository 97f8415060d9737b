//! Date-order inference and date resolution.
//!
//! A single line like `03/04/21` cannot tell April 3rd from March 4th, so the
//! order is decided once for the whole file: the order under which the most
//! header dates are real calendar dates wins. One `13/04/21` anywhere settles
//! a file; a file with no such line falls back to a locale hint and says so.

use super::header::RawHeader;
use super::DateOrder;
use chrono::{NaiveDate, NaiveDateTime};

const ORDERS: [DateOrder; 3] = [DateOrder::Dmy, DateOrder::Mdy, DateOrder::Ymd];

fn order_name(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Dmy => "day/month/year",
        DateOrder::Mdy => "month/day/year",
        DateOrder::Ymd => "year/month/day",
    }
}

/// Reads the three date fields under one order.
pub(crate) fn date_under(
    order: DateOrder,
    fields: [u32; 3],
    widths: [usize; 3],
) -> Result<NaiveDate, String> {
    let [f0, f1, f2] = fields;
    let [w0, w1, w2] = widths;
    // (year, year width, month, month width, day, day width)
    let (y, yw, m, mw, d, dw) = match order {
        DateOrder::Dmy => (f2, w2, f1, w1, f0, w0),
        DateOrder::Mdy => (f2, w2, f0, w0, f1, w1),
        DateOrder::Ymd => (f0, w0, f1, w1, f2, w2),
    };
    let year = match yw {
        // WhatsApp dates from 2009, so two-digit years are this century.
        2 => 2000 + y,
        4 => y,
        _ => return Err(format!("year {y} must have 2 or 4 digits")),
    };
    if mw > 2 || !(1..=12).contains(&m) {
        return Err(format!("month {m} does not exist"));
    }
    if dw > 2 || !(1..=31).contains(&d) {
        return Err(format!("day {d} does not exist"));
    }
    i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
        .ok_or_else(|| format!("{year:04}-{m:02}-{d:02} is not a calendar date"))
}

/// Picks the file's date order; the flag is true when it had to be guessed.
pub(crate) fn infer(headers: &[&RawHeader]) -> (DateOrder, bool) {
    let counts = ORDERS.map(|order| {
        headers
            .iter()
            .filter(|h| date_under(order, h.fields, h.widths).is_ok())
            .count()
    });
    let best = counts.iter().copied().max().unwrap_or(0);
    let winners: Vec<DateOrder> = ORDERS
        .iter()
        .zip(counts)
        .filter(|&(_, count)| count == best)
        .map(|(&order, _)| order)
        .collect();
    if let [only] = winners.as_slice() {
        if best > 0 {
            return (*only, false);
        }
    }
    // An export is written in time order: when only one of the readings keeps
    // the dates from going backwards, the file itself has settled it.
    let steps_back = |order: DateOrder| {
        let dates: Vec<NaiveDate> = headers
            .iter()
            .filter_map(|h| date_under(order, h.fields, h.widths).ok())
            .collect();
        dates.windows(2).filter(|w| w[1] < w[0]).count()
    };
    let backwards: Vec<usize> = winners.iter().map(|&o| steps_back(o)).collect();
    let fewest = backwards.iter().copied().min().unwrap_or(0);
    let monotonic: Vec<DateOrder> = winners
        .iter()
        .zip(&backwards)
        .filter(|&(_, &n)| n == fewest)
        .map(|(&o, _)| o)
        .collect();
    match monotonic.as_slice() {
        [only] if best > 0 => (*only, false),
        _ => (fallback(headers, &monotonic), true),
    }
}

/// Without evidence: US-style `AM`/`PM` with slashes means m/d/y (what the
/// US locale writes); everything else, including Spanish `p. m.` and Indian
/// lowercase `pm`, is far more often d/m/y.
fn fallback(headers: &[&RawHeader], winners: &[DateOrder]) -> DateOrder {
    let half = headers.len() / 2;
    let us_style = headers
        .iter()
        .filter(|h| h.sep == '/' && h.meridiem.is_some_and(|m| m.plain_upper))
        .count();
    let year_first = headers
        .iter()
        .filter(|h| matches!(h.widths, [4, _, _]))
        .count();
    let preferred = if year_first > half {
        DateOrder::Ymd
    } else if us_style > half {
        DateOrder::Mdy
    } else {
        DateOrder::Dmy
    };
    if winners.contains(&preferred) {
        preferred
    } else {
        winners.first().copied().unwrap_or(DateOrder::Dmy)
    }
}

/// Resolves a header under the file's order. When the date would be valid
/// under another order the reason says so, because that usually means a
/// line was pasted in from a different export.
pub(crate) fn resolve(h: &RawHeader, order: DateOrder) -> Result<NaiveDateTime, String> {
    let date = date_under(order, h.fields, h.widths).map_err(|reason| {
        let alternative = ORDERS
            .iter()
            .find(|&&o| o != order && date_under(o, h.fields, h.widths).is_ok());
        match alternative {
            Some(&other) => format!(
                "{reason} in {} order (the file's order); it would be valid as {}, \
                 but a file has one date order",
                order_name(order),
                order_name(other)
            ),
            None => format!("{reason} in {} order", order_name(order)),
        }
    })?;
    Ok(date.and_time(h.time()?))
}
