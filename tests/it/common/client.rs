//! An HTTP client that behaves like the UI: cookie jar, and the CSRF header on
//! every write taken from the `wf_csrf` cookie.
use std::sync::Arc;

use reqwest::{cookie::CookieStore, header::HeaderValue, Method};
use serde_json::Value;

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    jar: Arc<reqwest::cookie::Jar>,
    /// When false, writes go out without the CSRF header (for CSRF tests).
    pub send_csrf: bool,
    pub bearer: Option<String>,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl Client {
    pub fn new(base: &str) -> Client {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .build()
            .expect("client");
        Client {
            http,
            base: base.to_string(),
            jar,
            send_csrf: true,
            bearer: None,
        }
    }

    /// A client that authenticates with an API token and keeps no cookies.
    pub fn with_bearer(base: &str, token: &str) -> Client {
        Client {
            bearer: Some(token.to_string()),
            ..Client::new(base)
        }
    }

    /// A client with the same cookies that does not follow redirects (OAuth hops).
    pub fn without_redirects(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_provider(self.jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = self.base.parse().ok()?;
        let header: HeaderValue = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if self.send_csrf && method != Method::GET {
            if let Some(csrf) = self.cookie("wf_csrf") {
                req = req.header("X-CSRF-Token", csrf);
            }
        }
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        Self::read(res).await
    }

    pub async fn read(res: reqwest::Response) -> Resp {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Resp {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.request(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.request(Method::PATCH, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.request(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.request(Method::DELETE, path, None).await
    }

    /// Sends raw bytes with a content type (malformed-input tests).
    pub async fn raw(&self, method: Method, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Content-Type", content_type)
            .body(body);
        if let Some(csrf) = self.cookie("wf_csrf") {
            req = req.header("X-CSRF-Token", csrf);
        }
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token);
        }
        Self::read(req.send().await.expect("request")).await
    }
}
