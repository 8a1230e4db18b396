//! Accounts and share links as one kind of principal for axum-login.

use axum_login::{AuthUser, AuthnBackend, UserId};
use sha2::{Digest, Sha256};
use wire::Role;

use crate::accounts::verify;
use crate::store::Store;

/// Someone with a session: an account, or a share link's viewer (always a stakeholder).
#[derive(Clone)]
pub struct Principal {
    /// `u:<id>` for an account, `s:<id>` for a share link.
    pub key: String,
    pub name: String,
    pub role: Role,
    pub share: bool,
    /// When a share link's viewer stops being admitted (ms since the epoch); accounts have none.
    pub expires_at_ms: Option<i64>,
    /// Changes when the password changes or the account is disabled: older sessions stop matching.
    auth_hash: Vec<u8>,
}

impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the hash: it is derived from the password hash.
        f.debug_struct("Principal")
            .field("key", &self.key)
            .field("role", &self.role)
            .finish()
    }
}

impl AuthUser for Principal {
    type Id = String;

    fn id(&self) -> String {
        self.key.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

/// What a sign-in offers.
pub enum LoginCredentials {
    Password { name: String, password: String },
    ShareToken(String),
}

#[derive(Clone)]
pub struct Backend {
    store: Store,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BackendError(String);

/// An Argon2id hash of a random password, checked when the account does not exist so that a
/// missing account takes as long to refuse as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password_auth::generate_hash("no account has this password"));

impl Backend {
    pub fn new(store: Store) -> Self {
        Backend { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    async fn account(&self, id: i64) -> Result<Option<Principal>, BackendError> {
        let creds = self
            .store
            .user_by_id(id)
            .await
            .map_err(|e| BackendError(e.to_string()))?;
        Ok(creds.filter(|c| !c.info.disabled).map(|c| {
            let mut h = Sha256::new();
            h.update(c.password_hash.as_bytes());
            h.update(c.session_epoch.to_le_bytes());
            Principal {
                key: format!("u:{}", c.info.id),
                name: c.info.name,
                role: c.info.role,
                share: false,
                expires_at_ms: None,
                auth_hash: h.finalize().to_vec(),
            }
        }))
    }

    async fn share(&self, id: i64) -> Result<Option<Principal>, BackendError> {
        let link = self
            .store
            .valid_share_link(id)
            .await
            .map_err(|e| BackendError(e.to_string()))?;
        Ok(link.map(|l| Principal {
            key: format!("s:{}", l.id),
            name: l.label,
            role: Role::Stakeholder,
            share: true,
            expires_at_ms: Some(l.expires_at_ms),
            auth_hash: Sha256::digest(format!("share:{}", l.id).as_bytes()).to_vec(),
        }))
    }
}

impl AuthnBackend for Backend {
    type User = Principal;
    type Credentials = LoginCredentials;
    type Error = BackendError;

    async fn authenticate(
        &self,
        creds: LoginCredentials,
    ) -> Result<Option<Principal>, BackendError> {
        match creds {
            LoginCredentials::Password { name, password } => {
                let found = self
                    .store
                    .credentials(&name)
                    .await
                    .map_err(|e| BackendError(e.to_string()))?;
                let hash = found
                    .as_ref()
                    .map_or_else(|| DUMMY_HASH.clone(), |c| c.password_hash.clone());
                let ok = verify(password, hash).await;
                match found {
                    Some(c) if ok && !c.info.disabled => self.account(c.info.id).await,
                    _ => Ok(None),
                }
            }
            LoginCredentials::ShareToken(token) => {
                let link = self
                    .store
                    .open_share_link(&token)
                    .await
                    .map_err(|e| BackendError(e.to_string()))?;
                match link {
                    Some(l) => self.share(l.id).await,
                    None => Ok(None),
                }
            }
        }
    }

    async fn get_user(&self, key: &UserId<Self>) -> Result<Option<Principal>, BackendError> {
        let parsed = key
            .split_once(':')
            .and_then(|(kind, id)| Some((kind, id.parse::<i64>().ok()?)));
        match parsed {
            Some(("u", id)) => self.account(id).await,
            Some(("s", id)) => self.share(id).await,
            _ => Ok(None),
        }
    }
}
