//! The answers behind the faults the playbook walkthroughs diagnose, on top of the health routes
//! of `flavour.rs`: each one what the real service answers and logs in that situation.
//!
//! * `db-tls` (Kratos, Hydra): PostgreSQL's certificate expired, so the service cannot reach its
//!   database: its health paths answer 503 with Ory's readiness error, and it logs the failed ping
//!   (here per health request, and every second from `worker.rs`).
//! * `csrf` (Kratos, after its cookie secret was rotated): `POST /self-service/login` fails with
//!   Kratos's `security_csrf_violation` and the audit log line that names the `reject_reason`.
//! * The courier API on Kratos's admin port (`courier.rs`), stuck under `courier-stuck`.
//! * A required environment variable missing (Athena's `ENCRYPTION_KEY`): every request is a 500,
//!   each with an access-log line.
//!
//! And the admin APIs the console's actions use, over state they really change: Kratos's
//! identities, sessions and recovery codes (`kratos.rs`), Hydra's clients, consent and login
//! sessions and tokens (`hydra.rs`); under `db-tls` they fail with 500 like the rest of the API.

use crate::courier::{Courier, Problem};
use crate::fault::HttpFault;
use crate::flavour::{Flavour, Side};
use crate::hydra::Hydra;
use crate::kratos::Kratos;
use crate::logrus::{self, escape, Value};
use crate::request::Request;
use crate::{clock, http};
use std::sync::Mutex;
use std::time::Instant;

/// An answer before HTTP framing, and the line it logs (if any).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
    pub log: Option<String>,
}

impl Answer {
    pub fn json(status: u16, body: String) -> Answer {
        Answer {
            status,
            body,
            headers: Vec::new(),
            log: None,
        }
    }

    /// 204 No Content.
    pub fn no_content() -> Answer {
        Answer::json(204, String::new())
    }

    fn logged(mut self, line: String) -> Answer {
        self.log = Some(line);
        self
    }
}

/// What a request may need beyond its line: the service it reached.
pub struct Ctx<'a> {
    pub flavour: Flavour,
    pub side: Side,
    pub courier: Option<&'a Mutex<Courier>>,
    /// The courier worker is stopped (`fault::courier_stuck`: the fault, set after the start).
    pub courier_stuck: bool,
    pub kratos: Option<&'a Mutex<Kratos>>,
    pub hydra: Option<&'a Mutex<Hydra>>,
    /// Environment variables the service requires and did not get.
    pub missing_env: &'a [String],
    pub started: Instant,
}

/// The answer for the faults and routes of this module, `None` to fall back to `flavour.rs`.
pub fn answer(ctx: &Ctx<'_>, fault: HttpFault, req: &Request) -> Option<Answer> {
    let (method, path, query) = (req.method.as_str(), req.path.as_str(), req.query.as_deref());
    if let Some(missing) = ctx.missing_env.first() {
        let body = http::error_body(500, &format!("{missing} is not set"));
        let ms = ctx.started.elapsed().as_millis();
        let line = format!(
            "time={} level=error msg=\"{method} {} 500 {ms}ms\"",
            clock::rfc3339(clock::now()),
            escape(path)
        );
        return Some(Answer::json(500, body).logged(line));
    }
    let ory = matches!(ctx.flavour, Flavour::Kratos | Flavour::Hydra);
    if ory && fault == HttpFault::DbTls {
        if is_health(ctx.flavour, ctx.side, path) {
            let body = format!(
                r#"{{"errors":{{"database":"{}"}}}}"#,
                escape(&db_error(ctx.flavour))
            );
            return Some(Answer::json(503, body).logged(db_ping_failed(ctx.flavour)));
        }
        if is_api(ctx.flavour, ctx.side, method, path) {
            let body = http::error_body(500, &db_error(ctx.flavour));
            return Some(Answer::json(500, body));
        }
        return None;
    }
    match (ctx.flavour, ctx.side) {
        (Flavour::Kratos, Side::Public) if method == "POST" && path == LOGIN => {
            Some(login(fault == HttpFault::Csrf, method, path))
        }
        (Flavour::Kratos, Side::Admin) if path.starts_with(COURIER_MESSAGES) => {
            if method != "GET" {
                return None;
            }
            let courier = ctx.courier?;
            courier_api(courier, ctx.courier_stuck, path, query)
        }
        (Flavour::Kratos, Side::Admin) => {
            let mut k = ctx.kratos?.lock().unwrap_or_else(|e| e.into_inner());
            k.handle(req, clock::now_micros())
        }
        (Flavour::Hydra, Side::Admin) => {
            let mut h = ctx.hydra?.lock().unwrap_or_else(|e| e.into_inner());
            h.handle(req, clock::now_micros())
        }
        _ => None,
    }
}

