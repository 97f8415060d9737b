//! Bulk imports: spreadsheets of leads and WhatsApp chat histories brought
//! in without stalling the server. This first part reads what people upload:
//! which encoding and delimiter a spreadsheet uses, whether it has a header
//! row, and which of its columns are the name, phone, email and the rest.
pub mod chat;
pub mod chat_export;
pub mod chat_run;
pub mod chat_zip;
pub mod cli;
pub mod csv_row;
pub mod csv_run;
pub mod model;
pub mod participant;
pub mod preview;
pub mod routes;
pub mod sniff;
pub mod upload;
