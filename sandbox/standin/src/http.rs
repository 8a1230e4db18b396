//! `standin http`: one Olympus service's HTTP listeners (Hera, Athena, Kratos, Hydra in the ciam
//! or iam scope): the public one, and for Kratos and Hydra an admin one on its own port, answering
//! as `flavour.rs` says. HTTP/1.1, one request per connection (`Connection: close`), so every
//! request is a fresh connect and sees the current fault. The fault file belongs to the service, so
//! a fault applies to both listeners alike. The answers for the playbook's faults (database TLS,
//! CSRF, the courier, a missing secret) are `playbook.rs`'s; Kratos and Hydra also run a worker
//! thread (`worker.rs`) that logs what the real ones log in the background.
//!
//! `--requires-env A,B`: the service needs these environment variables (Athena its encryption
//! and session keys). One that is missing or empty is logged at start, and then every request
//! fails with 500, as an app that cannot decrypt its data does.
//!
//! Kratos and Hydra also answer their admin APIs (`kratos.rs`, `hydra.rs`) over the scope's
//! identities (`seed.rs`; `STANDIN_IDENTITIES` overrides the count), kept in `--data-dir DIR`
//! when given (`store.rs`), else in memory. Request bodies are read by `Content-Length` or
//! chunked (`request.rs`).

use crate::courier::Courier;
use crate::fault::{self, HttpFault, Watch};
use crate::flavour::{Flavour, Reply, Side};
use crate::hydra::Hydra;
use crate::kratos::Kratos;
use crate::playbook::{self, Answer, Ctx};
use crate::request::{self, BodyError, Request};
use crate::Flags;
use crate::{clock, listener, seed, worker};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

const HEAD_LIMIT: usize = 16 * 1024;
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// A hung request is held until the client gives up, but not longer than this.
const MAX_HOLD: Duration = Duration::from_secs(3600);

/// One service: its name (also its fault file's), its flavour, its fault file, Kratos's courier
/// and admin state, Hydra's admin state, the required environment variables it lacks, and when
/// the process started.
struct Service {
    name: String,
    flavour: Flavour,
    fault_path: PathBuf,
    courier: Option<Arc<Mutex<Courier>>>,
    kratos: Option<Arc<Mutex<Kratos>>>,
    hydra: Option<Arc<Mutex<Hydra>>>,
    missing_env: Vec<String>,
    started: SystemTime,
}

