//! The OpenID provider as seen from here: its discovery document and signing
//! keys (cached for an hour; the keys fetched again once when a token names a
//! key we have not seen, which is how providers rotate), the code exchange,
//! and the ID token's verification.
use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

use crate::config::Google;

const CACHE_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
}

/// Why a sign-in with the provider failed: for the audit log and the server
/// log, never shown to the browser beyond a generic code.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the provider could not be reached or answered badly: {0}")]
    Provider(String),
    #[error("the ID token was refused: {0}")]
    Token(String),
}

#[derive(Default)]
struct Cache {
    discovery: Option<(Discovery, Instant)>,
    keys: Option<(JwkSet, Instant)>,
}

/// Claims of a verified ID token that sign-in uses.
#[derive(Debug, Clone)]
pub struct Identity {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
}

pub struct Provider {
    http: reqwest::Client,
    cache: Mutex<Cache>,
}

impl Default for Provider {
    fn default() -> Self {
        Self::new()
    }
}

impl Provider {
    pub fn new() -> Provider {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Provider {
            http,
            cache: Mutex::new(Cache::default()),
        }
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(&self, url: &str) -> Result<T, OidcError> {
        let res = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| OidcError::Provider(format!("{url}: {e}")))?;
        if !res.status().is_success() {
            return Err(OidcError::Provider(format!("{url}: HTTP {}", res.status())));
        }
        res.json()
            .await
            .map_err(|e| OidcError::Provider(format!("{url}: {e}")))
    }

    pub async fn discovery(&self, google: &Google) -> Result<Discovery, OidcError> {
        if let Ok(c) = self.cache.lock() {
            if let Some((d, at)) = &c.discovery {
                if at.elapsed() < CACHE_TTL {
                    return Ok(d.clone());
                }
            }
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            google.issuer.trim_end_matches('/')
        );
        let d: Discovery = self.get_json(&url).await?;
        if let Ok(mut c) = self.cache.lock() {
            c.discovery = Some((d.clone(), Instant::now()));
        }
        Ok(d)
    }

    async fn keys(&self, google: &Google, fresh: bool) -> Result<JwkSet, OidcError> {
        if !fresh {
            if let Ok(c) = self.cache.lock() {
                if let Some((k, at)) = &c.keys {
                    if at.elapsed() < CACHE_TTL {
                        return Ok(k.clone());
                    }
                }
            }
        }
        let d = self.discovery(google).await?;
        let keys: JwkSet = self.get_json(&d.jwks_uri).await?;
        if let Ok(mut c) = self.cache.lock() {
            c.keys = Some((keys.clone(), Instant::now()));
        }
        Ok(keys)
    }

    /// The authorization code (with its PKCE verifier) → the ID token.
    pub async fn exchange(
        &self,
        google: &Google,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<String, OidcError> {
        let d = self.discovery(google).await?;
        let res = self
            .http
            .post(&d.token_endpoint)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("client_id", &google.client_id),
                ("client_secret", &google.client_secret),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        let status = res.status();
        let body: Value = res
            .json()
            .await
            .map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        if !status.is_success() {
            let why = body["error"].as_str().unwrap_or("no error code");
            return Err(OidcError::Provider(format!(
                "token endpoint: HTTP {status} ({why})"
            )));
        }
        body["id_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| OidcError::Provider("token endpoint: no id_token".into()))
    }

    /// Signature (RS256, by `kid` from the JWKS), `iss`, `aud` (with `azp`
    /// when there are several audiences), `iat`, `exp` and the `nonce` we
    /// issued. `email_verified` is returned, not judged, so the caller can
    /// tell the user what is wrong.
    pub async fn verify(
        &self,
        google: &Google,
        id_token: &str,
        nonce: &str,
    ) -> Result<Identity, OidcError> {
        let header = jsonwebtoken::decode_header(id_token)
            .map_err(|e| OidcError::Token(format!("header: {e}")))?;
        if header.alg != Algorithm::RS256 {
            return Err(OidcError::Token(format!("algorithm {:?}", header.alg)));
        }
        let kid = header
            .kid
            .ok_or_else(|| OidcError::Token("no kid".into()))?;
        let mut keys = self.keys(google, false).await?;
        if keys.find(&kid).is_none() {
            keys = self.keys(google, true).await?;
        }
        let jwk = keys
            .find(&kid)
            .ok_or_else(|| OidcError::Token(format!("unknown key {kid}")))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| OidcError::Token(format!("key: {e}")))?;
        let mut v = Validation::new(Algorithm::RS256);
        v.leeway = 60;
        v.set_audience(&[&google.client_id]);
        // Google writes its issuer both with and without the scheme.
        let issuer = google.issuer.trim_end_matches('/');
        let bare = issuer.trim_start_matches("https://");
        v.set_issuer(&[issuer, bare]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Value>(id_token, &key, &v)
            .map_err(|e| OidcError::Token(e.to_string()))?
            .claims;
        if claims["nonce"].as_str() != Some(nonce) {
            return Err(OidcError::Token("nonce does not match".into()));
        }
        // OpenID Connect Core 3.1.3.7: a token for several audiences names the
        // party it was issued to, and that must be us.
        let several = claims["aud"].as_array().is_some_and(|a| a.len() > 1);
        match claims["azp"].as_str() {
            Some(azp) if azp != google.client_id => {
                return Err(OidcError::Token(format!(
                    "issued to another client ({azp})"
                )))
            }
            None if several => return Err(OidcError::Token("several audiences and no azp".into())),
            _ => {}
        }
        if claims["iat"]
            .as_i64()
            .is_some_and(|iat| iat > crate::time::now_ms() / 1000 + 60)
        {
            return Err(OidcError::Token("issued in the future".into()));
        }
        let email = claims["email"]
            .as_str()
            .filter(|e| super::super::users::valid_email(e))
            .ok_or_else(|| OidcError::Token("no usable email".into()))?;
        // Some providers send the flag as a string.
        let email_verified = matches!(&claims["email_verified"], Value::Bool(true))
            || claims["email_verified"].as_str() == Some("true");
        let sub = claims["sub"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| OidcError::Token("no subject".into()))?;
        Ok(Identity {
            sub: sub.to_string(),
            email: super::super::users::normalize_email(email),
            email_verified,
        })
    }
}
