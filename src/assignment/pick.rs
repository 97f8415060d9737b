//! Choosing the next member of a pool: smooth weighted round-robin.
//!
//! Every pick, each available member earns credit in proportion to their
//! weight (the credits earned sum to one assignment), and the member with the
//! most credit takes the lead and pays one assignment for it. For weights 3, 2
//! and 1 that interleaves as A B A C B A rather than A A A B B C, and over any
//! prefix each member is within one assignment of their share. Round-robin is
//! the same with every weight 1. Members away earn nothing while away; when the
//! set of available members changes the interleave starts afresh, so nobody
//! returns with a burst owed to them.
use serde::{Deserialize, Serialize};

use crate::store::ids::MemberId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    RoundRobin,
    Weighted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    pub member_id: MemberId,
    pub weight: u32,
}

/// The persisted position of a pool's sequence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// Credit per member, in assignments.
    pub credits: Vec<(MemberId, f64)>,
    /// Who was available at the last pick, to notice a change.
    pub available: Vec<MemberId>,
    pub picks: u64,
}

/// Why a member was or was not chosen, for the conversation's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    pub member_id: MemberId,
    /// Their credit when chosen: how far behind their share they were.
    pub credit: f64,
    pub position: u64,
}

fn weight_of(mode: Mode, slot: &Slot) -> f64 {
    match mode {
        Mode::RoundRobin => 1.0,
        Mode::Weighted => f64::from(slot.weight.clamp(1, 100)),
    }
}

impl Cursor {
    fn credit_mut(&mut self, m: MemberId) -> &mut f64 {
        if let Some(i) = self.credits.iter().position(|(id, _)| *id == m) {
            return &mut self.credits[i].1;
        }
        self.credits.push((m, 0.0));
        let last = self.credits.len() - 1;
        &mut self.credits[last].1
    }

    /// Starts a fresh interleave when the available set changed: what is carried
    /// over is less than one assignment each, and a clean start is what keeps
    /// every prefix of the new stretch within one of its share.
    fn restart(&mut self, available: &[MemberId]) {
        for m in available {
            *self.credit_mut(*m) = 0.0;
        }
    }

    /// The next member among `slots` for whom `available` holds, or none.
    pub fn next(
        &mut self,
        mode: Mode,
        slots: &[Slot],
        available: impl Fn(MemberId) -> bool,
    ) -> Option<Pick> {
        let up: Vec<&Slot> = slots.iter().filter(|s| available(s.member_id)).collect();
        if up.is_empty() {
            return None;
        }
        let ids: Vec<MemberId> = up.iter().map(|s| s.member_id).collect();
        if ids != self.available {
            self.restart(&ids);
            self.available = ids;
        }
        let total: f64 = up.iter().map(|s| weight_of(mode, s)).sum();
        let mut best: Option<(MemberId, f64)> = None;
        for s in &up {
            let c = self.credit_mut(s.member_id);
            *c += weight_of(mode, s) / total;
            // Ties go to the earlier slot, so the order of the pool is the tie-break.
            if best.is_none_or(|(_, b)| *c > b + 1e-9) {
                best = Some((s.member_id, *c));
            }
        }
        let (member_id, credit) = best?;
        *self.credit_mut(member_id) -= 1.0;
        // Members no longer in the pool leave no credit behind.
        self.credits
            .retain(|(m, _)| slots.iter().any(|s| s.member_id == *m));
        self.picks += 1;
        Some(Pick {
            member_id,
            credit,
            position: self.picks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn members(n: usize) -> Vec<MemberId> {
        (0..n).map(|_| MemberId::new()).collect()
    }

    #[test]
    fn weights_3_2_1_interleave() {
        let m = members(3);
        let slots: Vec<Slot> = m
            .iter()
            .zip([3, 2, 1])
            .map(|(id, w)| Slot {
                member_id: *id,
                weight: w,
            })
            .collect();
        let mut c = Cursor::default();
        let seq: Vec<usize> = (0..6)
            .map(|_| {
                let p = c.next(Mode::Weighted, &slots, |_| true).unwrap();
                m.iter().position(|x| *x == p.member_id).unwrap()
            })
            .collect();
        assert_eq!(seq, [0, 1, 0, 2, 1, 0], "A B A C B A");
    }

    #[test]
    fn round_robin_ignores_weights_and_skips_the_absent() {
        let m = members(3);
        let slots: Vec<Slot> = m
            .iter()
            .map(|id| Slot {
                member_id: *id,
                weight: 50,
            })
            .collect();
        let mut c = Cursor::default();
        let away = m[1];
        let seq: Vec<MemberId> = (0..4)
            .map(|_| {
                c.next(Mode::RoundRobin, &slots, |x| x != away)
                    .unwrap()
                    .member_id
            })
            .collect();
        assert_eq!(seq, [m[0], m[2], m[0], m[2]]);
        assert!(c.next(Mode::RoundRobin, &slots, |_| false).is_none());
    }

    proptest! {
        /// Within any stretch of constant availability, every prefix gives each
        /// available member their weighted share within one assignment.
        #[test]
        fn every_prefix_is_fair_within_one(
            weights in prop::collection::vec(1u32..=100, 1..7),
            stretches in prop::collection::vec((any::<u64>(), 1usize..60), 1..6),
        ) {
            let m = members(weights.len());
            let slots: Vec<Slot> = m.iter().zip(&weights)
                .map(|(id, w)| Slot { member_id: *id, weight: *w })
                .collect();
            let mut c = Cursor::default();
            // Counted since the available set last changed (an empty set picks nothing
            // and changes nothing).
            let mut since: (Vec<bool>, f64, Vec<f64>) = (Vec::new(), 0.0, vec![0.0; m.len()]);
            for (mask, len) in stretches {
                let up: Vec<bool> = (0..m.len()).map(|i| mask >> i & 1 == 1).collect();
                let total: f64 = weights.iter().zip(&up).filter(|(_, u)| **u).map(|(w, _)| f64::from(*w)).sum();
                if total > 0.0 && up != since.0 {
                    since = (up.clone(), 0.0, vec![0.0; m.len()]);
                }
                for _ in 0..len {
                    let pick = c.next(Mode::Weighted, &slots, |x| {
                        m.iter().position(|y| *y == x).is_some_and(|i| up[i])
                    });
                    if total == 0.0 {
                        prop_assert!(pick.is_none());
                        continue;
                    }
                    let chosen = pick.map(|p| p.member_id);
                    let i = m.iter().position(|y| Some(*y) == chosen).unwrap();
                    prop_assert!(up[i], "an absent member was chosen");
                    since.1 += 1.0;
                    since.2[i] += 1.0;
                    for j in 0..m.len() {
                        let share = if up[j] { since.1 * f64::from(weights[j]) / total } else { 0.0 };
                        prop_assert!((since.2[j] - share).abs() <= 1.0 + 1e-6,
                            "member {j} has {} after {}, share {share:.2} (weights {weights:?}, up {up:?})",
                            since.2[j], since.1);
                    }
                }
            }
        }
    }
}
