//! Accounts, sessions and share links as the SPA sees them.

use serde::{Deserialize, Serialize};

/// What a signed-in person may do. Ordered by power, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Role {
    /// Read-only: health at component level, incident status and updates.
    Stakeholder,
    /// Sees everything, runs probes and actions.
    Responder,
    /// A responder who also declares, re-grades and closes incidents, approves the most
    /// destructive actions and manages users.
    Commander,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Commander, Role::Responder, Role::Stakeholder];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Commander => "commander",
            Role::Responder => "responder",
            Role::Stakeholder => "stakeholder",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The role for people: "Commander".
    pub fn label(self) -> &'static str {
        match self {
            Role::Commander => "Commander",
            Role::Responder => "Responder",
            Role::Stakeholder => "Stakeholder",
        }
    }

    /// True when this role includes everything `needed` may do.
    pub fn at_least(self, needed: Role) -> bool {
        self >= needed
    }
}

/// One account, without anything secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at_ms: i64,
}

/// Longest account name.
pub const MAX_USER_NAME: usize = 64;
/// Shortest password accepted, in characters (not bytes): the console's form checks it before
/// asking, and the gateway refuses anything shorter.
pub const MIN_PASSWORD: usize = 12;
/// Longest password accepted: Argon2id hashes whatever it is given, so an unbounded password is
/// unbounded work before sign-in.
pub const MAX_PASSWORD: usize = 1024;

/// An account name as the console keys it: trimmed, 1 to [`MAX_USER_NAME`] letters, digits, `.`,
/// `_`, `-` or `@`, compared case-insensitively (lowercased). `None` for anything that cannot be
/// an account name, however long.
pub fn normalise_user_name(name: &str) -> Option<String> {
    let name = name.trim();
    let ok = (1..=MAX_USER_NAME).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    ok.then(|| name.to_ascii_lowercase())
}

/// `POST /api/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub name: String,
    pub password: String,
}

/// `GET /api/me`, and the answer to a login or to opening a share link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The account name, or the share link's label for a share-link viewer.
    pub name: String,
    pub role: Role,
    /// Send as the `x-csrf-token` header on every state-changing request.
    pub csrf_token: String,
    /// True when this session came from a share link, not an account.
    pub share: bool,
    /// After an incident, something waits for this account: an open action item it owns, or (for
    /// responders) a retrospective counting down. The board then loads its follow-ups on sign-in.
    #[serde(default)]
    pub follow_ups: bool,
}

/// `POST /api/users` (commander).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// `PATCH /api/users/{name}` (commander): each field that is present is changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// A read-only share link, as listed to commanders (the token itself is shown only once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLinkInfo {
    pub id: i64,
    pub label: String,
    pub created_by: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub revoked: bool,
}

/// Longest a share link may live, in hours (30 days); the shortest is 1.
pub const MAX_SHARE_HOURS: u32 = 720;

/// `POST /api/share-links` (commander).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewShareLink {
    /// Who it is for, e.g. "Support leads".
    pub label: String,
    /// Hours until it stops working (1 to [`MAX_SHARE_HOURS`]).
    pub expires_in_hours: u32,
}

/// The answer to creating a share link: the only time the token is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedShareLink {
    pub link: ShareLinkInfo,
    /// Path to hand out, e.g. `/share/3q2-...`; prefix it with the console's public URL.
    pub path: String,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable code: `unauthenticated`, `forbidden`, `csrf`, `login_failed`, `rate_limited`,
    /// `bad_request`, `not_found`, `conflict`, `gone`, `internal`.
    pub error: String,
    /// What happened and what the user can do, in one sentence.
    pub message: String,
}

crate::named::read_by_name!(Role, "role");
