//! Which page a path shows: the app's route table, as data.
//!
//! The app routes by itself instead of with `leptos_router`: that router was a quarter of the
//! first screen's wasm (about 50 KB gzip of its own in a bare app) for a table of eight paths.
//! `components::router` keeps the location in a signal and follows links and Back; this module is
//! the pure part, unit-tested on the host.

/// The last segment of a retrospective's path (`/incidents/7/retrospective`).
pub const RETROSPECTIVE: &str = "retrospective";

/// A page of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// `/`: the health board.
    Board,
    /// `/incidents`.
    Incidents,
    /// `/incidents/new`: declare an incident.
    Declare,
    /// `/incidents/{id}`; the segment as written, percent-decoded (the page says when it is not a
    /// number).
    Incident(String),
    /// `/login`.
    Login,
    /// `/users`.
    Users,
    /// `/share-links`.
    ShareLinks,
    /// `/share/{token}`: opening a read-only link.
    Share(String),
    /// Anything else.
    NotFound,
}

impl Page {
    /// The page for a location's `pathname` (without query or fragment). One trailing slash is
    /// ignored, as the gateway's paths are.
    pub fn of(path: &str) -> Page {
        let path = match path.strip_suffix('/') {
            Some(trimmed) if !trimmed.is_empty() && !trimmed.ends_with('/') => trimmed,
            _ => path,
        };
        let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
        match segments.as_slice() {
            [""] => Page::Board,
            ["incidents"] => Page::Incidents,
            ["incidents", "new"] => Page::Declare,
            ["incidents", id] if !id.is_empty() => Page::Incident(decode_component(id)),
            // Pages inside the incident pages' chunks (which load their code in turn, so that
            // the first screen does not grow): an incident's retrospective, and `/actions`.
            ["incidents", id, RETROSPECTIVE] if !id.is_empty() => {
                Page::Incident(format!("{}/{RETROSPECTIVE}", decode_component(id)))
            }
            ["actions"] => Page::Incidents,
            ["login"] => Page::Login,
            ["users"] => Page::Users,
            ["share-links"] => Page::ShareLinks,
            ["share", token] if !token.is_empty() => Page::Share(decode_component(token)),
            _ => Page::NotFound,
        }
    }

    /// The same page with its parameters emptied: which page, not which incident.
    pub fn without_parameters(&self) -> Page {
        match self {
            Page::Incident(_) => Page::Incident(String::new()),
            Page::Share(_) => Page::Share(String::new()),
            other => other.clone(),
        }
    }

    /// Whether a link to `href` is the page at `path` (or, unless `exact`, a page below it): the
    /// nav marks it `aria-current="page"`.
    pub fn link_is_current(href: &str, path: &str, exact: bool) -> bool {
        let href = href.trim_end_matches('/');
        let path = path.trim_end_matches('/');
        path == href || (!exact && path.starts_with(href) && path[href.len()..].starts_with('/'))
    }
}

/// Percent-decodes one path segment or query value (`+` stays `+`; see [`query_value`] for
/// queries). Malformed escapes and non-UTF-8 results are kept as written.
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push(((hex(h).unwrap_or(0) << 4) | hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// The first value of `name` in a query string (`search` with or without its `?`), decoded as a
/// form would encode it (`+` is a space).
pub fn query_value(search: &str, name: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| decode_component(&s.replace('+', " "));
            (decode(key) == name).then(|| decode(value))
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::access::login_redirect;

    #[test]
    fn every_route_of_the_table() {
        assert_eq!(Page::of("/"), Page::Board);
        assert_eq!(Page::of("/incidents"), Page::Incidents);
        assert_eq!(Page::of("/incidents/"), Page::Incidents);
        assert_eq!(Page::of("/incidents/new"), Page::Declare);
        assert_eq!(Page::of("/incidents/7"), Page::Incident("7".into()));
        assert_eq!(Page::of("/incidents/x%20y"), Page::Incident("x y".into()));
        assert_eq!(
            Page::of("/incidents/7/retrospective"),
            Page::Incident("7/retrospective".into())
        );
        assert_eq!(Page::of("/incidents/7/other"), Page::NotFound);
        assert_eq!(Page::of("/actions"), Page::Incidents);
        assert_eq!(Page::of("/login"), Page::Login);
        assert_eq!(Page::of("/users"), Page::Users);
        assert_eq!(Page::of("/share-links"), Page::ShareLinks);
        assert_eq!(Page::of("/share/abc-_9"), Page::Share("abc-_9".into()));
    }

    #[test]
    fn anything_else_is_not_found() {
        for path in [
            "/nope",
            "/incidents/7/edit",
            "/share",
            "/share/",
            "/users/ana",
            "//",
            "/login/x",
            "",
        ] {
            let page = Page::of(path);
            assert!(
                page == Page::NotFound || (path.is_empty() && page == Page::Board),
                "{path}: {page:?}"
            );
        }
    }

    #[test]
    fn nav_links_know_their_page() {
        assert!(Page::link_is_current("/", "/", true));
        assert!(!Page::link_is_current("/", "/incidents", true));
        assert!(Page::link_is_current("/incidents", "/incidents/7", false));
        assert!(!Page::link_is_current(
            "/incidents",
            "/incidents-old",
            false
        ));
        assert!(!Page::link_is_current("/users", "/share-links", false));
    }

    #[test]
    fn query_values_are_decoded_like_a_form() {
        let redirect = login_redirect("/incidents/7", "a=b c").unwrap();
        let search = redirect.split_once('?').unwrap().1;
        assert_eq!(
            query_value(search, "next").as_deref(),
            Some("/incidents/7?a=b c")
        );
        assert_eq!(
            query_value("?x=1&next=%2Fusers", "next").as_deref(),
            Some("/users")
        );
        assert_eq!(query_value("?q=a+b", "q").as_deref(), Some("a b"));
        assert_eq!(query_value("?next", "next").as_deref(), Some(""));
        assert_eq!(query_value("", "next"), None);
        assert_eq!(decode_component("%zz%4"), "%zz%4");
        assert_eq!(decode_component("%C3%A9"), "é");
        assert_eq!(decode_component("%FF"), "%FF");
    }
}
