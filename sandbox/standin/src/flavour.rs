//! What each kind of Olympus service answers, listener by listener (faults aside).
//!
//! Hera and Athena have one listener with `/health/alive`; Athena (the identity admin app) also
//! `GET /api/health` and `GET /api/identities` (an empty list). Kratos and Hydra have two, like the real
//! Ory servers (Kratos v1.x, Hydra v2.x), so that a console checked against the sandbox cannot
//! pass what a real Olympus fails:
//!
//! * Kratos public: `/health/alive`, `/health/ready`.
//! * Kratos admin: every path that does not start with `/admin` is a 307 to `/admin` + the cleaned
//!   path (query kept); behind it `/admin/health/alive`, `/admin/health/ready`, `/admin/version`.
//! * Hydra public and admin: `/health/alive`, `/health/ready`, no prefix; admin also `/version`.
//!
//! Anything else is a 404 with Ory's JSON error body.

/// The kind of service a `standin http` process stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Hera: one listener, `/health/alive`.
    App,
    /// Athena: one listener, `/health/alive` and its small API.
    Athena,
    Kratos,
    Hydra,
}

/// Which of a service's listeners a request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Public,
    Admin,
}

/// The healthy answer to a request, before it is framed as HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 200 with this JSON body.
    Json(&'static str),
    /// 307 to this location, as Kratos's admin port answers un-prefixed paths.
    Redirect(String),
    NotFound,
    MethodNotAllowed,
}

const OK: &str = r#"{"status":"ok"}"#;
const NO_IDENTITIES: &str = "[]";
const KRATOS_VERSION: &str = r#"{"version":"v1.3.1"}"#;
const HYDRA_VERSION: &str = r#"{"version":"v2.3.0"}"#;
/// Kratos's admin routes all live under this prefix.
const ADMIN_PREFIX: &str = "/admin";

impl Flavour {
    pub fn parse(word: &str) -> Option<Flavour> {
        match word {
            "app" => Some(Flavour::App),
            "athena" => Some(Flavour::Athena),
            "kratos" => Some(Flavour::Kratos),
            "hydra" => Some(Flavour::Hydra),
            _ => None,
        }
    }

    /// Kratos and Hydra serve their admin API on a second port.
    pub fn has_admin(self) -> bool {
        matches!(self, Flavour::Kratos | Flavour::Hydra)
    }

    /// The answer to `method path?query` on `side`.
    pub fn reply(self, side: Side, method: &str, path: &str, query: Option<&str>) -> Reply {
        if self == Flavour::Kratos && side == Side::Admin {
            // Kratos redirects before routing, so for every method, and checks a bare string
            // prefix: `/administrator` is not redirected (and then not found).
            let Some(rest) = path.strip_prefix(ADMIN_PREFIX) else {
                let mut location = clean(&format!("{ADMIN_PREFIX}/{path}"));
                if let Some(q) = query.filter(|q| !q.is_empty()) {
                    location.push('?');
                    location.push_str(q);
                }
                return Reply::Redirect(location);
            };
            return get_only(method, kratos_admin(rest));
        }
        let body = match (self, side, path) {
            (Flavour::App | Flavour::Athena, _, "/health/alive") => Some(OK),
            (Flavour::Athena, _, "/api/health") => Some(OK),
            (Flavour::Athena, _, "/api/identities") => Some(NO_IDENTITIES),
            (Flavour::Kratos | Flavour::Hydra, _, "/health/alive" | "/health/ready") => Some(OK),
            (Flavour::Hydra, Side::Admin, "/version") => Some(HYDRA_VERSION),
            _ => None,
        };
        get_only(method, body)
    }
}

/// Kratos admin routes, after the `/admin` prefix.
fn kratos_admin(rest: &str) -> Option<&'static str> {
    match rest {
        "/health/alive" | "/health/ready" => Some(OK),
        "/version" => Some(KRATOS_VERSION),
        _ => None,
    }
}

/// The health and version routes answer GET and HEAD only.
fn get_only(method: &str, body: Option<&'static str>) -> Reply {
    match body {
        None => Reply::NotFound,
        Some(_) if method != "GET" && method != "HEAD" => Reply::MethodNotAllowed,
        Some(b) => Reply::Json(b),
    }
}