pub fn main(args: &[String]) -> i32 {
    let known = [
        "name",
        "port",
        "state-dir",
        "bind",
        "flavour",
        "admin-port",
        "requires-env",
        "data-dir",
    ];
    let flags = match Flags::parse(args, &known) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };
    let Some(name) = flags
        .get("name")
        .filter(|n| valid_name(n))
        .map(String::from)
    else {
        return usage_error("--name NAME is required (letters, digits, '-', '_', '.')");
    };
    let Some(flavour) = Flavour::parse(flags.get("flavour").unwrap_or("app")) else {
        return usage_error("--flavour must be app, athena, kratos or hydra");
    };
    let public = match flags.listen_addr() {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let mut listeners = vec![(Side::Public, public)];
    match (flavour.has_admin(), flags.get("admin-port")) {
        (true, Some(raw)) => match raw.parse::<u16>() {
            Ok(p) if p != 0 && p != public.port() => {
                listeners.push((Side::Admin, SocketAddr::new(public.ip(), p)));
            }
            _ => return usage_error(&format!("invalid admin port {raw:?}")),
        },
        (true, None) => return usage_error("--admin-port is required for kratos and hydra"),
        (false, Some(_)) => return usage_error("--admin-port is only for kratos and hydra"),
        (false, None) => {}
    }
    let state_dir = PathBuf::from(flags.get("state-dir").unwrap_or("/state"));
    let required = flags.get("requires-env").unwrap_or("");
    let missing_env = missing_env(required, |n| std::env::var_os(n));
    for var in &missing_env {
        say!(
            "time={} level=error msg=\"{var} is not set: {}\"",
            clock::rfc3339(clock::now()),
            consequence(var)
        );
    }
    let started = SystemTime::now();
    let data_dir = flags.get("data-dir").map(PathBuf::from);
    if data_dir.is_some() && !flavour.has_admin() {
        return usage_error("--data-dir is only for kratos and hydra");
    }
    let scope = seed::scope_of(&name).to_string();
    let (count, complaint) = seed::count_from_env(&scope, "STANDIN_IDENTITIES");
    if let Some(c) = complaint {
        say!("standin: {c}");
    }
    let now = clock::now_micros();
    let kratos = (flavour == Flavour::Kratos).then(|| {
        let public_url = format!("http://{public}");
        Arc::new(Mutex::new(Kratos::open(
            &scope,
            count,
            &public_url,
            data_dir.as_deref(),
            now,
        )))
    });
    // After Kratos, which may have re-seeded (cleared) the directory.
    let courier = (flavour == Flavour::Kratos)
        .then(|| Arc::new(Mutex::new(Courier::open(data_dir.as_deref(), clock::now()))));
    let hydra = (flavour == Flavour::Hydra).then(|| {
        Arc::new(Mutex::new(Hydra::open(
            &scope,
            count,
            data_dir.as_deref(),
            now,
        )))
    });
    if flavour.has_admin() {
        say!(
            "standin[{name}]: admin API over {count} {scope} identities ({})",
            data_dir
                .as_ref()
                .map_or("in memory".to_string(), |d| format!(
                    "kept in {}",
                    d.display()
                ))
        );
    }
    let service = Service {
        fault_path: state_dir.join(&name),
        name,
        flavour,
        courier,
        kratos,
        hydra,
        missing_env,
        started,
    };
    worker::spawn(
        flavour,
        service.fault_path.clone(),
        service.courier.clone(),
        started,
    );
    run(service, &listeners)
}

/// The names in the comma-separated `required` whose value `get` finds missing or empty.
fn missing_env(required: &str, get: impl Fn(&str) -> Option<std::ffi::OsString>) -> Vec<String> {
    required
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .filter(|n| get(n).is_none_or(|v| v.is_empty()))
        .map(String::from)
        .collect()
}

/// What an app cannot do without the variable, for its start-up error line.
fn consequence(var: &str) -> &'static str {
    match var {
        "ENCRYPTION_KEY" => "identity traits cannot be decrypted",
        "SESSION_SIGNING_KEY" => "sessions cannot be signed",
        _ => "the service cannot work",
    }
}

/// Serves each listener on its own thread; the process ends when one of them does (a port that is
/// taken at start), with its exit code, so the container exits visibly.
fn run(service: Service, listeners: &[(Side, SocketAddr)]) -> i32 {
    // Never set: the listeners run for the life of the process.
    static STOP: AtomicBool = AtomicBool::new(false);
    let service = Arc::new(service);
    let (done, first_exit) = mpsc::channel();
    for &(side, addr) in listeners {
        let label = match side {
            Side::Public => service.name.clone(),
            Side::Admin => format!("{} admin", service.name),
        };
        let watch = Watch::<HttpFault>::new(&label, service.fault_path.clone());
        let service = Arc::clone(&service);
        let done = done.clone();
        let conn_label = label.clone();
        thread::spawn(move || {
            let code = listener::serve(
                &label,
                addr,
                watch,
                |f| f == HttpFault::Refuse,
                move |stream| {
                    if let Err(e) = handle(stream, &service, side) {
                        if !matches!(
                            e.kind(),
                            io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                        ) {
                            say!("standin[{conn_label}]: connection: {e}");
                        }
                    }
                },
                &STOP,
            );
            let _ = done.send(code);
        });
    }
    first_exit.recv().unwrap_or(1)
}

