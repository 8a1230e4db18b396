//! The key that makes environment fingerprints this gateway's own: 32 random bytes in the data
//! directory (`fingerprint.key`, `0600`), made once and kept, so that "changed since the last
//! look" survives a restart and a fingerprint cannot be checked against guesses elsewhere.

use std::io::{Read, Write};
use std::path::Path;

const FILE: &str = "fingerprint.key";
const LEN: usize = 32;

/// Reads the key, making it first if there is none.
pub fn load_or_create(data_dir: &Path) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = data_dir.join(FILE);
    match std::fs::File::open(&path) {
        Ok(mut f) => {
            let mut key = Vec::new();
            f.read_to_end(&mut key)?;
            if key.len() != LEN {
                return Err(std::io::Error::other(format!(
                    "{} holds {} bytes, not {LEN}: delete it to make a new key (fingerprints then change once)",
                    path.display(),
                    key.len()
                )));
            }
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = vec![0u8; LEN];
            getrandom::fill(&mut key).map_err(|e| {
                std::io::Error::other(format!("no randomness for the fingerprint key: {e}"))
            })?;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)?;
            f.write_all(&key)?;
            f.sync_all()?;
            Ok(key)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        assert_eq!(first.len(), LEN);
        let mode = std::fs::metadata(dir.path().join(FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load_or_create(dir.path()).unwrap(), first);
        std::fs::write(dir.path().join(FILE), b"short").unwrap();
        let err = load_or_create(dir.path()).unwrap_err();
        assert!(err.to_string().contains("holds 5 bytes"), "{err}");
    }
}
