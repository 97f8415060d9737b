//! Writes the index documents of store records: a conversation's card, its
//! messages and notes. Every write replaces by key, so replays are harmless.
use tantivy::IndexWriter;

use super::{error, schema};
use crate::{
    contacts,
    conversations::{
        model::{Conversation, Message, Note},
        repo,
    },
    error::ApiResult,
    store::{
        ids::{BusinessId, ConversationId, MessageId},
        Reader,
    },
};

/// Messages read from the store per step when a whole conversation is indexed.
const PAGE: usize = 1_000;

pub struct Docs<'a> {
    pub writer: &'a IndexWriter,
    pub fields: &'a schema::Fields,
}

impl Docs<'_> {
    fn add(&self, doc: tantivy::TantivyDocument) -> ApiResult<()> {
        self.writer.add_document(doc).map_err(error)?;
        Ok(())
    }

    fn replace_key(&self, key: &str) {
        self.writer.delete_term(schema::key_term(self.fields, key));
    }

    pub fn card<R: Reader + ?Sized>(&self, r: &R, c: &Conversation) -> ApiResult<usize> {
        self.replace_key(&schema::card_key(c.id));
        let Some(contact) = contacts::get(r, c.business_id, c.contact_id)? else {
            return Ok(0);
        };
        let custom = contacts::fields(r, c.business_id, c.contact_id)?;
        self.add(schema::card_doc(self.fields, c, &contact, &custom))?;
        Ok(1)
    }

    pub fn message(&self, c: &Conversation, m: &Message) -> ApiResult<usize> {
        self.replace_key(&schema::message_key(m));
        match schema::message_doc(self.fields, c, m) {
            Some(doc) => self.add(doc).map(|_| 1),
            None => Ok(0),
        }
    }

    pub fn note(&self, c: &Conversation, n: &Note) -> ApiResult<usize> {
        self.replace_key(&format!("n:{}", n.id));
        self.add(schema::note_doc(self.fields, c, n)).map(|_| 1)
    }

    /// Everything of one conversation, after removing what the index had of
    /// it (`fresh`: the index is known to hold nothing of it, as in a rebuild).
    pub fn conversation<R: Reader + ?Sized>(
        &self,
        r: &R,
        b: BusinessId,
        id: ConversationId,
        fresh: bool,
    ) -> ApiResult<usize> {
        if !fresh {
            self.writer
                .delete_term(schema::conversation_term(self.fields, id));
        }
        let Some(c) = repo::get(r, b, id)? else {
            return Ok(0);
        };
        let mut n = self.card(r, &c)?;
        let mut before: Option<MessageId> = None;
        loop {
            let page = repo::messages(r, b, id, before, PAGE)?;
            for m in &page {
                if let Some(doc) = schema::message_doc(self.fields, &c, m) {
                    self.add(doc)?;
                    n += 1;
                }
            }
            match page.last() {
                Some(last) if page.len() == PAGE => before = Some(last.id),
                _ => break,
            }
        }
        for note in repo::notes(r, b, id)? {
            self.add(schema::note_doc(self.fields, &c, &note))?;
            n += 1;
        }
        Ok(n)
    }
}