fn usage_error(msg: &str) -> i32 {
    say!("standin http: {msg}");
    say!(
        "usage: standin http --name NAME --port PORT [--flavour app|athena|kratos|hydra] \
         [--admin-port PORT] [--requires-env VAR,...] [--state-dir DIR] [--data-dir DIR] \
         [--bind ADDR]"
    );
    2
}

/// Names become file names under the state dir: no separators, no dot-dot.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// What to do with a request.
#[derive(Debug, PartialEq, Eq)]
enum Action {
    Respond(Vec<u8>),
    Hang,
    Close,
}

fn handle(mut stream: TcpStream, service: &Service, side: Side) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let Some((head, rest)) = read_head(&mut stream)? else {
        return Ok(());
    };
    let started = Instant::now();
    let fault = fault::current::<HttpFault>(&service.fault_path);
    let mut req = request::parse_head(&head);
    if let Some(r) = req.as_mut() {
        if matches!(
            fault,
            HttpFault::Ok | HttpFault::DbTls | HttpFault::Csrf | HttpFault::CourierStuck
        ) {
            if let Err(e) = request::read_body(r, &mut stream, rest) {
                let (code, message) = match e {
                    BodyError::TooLarge => (413, "http: request body too large".to_string()),
                    BodyError::Malformed(m) => (400, m),
                };
                let bytes = json(code, &error_body(code, &message), false, &[]);
                stream.write_all(&bytes)?;
                stream.flush()?;
                stream.shutdown(Shutdown::Write)?;
                drain(&mut stream, Duration::from_secs(1));
                return Ok(());
            }
        }
    }
    let ctx = Ctx {
        flavour: service.flavour,
        side,
        courier: service.courier.as_deref(),
        courier_stuck: service.courier.is_some()
            && fault::courier_stuck(&service.fault_path, service.started),
        kratos: service.kratos.as_deref(),
        hydra: service.hydra.as_deref(),
        missing_env: &service.missing_env,
        started,
    };
    let action = match req.as_ref().and_then(|r| answer(r, fault, &ctx)) {
        Some((bytes, log)) => {
            if let Some(line) = log {
                say!("{line}");
            }
            Action::Respond(bytes)
        }
        None => route(&head, fault, &service.name, service.flavour, side),
    };
    match action {
        Action::Respond(bytes) => {
            stream.write_all(&bytes)?;
            stream.flush()?;
            stream.shutdown(Shutdown::Write)?;
            drain(&mut stream, Duration::from_secs(1));
            Ok(())
        }
        Action::Hang => {
            listener::hold(&mut stream, MAX_HOLD);
            Ok(())
        }
        Action::Close => Ok(()),
    }
}

/// Reads up to the end of the request head: the head, and what was read past it (the start of
/// the body). `None` if the client went away first.
fn read_head(stream: &mut TcpStream) -> io::Result<Option<(Vec<u8>, Vec<u8>)>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok(Some((buf, rest)));
        }
        if buf.len() > HEAD_LIMIT {
            return Ok(Some((buf, Vec::new()))); // answered with 400 by `route`
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(e),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The request line's parts; the query is kept for redirects.
struct RequestLine {
    method: String,
    path: String,
    query: Option<String>,
}

fn request_line(head: &[u8]) -> Option<RequestLine> {
    let end = find(head, b"\r\n")?;
    let line = std::str::from_utf8(&head[..end]).ok()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    if parts.next().is_some() || !version.starts_with("HTTP/1.") || method.is_empty() {
        return None;
    }
    let target = target.split('#').next().unwrap_or(target);
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (target, None),
    };
    Some(RequestLine {
        method: method.to_string(),
        path: path.to_string(),
        query,
    })
}

