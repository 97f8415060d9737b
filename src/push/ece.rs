//! Web Push message encryption (RFC 8291 over RFC 8188 `aes128gcm`): one
//! record, a fresh sender key and salt per message, keyed to the browser's
//! `p256dh` key and `auth` secret so only that browser can read it.
use aes_gcm::{aead::Aead, Aes128Gcm, KeyInit};
use hkdf::Hkdf;
use p256::{ecdh::diffie_hellman, PublicKey, SecretKey};
use sha2::Sha256;

/// The record size we announce; our payloads always fit one record.
const RECORD_SIZE: u32 = 4096;
/// RFC 8188: the last (here only) record ends with this delimiter byte.
const LAST_RECORD: u8 = 2;
/// Payload bytes a push service must accept (4096 minus the header and tag).
pub const MAX_PLAINTEXT: usize = 3993;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EceError {
    #[error("the subscription's p256dh key is not a P-256 point")]
    BadPublicKey,
    #[error("the subscription's auth secret must be 16 bytes")]
    BadAuthSecret,
    #[error("the payload is larger than one push record")]
    TooLarge,
    #[error("encryption failed")]
    Cipher,
}

/// Encrypts `plaintext` for a subscription with a fresh sender key and salt.
pub fn encrypt(
    ua_public: &[u8],
    auth_secret: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, EceError> {
    let sender = SecretKey::random(&mut rand::rngs::OsRng);
    let mut salt = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
    encrypt_with(ua_public, auth_secret, plaintext, &sender, &salt)
}

/// The deterministic core, so the RFC's worked example can be checked.
pub fn encrypt_with(
    ua_public: &[u8],
    auth_secret: &[u8],
    plaintext: &[u8],
    sender: &SecretKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, EceError> {
    if auth_secret.len() != 16 {
        return Err(EceError::BadAuthSecret);
    }
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EceError::TooLarge);
    }
    let ua = PublicKey::from_sec1_bytes(ua_public).map_err(|_| EceError::BadPublicKey)?;
    let as_public = sender.public_key().to_sec1_bytes();
    let shared = diffie_hellman(sender.to_nonzero_scalar(), ua.as_affine());

    // RFC 8291 §3.4: the auth secret and both public keys bind the key to this pair.
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(&as_public);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth_secret), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|_| EceError::Cipher)?;

    // RFC 8188 §2.2–2.3.
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|_| EceError::Cipher)?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|_| EceError::Cipher)?;

    let mut record = plaintext.to_vec();
    record.push(LAST_RECORD);
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| EceError::Cipher)?;
    let sealed = cipher
        .encrypt(aes_gcm::Nonce::from_slice(&nonce), record.as_slice())
        .map_err(|_| EceError::Cipher)?;

    let mut body = Vec::with_capacity(21 + as_public.len() + sealed.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&sealed);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};

    fn d(s: &str) -> Vec<u8> {
        B64.decode(s).expect("test vector is base64url")
    }

    /// RFC 8291 Appendix A, byte for byte.
    #[test]
    fn the_rfc_8291_worked_example_encrypts_byte_for_byte() {
        let sender = SecretKey::from_slice(&d("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
            .expect("sender key");
        let salt: [u8; 16] = d("DGv6ra1nlYgDCS1FRnbzlw").try_into().expect("16 bytes");
        let body = encrypt_with(
            &d("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
            &d("BTBZMqHH6r4Tts7J_aSIgg"),
            b"When I grow up, I want to be a watermelon",
            &sender,
            &salt,
        )
        .expect("encrypts");
        assert_eq!(
            B64.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn bad_subscription_keys_are_refused_not_panicked_on() {
        let ua = d("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
        assert_eq!(
            encrypt(&[4, 1, 2], &[0; 16], b"x"),
            Err(EceError::BadPublicKey)
        );
        assert_eq!(encrypt(&ua, &[0; 15], b"x"), Err(EceError::BadAuthSecret));
        assert_eq!(encrypt(&ua, &[0; 16], &[0; 4000]), Err(EceError::TooLarge));
        assert!(encrypt(&ua, &[0; 16], b"x").is_ok());
    }
}