const LOGIN: &str = "/self-service/login";
const COURIER_MESSAGES: &str = "/admin/courier/messages";

fn is_health(flavour: Flavour, side: Side, path: &str) -> bool {
    let path = match (flavour, side) {
        (Flavour::Kratos, Side::Admin) => match path.strip_prefix("/admin") {
            Some(rest) => rest,
            None => return false, // redirected first, as Kratos does
        },
        _ => path,
    };
    matches!(path, "/health/alive" | "/health/ready")
}

/// The routes of this module that need the database.
fn is_api(flavour: Flavour, side: Side, method: &str, path: &str) -> bool {
    match (flavour, side) {
        (Flavour::Kratos, Side::Public) => method == "POST" && path == LOGIN,
        (Flavour::Kratos, Side::Admin) => {
            (method == "GET" && path.starts_with(COURIER_MESSAGES))
                || ["/admin/identities", "/admin/sessions", "/admin/recovery/"]
                    .iter()
                    .any(|p| path.starts_with(p))
        }
        (Flavour::Hydra, Side::Admin) => {
            path.starts_with("/admin/clients") || path.starts_with("/admin/oauth2/")
        }
        _ => false,
    }
}

/// pgx's error when `sslmode=verify-full` rejects the server's certificate.
pub fn db_error(flavour: Flavour) -> String {
    let user = match flavour {
        Flavour::Hydra => "hydra",
        _ => "kratos",
    };
    format!(
        "failed to connect to `host=olympus-postgres user={user} database={user}`: tls error: \
         TLS handshake failed: certificate verify failed"
    )
}

/// The line Ory's SQL persister logs while it cannot reach the database.
pub fn db_ping_failed(flavour: Flavour) -> String {
    logrus::line(
        "error",
        "Unable to ping the database connection, retrying.",
        &[("error", Value::Str(&db_error(flavour)))],
    )
}

const CSRF_REASON: &str = "Please retry the flow and optionally clear your cookies. The request \
was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account \
takeover, leaking personal information, and other serious security issues.";
const CSRF_REJECT: &str = "The HTTP Cookie Header was set and a CSRF token was sent but they do \
not match. We recommend deleting all cookies for this domain and retrying the flow.";
const CSRF_HINT: &str = "The anti-CSRF cookie was found but the CSRF token was not included in \
the HTTP request body (csrf_token) nor in the HTTP Header (X-CSRF-Token).";