/// `playbook.rs`'s answer, framed, with the line to log; `None` for `route`. The faults that take
/// the whole service away (503, hang, refuse) are `route`'s.
fn answer(req: &Request, fault: HttpFault, ctx: &Ctx<'_>) -> Option<(Vec<u8>, Option<String>)> {
    if matches!(
        fault,
        HttpFault::Unavailable | HttpFault::Hang | HttpFault::Refuse
    ) {
        return None;
    }
    let Answer {
        status,
        body,
        headers,
        log,
    } = playbook::answer(ctx, fault, req)?;
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if status == 204 {
        return Some((no_content(&headers), log));
    }
    Some((json(status, &body, req.method == "HEAD", &headers), log))
}

fn route(head: &[u8], fault: HttpFault, name: &str, flavour: Flavour, side: Side) -> Action {
    let Some(req) = request_line(head) else {
        return Action::Respond(json(
            400,
            &error_body(400, &format!("{name}: malformed request")),
            false,
            &[],
        ));
    };
    let head_only = req.method == "HEAD";
    // A fault models the whole service, so it applies to every path on every listener.
    match fault {
        HttpFault::Hang => return Action::Hang,
        // Only reachable for a connection accepted just before the listener closed.
        HttpFault::Refuse => return Action::Close,
        HttpFault::Unavailable => {
            let body = error_body(503, &format!("{name} is unavailable (injected fault)"));
            return Action::Respond(json(503, &body, head_only, &[]));
        }
        // The playbook faults that leave a route healthy (see `playbook.rs`).
        HttpFault::Ok | HttpFault::DbTls | HttpFault::Csrf | HttpFault::CourierStuck => {}
    }
    let path = &req.path;
    Action::Respond(
        match flavour.reply(side, &req.method, path, req.query.as_deref()) {
            Reply::Json(body) => json(200, body, head_only, &[]),
            Reply::Redirect(location) => redirect(&location, &req.method),
            Reply::NotFound => {
                let body = error_body(404, &format!("{name}: no route for {path}"));
                json(404, &body, head_only, &[])
            }
            Reply::MethodNotAllowed => {
                let method = &req.method;
                let body = error_body(405, &format!("{name}: method {method} not allowed"));
                json(405, &body, false, &[("Allow", "GET, HEAD")])
            }
        },
    )
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Request Entity Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// An error body in the shape Ory services use: `{"error":{"code":..,"status":..,"message":..}}`.
pub(crate) fn error_body(code: u16, message: &str) -> String {
    format!(
        r#"{{"error":{{"code":{code},"status":"{}","message":"{}"}}}}"#,
        reason(code),
        json_escape(message)
    )
}

fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A 307 the way Go's `http.Redirect` writes it (Kratos's admin redirect): a small HTML body for
/// GET and HEAD, none for other methods.
fn redirect(location: &str, method: &str) -> Vec<u8> {
    let headers = [("Location", location)];
    match method {
        "GET" | "HEAD" => {
            let body = format!(
                "<a href=\"{}\">Temporary Redirect</a>.\n\n",
                html_escape(location)
            );
            response(
                307,
                Some("text/html; charset=utf-8"),
                &body,
                method == "HEAD",
                &headers,
            )
        }
        _ => response(307, None, "", false, &headers),
    }
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn json(status: u16, body: &str, head_only: bool, extra: &[(&str, &str)]) -> Vec<u8> {
    response(status, Some("application/json"), body, head_only, extra)
}

fn response(
    status: u16,
    content_type: Option<&str>,
    body: &str,
    head_only: bool,
    extra: &[(&str, &str)],
) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    if let Some(ct) = content_type {
        out.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nCache-Control: no-store\r\nServer: olympus-standin\r\nConnection: close\r\n",
        body.len()
    ));
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    if !head_only {
        out.push_str(body);
    }
    out.into_bytes()
}

