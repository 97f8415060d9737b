//! The indexer against a real store: message documents are added once.
use super::*;
use crate::{
    contacts::Identity,
    conversations::{
        model::Source,
        service::{self, NewInbound, Recorded},
    },
    store::ids::BusinessId,
};

fn inbound(wamid: &str) -> NewInbound {
    NewInbound {
        wamid: Some(wamid.into()),
        kind: "text".into(),
        text: format!("is the blue car still for sale {wamid}"),
        details: String::new(),
        reply_to: None,
        sent_at: now_ms(),
    }
}

async fn receive(store: &Store, b: BusinessId, wamid: &'static str) -> ConversationId {
    let who = Identity {
        name: Some("Ana".into()),
        phone: Some("+5511987654321".into()),
        wa_user_id: None,
        email: None,
    };
    store
        .write(move |ctx| {
            match service::record_inbound(ctx, b, None, Source::Whatsapp, &who, &inbound(wamid))? {
                Recorded::Stored(s) => Ok(s.conversation.id),
                Recorded::Duplicate => Err(crate::error::ApiError::internal("duplicate")),
            }
        })
        .await
        .expect("stored")
}

struct Harness {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    store: Store,
    search: Search,
    writer: IndexWriter,
    events: tokio::sync::broadcast::Receiver<Batch>,
    covered: Covered,
    /// What a flush took in meanwhile: the next flush's start.
    queued: Pending,
}

impl Harness {
    fn new() -> Self {
        let (store_dir, store) = crate::store::temp();
        let index_dir = tempfile::tempdir().expect("temp dir");
        let search = Search::open(index_dir.path()).expect("index");
        let writer = search.writer().expect("index writer");
        let events = store.subscribe();
        Harness {
            _dirs: (store_dir, index_dir),
            store,
            search,
            writer,
            events,
            covered: Covered::default(),
            queued: Pending::default(),
        }
    }

    fn flush(&mut self, p: Pending) {
        let mut inbox = Inbox {
            events: &mut self.events,
            next: &mut self.queued,
            last_watermark: 0,
            seen: 0,
        };
        let (search, store) = (&self.search, &self.store);
        flush(
            search,
            store,
            &mut self.writer,
            p,
            &mut inbox,
            &mut self.covered,
        )
        .expect("flush");
    }

    /// Takes in events, as the indexer's loop does, until it holds `messages`
    /// (the writer answers a write just before it publishes the events).
    async fn absorbed(&mut self, messages: usize) -> Pending {
        let mut p = std::mem::take(&mut self.queued);
        while p.messages.len() < messages {
            let next = tokio::time::timeout(Duration::from_secs(5), self.events.recv());
            p.absorb(&next.await.expect("an event").expect("a batch"));
        }
        p
    }
}

#[tokio::test]
async fn a_message_read_by_a_whole_conversation_write_is_not_added_again_by_its_event() {
    let mut h = Harness::new();
    let b = BusinessId::new();
    let c = receive(&h.store, b, "wamid.ONE").await;
    // A reassignment's flush writes the conversation whole before the
    // message's own event has reached the indexer.
    let mut whole = Pending::default();
    whole.whole.insert((b, c));
    h.flush(whole);
    assert_eq!(
        h.search.documents_of(&[c]).expect("count"),
        2,
        "card and message"
    );

    let late = h.absorbed(1).await;
    h.flush(late);
    assert_eq!(
        h.search.documents_of(&[c]).expect("count"),
        2,
        "the late event adds nothing"
    );

    receive(&h.store, b, "wamid.TWO").await;
    let next = h.absorbed(1).await;
    h.flush(next);
    assert_eq!(
        h.search.documents_of(&[c]).expect("count"),
        3,
        "a message after the snapshot is added"
    );
}

#[tokio::test]
async fn messages_committed_during_a_rebuild_are_written_once() {
    let mut h = Harness::new();
    let b = BusinessId::new();
    let c = receive(&h.store, b, "wamid.ONE").await;
    receive(&h.store, b, "wamid.TWO").await;
    let (search, store) = (h.search.clone(), h.store.clone());
    rebuild_with(&search, &store, &mut h.writer, &mut h.covered).expect("rebuild");
    let after = h.absorbed(2).await;
    h.flush(after);
    assert_eq!(h.search.documents_of(&[c]).expect("count"), 3);
}

#[tokio::test]
async fn a_stop_is_prompt_while_the_index_cannot_commit() {
    let (_store_dir, store) = crate::store::temp();
    let index_dir = tempfile::tempdir().expect("temp dir");
    let search = Search::open(index_dir.path()).expect("index");
    let running = spawn(search, store.clone()).expect("indexer");
    // The index's folder is gone (a full or failed disk): every commit fails.
    std::fs::remove_dir_all(index_dir.path()).expect("removed");
    receive(&store, BusinessId::new(), "wamid.STOP1").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (done_tx, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        running.stop();
        let _ = done_tx.send(());
    });
    assert!(
        done.recv_timeout(Duration::from_secs(5)).is_ok(),
        "the indexer kept retrying its commit and never stopped"
    );
}

#[tokio::test]
async fn a_rebuild_skips_a_conversation_it_cannot_read_and_indexes_the_rest() {
    let mut h = Harness::new();
    let (b1, b2) = (BusinessId::new(), BusinessId::new());
    let bad = receive(&h.store, b1, "wamid.BAD").await;
    let good = receive(&h.store, b2, "wamid.GOOD").await;
    let damaged =
        repo::messages(&h.store.read().expect("read"), b1, bad, None, 1).expect("messages")[0].id;
    h.store
        .write(move |ctx| {
            let key = repo::message_key(b1, bad, damaged);
            Ok(ctx.put_raw(repo::MESSAGES, &key, b"\x01 not a message")?)
        })
        .await
        .expect("damaged");
    rebuild_with(&h.search, &h.store, &mut h.writer, &mut h.covered).expect("the rebuild goes on");
    assert_eq!(
        h.search.documents_of(&[good]).expect("count"),
        2,
        "card and message"
    );
}
