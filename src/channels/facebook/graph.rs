//! The Graph API calls of Facebook Lead Ads: Facebook Login's code exchange,
//! the pages a user manages, subscribing a page to `leadgen`, its forms, and
//! reading leads. Same base URL, version and error handling as WhatsApp's.
use std::time::Duration;

use serde_json::Value;

use crate::{
    channels::whatsapp::graph::{error_from, unreachable, GraphError},
    config::Meta,
};

#[derive(Clone)]
pub struct FbGraph {
    http: reqwest::Client,
    base: String,
    app_id: String,
    app_secret: String,
}

/// A page the user manages, with its page token.
pub struct ManagedPage {
    pub id: String,
    pub name: String,
    pub token: String,
}

/// One page of a form's leads.
pub struct LeadPage {
    pub leads: Vec<Value>,
    /// The cursor of the next page, while there is one.
    pub after: Option<String>,
}

/// The fields we read of every lead.
pub const LEAD_FIELDS: &str = "created_time,id,ad_id,form_id,field_data";

/// Ids may come as strings or numbers.
pub fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl FbGraph {
    pub fn new(meta: &Meta) -> FbGraph {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        FbGraph {
            http,
            base: format!(
                "{}/{}",
                meta.graph_url.trim_end_matches('/'),
                meta.graph_version
            ),
            app_id: meta.app_id.clone(),
            app_secret: meta.app_secret.clone(),
        }
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, GraphError> {
        let res = self
            .http
            .get(format!("{}/{}", self.base, path.trim_start_matches('/')))
            .query(query)
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(error_from(status, &body))
        }
    }

    fn token_of(body: &Value) -> Result<(String, Option<i64>), GraphError> {
        match body["access_token"].as_str() {
            Some(t) if !t.is_empty() => Ok((t.to_string(), body["expires_in"].as_i64())),
            _ => Err(GraphError {
                code: 0,
                http_status: 200,
                message: "Facebook returned no access token".into(),
                failure: crate::channels::whatsapp::graph::Failure::Permanent,
                retry_after: None,
            }),
        }
    }

    /// Login's `code` → a short-lived user token.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<String, GraphError> {
        let body = self
            .get(
                "oauth/access_token",
                &[
                    ("client_id", &self.app_id),
                    ("redirect_uri", redirect_uri),
                    ("client_secret", &self.app_secret),
                    ("code", code),
                ],
            )
            .await?;
        Ok(Self::token_of(&body)?.0)
    }

    /// A user token → a long-lived one (about 60 days) and its lifetime in seconds.
    pub async fn long_lived(&self, token: &str) -> Result<(String, Option<i64>), GraphError> {
        let body = self
            .get(
                "oauth/access_token",
                &[
                    ("grant_type", "fb_exchange_token"),
                    ("client_id", &self.app_id),
                    ("client_secret", &self.app_secret),
                    ("fb_exchange_token", token),
                ],
            )
            .await?;
        Self::token_of(&body)
    }

    /// The pages the user manages; their tokens, derived from a long-lived
    /// user token, do not expire.
    pub async fn pages(&self, user_token: &str) -> Result<Vec<ManagedPage>, GraphError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..50 {
            let mut q = vec![
                ("fields", "id,name,access_token,tasks"),
                ("access_token", user_token),
                ("limit", "100"),
            ];
            if let Some(a) = &after {
                q.push(("after", a));
            }
            let body = self.get("me/accounts", &q).await?;
            for p in body["data"].as_array().into_iter().flatten() {
                if let (Some(id), Some(token)) = (id_text(&p["id"]), p["access_token"].as_str()) {
                    out.push(ManagedPage {
                        id,
                        name: p["name"].as_str().unwrap_or("Facebook page").to_string(),
                        token: token.to_string(),
                    });
                }
            }
            match next_cursor(&body) {
                Some(a) => after = Some(a),
                None => break,
            }
        }
        Ok(out)
    }

    /// Who signed in: `GET /me` with the fields Facebook Login grants by default.
    pub async fn me(&self, user_token: &str) -> Result<super::login::Profile, GraphError> {
        let body = self
            .get(
                "me",
                &[
                    ("fields", "id,name,email,picture"),
                    ("access_token", user_token),
                ],
            )
            .await?;
        let Some(id) = id_text(&body["id"]) else {
            return Err(GraphError {
                code: 0,
                http_status: 200,
                message: "Facebook did not say who signed in".into(),
                failure: crate::channels::whatsapp::graph::Failure::Permanent,
                retry_after: None,
            });
        };
        Ok(super::login::Profile {
            fb_user_id: id,
            name: body["name"].as_str().unwrap_or_default().to_string(),
            email: body["email"].as_str().map(str::to_string),
            picture_url: body["picture"]["data"]["url"].as_str().map(str::to_string),
            user_token: user_token.to_string(),
        })
    }

    /// Subscribes our app to the page's `leadgen` webhook.
    pub async fn subscribe(&self, page_id: &str, page_token: &str) -> Result<(), GraphError> {
        let res = self
            .http
            .post(format!("{}/{}/subscribed_apps", self.base, page_id))
            .query(&[
                ("subscribed_fields", "leadgen"),
                ("access_token", page_token),
            ])
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if (200..300).contains(&status) && body["success"].as_bool() != Some(false) {
            Ok(())
        } else {
            Err(error_from(status, &body))
        }
    }

    /// The page's lead forms: (id, name).
    pub async fn forms(
        &self,
        page_id: &str,
        page_token: &str,
    ) -> Result<Vec<(String, String)>, GraphError> {
        let body = self
            .get(
                &format!("{page_id}/leadgen_forms"),
                &[
                    ("fields", "id,name"),
                    ("limit", "100"),
                    ("access_token", page_token),
                ],
            )
            .await?;
        Ok(body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| {
                let id = id_text(&f["id"])?;
                Some((id.clone(), f["name"].as_str().unwrap_or(&id).to_string()))
            })
            .collect())
    }

    /// One lead, with its `field_data`.
    pub async fn lead(&self, leadgen_id: &str, page_token: &str) -> Result<Value, GraphError> {
        self.get(
            leadgen_id,
            &[("fields", LEAD_FIELDS), ("access_token", page_token)],
        )
        .await
    }

    /// A page of a form's existing leads, from `after`.
    pub async fn form_leads(
        &self,
        form_id: &str,
        page_token: &str,
        after: Option<&str>,
    ) -> Result<LeadPage, GraphError> {
        let mut q = vec![
            ("fields", LEAD_FIELDS),
            ("limit", "100"),
            ("access_token", page_token),
        ];
        if let Some(a) = after {
            q.push(("after", a));
        }
        let body = self.get(&format!("{form_id}/leads"), &q).await?;
        Ok(LeadPage {
            leads: body["data"].as_array().cloned().unwrap_or_default(),
            after: next_cursor(&body),
        })
    }

    /// Whether the page token still works (`GET /{page_id}`).
    pub async fn check_page(&self, page_id: &str, page_token: &str) -> Result<(), GraphError> {
        self.get(page_id, &[("fields", "id"), ("access_token", page_token)])
            .await
            .map(|_| ())
    }
}

/// Meta sends `paging.next` only while there is another page.
fn next_cursor(body: &Value) -> Option<String> {
    match (
        body["paging"]["next"].as_str(),
        body["paging"]["cursors"]["after"].as_str(),
    ) {
        (Some(_), Some(a)) => Some(a.to_string()),
        _ => None,
    }
}
