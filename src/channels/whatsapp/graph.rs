//! The Graph API client for sending, and how Meta's errors are treated: retried
//! with backoff, retried later for one recipient, or failed for good with
//! Meta's reason. Base URL and version come from config (tests use a fake).
use std::time::Duration;

use serde_json::Value;

use crate::config::Meta;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Transient on Meta's side or a throughput limit: retry with backoff.
    Retry,
    /// Media download/upload errors: one more try, then permanent.
    RetryOnce,
    /// Too many messages to this recipient (131056): wait before the next try.
    RecipientBackoff,
    /// The access token is dead (190): the owner must reconnect the number.
    TokenDead,
    /// Spam rate limit or a policy block (131048, 368): the number pauses.
    PauseNumber,
    /// Never retry: the window is closed, the parameters are wrong, etc.
    Permanent,
    /// The request left and no answer came back (a timeout, a dropped
    /// connection, a crash): Meta may have delivered it, so only a person
    /// sends it again.
    Uncertain,
}

#[derive(Debug, Clone)]
pub struct GraphError {
    pub code: i64,
    pub http_status: u16,
    pub message: String,
    pub failure: Failure,
    /// Meta's `Retry-After` on a throttled answer: no retry sooner than this.
    pub retry_after: Option<Duration>,
}

impl GraphError {
    /// What a person reads on the failed message.
    pub fn reason(&self) -> String {
        match self.code {
            131047 => "More than 24 hours since the customer's last message: only a template can be sent now (131047)".into(),
            0 => self.message.clone(),
            code => format!("{} ({code})", self.message),
        }
    }
}

/// Meta's error codes, per the contract's table.
pub fn classify(code: i64, http_status: u16) -> Failure {
    match code {
        131048 | 368 => Failure::PauseNumber,
        131047 | 131026 | 100 | 131051 | 132000 | 132001 | 131049 => Failure::Permanent,
        1 | 2 | 131000 | 131016 | 130429 | 4 | 80007 => Failure::Retry,
        131056 => Failure::RecipientBackoff,
        131052 | 131053 => Failure::RetryOnce,
        190 => Failure::TokenDead,
        _ if http_status >= 500 || http_status == 429 => Failure::Retry,
        _ => Failure::Permanent,
    }
}

/// Sent on every Graph and media download request.
pub const USER_AGENT: &str = concat!("wafunnel/", env!("CARGO_PKG_VERSION"));

#[derive(Clone)]
pub struct Graph {
    http: reqwest::Client,
    base: String,
}

impl Graph {
    pub fn new(meta: &Meta) -> Graph {
        let http = reqwest::Client::builder()
            // Meta's CDN (lookaside.fbsbx.com) is reported to refuse, or to
            // answer with an HTML page, a download without a User-Agent.
            .user_agent(USER_AGENT)
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Graph {
            http,
            base: format!(
                "{}/{}",
                meta.graph_url.trim_end_matches('/'),
                meta.graph_version
            ),
        }
    }

    /// Sends one message; returns its `wamid`.
    pub async fn send_message(
        &self,
        phone_number_id: &str,
        token: &str,
        payload: &Value,
    ) -> Result<String, GraphError> {
        let res = self
            .http
            .post(format!("{}/{}/messages", self.base, phone_number_id))
            .bearer_auth(token)
            .json(payload)
            .send()
            .await
            .map_err(send_failed)?;
        let status = res.status().as_u16();
        let retry_after = retry_after(res.headers());
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            if let Some(id) = body["messages"][0]["id"].as_str() {
                return Ok(id.to_string());
            }
            return Err(uncertain(
                status,
                "Meta accepted the message but returned no id",
            ));
        }
        Err(GraphError {
            retry_after,
            ..error_from(status, &body)
        })
    }
}

/// A send that never connected is safe to repeat; one that left and got no
/// answer may have been delivered.
fn send_failed(e: reqwest::Error) -> GraphError {
    if e.is_connect() {
        return unreachable(e);
    }
    // Without the URL: Facebook calls carry the access token in the query.
    uncertain(0, &format!("Meta did not answer ({})", e.without_url()))
}

/// Also what a send that was under way when the server stopped becomes.
pub fn uncertain(http_status: u16, what: &str) -> GraphError {
    GraphError {
        code: 0,
        http_status,
        message: format!(
            "{what}: the message may have reached the customer, so it was not sent again. Check the conversation on the phone before retrying"
        ),
        failure: Failure::Uncertain,
        retry_after: None,
    }
}

/// `Retry-After` in seconds (the form Meta uses), capped at an hour so a
/// stray header cannot park a message for days.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds.min(3600)))
}

pub struct MediaInfo {
    pub url: String,
    pub mime_type: Option<String>,
}

/// A downloaded file and the type its server said it is.
pub struct Downloaded {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

pub fn unreachable(e: reqwest::Error) -> GraphError {
    GraphError {
        code: 0,
        http_status: 0,
        // Without the URL: Facebook calls carry the access token in the query.
        message: format!("Meta could not be reached: {}", e.without_url()),
        failure: Failure::Retry,
        retry_after: None,
    }
}

impl Graph {
    /// `GET /{media_id}`: where to download an inbound file (valid for minutes).
    pub async fn media_info(&self, media_id: &str, token: &str) -> Result<MediaInfo, GraphError> {
        let res = self
            .http
            .get(format!("{}/{}", self.base, media_id))
            .bearer_auth(token)
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        match body["url"].as_str() {
            Some(url) if (200..300).contains(&status) => Ok(MediaInfo {
                url: url.to_string(),
                mime_type: body["mime_type"].as_str().map(str::to_string),
            }),
            _ => Err(error_from(status, &body)),
        }
    }

