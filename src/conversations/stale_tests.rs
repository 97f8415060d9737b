//! Retired list entries against a real store: lists stay exact while the
//! log waits, and a batch removes what is dead and nothing live.
use super::*;
use crate::store::ids::{BusinessId, ContactId, MemberId};

fn conversation(b: BusinessId) -> Conversation {
    Conversation::start(
        b,
        ContactId::new(),
        None,
        super::super::model::Source::Manual,
        1_000,
    )
}

/// Saves `c` as `next` (an activity or assignee change), as the services do.
async fn save(store: &crate::store::Store, before: Option<Conversation>, next: Conversation) {
    store
        .write(move |ctx| Ok(repo::save(ctx, before.as_ref(), &next)?))
        .await
        .expect("saved");
}

fn problems(store: &crate::store::Store) -> Vec<String> {
    let r = store.read().expect("read");
    let mut problems = Vec::new();
    repo::check_indexes(&r, &mut problems).expect("check");
    problems
}

fn waiting(store: &crate::store::Store) -> usize {
    logged(&store.read().expect("read")).expect("log").len()
}

#[tokio::test]
async fn a_conversation_moved_thousands_of_times_lists_once_and_its_log_stays_bounded() {
    let (_dir, store) = crate::store::temp();
    let b = BusinessId::new();
    let mut c = conversation(b);
    save(&store, None, c.clone()).await;
    let moves = 2 * COLLECT_AFTER as i64 + 100;
    for step in 1..=moves {
        let before = c.clone();
        c.updated_at += 1;
        save(&store, Some(before), c.clone()).await;
        if step % 700 == 0 {
            let r = store.read().expect("read");
            assert_eq!(repo::updated_since(&r, b, 0).expect("list"), vec![c.id]);
            assert_eq!(
                repo::unassigned_oldest_first(&r, b, 10).expect("list"),
                vec![c.id]
            );
            assert!(problems(&store).is_empty(), "{:?}", problems(&store));
        }
    }
    // Two entries (one per index) retire with every move.
    assert!(
        waiting(&store) < COLLECT_AFTER as usize,
        "{} entries wait",
        waiting(&store)
    );
    let r = store.read().expect("read");
    let activity =
        crate::store::scan_keys(&r, BY_ACTIVITY, &b.bytes(), None, usize::MAX).expect("scan");
    assert_eq!(
        activity.len(),
        1 + waiting(&store) / 2,
        "the live entry and the waiting ones"
    );
    assert!(problems(&store).is_empty(), "{:?}", problems(&store));
}

#[tokio::test]
async fn a_batch_keeps_an_entry_that_became_live_again() {
    let (_dir, store) = crate::store::temp();
    let b = BusinessId::new();
    let member = MemberId::new();
    let c = conversation(b);
    save(&store, None, c.clone()).await;
    // Assigned and handed back within the same millisecond: the unassigned
    // entry is retired, then current again.
    let mut taken = c.clone();
    taken.assignee_id = Some(member);
    save(&store, Some(c.clone()), taken.clone()).await;
    save(&store, Some(taken), c.clone()).await;
    let deleted = store
        .write(|ctx| Ok(collect(ctx)?))
        .await
        .expect("collected");
    assert_eq!(deleted, 1, "only the member's entry was dead");
    let r = store.read().expect("read");
    assert_eq!(
        repo::unassigned_oldest_first(&r, b, 10).expect("list"),
        vec![c.id]
    );
    assert_eq!(waiting(&store), 0);
    assert!(problems(&store).is_empty(), "{:?}", problems(&store));
}

#[tokio::test]
async fn an_erased_conversation_leaves_nothing_behind_after_a_batch() {
    let (_dir, store) = crate::store::temp();
    let b = BusinessId::new();
    let c = conversation(b);
    save(&store, None, c.clone()).await;
    let mut moved = c.clone();
    moved.updated_at += 5;
    save(&store, Some(c), moved.clone()).await;
    store
        .write(move |ctx| Ok(repo::delete(ctx, &moved)?))
        .await
        .expect("erased");
    store
        .write(|ctx| Ok(collect(ctx)?))
        .await
        .expect("collected");
    let r = store.read().expect("read");
    for t in [BY_ACTIVITY, BY_ASSIGNEE] {
        assert!(crate::store::scan_keys(&r, t, &[], None, usize::MAX)
            .expect("scan")
            .is_empty());
    }
    assert!(problems(&store).is_empty(), "{:?}", problems(&store));
}
