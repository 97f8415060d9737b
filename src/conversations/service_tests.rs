//! Exactly once: an inbound wamid is checked beside its conversation's
//! messages, and in the global index that older messages are in.
use super::*;
use crate::{
    conversations::{model::Source, repo},
    store::{Key, Store},
};

fn inbound(wamid: &str) -> NewInbound {
    NewInbound {
        wamid: Some(wamid.into()),
        kind: "text".into(),
        text: format!("hello {wamid}"),
        details: String::new(),
        reply_to: None,
        sent_at: now_ms(),
    }
}

fn ana() -> Identity {
    Identity {
        name: Some("Ana".into()),
        phone: Some("+5511987654321".into()),
        wa_user_id: None,
        email: None,
    }
}

/// Records `wamid` from Ana; the stored message, or None for a duplicate.
fn receive(store: &Store, b: BusinessId, wamid: &'static str) -> Option<Message> {
    store
        .write_blocking(move |ctx| {
            Ok(
                match record_inbound(ctx, b, None, Source::Whatsapp, &ana(), &inbound(wamid))? {
                    Recorded::Stored(s) => Some(s.message),
                    Recorded::Duplicate => None,
                },
            )
        })
        .expect("write")
}

#[test]
fn a_redelivered_wamid_is_stored_once_and_lists_see_only_messages() {
    let (_dir, store) = crate::store::temp();
    let b = BusinessId::new();
    let first = receive(&store, b, "wamid.HBgN1").expect("stored");
    let second = receive(&store, b, "wamid.HBgN2").expect("stored");
    assert!(receive(&store, b, "wamid.HBgN1").is_none());
    assert!(receive(&store, b, "wamid.HBgN2").is_none());

    let c = first.conversation_id;
    let r = store.read().expect("read");
    let ids = |ms: Vec<Message>| ms.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(repo::messages(&r, b, c, None, 50).expect("messages")),
        vec![second.id, first.id]
    );
    assert_eq!(
        ids(repo::messages_after(&r, b, c, None, 50).expect("after")),
        vec![first.id, second.id]
    );
    let until = repo::messages_until(&r, b, c, first.id, 50).expect("until");
    assert_eq!(until.map(ids), Some(vec![second.id, first.id]));
    let found = repo::by_wamid_in(&r, b, Some(c), "wamid.HBgN2").expect("lookup");
    assert_eq!(found.map(|m| m.id), Some(second.id));
    drop(r);

    let gone = store
        .write_blocking(move |ctx| Ok(repo::delete_messages(ctx, b, c, 100)?))
        .expect("delete");
    assert_eq!(gone.len(), 2);
    let r = store.read().expect("read");
    let left = crate::store::scan_raw(&r, repo::MESSAGES, &Key::new().id(b.bytes()).done(), 10)
        .expect("scan");
    assert!(left.is_empty(), "the wamid entries go with the messages");
}

#[test]
fn a_wamid_in_the_global_index_from_before_is_still_a_duplicate() {
    let (_dir, store) = crate::store::temp();
    let b = BusinessId::new();
    let first = receive(&store, b, "wamid.OLD").expect("stored");
    // As stored before inbound wamids moved beside their conversation.
    store
        .write_blocking(move |ctx| {
            let (c, m) = (first.conversation_id, first.id);
            ctx.delete_prefix(
                repo::MESSAGES,
                &Key::new().id(b.bytes()).id(c.bytes()).raw(&[0xFF]).done(),
                usize::MAX,
            )?;
            let loc = Key::new().id(b.bytes()).id(c.bytes()).id(m.bytes()).done();
            ctx.put_raw(repo::BY_WAMID, &Key::new().str("wamid.OLD").done(), &loc)?;
            Ok(())
        })
        .expect("write");
    assert!(receive(&store, b, "wamid.OLD").is_none());
}
