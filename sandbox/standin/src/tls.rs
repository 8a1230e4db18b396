//! TLS for the PostgreSQL stand-in: a rustls server config from `DIR/server.crt` (the chain, PEM)
//! and `DIR/server.key` (PEM), read again for every connection so that `sandbox.sh fault
//! pg-cert-*` can swap the certificate under a running server, as a real PostgreSQL does on
//! reload. rustls never checks its own certificate's dates: an expired one is served as is, and
//! the client's verification fails, which is the point.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use std::path::Path;
use std::sync::Arc;

/// `None` when either file is missing (TLS off: SSLRequest is answered `N`); `Some(Err)` when they
/// exist but do not make a usable config.
pub fn server_config(dir: &Path) -> Option<Result<Arc<ServerConfig>, String>> {
    let (cert, key) = (dir.join("server.crt"), dir.join("server.key"));
    if !cert.is_file() || !key.is_file() {
        return None;
    }
    Some(load(&cert, &key))
}

fn load(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no certificate", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_mean_no_tls_and_garbage_is_an_error() {
        let dir = crate::listener::tests::temp_dir("tls");
        assert!(server_config(&dir).is_none());
        std::fs::write(dir.join("server.crt"), "not pem").expect("write");
        assert!(server_config(&dir).is_none(), "both files are needed");
        std::fs::write(dir.join("server.key"), "not pem").expect("write");
        assert!(matches!(server_config(&dir), Some(Err(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
