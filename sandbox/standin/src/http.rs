//! `standin http`: the `/health/alive` endpoint of one Olympus service (Hera, Athena, Kratos,
//! Hydra in the ciam or iam scope). HTTP/1.1, one request per connection (`Connection: close`),
//! so every request is a fresh connect and sees the current fault.

use crate::fault::{self, HttpFault, Watch};
use crate::listener;
use crate::Flags;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

const HEAD_LIMIT: usize = 16 * 1024;
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// A hung request is held until the client gives up, but not longer than this.
const MAX_HOLD: Duration = Duration::from_secs(3600);

pub fn main(args: &[String]) -> i32 {
    let flags = match Flags::parse(args, &["name", "port", "state-dir", "bind"]) {
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
    let addr = match flags.listen_addr() {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let state_dir = PathBuf::from(flags.get("state-dir").unwrap_or("/state"));
    let path = state_dir.join(&name);
    let watch = Watch::<HttpFault>::new(&name, path.clone());
    let label = name.clone();
    listener::serve(
        &label,
        addr,
        watch,
        |f| f == HttpFault::Refuse,
        move |stream| {
            if let Err(e) = handle(stream, &path, &name) {
                if !matches!(
                    e.kind(),
                    io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                ) {
                    eprintln!("standin[{name}]: connection: {e}");
                }
            }
        },
        &AtomicBool::new(false),
    )
}

fn usage_error(msg: &str) -> i32 {
    eprintln!("standin http: {msg}");
    eprintln!("usage: standin http --name NAME --port PORT [--state-dir DIR] [--bind ADDR]");
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

fn handle(mut stream: TcpStream, fault_path: &Path, name: &str) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let Some(head) = read_head(&mut stream)? else {
        return Ok(());
    };
    let fault = fault::current::<HttpFault>(fault_path);
    match route(&head, fault, name) {
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

/// Reads up to the end of the request head. `None` if the client went away first.
fn read_head(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            buf.truncate(end + 4);
            return Ok(Some(buf));
        }
        if buf.len() > HEAD_LIMIT {
            return Ok(Some(buf)); // answered with 400 by `route`
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

/// `(method, path without query)` from the request line.
fn request_line(head: &[u8]) -> Option<(String, String)> {
    let end = find(head, b"\r\n")?;
    let line = std::str::from_utf8(&head[..end]).ok()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    if parts.next().is_some() || !version.starts_with("HTTP/1.") || method.is_empty() {
        return None;
    }
    let path = target.split(['?', '#']).next().unwrap_or(target);
    Some((method.to_string(), path.to_string()))
}

fn route(head: &[u8], fault: HttpFault, name: &str) -> Action {
    let Some((method, path)) = request_line(head) else {
        return Action::Respond(response(
            400,
            &error_body(400, &format!("{name}: malformed request")),
            false,
            &[],
        ));
    };
    let head_only = method == "HEAD";
    // A fault models the whole service, so it applies to every path.
    match fault {
        HttpFault::Hang => return Action::Hang,
        // Only reachable for a connection accepted just before the listener closed.
        HttpFault::Refuse => return Action::Close,
        HttpFault::Unavailable => {
            let body = error_body(503, &format!("{name} is unavailable (injected fault)"));
            return Action::Respond(response(503, &body, head_only, &[]));
        }
        HttpFault::Ok => {}
    }
    if path != "/health/alive" {
        let body = error_body(404, &format!("{name}: no route for {path}"));
        return Action::Respond(response(404, &body, head_only, &[]));
    }
    if method != "GET" && method != "HEAD" {
        let body = error_body(405, &format!("{name}: method {method} not allowed"));
        return Action::Respond(response(405, &body, false, &[("Allow", "GET, HEAD")]));
    }
    Action::Respond(response(200, r#"{"status":"ok"}"#, head_only, &[]))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// An error body in the shape Ory services use: `{"error":{"code":..,"status":..,"message":..}}`.
fn error_body(code: u16, message: &str) -> String {
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

fn response(status: u16, body: &str, head_only: bool, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCache-Control: no-store\r\nServer: olympus-standin\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    if !head_only {
        out.push_str(body);
    }
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
        let a = route(&get("/health/alive"), HttpFault::Ok, "ciam-kratos");
        let (status, body) = status_of(&a).expect("response");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(body, r#"{"status":"ok"}"#);
        let (status, _) =
            status_of(&route(&get("/health/alive?x=1"), HttpFault::Ok, "n")).expect("resp");
        assert_eq!(status, "HTTP/1.1 200 OK");
    }

    #[test]
    fn faults() {
        let (status, body) = status_of(&route(
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
            route(&get("/health/alive"), HttpFault::Hang, "n"),
            Action::Hang
        );
        assert_eq!(
            route(&get("/health/alive"), HttpFault::Refuse, "n"),
            Action::Close
        );
    }

    #[test]
    fn other_requests() {
        let (status, _) = status_of(&route(&get("/"), HttpFault::Ok, "n")).expect("resp");
        assert_eq!(status, "HTTP/1.1 404 Not Found");
        let post = b"POST /health/alive HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
        let (status, _) = status_of(&route(post, HttpFault::Ok, "n")).expect("resp");
        assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
        let (status, _) = status_of(&route(b"garbage\r\n\r\n", HttpFault::Ok, "n")).expect("r");
        assert_eq!(status, "HTTP/1.1 400 Bad Request");
        let Action::Respond(head) =
            route(b"HEAD /health/alive HTTP/1.1\r\n\r\n", HttpFault::Ok, "n")
        else {
            panic!("HEAD answers");
        };
        let head = String::from_utf8_lossy(&head).to_string();
        assert!(head.contains("Content-Length: 15\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "no body for HEAD: {head}");
    }

    #[test]
    fn response_framing() {
        let r = String::from_utf8(response(200, "{}", false, &[])).expect("utf8");
        assert!(r.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(r.contains("Content-Type: application/json\r\n"));
        assert!(r.contains("Content-Length: 2\r\n"));
        assert!(r.contains("Connection: close\r\n"));
        assert!(r.ends_with("\r\n\r\n{}"));
        assert_eq!(json_escape("a\"b\\c\n"), "a\\\"b\\\\c\\u000a");
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
}