    /// `POST /{phone_number_id}/media`: uploads a file, returns Meta's media id.
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        token: &str,
        bytes: Vec<u8>,
        mime: &str,
        filename: Option<&str>,
    ) -> Result<String, GraphError> {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.unwrap_or("file").to_string())
            .mime_str(mime)
            .map_err(|e| GraphError {
                code: 0,
                http_status: 0,
                message: e.to_string(),
                failure: Failure::Permanent,
                retry_after: None,
            })?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime.to_string())
            .part("file", part);
        let res = self
            .http
            .post(format!("{}/{}/media", self.base, phone_number_id))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        match body["id"].as_str() {
            Some(id) if (200..300).contains(&status) => Ok(id.to_string()),
            _ => Err(error_from(status, &body)),
        }
    }

    /// Every message template of a WABA, following Meta's cursors.
    pub async fn templates(&self, waba_id: &str, token: &str) -> Result<Vec<Value>, GraphError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..100 {
            let mut req = self
                .http
                .get(format!("{}/{}/message_templates", self.base, waba_id))
                .bearer_auth(token)
                .query(&[
                    ("fields", "name,status,category,language,components"),
                    ("limit", "100"),
                ]);
            if let Some(a) = &after {
                req = req.query(&[("after", a.as_str())]);
            }
            let res = req.send().await.map_err(unreachable)?;
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            if !(200..300).contains(&status) {
                return Err(error_from(status, &body));
            }
            out.extend(body["data"].as_array().cloned().unwrap_or_default());
            // Meta sends `next` only while there is another page.
            match (
                body["paging"]["next"].as_str(),
                body["paging"]["cursors"]["after"].as_str(),
            ) {
                (Some(_), Some(a)) => after = Some(a.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    /// Downloads a media URL with the number's token, refusing more than `limit` bytes.
    pub async fn download(
        &self,
        url: &str,
        token: &str,
        limit: usize,
    ) -> Result<Downloaded, GraphError> {
        let mut res = self
            .http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status().as_u16();
        if !(200..300).contains(&status) {
            // Usually an expired URL: the next attempt asks Meta for a fresh one.
            return Err(GraphError {
                code: 0,
                http_status: status,
                message: format!("downloading the file answered HTTP {status}"),
                failure: Failure::Retry,
                retry_after: None,
            });
        }
        let too_big = || GraphError {
            code: 0,
            http_status: status,
            message: format!("the file is larger than {limit} bytes"),
            failure: Failure::Permanent,
            retry_after: None,
        };
        if res.content_length().is_some_and(|n| n as usize > limit) {
            return Err(too_big());
        }
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut out = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(unreachable)? {
            if out.len() + chunk.len() > limit {
                return Err(too_big());
            }
            out.extend_from_slice(&chunk);
        }
        Ok(Downloaded {
            bytes: out,
            content_type,
        })
    }
}

pub fn error_from(status: u16, body: &Value) -> GraphError {
    let e = &body["error"];
    let code = e["code"]
        .as_i64()
        .or_else(|| e["code"].as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0);
    let details = e["error_data"]["details"].as_str();
    let message = details
        .or_else(|| e["message"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| format!("Meta answered HTTP {status}"));
    GraphError {
        code,
        http_status: status,
        message,
        failure: classify(code, status),
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn graph_at(url: String) -> Graph {
        Graph::new(&Meta {
            graph_url: url,
            ..Meta::default()
        })
    }

    #[tokio::test]
    async fn a_send_that_never_connected_is_retried_one_that_left_unanswered_is_not() {
        // Nothing listens: nothing left, so trying again cannot send twice.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let e = graph_at(format!("http://127.0.0.1:{port}"))
            .send_message("PN", "t", &json!({"to": "1"}))
            .await
            .unwrap_err();
        assert_eq!(e.failure, Failure::Retry, "{e:?}");

        // Meta reads the request and the connection drops before the answer.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
        });
        let e = graph_at(url)
            .send_message("PN", "t", &json!({"to": "1"}))
            .await
            .unwrap_err();
        assert_eq!(e.failure, Failure::Uncertain, "{e:?}");
        assert!(
            e.reason().contains("may have reached the customer"),
            "{}",
            e.reason()
        );
    }

    #[test]
    fn errors_are_classified_as_the_contract_says() {
        assert_eq!(classify(131047, 400), Failure::Permanent);
        assert_eq!(classify(130429, 400), Failure::Retry);
        assert_eq!(classify(131056, 400), Failure::RecipientBackoff);
        assert_eq!(classify(190, 401), Failure::TokenDead);
        assert_eq!(classify(131048, 400), Failure::PauseNumber);
        assert_eq!(classify(131053, 400), Failure::RetryOnce);
        assert_eq!(classify(0, 503), Failure::Retry);
        assert_eq!(
            classify(999_999, 400),
            Failure::Permanent,
            "never retry blindly"
        );
        let e = error_from(
            400,
            &json!({"error": {"message": "(#131047) Re-engagement message", "code": 131047,
            "error_data": {"messaging_product": "whatsapp", "details": "Message failed to send because more than 24 hours have passed"}}}),
        );
        assert_eq!(e.code, 131047);
        assert!(e.reason().contains("24 hours"));
        assert_eq!(error_from(502, &json!("<html>")).failure, Failure::Retry);
    }
}
