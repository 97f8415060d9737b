//! Crypto-shredding for what Facebook Login hands us about a person: their
//! profile and tokens are stored only sealed (AES-256-GCM) under a key of
//! their own, kept outside the store in `facebook-keys.json` (0600). redb
//! never overwrites freed pages, so a deleted record's bytes may linger in the
//! file; forgetting the key makes every copy, live or stale, unreadable.
//! The file is replaced atomically (write, fsync, rename, fsync the folder).
//!
//! Also holds the pepper of the keyed hash that finds a person's records by
//! their app-scoped Facebook id without storing the id itself.
use std::{
    collections::{BTreeMap, HashMap},
    io::Write,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
};

use aes_gcm::{
    aead::{Aead, KeyInit},
    Aes256Gcm, Key, Nonce,
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const FILE: &str = "facebook-keys.json";
const NONCE_LEN: usize = 12;

#[derive(Default, Serialize, Deserialize)]
struct Keyring {
    /// hex, 32 bytes
    pepper: String,
    /// key id → hex AES-256 key
    keys: BTreeMap<String, String>,
}

pub struct Vault {
    path: PathBuf,
    ring: Mutex<Keyring>,
}

/// One vault per data folder: every part of the server that opens a token
/// shares the same keys (tests run several servers in one process).
pub fn of(data_dir: &Path) -> std::io::Result<Arc<Vault>> {
    static OPEN: OnceLock<Mutex<HashMap<PathBuf, Arc<Vault>>>> = OnceLock::new();
    let mut open = OPEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(v) = open.get(data_dir) {
        return Ok(v.clone());
    }
    let vault = Arc::new(Vault::load(data_dir)?);
    open.insert(data_dir.to_path_buf(), vault.clone());
    Ok(vault)
}

fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

impl Vault {
    fn load(dir: &Path) -> std::io::Result<Vault> {
        let path = dir.join(FILE);
        let ring = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Keyring::default(),
            Err(e) => return Err(e),
        };
        let vault = Vault {
            path,
            ring: Mutex::new(ring),
        };
        let mut ring = vault.lock();
        if ring.pepper.len() != 64 {
            std::fs::create_dir_all(dir)?;
            ring.pepper = random_hex(32);
            vault.persist(&ring)?;
        }
        drop(ring);
        Ok(vault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Keyring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn persist(&self, ring: &Keyring) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(ring).map_err(std::io::Error::other)?;
        let tmp = self.path.with_extension("json.tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }

    /// The keyed hash (hex HMAC-SHA256 under the pepper) of a Facebook user id.
    pub fn user_hash(&self, fb_user_id: &str) -> String {
        let pepper = hex::decode(&self.lock().pepper).unwrap_or_default();
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&pepper).expect("HMAC takes any key length");
        mac.update(fb_user_id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn cipher(hex_key: &str) -> Option<Aes256Gcm> {
        let key = hex::decode(hex_key).ok().filter(|k| k.len() == 32)?;
        Some(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)))
    }

    /// Seals `plain` under key `id`, creating (and durably saving) the key first.
    pub fn seal(&self, id: &str, plain: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut ring = self.lock();
        if !ring.keys.contains_key(id) {
            ring.keys.insert(id.to_string(), random_hex(32));
            if let Err(e) = self.persist(&ring) {
                ring.keys.remove(id);
                return Err(e);
            }
        }
        let cipher = ring
            .keys
            .get(id)
            .and_then(|k| Self::cipher(k))
            .ok_or_else(|| std::io::Error::other("bad key in the keyring"))?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .map_err(|_| std::io::Error::other("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(out)
    }

    /// The plaintext, or None once the key is forgotten (or the bytes are not ours).
    pub fn open(&self, id: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        let cipher = self.lock().keys.get(id).and_then(|k| Self::cipher(k))?;
        let (nonce, body) = (sealed.get(..NONCE_LEN)?, sealed.get(NONCE_LEN..)?);
        cipher.decrypt(Nonce::from_slice(nonce), body).ok()
    }

    /// Destroys key `id` for good (idempotent).
    pub fn forget(&self, id: &str) -> std::io::Result<()> {
        let mut ring = self.lock();
        if let Some(old) = ring.keys.remove(id) {
            if let Err(e) = self.persist(&ring) {
                ring.keys.insert(id.to_string(), old);
                return Err(e);
            }
        }
        Ok(())
    }

    pub fn knows(&self, id: &str) -> bool {
        self.lock().keys.contains_key(id)
    }
}

/// Where a backup at `out` keeps the keyring: beside it, since sealed tokens
/// are worthless without their keys.
pub fn beside(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_os_string();
    name.push(".");
    name.push(FILE);
    PathBuf::from(name)
}

/// Copies the keyring of `from_dir` beside the backup at `out` (when there is one).
pub fn backup(from_dir: &Path, out: &Path) -> std::io::Result<bool> {
    copy_private(&from_dir.join(FILE), &beside(out))
}

/// Puts the keyring kept beside the backup `from` into `data_dir` (when there is one).
pub fn restore(from: &Path, data_dir: &Path) -> std::io::Result<bool> {
    copy_private(&beside(from), &data_dir.join(FILE))
}

fn copy_private(src: &Path, dest: &Path) -> std::io::Result<bool> {
    let bytes = match std::fs::read(src) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let staged = Vault {
        path: dest.to_path_buf(),
        ring: Mutex::new(Keyring::default()),
    };
    let ring: Keyring = serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
    staged.persist(&ring)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_until_the_key_is_forgotten_even_after_a_reload() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::load(dir.path()).unwrap();
        let sealed = v.seal("k1", b"EAAB-secret-token").unwrap();
        assert!(!sealed.windows(b"secret".len()).any(|w| w == b"secret"));
        assert_eq!(v.open("k1", &sealed).unwrap(), b"EAAB-secret-token");
        let again = Vault::load(dir.path()).unwrap();
        assert_eq!(again.open("k1", &sealed).unwrap(), b"EAAB-secret-token");
        assert_eq!(again.user_hash("42"), v.user_hash("42"));
        assert_ne!(v.user_hash("42"), v.user_hash("43"));
        again.forget("k1").unwrap();
        assert!(again.open("k1", &sealed).is_none());
        assert!(Vault::load(dir.path())
            .unwrap()
            .open("k1", &sealed)
            .is_none());
        assert!(again.open("k1", b"short").is_none());
    }

    #[test]
    fn a_backup_carries_the_keyring_to_the_restored_folder() {
        let (a, b, out) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let v = Vault::load(a.path()).unwrap();
        let sealed = v.seal("k", b"token").unwrap();
        let snapshot = out.path().join("snap.redb");
        assert!(backup(a.path(), &snapshot).unwrap());
        assert!(restore(&snapshot, b.path()).unwrap());
        let restored = Vault::load(b.path()).unwrap();
        assert_eq!(restored.open("k", &sealed).unwrap(), b"token");
        assert_eq!(restored.user_hash("1"), v.user_hash("1"));
        assert!(!restore(&out.path().join("none.redb"), b.path()).unwrap());
    }
}
