//! Spreadsheet exports of what an actor may see: the conversation list and
//! the Leads table as CSV, streamed a page at a time.
pub mod routes;
pub mod sheet;
