//! Writes the index documents of store records: a conversation's card, its
//! messages and notes. A card or note replaces its earlier document by key; a
//! message is added once (see `indexer`), or with its whole conversation.
use tantivy::{query::TermSetQuery, IndexWriter, TantivyDocument, Term};

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
/// Documents held before they go to the index writer, with one delete for
/// every key and conversation they replace.
const CHUNK: usize = 2_000;

/// A `delete_term` per document costs tantivy a scoring weight of over a
/// kilobyte that stays queued until the commit: 2.5 KB per imported lead. So
/// the documents of a flush are written in chunks, each after a single delete
/// of every key and conversation the chunk replaces. Call `finish` at the end.
pub struct Docs<'a> {
    writer: &'a IndexWriter,
    fields: &'a schema::Fields,
    docs: Vec<TantivyDocument>,
    replaced: Vec<Term>,
}

impl<'a> Docs<'a> {
    pub fn new(writer: &'a IndexWriter, fields: &'a schema::Fields) -> Self {
        Docs {
            writer,
            fields,
            docs: Vec::new(),
            replaced: Vec::new(),
        }
    }

    /// Sends what is held: the deletes first, so they spare the new documents.
    pub fn finish(&mut self) -> ApiResult<()> {
        if !self.replaced.is_empty() {
            let terms = std::mem::take(&mut self.replaced);
            // `delete_query` is hidden in tantivy's docs but public: it is the
            // one call that deletes many terms with a single queued weight.
            self.writer
                .delete_query(Box::new(TermSetQuery::new(terms)))
                .map_err(error)?;
        }
        for doc in self.docs.drain(..) {
            self.writer.add_document(doc).map_err(error)?;
        }
        Ok(())
    }

    fn add(&mut self, doc: TantivyDocument) -> ApiResult<()> {
        self.docs.push(doc);
        if self.docs.len() >= CHUNK {
            self.finish()?;
        }
        Ok(())
    }

    fn replace_key(&mut self, key: &str) {
        self.replaced.push(schema::replaces_term(self.fields, key));
    }

    pub fn card<R: Reader + ?Sized>(&mut self, r: &R, c: &Conversation) -> ApiResult<usize> {
        self.replace_key(&schema::card_key(c.id));
        self.card_doc(r, c)
    }

    fn card_doc<R: Reader + ?Sized>(&mut self, r: &R, c: &Conversation) -> ApiResult<usize> {
        let Some(contact) = contacts::get(r, c.business_id, c.contact_id)? else {
            return Ok(0);
        };
        let custom = contacts::fields(r, c.business_id, c.contact_id)?;
        self.add(schema::card_doc(self.fields, c, &contact, &custom))?;
        Ok(1)
    }

    /// Adds a message the index does not hold yet: the indexer skips the
    /// events of messages a whole-conversation write has read already.
    pub fn message(&mut self, c: &Conversation, m: &Message) -> ApiResult<usize> {
        match schema::message_doc(self.fields, c, m) {
            Some(doc) => self.add(doc).map(|_| 1),
            None => Ok(0),
        }
    }

    /// `message`, from what its event carried instead of the store.
    pub fn message_at(
        &mut self,
        place: &schema::Place,
        id: MessageId,
        created_at: i64,
        text: &str,
    ) -> ApiResult<usize> {
        match schema::message_doc_at(self.fields, place, id, created_at, text) {
            Some(doc) => self.add(doc).map(|_| 1),
            None => Ok(0),
        }
    }

    pub fn note(&mut self, c: &Conversation, n: &Note) -> ApiResult<usize> {
        self.replace_key(&schema::note_key(n));
        self.add(schema::note_doc(self.fields, c, n)).map(|_| 1)
    }

    /// Everything of one conversation, after removing what the index had of
    /// it (`fresh`: the index is known to hold nothing of it, as in a rebuild).
    pub fn conversation<R: Reader + ?Sized>(
        &mut self,
        r: &R,
        b: BusinessId,
        id: ConversationId,
        fresh: bool,
    ) -> ApiResult<usize> {
        if !fresh {
            self.replaced
                .push(schema::conversation_term(self.fields, id));
        }
        let Some(c) = repo::get(r, b, id)? else {
            return Ok(0);
        };
        let mut n = self.card_doc(r, &c)?;
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
