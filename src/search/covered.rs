//! Which message events the index already holds the message of.
use std::collections::HashMap;

use crate::store::ids::ConversationId;

/// What the index holds of messages whose events may still come: a flush
/// that writes a conversation whole reads its messages from a snapshot, and
/// the events of the last commits in that snapshot may reach the indexer only
/// after the flush. Message documents are added without a delete first, so
/// those events must be skipped, and the commit sequence says which they are.
#[derive(Default)]
pub struct Covered {
    /// Conversations written whole, with the commit sequence of the snapshot read.
    whole: HashMap<ConversationId, u64>,
    /// A rebuild read every conversation, each page from a later snapshot:
    /// messages committed up to the first are in it, those up to the last
    /// may be, so their conversations are written whole again.
    rebuild: Option<(u64, u64)>,
}

impl Covered {
    pub fn after_rebuild(seqs: Option<(u64, u64)>) -> Self {
        Covered {
            whole: HashMap::new(),
            rebuild: seqs,
        }
    }

    pub fn written_whole(&mut self, c: ConversationId, snapshot: u64) {
        self.whole.insert(c, snapshot);
    }

    pub fn holds(&self, c: ConversationId, seq: u64) -> bool {
        self.rebuild.is_some_and(|(first, _)| seq <= first)
            || self.whole.get(&c).is_some_and(|&read| seq <= read)
    }

    pub fn uncertain(&self, seq: u64) -> bool {
        self.rebuild
            .is_some_and(|(first, last)| first < seq && seq <= last)
    }

    /// Every event up to `seq` has been taken in: nothing older needs a look.
    pub fn forget_through(&mut self, seq: u64) {
        self.whole.retain(|_, read| *read > seq);
        if self.rebuild.is_some_and(|(_, last)| last <= seq) {
            self.rebuild = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversation_written_whole_holds_the_messages_of_its_snapshot() {
        let (c, other) = (ConversationId::new(), ConversationId::new());
        let mut covered = Covered::default();
        covered.written_whole(c, 7);
        assert!(covered.holds(c, 7) && covered.holds(c, 3));
        assert!(!covered.holds(c, 8), "committed after the snapshot");
        assert!(!covered.holds(other, 3));
        covered.forget_through(6);
        assert!(covered.holds(c, 7), "an event up to 7 may still come");
        covered.forget_through(7);
        assert!(!covered.holds(c, 7));
    }

    #[test]
    fn after_a_rebuild_messages_read_by_a_later_page_are_uncertain() {
        let c = ConversationId::new();
        let mut covered = Covered::after_rebuild(Some((10, 14)));
        assert!(covered.holds(c, 10) && !covered.uncertain(10));
        assert!(!covered.holds(c, 11) && covered.uncertain(11) && covered.uncertain(14));
        assert!(!covered.holds(c, 15) && !covered.uncertain(15));
        covered.forget_through(14);
        assert!(!covered.uncertain(12));
    }
}
