//! Conversations as an actor may see them: every read goes through here, and
//! what the scope does not cover is indistinguishable from what does not exist.
use super::{
    model::{Conversation, Message, Note, Source, Status},
    repo,
};
use crate::{
    contacts::Contact,
    error::{ApiError, ApiResult},
    store::{
        self,
        ids::{ContactId, ConversationId, MemberId, MessageId, NumberId},
        Key, Reader, Tbl,
    },
    tenancy::Scope,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Mine,
    Unassigned,
    All,
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub view: View,
    pub source: Option<Source>,
    pub status: Option<Status>,
    pub number_id: Option<NumberId>,
    pub label: Option<String>,
    pub assignee_id: Option<MemberId>,
    /// Exclusive: the order suffix of the last item of the previous page.
    pub after: Option<Vec<u8>>,
    pub limit: usize,
}

/// Index entries examined per request at most, so a rare filter cannot turn a
/// page into a scan of the business; the cursor lets the client go on.
const MAX_SCAN: usize = 5_000;

pub struct Conversations<'a, R: Reader + ?Sized> {
    r: &'a R,
    scope: &'a Scope,
}

impl<'a, R: Reader + ?Sized> Conversations<'a, R> {
    pub fn new(r: &'a R, scope: &'a Scope) -> Self {
        Conversations { r, scope }
    }

    pub fn get(&self, id: ConversationId) -> ApiResult<Conversation> {
        repo::get(self.r, self.scope.business_id, id)?
            .filter(|c| self.scope.sees_conversation(c.assignee_id))
            .ok_or_else(|| ApiError::not_found("conversation"))
    }

    /// A contact, to an actor who may open one of its conversations.
    pub fn contact(&self, id: ContactId) -> ApiResult<(Contact, Vec<Conversation>)> {
        let b = self.scope.business_id;
        let mut seen = Vec::new();
        for c in repo::of_contact(self.r, b, id)? {
            if let Ok(c) = self.get(c) {
                seen.push(c);
            }
        }
        match crate::contacts::get(self.r, b, id)? {
            Some(contact) if !seen.is_empty() => Ok((contact, seen)),
            _ => Err(ApiError::not_found("contact")),
        }
    }

    pub fn messages(
        &self,
        id: ConversationId,
        before: Option<MessageId>,
        limit: usize,
    ) -> ApiResult<Vec<Message>> {
        let c = self.get(id)?;
        Ok(repo::messages(self.r, c.business_id, c.id, before, limit)?)
    }

    /// The thread from its newest message back to `until`, so it can open
    /// scrolled to that message (None: not among the newest `limit`).
    pub fn messages_until(
        &self,
        id: ConversationId,
        until: MessageId,
        limit: usize,
    ) -> ApiResult<Option<Vec<Message>>> {
        let c = self.get(id)?;
        Ok(repo::messages_until(
            self.r,
            c.business_id,
            c.id,
            until,
            limit,
        )?)
    }

    pub fn notes(&self, id: ConversationId) -> ApiResult<Vec<Note>> {
        let c = self.get(id)?;
        Ok(repo::notes(self.r, c.business_id, c.id)?)
    }

    /// The index prefixes whose union is the requested view within the scope.
    fn streams(&self, q: &ListQuery) -> Vec<(Tbl, Vec<u8>)> {
        let b = self.scope.business_id;
        let me = self.scope.member_id;
        let assignees: Vec<Option<MemberId>> = match (q.view, q.assignee_id) {
            (View::Mine, _) => vec![Some(me)],
            (View::Unassigned, _) => vec![None],
            (View::All, Some(m)) => vec![Some(m)],
            (View::All, None) => match self.scope.visible_assignees() {
                None => return vec![(repo::BY_ACTIVITY, b.bytes().to_vec())],
                Some(members) => members.iter().copied().map(Some).chain([None]).collect(),
            },
        };
        assignees
            .into_iter()
            .filter(|a| self.scope.sees_conversation(*a))
            .map(|a| (repo::BY_ASSIGNEE, repo::assignee_prefix(b, a)))
            .collect()
    }

    fn matches(&self, c: &Conversation, q: &ListQuery) -> bool {
        self.scope.sees_conversation(c.assignee_id)
            && q.source.is_none_or(|s| c.source == s)
            && q.status.is_none_or(|s| c.status == s)
            && q.number_id.is_none_or(|n| c.number_id == Some(n))
            && q.label
                .as_ref()
                .is_none_or(|l| c.labels.iter().any(|x| x == l))
    }

    /// A page of the view, newest activity first, and the cursor of the next.
    pub fn list(&self, q: &ListQuery) -> ApiResult<(Vec<Conversation>, Option<Vec<u8>>)> {
        let streams = self.streams(q);
        let mut out = Vec::new();
        let mut cursor = q.after.clone();
        let mut scanned = 0;
        let batch = (q.limit * 2).clamp(16, 512);
        loop {
            let suffixes = self.merged(&streams, cursor.as_deref(), batch)?;
            if suffixes.is_empty() {
                return Ok((out, None));
            }
            for suffix in suffixes {
                scanned += 1;
                let id = suffix.get(8..).and_then(ConversationId::from_bytes);
                cursor = Some(suffix);
                if let Some(c) = id
                    .map(|id| repo::get(self.r, self.scope.business_id, id))
                    .transpose()?
                    .flatten()
                {
                    if self.matches(&c, q) {
                        out.push(c);
                        if out.len() == q.limit {
                            return Ok((out, cursor));
                        }
                    }
                }
                if scanned >= MAX_SCAN {
                    return Ok((out, cursor));
                }
            }
        }
    }

    /// The next `n` order suffixes after `after` across all streams, in order.
    fn merged(
        &self,
        streams: &[(Tbl, Vec<u8>)],
        after: Option<&[u8]>,
        n: usize,
    ) -> ApiResult<Vec<Vec<u8>>> {
        let mut all = Vec::new();
        for (table, prefix) in streams {
            let start = after.map(|a| Key::new().raw(prefix).raw(a).done());
            let keys = store::scan_keys(self.r, *table, prefix, start.as_deref(), n)?;
            all.extend(keys.into_iter().map(|k| k[prefix.len()..].to_vec()));
        }
        all.sort();
        all.dedup();
        all.truncate(n);
        Ok(all)
    }
}
