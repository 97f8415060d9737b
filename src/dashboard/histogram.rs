//! First-response times as a fixed log-scale histogram (buckets 20 % wide
//! from one second to most of a year), so any range's median and p90 come
//! from merging buckets, precise to about ±10 %.
pub const BUCKETS: usize = 96;
pub const BYTES: usize = BUCKETS * 4;
const GROWTH: f64 = 1.2;

#[derive(Debug, Clone, PartialEq)]
pub struct Histogram(pub [u32; BUCKETS]);

impl Default for Histogram {
    fn default() -> Self {
        Histogram([0; BUCKETS])
    }
}

fn bucket(secs: f64) -> usize {
    if secs < 1.0 {
        0
    } else {
        (1 + (secs.ln() / GROWTH.ln()).floor() as usize).min(BUCKETS - 1)
    }
}

/// The value a bucket stands for: its geometric middle.
fn representative(i: usize) -> f64 {
    if i == 0 {
        0.5
    } else {
        GROWTH.powi(i as i32 - 1) * GROWTH.sqrt()
    }
}

impl Histogram {
    pub fn decode(bytes: &[u8]) -> Histogram {
        let mut h = Histogram::default();
        for (slot, chunk) in h.0.iter_mut().zip(bytes.chunks_exact(4)) {
            *slot = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        h
    }

    pub fn encode(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    pub fn add(&mut self, secs: f64) {
        let i = bucket(secs.max(0.0));
        self.0[i] = self.0[i].saturating_add(1);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = a.saturating_add(*b);
        }
    }

    pub fn count(&self) -> u64 {
        self.0.iter().map(|v| *v as u64).sum()
    }

    /// The `q` quantile (0..=1) in seconds, or None when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0u64;
        for (i, c) in self.0.iter().enumerate() {
            seen += *c as u64;
            if seen >= rank {
                return Some(representative(i));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn median_and_p90_of_known_times() {
        let mut h = Histogram::default();
        for secs in 1..=100 {
            h.add(secs as f64 * 60.0);
        }
        let median = h.quantile(0.5).unwrap();
        let p90 = h.quantile(0.9).unwrap();
        assert!((median / 3000.0 - 1.0).abs() < 0.11, "median {median}");
        assert!((p90 / 5400.0 - 1.0).abs() < 0.11, "p90 {p90}");
        assert_eq!(Histogram::decode(&h.encode()), h);
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    proptest! {
        #[test]
        fn a_single_time_comes_back_within_ten_percent(secs in 1.0f64..20_000_000.0) {
            let mut h = Histogram::default();
            h.add(secs);
            let got = h.quantile(0.5).unwrap();
            prop_assert!((got / secs - 1.0).abs() <= 0.1, "{secs} → {got}");
        }
    }
}
