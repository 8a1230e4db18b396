//! Who is signed in, what their role lets the UI offer, and where sign-in sends them.
//!
//! Pure data and functions, unit-tested natively. The gateway enforces every rule again; the UI only
//! hides what a role cannot use, so that a stakeholder is not shown buttons that answer 403.

use wire::{Me, Role};

/// The session as the app knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `GET /api/me` (or the share link) has not answered yet.
    Unknown,
    SignedIn(Me),
    /// No session. `ended` is true when one existed and the gateway ended it (logout elsewhere,
    /// expiry, account disabled), so the login page can say why the user is back there.
    SignedOut {
        ended: bool,
    },
}

impl Auth {
    pub fn me(&self) -> Option<&Me> {
        match self {
            Auth::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    /// What identifies the session for the live feed: a new value means a new socket is needed
    /// (someone else signed in, or the role changed and the gateway's projection with it).
    pub fn identity(&self) -> Option<(String, Role, bool)> {
        self.me().map(|me| (me.name.clone(), me.role, me.share))
    }
}

/// What the UI offers a session. Derived from [`Me`] only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub role: Role,
    /// A share-link viewer, not an account.
    pub share: bool,
}

impl Access {
    pub fn of(me: &Me) -> Self {
        Access {
            role: me.role,
            share: me.share,
        }
    }

    /// Responders and commanders with an account: sweep button, latency, host internals.
    pub fn full_board(self) -> bool {
        !self.share && self.role.at_least(Role::Responder)
    }

    pub fn can_sweep(self) -> bool {
        self.full_board()
    }

    /// Declare, acknowledge, post updates, notes, scope, resolve, retry channel messages:
    /// responders and commanders with an account. Everyone else sees incidents read-only.
    pub fn can_respond(self) -> bool {
        self.full_board()
    }

    /// Re-grade an incident and resolve one although the board is not all up.
    pub fn can_command(self) -> bool {
        !self.share && self.role == Role::Commander
    }

    /// Users and share links pages, and their nav links.
    pub fn can_administer(self) -> bool {
        !self.share && self.role == Role::Commander
    }

    /// A share session has no account to sign out of; the header says "Read-only link" instead.
    pub fn can_sign_out(self) -> bool {
        !self.share
    }
}

/// Paths that work without a session: the login page itself and share links (which create one).
pub fn is_public(path: &str) -> bool {
    path == "/login" || path.starts_with("/login/") || path.starts_with("/share/")
}

/// Where to send someone found signed out on `path` (and `search`, without `?`): `/login`, with
/// `?next=` when there is somewhere worth coming back to. `None` on public paths.
pub fn login_redirect(path: &str, search: &str) -> Option<String> {
    if is_public(path) {
        return None;
    }
    let mut back = path.to_owned();
    if !search.is_empty() {
        back.push('?');
        back.push_str(search);
    }
    if back.is_empty() || back == "/" {
        return Some("/login".to_owned());
    }
    Some(format!("/login?next={}", encode_component(&back)))
}

/// The `next` parameter, made safe to navigate to: a same-origin path ("/users"), never another
/// site ("//evil.example", "https://…", "/\evil") and never back to a public page. Otherwise "/".
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next.map(str::trim) else {
        return "/".to_owned();
    };
    let same_origin_path = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control);
    let path = next.split(['?', '#']).next().unwrap_or_default();
    if same_origin_path && !is_public(path) {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, for a query value or one path
/// segment (`/api/users/{name}`).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me(role: Role, share: bool) -> Me {
        Me {
            name: "ann".to_owned(),
            role,
            csrf_token: "t".to_owned(),
            share,
            follow_ups: false,
        }
    }

    #[test]
    fn controls_follow_the_role() {
        let stakeholder = Access::of(&me(Role::Stakeholder, false));
        assert!(!stakeholder.full_board() && !stakeholder.can_sweep());
        assert!(!stakeholder.can_administer() && stakeholder.can_sign_out());

        let responder = Access::of(&me(Role::Responder, false));
        assert!(responder.full_board() && responder.can_sweep());
        assert!(!responder.can_administer());

        let commander = Access::of(&me(Role::Commander, false));
        assert!(commander.can_sweep() && commander.can_administer());
    }

    #[test]
    fn incident_controls_follow_the_role() {
        let stakeholder = Access::of(&me(Role::Stakeholder, false));
        assert!(!stakeholder.can_respond() && !stakeholder.can_command());
        let responder = Access::of(&me(Role::Responder, false));
        assert!(responder.can_respond() && !responder.can_command());
        let commander = Access::of(&me(Role::Commander, false));
        assert!(commander.can_respond() && commander.can_command());
        let shared = Access::of(&me(Role::Commander, true));
        assert!(!shared.can_respond() && !shared.can_command());
    }

    #[test]
    fn a_share_session_is_read_only_whatever_the_role() {
        for role in Role::ALL {
            let access = Access::of(&me(role, true));
            assert!(!access.full_board(), "{role:?}");
            assert!(!access.can_sweep() && !access.can_administer() && !access.can_sign_out());
        }
    }

    #[test]
    fn identity_changes_with_role_but_not_with_the_csrf_token() {
        let a = Auth::SignedIn(me(Role::Responder, false));
        let mut b = me(Role::Responder, false);
        b.csrf_token = "other".to_owned();
        assert_eq!(a.identity(), Auth::SignedIn(b).identity());
        assert_ne!(
            a.identity(),
            Auth::SignedIn(me(Role::Commander, false)).identity()
        );
        assert_eq!(Auth::Unknown.identity(), None);
        assert_eq!(Auth::SignedOut { ended: true }.identity(), None);
    }

    #[test]
    fn login_redirect_keeps_where_the_user_was() {
        assert_eq!(login_redirect("/", "").as_deref(), Some("/login"));
        assert_eq!(
            login_redirect("/users", "").as_deref(),
            Some("/login?next=%2Fusers")
        );
        assert_eq!(
            login_redirect("/share-links", "a=1&b=2").as_deref(),
            Some("/login?next=%2Fshare-links%3Fa%3D1%26b%3D2")
        );
        assert_eq!(login_redirect("/login", "next=%2Fusers"), None);
        assert_eq!(login_redirect("/share/abc", ""), None);
    }

    #[test]
    fn next_is_a_same_origin_path_or_home() {
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/users")), "/users");
        assert_eq!(safe_next(Some("/share-links?x=1")), "/share-links?x=1");
        assert_eq!(safe_next(Some("")), "/");
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("javascript:alert(1)")), "/");
        assert_eq!(safe_next(Some("/login")), "/");
        assert_eq!(safe_next(Some("/login?next=/users")), "/");
        assert_eq!(safe_next(Some("/share/tok")), "/");
        assert_eq!(safe_next(Some("/a\nb")), "/");
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("ann.lee-2_x~"), "ann.lee-2_x~");
        assert_eq!(encode_component("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(encode_component("é"), "%C3%A9");
    }
}
