//! A CSV download produced page by page: a blocking task reads one page per
//! short read transaction and hands the encoded bytes to the response through
//! a small channel, so neither the rows nor the store snapshot outlive a page.
use actix_web::{web, HttpResponse};
use tokio::sync::mpsc;

use crate::{
    error::{ApiError, ApiResult},
    http::AppState,
    store::ReadTxn,
};

/// Excel reads a BOM-less CSV as the local code page and mangles accents.
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Encoded pages in flight: the reader stays at most this far ahead of the client.
const IN_FLIGHT: usize = 2;

/// A spreadsheet must not run what a customer typed as a formula; a phone
/// number (`+`, digits and the usual separators, as in `+1 555 010 2030`)
/// names no function or cell, so it stays as it is.
pub fn cell(s: &str) -> String {
    let phone = s.strip_prefix('+').is_some_and(|rest| {
        rest.bytes().any(|b| b.is_ascii_digit())
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || b" -().".contains(&b))
    });
    match s.chars().next() {
        Some('+') if phone => s.to_string(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn encode<S: AsRef<str>>(rows: &[Vec<S>]) -> ApiResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(row.iter().map(|c| cell(c.as_ref())))
            .map_err(|e| ApiError::internal(e.to_string()))?;
    }
    w.into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// One page of rows and whether another follows.
pub type Page = (Vec<Vec<String>>, bool);

/// Streams `header` then every page `next` yields, each from a fresh read.
/// A failure mid-way aborts the transfer, so a cut file never looks complete.
pub fn response<F>(name: &str, header: &[&str], state: web::Data<AppState>, next: F) -> HttpResponse
where
    F: FnMut(&ReadTxn) -> ApiResult<Page> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(IN_FLIGHT);
    let head = encode(&[header.to_vec()]).map(|h| ([BOM, &h].concat(), true));
    tokio::task::spawn_blocking(move || pump(&tx, head, &state, next));
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let file = format!("{name}-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .streaming(body)
}

type Chunk = Result<web::Bytes, std::io::Error>;

fn pump<F>(
    tx: &mpsc::Sender<Chunk>,
    head: ApiResult<(Vec<u8>, bool)>,
    state: &AppState,
    mut next: F,
) where
    F: FnMut(&ReadTxn) -> ApiResult<Page>,
{
    let mut page = head;
    loop {
        match page {
            // An empty chunk would end a chunked body early.
            Ok((bytes, more)) => {
                let sent = bytes.is_empty() || tx.blocking_send(Ok(bytes.into())).is_ok();
                // A closed channel is a client that went away: stop reading.
                if !sent || !more {
                    return;
                }
            }
            Err(e) => {
                tracing::error!("export stopped: {}", e.message);
                let _ = tx.blocking_send(Err(std::io::Error::other("export stopped")));
                return;
            }
        }
        // A bug in a page's code must cut the transfer like any failure,
        // not end it as if the file were whole.
        page = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            state
                .store
                .read()
                .map_err(ApiError::from)
                .and_then(|r| next(&r))
                .and_then(|(rows, more)| Ok((encode(&rows)?, more)))
        }))
        .unwrap_or_else(|_| Err(ApiError::internal("an export page panicked")));
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised_and_everything_else_kept_whatever_its_first_letter() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("+cmd"), "'+cmd");
        assert_eq!(cell("+"), "'+");
        assert_eq!(cell("+5511987654321"), "+5511987654321");
        assert_eq!(cell("+1 555 010 2030"), "+1 555 010 2030");
        assert_eq!(cell("+55 (11) 98765-4321"), "+55 (11) 98765-4321");
        assert_eq!(cell("+1 555 A1"), "'+1 555 A1");
        assert_eq!(cell("+()"), "'+()");
        for kept in ["Ângela", "¿Cuánto cuesta?", "😀 oi", "É", ""] {
            assert_eq!(cell(kept), kept);
        }
    }
}