/// A rooted path with empty and `.` segments dropped and `..` applied, no trailing slash: the
/// form Kratos puts in its redirect (Go's `path.Join`).
fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(f: Flavour, side: Side, path: &str) -> Reply {
        f.reply(side, "GET", path, None)
    }

    #[test]
    fn kratos_admin_redirects_every_unprefixed_path() {
        let k = Flavour::Kratos;
        assert_eq!(
            get(k, Side::Admin, "/health/alive"),
            Reply::Redirect("/admin/health/alive".into())
        );
        assert_eq!(
            k.reply(Side::Admin, "POST", "/identities", Some("page_size=1")),
            Reply::Redirect("/admin/identities?page_size=1".into()),
            "any method, query kept"
        );
        assert_eq!(get(k, Side::Admin, "/"), Reply::Redirect("/admin".into()));
        assert_eq!(
            get(k, Side::Admin, "//health/./alive/"),
            Reply::Redirect("/admin/health/alive".into())
        );
        assert_eq!(get(k, Side::Admin, "/admin/health/alive"), Reply::Json(OK));
        assert_eq!(get(k, Side::Admin, "/admin/health/ready"), Reply::Json(OK));
        assert_eq!(
            get(k, Side::Admin, "/admin/version"),
            Reply::Json(KRATOS_VERSION)
        );
        assert_eq!(get(k, Side::Admin, "/administrator"), Reply::NotFound);
        assert_eq!(get(k, Side::Admin, "/admin/nope"), Reply::NotFound);
    }

    #[test]
    fn kratos_public_has_health_without_prefix() {
        let k = Flavour::Kratos;
        assert_eq!(get(k, Side::Public, "/health/alive"), Reply::Json(OK));
        assert_eq!(get(k, Side::Public, "/health/ready"), Reply::Json(OK));
        assert_eq!(get(k, Side::Public, "/admin/health/alive"), Reply::NotFound);
        assert_eq!(get(k, Side::Public, "/version"), Reply::NotFound);
    }

    #[test]
    fn hydra_has_health_on_both_ports_and_version_on_admin() {
        let h = Flavour::Hydra;
        for side in [Side::Public, Side::Admin] {
            assert_eq!(get(h, side, "/health/alive"), Reply::Json(OK), "{side:?}");
            assert_eq!(get(h, side, "/health/ready"), Reply::Json(OK), "{side:?}");
            assert_eq!(get(h, side, "/admin/health/alive"), Reply::NotFound);
        }
        assert_eq!(get(h, Side::Admin, "/version"), Reply::Json(HYDRA_VERSION));
        assert_eq!(get(h, Side::Public, "/version"), Reply::NotFound);
    }

    #[test]
    fn apps_have_alive_only_and_methods_are_checked() {
        let a = Flavour::App;
        assert_eq!(get(a, Side::Public, "/health/alive"), Reply::Json(OK));
        assert_eq!(get(a, Side::Public, "/health/ready"), Reply::NotFound);
        assert_eq!(
            a.reply(Side::Public, "HEAD", "/health/alive", None),
            Reply::Json(OK)
        );
        assert_eq!(
            a.reply(Side::Public, "POST", "/health/alive", None),
            Reply::MethodNotAllowed
        );
        assert_eq!(
            Flavour::Kratos.reply(Side::Admin, "DELETE", "/admin/version", None),
            Reply::MethodNotAllowed
        );
    }

    #[test]
    fn athena_has_its_api() {
        let a = Flavour::Athena;
        assert_eq!(get(a, Side::Public, "/health/alive"), Reply::Json(OK));
        assert_eq!(get(a, Side::Public, "/api/health"), Reply::Json(OK));
        assert_eq!(get(a, Side::Public, "/api/identities"), Reply::Json("[]"));
        assert_eq!(
            get(Flavour::App, Side::Public, "/api/health"),
            Reply::NotFound
        );
    }

    #[test]
    fn flavour_words() {
        assert_eq!(Flavour::parse("kratos"), Some(Flavour::Kratos));
        assert_eq!(Flavour::parse("hydra"), Some(Flavour::Hydra));
        assert_eq!(Flavour::parse("app"), Some(Flavour::App));
        assert_eq!(Flavour::parse("keto"), None);
        assert_eq!(Flavour::parse("athena"), Some(Flavour::Athena));
        assert!(!Flavour::App.has_admin() && !Flavour::Athena.has_admin());
        assert!(Flavour::Kratos.has_admin() && Flavour::Hydra.has_admin());
    }
}
