//! The log's reads and pruning against a real store: index choice, the
//! examined-entries cap of a combined filter, and batched retention.
use super::{
    repo::{self, ActorKey, Partition, Query},
    *,
};
use crate::store::Store;

fn store() -> (tempfile::TempDir, Store) {
    crate::store::temp()
}

/// `n` entries by `who` doing `action` in business `b`, a millisecond apart,
/// the newest `age` ms old.
fn seed(store: &Store, b: Option<BusinessId>, who: Who, action: Action, n: i64, age: i64) {
    let note = Note::new(action, b, who, "seeded");
    store
        .write_blocking(move |ctx| {
            let now = now_ms();
            for i in 0..n {
                record_at(ctx, &Origin::local("test"), &note, now - age - i)?;
            }
            Ok(())
        })
        .expect("seed");
}

#[test]
fn action_codes_round_trip_and_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for a in Action::ALL {
        assert_eq!(Action::parse(a.code()), Some(*a));
        assert!(seen.insert(a.code()));
    }
    assert_eq!(Action::parse("login_succeded"), None);
}

#[test]
fn ids_of_one_millisecond_keep_their_order() {
    let ids: Vec<_> = (0..1000).map(|_| repo::id_at(1_700_000_000_000)).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn a_rare_combined_match_answers_a_short_page_with_a_cursor() {
    let (_dir, store) = store();
    let b = Some(BusinessId::new());
    let ana = Who::User {
        id: UserId::new(),
        email: "ana@x.test".into(),
    };
    seed(&store, b, ana.clone(), Action::FlowPublished, 1, 10_000);
    seed(&store, b, ana.clone(), Action::LoginSucceeded, 2_500, 0);
    let mut q = Query::new(Partition::Business(BusinessId::new()));
    let r = store.read().expect("read");
    assert_eq!(repo::page(&r, &q, 50).expect("page"), (vec![], None));

    q.partition = Partition::All;
    q.actor = Some(ActorKey::of(&ana));
    q.action = Some(Action::FlowPublished);
    let (first, cursor) = repo::page(&r, &q, 50).expect("page");
    assert!(first.is_empty(), "2,000 examined, none matched");
    q.before = cursor;
    assert!(q.before.is_some());
    let (second, end) = repo::page(&r, &q, 50).expect("page");
    assert_eq!((second.len(), end), (1, None));
    assert_eq!(second[0].action, "flow_published");
}

#[test]
fn pruning_deletes_old_entries_and_their_index_keys_in_batches() {
    let (_dir, store) = store();
    let b = Some(BusinessId::new());
    let day = 86_400_000;
    seed(
        &store,
        b,
        Who::System,
        Action::PasswordReset,
        2_500,
        40 * day,
    );
    seed(
        &store,
        None,
        Who::Anonymous,
        Action::LoginFailed,
        3,
        10 * day,
    );
    let cutoff = now_ms() - 30 * day;
    let batches: Vec<usize> = std::iter::from_fn(|| {
        let n = store
            .write_blocking(move |ctx| Ok(repo::prune_batch(ctx, cutoff, 1_000)?))
            .expect("prune");
        (n > 0).then_some(n)
    })
    .collect();
    assert_eq!(batches, [1_000, 1_000, 500]);
    let r = store.read().expect("read");
    let (left, _) = repo::page(&r, &Query::new(Partition::All), 50).expect("page");
    assert_eq!(left.len(), 3);
    assert!(left.iter().all(|e| e.action == "login_failed"));
    let mut problems = Vec::new();
    repo::check_indexes(&r, &mut problems).expect("check");
    assert!(problems.is_empty(), "{problems:?}");
}
