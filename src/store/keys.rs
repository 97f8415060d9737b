//! Ordered byte keys: fixed-width fields first so range scans over a prefix serve lists.
pub struct Key(Vec<u8>);

impl Key {
    pub fn new() -> Self {
        Key(Vec::with_capacity(48))
    }

    pub fn id(mut self, bytes: [u8; 16]) -> Self {
        self.0.extend_from_slice(&bytes);
        self
    }

    pub fn u64(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Time-ordered signed values (timestamps) keep their order as unsigned bytes.
    pub fn i64(self, v: i64) -> Self {
        self.u64((v as u64) ^ (1 << 63))
    }

    /// Variable-length text: NUL-terminated so that a prefix scan on one string
    /// never matches another that merely starts with it.
    pub fn str(mut self, s: &str) -> Self {
        self.0.extend(s.bytes().filter(|b| *b != 0));
        self.0.push(0);
        self
    }

    pub fn raw(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(bytes);
        self
    }

    pub fn done(self) -> Vec<u8> {
        self.0
    }
}

impl Default for Key {
    fn default() -> Self {
        Self::new()
    }
}

/// The smallest key greater than every key starting with `prefix` (None: no bound).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_bounds_every_extension() {
        assert_eq!(prefix_end(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_end(&[1, 0xff]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xff, 0xff]), None);
    }

    proptest::proptest! {
        #[test]
        fn key_order_follows_field_order(a in proptest::num::i64::ANY, b in proptest::num::i64::ANY, s in "[a-z]{0,8}", t in "[a-z]{0,8}") {
            let ka = Key::new().i64(a).str(&s).done();
            let kb = Key::new().i64(b).str(&t).done();
            proptest::prop_assert_eq!(ka.cmp(&kb), (a, &s).cmp(&(b, &t)));
        }

        #[test]
        fn prefix_end_is_above_every_extension(p in proptest::collection::vec(proptest::num::u8::ANY, 1..8), tail in proptest::collection::vec(proptest::num::u8::ANY, 0..8)) {
            let mut k = p.clone();
            k.extend(tail);
            if let Some(end) = prefix_end(&p) {
                proptest::prop_assert!(k < end && p < end);
            }
        }
    }

    #[test]
    fn signed_times_sort_as_bytes() {
        let a = Key::new().i64(-5).done();
        let b = Key::new().i64(3).done();
        let c = Key::new().i64(1_700_000_000_000).done();
        assert!(a < b && b < c);
    }
}
