//! argon2id password hashing. Hashing is slow by design, so callers run it on
//! a blocking thread, never on the writer or an async worker.
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};

use crate::error::{ApiError, ApiResult};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 1024;

pub fn hash(password: &str) -> ApiResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))
}

pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real verification so a missing account is not
/// distinguishable from a wrong password by timing.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("wafunnel-timing-equaliser").unwrap_or_default());
    let _ = verify(password, phc);
}

pub fn check_len(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_LEN {
        Err("must be at least 8 characters")
    } else if password.trim().is_empty() {
        Err("must not be only spaces")
    } else if password.len() > MAX_LEN {
        Err("must be at most 1024 bytes")
    } else {
        Ok(())
    }
}

/// Hashes on the blocking pool.
pub async fn hash_async(password: String) -> ApiResult<String> {
    actix_web::web::block(move || hash(&password))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
}

pub async fn verify_async(password: String, phc: Option<String>) -> ApiResult<bool> {
    actix_web::web::block(move || match phc {
        Some(phc) => verify(&password, &phc),
        None => {
            verify_dummy(&password);
            false
        }
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_reject() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse", &h));
        assert!(!verify("x", "not a phc string"));
        assert!(check_len("short").is_err() && check_len("long enough").is_ok());
    }
}