/// `POST /self-service/login`: a session, or Kratos's CSRF rejection and its audit line.
fn login(csrf: bool, method: &str, path: &str) -> Answer {
    if !csrf {
        return Answer::json(200, r#"{"session":{"active":true}}"#.into());
    }
    let body = format!(
        r#"{{"error":{{"id":"security_csrf_violation","code":400,"status":"Bad Request","reason":"{}","details":{{"docs":"https://www.ory.sh/kratos/docs/debug/csrf","hint":"{}","reject_reason":"{}"}},"message":"the request was rejected to protect you from Cross-Site-Request-Forgery"}}}}"#,
        escape(CSRF_REASON),
        escape(CSRF_HINT),
        escape(CSRF_REJECT)
    );
    let error = format!(
        r#"{{"id":"security_csrf_violation","reason":"{}"}}"#,
        escape(CSRF_REASON)
    );
    let request = format!(
        r#"{{"method":"{}","path":"{}"}}"#,
        escape(method),
        escape(path)
    );
    let line = logrus::line(
        "info",
        "A request failed due to a missing or invalid csrf_token value",
        &[
            ("audience", Value::Str("audit")),
            ("error", Value::Raw(&error)),
            ("reject_reason", Value::Str(CSRF_REJECT)),
            ("http_request", Value::Raw(&request)),
        ],
    );
    Answer::json(400, body).logged(line)
}

/// `GET /admin/courier/messages[/{id}]` on Kratos's admin port.
fn courier_api(
    courier: &Mutex<Courier>,
    stuck: bool,
    path: &str,
    query: Option<&str>,
) -> Option<Answer> {
    let rest = path.strip_prefix(COURIER_MESSAGES)?;
    let mut courier = courier.lock().unwrap_or_else(|e| e.into_inner());
    let now = clock::now();
    // The worker thread follows the fault too; syncing here makes the answer follow the fault
    // file at once. Whichever notices a change first logs it.
    let changed = courier.sync(stuck, now);
    courier.tick(now);
    let mut answer = if rest.is_empty() {
        match courier.list(query, now) {
            Ok(page) => {
                let mut a = Answer::json(200, page.body);
                a.headers.push(("X-Total-Count", page.total.to_string()));
                if let Some(link) = page.link {
                    a.headers.push(("Link", link));
                }
                a
            }
            Err(p) => problem(&p),
        }
    } else {
        let id = rest.strip_prefix('/').filter(|id| !id.contains('/'))?;
        match courier.get(id) {
            Ok(body) => Answer::json(200, body),
            Err(p) => problem(&p),
        }
    };
    answer.log = changed;
    Some(answer)
}

/// Ory's (herodot's) error body for a bad request or a missing resource.
fn problem(p: &Problem) -> Answer {
    let message = match p.code {
        400 => "The request was malformed or contained invalid parameters",
        404 => "The requested resource could not be found",
        _ => "An internal server error occurred, please contact the system administrator",
    };
    let body = format!(
        r#"{{"error":{{"code":{},"status":"{}","reason":"{}","message":"{}"}}}}"#,
        p.code,
        http::reason(p.code),
        escape(&p.reason),
        message
    );
    Answer::json(p.code, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(flavour: Flavour, side: Side, courier: Option<&'a Mutex<Courier>>) -> Ctx<'a> {
        Ctx {
            flavour,
            side,
            courier,
            courier_stuck: false,
            kratos: None,
            hydra: None,
            missing_env: &[],
            started: Instant::now(),
        }
    }

    /// `answer` for a request line without a body.
    fn answer(
        ctx: &Ctx<'_>,
        fault: HttpFault,
        method: &str,
        path: &str,
        query: Option<&str>,
    ) -> Option<Answer> {
        let req = Request {
            method: method.into(),
            path: path.into(),
            query: query.map(String::from),
            ..Request::default()
        };
        let stuck = Ctx {
            courier_stuck: ctx.courier_stuck || fault == HttpFault::CourierStuck,
            ..*ctx
        };
        super::answer(&stuck, fault, &req)
    }

    #[test]
    fn db_tls_fails_health_on_both_listeners() {
        for (flavour, side, path) in [
            (Flavour::Kratos, Side::Public, "/health/alive"),
            (Flavour::Kratos, Side::Admin, "/admin/health/ready"),
            (Flavour::Hydra, Side::Admin, "/health/alive"),
            (Flavour::Hydra, Side::Public, "/health/ready"),
        ] {
            let a = answer(
                &ctx(flavour, side, None),
                HttpFault::DbTls,
                "GET",
                path,
                None,
            )
            .expect("answers");
            assert_eq!(a.status, 503, "{flavour:?} {path}");
            assert!(a.body.starts_with(
                r#"{"errors":{"database":"failed to connect to `host=olympus-postgres user="#
            ));
            let line = a.log.expect("logs");
            assert!(
                line.contains("TLS handshake failed") && line.contains("certificate verify failed")
            );
            assert!(line.starts_with(r#"{"level":"error","msg":"Unable to ping the database connection, retrying.","error":"#));
        }
        assert!(db_error(Flavour::Hydra).contains("user=hydra database=hydra"));
        // Kratos still redirects un-prefixed admin paths first; apps are not Ory.
        let k = ctx(Flavour::Kratos, Side::Admin, None);
        assert!(answer(&k, HttpFault::DbTls, "GET", "/health/alive", None).is_none());
        let app = ctx(Flavour::App, Side::Public, None);
        assert!(answer(&app, HttpFault::DbTls, "GET", "/health/alive", None).is_none());
        // Without the fault, health is flavour.rs's.
        let h = ctx(Flavour::Hydra, Side::Public, None);
        assert!(answer(&h, HttpFault::Ok, "GET", "/health/alive", None).is_none());
    }

    #[test]
    fn csrf_violation_only_under_the_fault() {
        let k = ctx(Flavour::Kratos, Side::Public, None);
        let ok = answer(&k, HttpFault::Ok, "POST", LOGIN, Some("flow=1")).expect("answers");
        assert_eq!(
            (ok.status, ok.body.as_str()),
            (200, r#"{"session":{"active":true}}"#)
        );
        assert!(ok.log.is_none());
        let bad = answer(&k, HttpFault::Csrf, "POST", LOGIN, Some("flow=1")).expect("answers");
        assert_eq!(bad.status, 400);
        assert!(bad.body.starts_with(r#"{"error":{"id":"security_csrf_violation","code":400,"status":"Bad Request","reason":"Please retry the flow"#));
        assert!(bad.body.ends_with(r#"retrying the flow."},"message":"the request was rejected to protect you from Cross-Site-Request-Forgery"}}"#));
        let line = bad.log.expect("logs");
        assert!(line.contains("security_csrf_violation"));
        assert!(line.contains(r#""reject_reason":"The HTTP Cookie Header was set"#));
        assert!(line.contains(r#""http_request":{"method":"POST","path":"/self-service/login"}"#));
        assert!(answer(&k, HttpFault::Csrf, "GET", "/health/alive", None).is_none());
    }

    #[test]
    fn courier_routes_and_errors() {
        let courier = Mutex::new(Courier::new(clock::now()));
        let k = ctx(Flavour::Kratos, Side::Admin, Some(&courier));
        let list = answer(
            &k,
            HttpFault::Ok,
            "GET",
            COURIER_MESSAGES,
            Some("status=sent"),
        )
        .expect("answers");
        assert_eq!(list.status, 200);
        assert!(list.headers.contains(&("X-Total-Count", "5".into())));
        let bad =
            answer(&k, HttpFault::Ok, "GET", COURIER_MESSAGES, Some("status=x")).expect("answers");
        assert_eq!(bad.status, 400);
        assert!(bad
            .body
            .starts_with(r#"{"error":{"code":400,"status":"Bad Request","#));
        let stuck = answer(
            &k,
            HttpFault::CourierStuck,
            "GET",
            COURIER_MESSAGES,
            Some("status=queued"),
        )
        .expect("answers");
        assert!(stuck.headers.contains(&("X-Total-Count", "3".into())));
        assert!(stuck
            .log
            .expect("the change is logged")
            .contains("Failed to run courier worker."));
        let missing = answer(
            &k,
            HttpFault::Ok,
            "GET",
            "/admin/courier/messages/00000000-0000-4000-8000-000000000000",
            None,
        )
        .expect("answers");
        assert_eq!(missing.status, 404);
        assert!(answer(
            &k,
            HttpFault::Ok,
            "GET",
            "/admin/courier/messages/a/b",
            None
        )
        .is_none());
        let public = ctx(Flavour::Kratos, Side::Public, Some(&courier));
        assert!(answer(&public, HttpFault::Ok, "GET", COURIER_MESSAGES, None).is_none());
    }

    #[test]
    fn missing_env_fails_every_request() {
        let missing = vec!["ENCRYPTION_KEY".to_string()];
        let c = Ctx {
            missing_env: &missing,
            ..ctx(Flavour::Athena, Side::Public, None)
        };
        for path in ["/health/alive", "/api/identities"] {
            let a = answer(&c, HttpFault::Ok, "GET", path, None).expect("answers");
            assert_eq!(a.status, 500);
            assert!(a.body.contains("ENCRYPTION_KEY is not set"));
            let line = a.log.expect("logs");
            assert!(line.contains(&format!("GET {path} 500 ")), "{line}");
        }
    }
}
