//! The registry of every table and every index check, assembled from the
//! domains. Backup, restore and `wafunnel check` walk exactly this list.
use crate::{
    auth,
    channels::whatsapp,
    contacts, conversations, outbound, scheduler, store,
    store::{check::IndexCheck, TableSpec},
    tenancy,
};

pub fn tables() -> Vec<TableSpec> {
    let mut all = vec![store::migrate::META_SPEC, store::scrub::TABLES[0]];
    for group in [
        auth::users::TABLES,
        auth::session::TABLES,
        auth::tokens::TABLES,
        tenancy::repo::TABLES,
        contacts::TABLES,
        contacts::erase::TABLES,
        conversations::repo::TABLES,
        conversations::timeline::TABLES,
        whatsapp::numbers::TABLES,
        whatsapp::deadletters::TABLES,
        outbound::TABLES,
        whatsapp::media::TABLES,
        whatsapp::templates::TABLES,
        whatsapp::uploads::TABLES,
        scheduler::TABLES,
        crate::replies::TABLES,
        crate::assignment::TABLES,
        crate::channels::custom::TABLES,
        crate::channels::facebook::TABLES,
        crate::channels::facebook::login::TABLES,
        crate::channels::facebook::data_deletion::TABLES,
        crate::notifications::TABLES,
        crate::flows::model::TABLES,
        crate::flows::pause::TABLES,
        crate::followups::TABLES,
        crate::mail::TABLES,
        crate::auth::reset::TABLES,
        crate::auth::signup::TABLES,
        crate::auth::oidc::TABLES,
        crate::tenancy::invites::TABLES,
        crate::simulator::facebook::TABLES,
        conversations::parked::TABLES,
        crate::push::TABLES,
        crate::dashboard::TABLES,
        crate::imports::model::TABLES,
        crate::imports::participant::TABLES,
        crate::notifications::prefs::TABLES,
        crate::audit::TABLES,
        crate::tenancy::usage::TABLES,
        crate::tenancy::support::TABLES,
    ] {
        all.extend_from_slice(group);
    }
    all
}

pub fn index_checks() -> Vec<IndexCheck> {
    vec![
        auth::users::check_indexes,
        auth::session::check_indexes,
        auth::tokens::check_indexes,
        tenancy::repo::check_indexes,
        contacts::check_indexes,
        conversations::repo::check_indexes,
        whatsapp::numbers::check_indexes,
        crate::audit::repo::check_indexes,
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn table_names_are_unique() {
        let tables = super::tables();
        let names: HashSet<String> = tables
            .iter()
            .map(|t| crate::store::table_name(t.def))
            .collect();
        assert_eq!(names.len(), tables.len());
    }
}