/// 204 as Go writes it: no body, no `Content-Type`, no `Content-Length`.
fn no_content(extra: &[(&str, &str)]) -> Vec<u8> {
    let mut out = String::from(
        "HTTP/1.1 204 No Content\r\nCache-Control: no-store\r\nServer: olympus-standin\r\nConnection: close\r\n",
    );
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// After our half-close: read what the client still sends so the close is not a reset.
fn drain(stream: &mut TcpStream, within: Duration) {
    let _ = stream.set_read_timeout(Some(within));
    let mut buf = [0u8; 512];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Vec<u8> {
        format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").into_bytes()
    }

    /// `route` for a Hera/Athena-like service's only listener.
    fn app(head: &[u8], fault: HttpFault, name: &str) -> Action {
        route(head, fault, name, Flavour::App, Side::Public)
    }

    fn status_of(action: &Action) -> Option<(String, String)> {
        let Action::Respond(bytes) = action else {
            return None;
        };
        let text = String::from_utf8_lossy(bytes).to_string();
        let status = text.lines().next()?.to_string();
        let body = text.split("\r\n\r\n").nth(1)?.to_string();
        Some((status, body))
    }

    #[test]
    fn healthy() {
        let a = app(&get("/health/alive"), HttpFault::Ok, "ciam-kratos");
        let (status, body) = status_of(&a).expect("response");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(body, r#"{"status":"ok"}"#);
        let (status, _) =
            status_of(&app(&get("/health/alive?x=1"), HttpFault::Ok, "n")).expect("resp");
        assert_eq!(status, "HTTP/1.1 200 OK");
    }

    #[test]
    fn faults() {
        let (status, body) = status_of(&app(
            &get("/health/alive"),
            HttpFault::Unavailable,
            "ciam-kratos",
        ))
        .expect("response");
        assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
        assert_eq!(
            body,
            r#"{"error":{"code":503,"status":"Service Unavailable","message":"ciam-kratos is unavailable (injected fault)"}}"#
        );
        assert_eq!(
            app(&get("/health/alive"), HttpFault::Hang, "n"),
            Action::Hang
        );
        assert_eq!(
            app(&get("/health/alive"), HttpFault::Refuse, "n"),
            Action::Close
        );
    }

    #[test]
    fn other_requests() {
        let (status, _) = status_of(&app(&get("/"), HttpFault::Ok, "n")).expect("resp");
        assert_eq!(status, "HTTP/1.1 404 Not Found");
        let post = b"POST /health/alive HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
        let (status, _) = status_of(&app(post, HttpFault::Ok, "n")).expect("resp");
        assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
        let (status, _) = status_of(&app(b"garbage\r\n\r\n", HttpFault::Ok, "n")).expect("r");
        assert_eq!(status, "HTTP/1.1 400 Bad Request");
        let Action::Respond(head) = app(b"HEAD /health/alive HTTP/1.1\r\n\r\n", HttpFault::Ok, "n")
        else {
            panic!("HEAD answers");
        };
        let head = String::from_utf8_lossy(&head).to_string();
        assert!(head.contains("Content-Length: 15\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "no body for HEAD: {head}");
    }

    #[test]
    fn response_framing() {
        let r = String::from_utf8(json(200, "{}", false, &[])).expect("utf8");
        assert!(r.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(r.contains("Content-Type: application/json\r\n"));
        assert!(r.contains("Content-Length: 2\r\n"));
        assert!(r.contains("Connection: close\r\n"));
        assert!(r.ends_with("\r\n\r\n{}"));
        assert_eq!(json_escape("a\"b\\c\n"), "a\\\"b\\\\c\\u000a");
    }

    #[test]
    fn kratos_admin_redirect_is_framed_like_gos() {
        let kratos = |head: &[u8], fault| route(head, fault, "k", Flavour::Kratos, Side::Admin);
        let Action::Respond(bytes) = kratos(&get("/health/alive?verbose=1"), HttpFault::Ok) else {
            panic!("answers");
        };
        let text = String::from_utf8(bytes).expect("utf8");
        assert!(
            text.starts_with("HTTP/1.1 307 Temporary Redirect\r\n"),
            "{text}"
        );
        assert!(
            text.contains("\r\nLocation: /admin/health/alive?verbose=1\r\n"),
            "{text}"
        );
        assert!(
            text.contains("Content-Type: text/html; charset=utf-8\r\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "\r\n\r\n<a href=\"/admin/health/alive?verbose=1\">Temporary Redirect</a>.\n\n"
            ),
            "{text}"
        );
        let post = b"POST /identities HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
        let Action::Respond(bytes) = kratos(post, HttpFault::Ok) else {
            panic!("answers");
        };
        let text = String::from_utf8(bytes).expect("utf8");
        assert!(text.contains("Location: /admin/identities\r\n"), "{text}");
        assert!(text.ends_with("Content-Length: 0\r\nCache-Control: no-store\r\nServer: olympus-standin\r\nConnection: close\r\nLocation: /admin/identities\r\n\r\n"), "{text}");
        // A fault is the whole service's: no redirect from a service that is down.
        let (status, _) =
            status_of(&kratos(&get("/health/alive"), HttpFault::Unavailable)).expect("resp");
        assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
        let (status, body) = status_of(&kratos(&get("/admin/nope"), HttpFault::Ok)).expect("resp");
        assert_eq!(status, "HTTP/1.1 404 Not Found");
        assert_eq!(
            body,
            r#"{"error":{"code":404,"status":"Not Found","message":"k: no route for /admin/nope"}}"#
        );
    }

    #[test]
    fn flag_mistakes_are_usage_errors() {
        let run = |v: &[&str]| main(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            run(&["--name", "k", "--port", "1", "--flavour", "kratos"]),
            2
        );
        assert_eq!(run(&["--name", "a", "--port", "1", "--admin-port", "2"]), 2);
        assert_eq!(run(&["--name", "k", "--port", "1", "--flavour", "keto"]), 2);
        let same = [
            "--name",
            "h",
            "--port",
            "1",
            "--flavour",
            "hydra",
            "--admin-port",
            "1",
        ];
        assert_eq!(run(&same), 2);
    }

    #[test]
    fn required_env_is_checked() {
        let env = |n: &str| match n {
            "SESSION_SIGNING_KEY" => Some("abc".into()),
            "EMPTY" => Some(String::new().into()),
            _ => None,
        };
        assert_eq!(
            missing_env("ENCRYPTION_KEY,SESSION_SIGNING_KEY", env),
            vec!["ENCRYPTION_KEY".to_string()]
        );
        assert_eq!(missing_env(" EMPTY , ", env), vec!["EMPTY".to_string()]);
        assert!(missing_env("", env).is_empty());
        assert!(consequence("ENCRYPTION_KEY").contains("decrypted"));
    }

    #[test]
    fn names() {
        assert!(valid_name("ciam-kratos"));
        assert!(!valid_name("../etc"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(""));
    }

    #[test]
    fn over_a_socket() {
        use crate::listener::tests::{eventually, free_port, temp_dir};
        let dir = temp_dir("http");
        let port = free_port().to_string();
        let args: Vec<String> = ["--name", "svc", "--port", &port, "--state-dir"]
            .iter()
            .map(|s| s.to_string())
            .chain([dir.display().to_string()])
            .collect();
        std::thread::spawn(move || main(&args));
        let fetch = || -> Option<String> {
            let mut s = TcpStream::connect(("127.0.0.1", port.parse::<u16>().ok()?)).ok()?;
            s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
            s.write_all(&get("/health/alive")).ok()?;
            let mut out = String::new();
            s.read_to_string(&mut out).ok()?;
            out.lines().next().map(String::from)
        };
        assert!(eventually(|| fetch().as_deref() == Some("HTTP/1.1 200 OK")));
        std::fs::write(dir.join("svc"), "503").expect("write");
        assert_eq!(fetch().as_deref(), Some("HTTP/1.1 503 Service Unavailable"));
        std::fs::write(dir.join("svc"), "hang").expect("write");
        assert_eq!(fetch(), None, "hang: no answer within the timeout");
        std::fs::write(dir.join("svc"), "ok").expect("write");
        assert_eq!(fetch().as_deref(), Some("HTTP/1.1 200 OK"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `GET path` on a port: the status line and the Location header, `None` without an answer.
    fn fetch(port: u16, path: &str) -> Option<(String, Option<String>)> {
        let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
        s.write_all(&get(path)).ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        let status = out.lines().next()?.to_string();
        let location = out
            .lines()
            .find_map(|l| l.strip_prefix("Location: "))
            .map(String::from);
        Some((status, location))
    }

    /// Starts `standin http --flavour FLAVOUR` on two free ports: (public, admin, state dir).
    fn start_ory(flavour: &str, name: &str) -> (u16, u16, PathBuf) {
        use crate::listener::tests::{eventually, free_port, temp_dir};
        let dir = temp_dir(flavour);
        let (public, admin) = (free_port(), free_port());
        let args: Vec<String> = [
            "--name",
            name,
            "--flavour",
            flavour,
            "--port",
            &public.to_string(),
            "--admin-port",
            &admin.to_string(),
            "--state-dir",
            &dir.display().to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        std::thread::spawn(move || main(&args));
        for port in [public, admin] {
            assert!(eventually(|| fetch(port, "/").is_some()), ":{port} opens");
        }
        (public, admin, dir)
    }

    const OK: &str = "HTTP/1.1 200 OK";

    /// Sends `raw` in pieces (`split` bytes, then the rest) and reads the whole answer.
    fn exchange(port: u16, raw: &[u8], split: usize) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let split = split.min(raw.len());
        s.write_all(&raw[..split]).expect("writes");
        std::thread::sleep(Duration::from_millis(30));
        s.write_all(&raw[split..]).expect("writes");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("reads");
        out
    }

    /// The Kratos admin API through the real listener: bodies by Content-Length (arriving in
    /// pieces) and chunked, 204 framed as Go frames it, and the state kept in --data-dir for the
    /// next process.
    #[test]
    fn kratos_admin_api_over_a_socket_keeps_its_state() {
        use crate::json::{self, Value};
        use crate::listener::tests::{eventually, free_port, temp_dir};
        let dir = temp_dir("admin-socket");
        let start = || {
            let (public, admin) = (free_port(), free_port());
            let args: Vec<String> = [
                "--name",
                "iam-kratos",
                "--flavour",
                "kratos",
                "--port",
                &public.to_string(),
                "--admin-port",
                &admin.to_string(),
                "--state-dir",
                &dir.display().to_string(),
                "--data-dir",
                &dir.join("data").display().to_string(),
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            std::thread::spawn(move || main(&args));
            assert!(eventually(|| fetch(admin, "/admin/health/alive").is_some()));
            admin
        };
        let admin = start();
        let body_of = |answer: &str| answer.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
        let listed = exchange(
            admin,
            b"GET /admin/sessions?page_size=1&expand=identity HTTP/1.1\r\nHost: k\r\n\r\n",
            10,
        );
        let v = json::parse(body_of(&listed).as_bytes()).expect("json");
        let Value::Array(items) = v else {
            panic!("array: {listed}")
        };
        let id = items[0]
            .get("identity")
            .and_then(|i| i.get("id"))
            .and_then(Value::as_str)
            .expect("an identity")
            .to_string();
        let patch = r#"[{"op":"replace","path":"/state","value":"inactive"}]"#;
        let raw = format!(
            "PATCH /admin/identities/{id} HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{patch}",
            patch.len()
        );
        let head_len = raw.find("\r\n\r\n").expect("head") + 4;
        let answer = exchange(admin, raw.as_bytes(), head_len + 5);
        assert!(answer.starts_with(OK), "{answer}");
        assert!(answer.contains(r#""state":"inactive""#), "{answer}");
        let back = r#"[{"op":"replace","path":"/state","value":"active"}]"#;
        let chunked = format!(
            "PATCH /admin/identities/{id} HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n",
            10,
            &back[..10],
            back.len() - 10,
            &back[10..]
        );
        let answer = exchange(admin, chunked.as_bytes(), 40);
        assert!(answer.contains(r#""state":"active""#), "{answer}");
        let delete = format!("DELETE /admin/identities/{id}/sessions HTTP/1.1\r\nHost: k\r\n\r\n");
        let answer = exchange(admin, delete.as_bytes(), 8);
        assert!(
            answer.starts_with("HTTP/1.1 204 No Content\r\n"),
            "{answer}"
        );
        assert!(!answer.contains("Content-Length"), "Go sends none with 204");
        assert!(answer.ends_with("\r\n\r\n"), "no body: {answer}");
        let log = std::fs::read_to_string(dir.join("data").join(crate::kratos::REVOKED_LOG))
            .expect("the revocation log");
        assert!(!log.is_empty());
        // A new process on the same data dir: the sessions are gone, the journal replayed.
        let again = start();
        let answer = exchange(admin, delete.as_bytes(), 8);
        assert!(answer.starts_with("HTTP/1.1 404 Not Found"), "{answer}");
        let answer = exchange(again, delete.as_bytes(), 8);
        assert!(answer.starts_with("HTTP/1.1 404 Not Found"), "{answer}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn kratos_answers_like_the_real_one_on_both_ports() {
        use crate::listener::tests::eventually;
        let (public, admin, dir) = start_ory("kratos", "ciam-kratos");
        assert_eq!(fetch(public, "/health/alive"), Some((OK.into(), None)));
        assert_eq!(fetch(public, "/health/ready"), Some((OK.into(), None)));
        assert_eq!(
            fetch(admin, "/health/alive"),
            Some((
                "HTTP/1.1 307 Temporary Redirect".into(),
                Some("/admin/health/alive".into())
            )),
            "the admin port redirects un-prefixed paths"
        );
        assert_eq!(fetch(admin, "/admin/health/alive"), Some((OK.into(), None)));
        assert_eq!(fetch(admin, "/admin/health/ready"), Some((OK.into(), None)));
        assert_eq!(fetch(admin, "/admin/version"), Some((OK.into(), None)));
        // One fault file, both listeners.
        let fault = dir.join("ciam-kratos");
        std::fs::write(&fault, "503").expect("write");
        let unavailable = Some(("HTTP/1.1 503 Service Unavailable".to_string(), None));
        assert_eq!(fetch(public, "/health/alive"), unavailable);
        assert_eq!(fetch(admin, "/admin/health/alive"), unavailable);
        std::fs::write(&fault, "refuse").expect("write");
        for port in [public, admin] {
            assert!(
                eventually(|| TcpStream::connect(("127.0.0.1", port)).is_err()),
                ":{port} closes"
            );
        }
        std::fs::write(&fault, "ok").expect("write");
        assert!(eventually(|| fetch(public, "/health/alive").is_some()));
        assert!(eventually(|| fetch(admin, "/admin/health/alive").is_some()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hydra_answers_health_on_both_ports() {
        let (public, admin, dir) = start_ory("hydra", "iam-hydra");
        for port in [public, admin] {
            assert_eq!(fetch(port, "/health/alive"), Some((OK.into(), None)));
            assert_eq!(fetch(port, "/health/ready"), Some((OK.into(), None)));
        }
        assert_eq!(fetch(admin, "/version"), Some((OK.into(), None)));
        assert_eq!(
            fetch(admin, "/admin/health/alive")
                .map(|(s, _)| s)
                .as_deref(),
            Some("HTTP/1.1 404 Not Found")
        );
        std::fs::write(dir.join("iam-hydra"), "hang").expect("write");
        assert_eq!(fetch(admin, "/health/alive"), None, "hang on admin too");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
