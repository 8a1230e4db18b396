//! A work-alike of PostgreSQL's `pg_isready` for the stand-in (installed in the image as a symlink
//! `/usr/local/bin/pg_isready -> standin`).
//!
//! Same options, output and exit codes as the real one: `HOST:PORT - accepting connections` (0),
//! `- rejecting connections` (1), `- no response` (2), `- no attempt` (3, bad parameters). It makes
//! a genuine check: it connects over TCP (or to `DIR/.s.PGSQL.PORT` when the host is a socket
//! directory), sends a startup packet and classifies the first answer as libpq's PQping does.
//!
//! Differences from the real tool: without `-h` and `PGHOST` the real one uses the socket directory
//! `/var/run/postgresql`; this one uses `127.0.0.1` (the sandbox sets `PGHOST=127.0.0.1` in the
//! container, so the printed line is the one the real tool would print there). `-d` is taken as a
//! database name, not a connection string. And the sandbox's `hang` fault: while the fault file
//! (`$STANDIN_STATE_DIR/postgres`, default `/state/postgres`) says `hang`, it sleeps and ignores
//! `-t`, like a process stuck in the kernel; once the fault is cleared it makes its check. A
//! caller's timeout must kill it: note that killing `podman exec` does not kill the process it
//! started in the container (conmon keeps the exec session), so only a timeout inside the
//! container (`podman exec C timeout 5 pg_isready`) or clearing the fault ends it.

use crate::fault::{self, PgFault};
use crate::pg;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const PROG: &str = "pg_isready";
const DEFAULT_HOST: &str = "127.0.0.1";
const DEFAULT_PORT: &str = "5432";
const DEFAULT_TIMEOUT: &str = "3";

/// PQping results; the discriminant is the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ping {
    Ok = 0,
    Reject = 1,
    NoResponse = 2,
    NoAttempt = 3,
}

impl Ping {
    fn text(self) -> &'static str {
        match self {
            Ping::Ok => "accepting connections",
            Ping::Reject => "rejecting connections",
            Ping::NoResponse => "no response",
            Ping::NoAttempt => "no attempt",
        }
    }
}

/// The line the real tool prints (without `-q`).
pub fn status_line(host: &str, port: &str, ping: Ping) -> String {
    format!("{host}:{port} - {}", ping.text())
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    dbname: Option<String>,
    host: Option<String>,
    port: Option<String>,
    timeout: Option<String>,
    user: Option<String>,
    quiet: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Cmd {
    Check(Options),
    Help,
    Version,
}

/// getopt_long-style parsing of `d:h:p:qt:U:V?` and the long forms. `Err` holds the complaint.
fn parse_args(args: &[String]) -> Result<Cmd, String> {
    let mut o = Options::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            if let Some(extra) = args.get(i) {
                return Err(too_many(extra));
            }
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let takes_value = match name {
                "dbname" | "host" | "port" | "timeout" | "username" => true,
                "quiet" | "version" | "help" => false,
                _ => return Err(format!("{PROG}: unrecognized option '--{name}'")),
            };
            let value = if takes_value {
                match inline {
                    Some(v) => Some(v),
                    None => {
                        let v = args.get(i).cloned().ok_or_else(|| {
                            format!("{PROG}: option '--{name}' requires an argument")
                        })?;
                        i += 1;
                        Some(v)
                    }
                }
            } else if inline.is_some() {
                return Err(format!(
                    "{PROG}: option '--{name}' doesn't allow an argument"
                ));
            } else {
                None
            };
            match (name, value) {
                ("dbname", v) => o.dbname = v,
                ("host", v) => o.host = v,
                ("port", v) => o.port = v,
                ("timeout", v) => o.timeout = v,
                ("username", v) => o.user = v,
                ("quiet", _) => o.quiet = true,
                ("version", _) => return Ok(Cmd::Version),
                _ => return Ok(Cmd::Help),
            }
            continue;
        }
        let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) else {
            return Err(too_many(arg));
        };
        let chars: Vec<char> = cluster.chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            match c {
                'q' => o.quiet = true,
                'V' => return Ok(Cmd::Version),
                '?' => return Ok(Cmd::Help),
                'd' | 'h' | 'p' | 't' | 'U' => {
                    let value = if j < chars.len() {
                        let v: String = chars[j..].iter().collect();
                        j = chars.len();
                        v
                    } else {
                        let v = args.get(i).cloned().ok_or_else(|| {
                            format!("{PROG}: option requires an argument -- '{c}'")
                        })?;
                        i += 1;
                        v
                    };
                    let slot = match c {
                        'd' => &mut o.dbname,
                        'h' => &mut o.host,
                        'p' => &mut o.port,
                        't' => &mut o.timeout,
                        _ => &mut o.user,
                    };
                    *slot = Some(value);
                }
                _ => return Err(format!("{PROG}: invalid option -- '{c}'")),
            }
        }
    }
    Ok(Cmd::Check(o))
}

fn too_many(first: &str) -> String {
    format!("{PROG}: error: too many command-line arguments (first is \"{first}\")")
}

/// Where to connect, as printed and as parsed.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    host: String,
    port: String,
    port_num: Option<u16>,
    timeout: Option<Option<Duration>>,
    user: String,
    dbname: String,
}

fn resolve(o: &Options, env: &dyn Fn(&str) -> Option<String>) -> Target {
    let nonempty = |v: Option<String>| v.filter(|s| !s.is_empty());
    let host = nonempty(o.host.clone())
        .or_else(|| nonempty(env("PGHOST")))
        .unwrap_or_else(|| DEFAULT_HOST.to_string());
    let port = nonempty(o.port.clone())
        .or_else(|| nonempty(env("PGPORT")))
        .unwrap_or_else(|| DEFAULT_PORT.to_string());
    let port_num = port.trim().parse::<u16>().ok().filter(|p| *p != 0);
    let timeout_raw = nonempty(o.timeout.clone())
        .or_else(|| nonempty(env("PGCONNECT_TIMEOUT")))
        .unwrap_or_else(|| DEFAULT_TIMEOUT.to_string());
    let timeout = timeout_raw
        .trim()
        .parse::<u64>()
        .ok()
        .map(|secs| match secs {
            0 => None,
            // libpq treats 1 s as 2 s: a one-second timeout is too easily hit by rounding.
            1 => Some(Duration::from_secs(2)),
            s => Some(Duration::from_secs(s)),
        });
    let user = nonempty(o.user.clone())
        .or_else(|| nonempty(env("PGUSER")))
        .or_else(|| nonempty(env("USER")))
        .unwrap_or_else(|| "postgres".to_string());
    let dbname = nonempty(o.dbname.clone())
        .or_else(|| nonempty(env("PGDATABASE")))
        .unwrap_or_else(|| user.clone());
    Target {
        host,
        port,
        port_num,
        timeout,
        user,
        dbname,
    }
}

pub fn main(args: &[String]) -> i32 {
    let opts = match parse_args(args) {
        Ok(Cmd::Check(o)) => o,
        Ok(Cmd::Help) => {
            println!("{}", help());
            return 0;
        }
        Ok(Cmd::Version) => {
            println!("{PROG} (PostgreSQL) 15.0 (olympus standin)");
            return 0;
        }
        Err(complaint) => {
            say!("{complaint}");
            say!("{PROG}: hint: Try \"{PROG} --help\" for more information.");
            return Ping::NoAttempt as i32;
        }
    };
    let target = resolve(&opts, &|k| std::env::var(k).ok());
    // The sandbox's `pg-hang`: stuck whatever -t says, until the fault is cleared. (Killing the
    // `podman exec` client does not kill this process, so it must not outlive the fault.)
    while hang_fault() {
        std::thread::sleep(Duration::from_millis(200));
    }
    let ping = match (target.port_num, target.timeout) {
        (Some(port), Some(timeout)) => check(&target, port, timeout),
        _ => Ping::NoAttempt,
    };
    if !opts.quiet {
        println!("{}", status_line(&target.host, &target.port, ping));
    }
    ping as i32
}

pub(crate) fn hang_fault() -> bool {
    let dir = std::env::var_os("STANDIN_STATE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/state"));
    fault::current::<PgFault>(&dir.join("postgres")) == PgFault::Hang
}

fn help() -> String {
    format!(
        "{PROG} issues a connection check to a PostgreSQL database.
(Olympus sandbox stand-in: TCP check against the stand-in server; no host means 127.0.0.1.)

Usage:
  {PROG} [OPTION]...

Options:
  -d, --dbname=DBNAME      database name
  -q, --quiet              run quietly
  -V, --version            output version information, then exit
  -?, --help               show this help, then exit

Connection options:
  -h, --host=HOSTNAME      database server host or socket directory
  -p, --port=PORT          database server port
  -t, --timeout=SECS       seconds to wait when attempting connection, 0 disables (default: {DEFAULT_TIMEOUT})
  -U, --username=USERNAME  user name to connect as"
    )
}

/// Connection check with an overall deadline (`None`: wait as long as it takes).
fn check(t: &Target, port: u16, timeout: Option<Duration>) -> Ping {
    let deadline = timeout.map(|d| Instant::now() + d);
    let packet = pg::startup_packet(&[
        ("user", &t.user),
        ("database", &t.dbname),
        ("application_name", PROG),
    ]);
    if t.host.starts_with('/') {
        let path = PathBuf::from(&t.host).join(format!(".s.PGSQL.{port}"));
        return match UnixStream::connect(path) {
            Ok(s) => {
                let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
                if s.set_read_timeout(remaining.map(at_least_1ms)).is_err() {
                    return Ping::NoResponse;
                }
                converse(s, &packet)
            }
            Err(_) => Ping::NoResponse,
        };
    }
    let Some(addrs) = socket_addrs(&t.host, port) else {
        return Ping::NoResponse; // could not translate host name
    };
    for addr in addrs {
        let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if remaining == Some(Duration::ZERO) {
            break;
        }
        let stream = match remaining {
            Some(r) => TcpStream::connect_timeout(&addr, r),
            None => TcpStream::connect(addr),
        };
        let Ok(stream) = stream else { continue };
        let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if stream
            .set_read_timeout(remaining.map(at_least_1ms))
            .is_err()
            || stream
                .set_write_timeout(remaining.map(at_least_1ms))
                .is_err()
        {
            return Ping::NoResponse;
        }
        let _ = stream.set_nodelay(true);
        return converse(stream, &packet);
    }
    Ping::NoResponse
}

fn at_least_1ms(d: Duration) -> Duration {
    d.max(Duration::from_millis(1))
}

/// IP literals and `localhost` without the resolver (the binary is static: glibc's NSS is not
/// there), other names through it.
pub(crate) fn socket_addrs(host: &str, port: u16) -> Option<Vec<SocketAddr>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(vec![SocketAddr::new(ip, port)]);
    }
    if host.eq_ignore_ascii_case("localhost") {
        return Some(vec![
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
        ]);
    }
    (host, port)
        .to_socket_addrs()
        .ok()
        .map(|a| a.collect::<Vec<_>>())
        .filter(|a| !a.is_empty())
}

/// Sends the startup packet and classifies the first answer like libpq's PQping.
fn converse<S: Read + Write>(mut s: S, packet: &[u8]) -> Ping {
    if s.write_all(packet).is_err() {
        return Ping::NoResponse;
    }
    loop {
        match read_message(&mut s) {
            Ok((b'R', _)) => {
                let _ = s.write_all(&pg::message(b'X', &[])); // Terminate
                return Ping::Ok;
            }
            Ok((b'E', payload)) => return classify_error(&payload),
            Ok((b'N', _)) => continue, // NoticeResponse: keep reading
            _ => return Ping::NoResponse,
        }
    }
}

/// An ErrorResponse before authentication: 57P03 means "rejecting"; any other SQLSTATE means a
/// server answered (e.g. bad password, unknown database), which PQping counts as "accepting";
/// no SQLSTATE at all counts as no response.
fn classify_error(payload: &[u8]) -> Ping {
    let sqlstate = pg::parse_fields(payload)
        .into_iter()
        .find(|(k, _)| *k == b'C')
        .map(|(_, v)| v);
    match sqlstate.as_deref() {
        Some(pg::CANNOT_CONNECT_NOW) => Ping::Reject,
        Some(s) if s.len() == 5 => Ping::Ok,
        _ => Ping::NoResponse,
    }
}

pub(crate) fn read_message(s: &mut impl Read) -> io::Result<(u8, Vec<u8>)> {
    let mut head = [0u8; 5];
    s.read_exact(&mut head)?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if !(4..=64 * 1024).contains(&len) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad message length",
        ));
    }
    let mut payload = vec![0u8; len - 4];
    s.read_exact(&mut payload)?;
    Ok((head[0], payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn opts(v: &[&str]) -> Options {
        match parse_args(&args(v)) {
            Ok(Cmd::Check(o)) => o,
            other => panic!("{v:?}: {other:?}"),
        }
    }

    #[test]
    fn output_lines_match_the_real_tool() {
        assert_eq!(
            status_line("127.0.0.1", "42132", Ping::Ok),
            "127.0.0.1:42132 - accepting connections"
        );
        assert_eq!(
            status_line("db", "5432", Ping::Reject),
            "db:5432 - rejecting connections"
        );
        assert_eq!(
            status_line("/var/run/postgresql", "5432", Ping::NoResponse),
            "/var/run/postgresql:5432 - no response"
        );
        assert_eq!(status_line("h", "x", Ping::NoAttempt), "h:x - no attempt");
        assert_eq!(
            [Ping::Ok, Ping::Reject, Ping::NoResponse, Ping::NoAttempt].map(|p| p as i32),
            [0, 1, 2, 3]
        );
    }

    #[test]
    fn options() {
        let o = opts(&["-h", "127.0.0.1", "-p", "42132", "-t", "5", "-q"]);
        assert_eq!(o.host.as_deref(), Some("127.0.0.1"));
        assert_eq!(o.port.as_deref(), Some("42132"));
        assert_eq!(o.timeout.as_deref(), Some("5"));
        assert!(o.quiet);
        let o = opts(&["-qt1", "-p5432", "--host=db", "--username", "u", "-d", "x"]);
        assert_eq!(
            (o.quiet, o.timeout.as_deref(), o.port.as_deref()),
            (true, Some("1"), Some("5432"))
        );
        assert_eq!(
            (o.host.as_deref(), o.user.as_deref(), o.dbname.as_deref()),
            (Some("db"), Some("u"), Some("x"))
        );
        assert_eq!(parse_args(&args(&["-V"])), Ok(Cmd::Version));
        assert_eq!(parse_args(&args(&["--help"])), Ok(Cmd::Help));
        assert_eq!(parse_args(&args(&["-?"])), Ok(Cmd::Help));
        assert_eq!(parse_args(&args(&[])), Ok(Cmd::Check(Options::default())));
    }

    #[test]
    fn bad_options_are_complaints() {
        assert_eq!(
            parse_args(&args(&["-x"])),
            Err("pg_isready: invalid option -- 'x'".into())
        );
        assert_eq!(
            parse_args(&args(&["--frob"])),
            Err("pg_isready: unrecognized option '--frob'".into())
        );
        assert!(parse_args(&args(&["-p"])).is_err());
        assert!(parse_args(&args(&["--quiet=yes"])).is_err());
        assert_eq!(
            parse_args(&args(&["extra"])),
            Err("pg_isready: error: too many command-line arguments (first is \"extra\")".into())
        );
    }

    #[test]
    fn defaults_and_environment() {
        let none = |_: &str| None;
        let t = resolve(&Options::default(), &none);
        assert_eq!((t.host.as_str(), t.port.as_str()), ("127.0.0.1", "5432"));
        assert_eq!(t.timeout, Some(Some(Duration::from_secs(3))));
        let env = |k: &str| match k {
            "PGHOST" => Some("db.internal".to_string()),
            "PGPORT" => Some("42132".to_string()),
            _ => None,
        };
        let t = resolve(&Options::default(), &env);
        assert_eq!((t.host.as_str(), t.port_num), ("db.internal", Some(42132)));
        let o = opts(&["-h", "10.0.0.1", "-p", "nope", "-t", "0"]);
        let t = resolve(&o, &env);
        assert_eq!((t.host.as_str(), t.port.as_str()), ("10.0.0.1", "nope"));
        assert_eq!(t.port_num, None, "bad port: no attempt");
        assert_eq!(t.timeout, Some(None), "0 disables the timeout");
        assert_eq!(resolve(&opts(&["-t", "x"]), &none).timeout, None);
    }

    #[test]
    fn classification() {
        let reject = pg::error_response(&[(b'S', "FATAL"), (b'C', "57P03")]);
        assert_eq!(classify_error(&reject[5..]), Ping::Reject);
        let auth = pg::error_response(&[(b'C', "28P01")]);
        assert_eq!(classify_error(&auth[5..]), Ping::Ok);
        let bare = pg::error_response(&[(b'M', "old server")]);
        assert_eq!(classify_error(&bare[5..]), Ping::NoResponse);
    }

    #[test]
    fn against_the_stand_in_server() {
        use crate::listener::tests::{eventually, free_port, temp_dir};
        let dir = temp_dir("pg");
        let port = free_port();
        let server_args = args(&["--port", &port.to_string(), "--state-dir"])
            .into_iter()
            .chain([dir.display().to_string()])
            .collect::<Vec<_>>();
        std::thread::spawn(move || pg::main(&server_args));
        let target = resolve(&opts(&["-h", "127.0.0.1", "-t", "2"]), &|_| None);
        let ping = || check(&target, port, Some(Duration::from_secs(2)));
        assert!(eventually(|| ping() == Ping::Ok), "accepting");
        std::fs::write(dir.join("postgres"), "reject").expect("write");
        assert_eq!(ping(), Ping::Reject);
        std::fs::write(dir.join("postgres"), "down").expect("write");
        assert!(eventually(|| ping() == Ping::NoResponse), "down");
        std::fs::write(dir.join("postgres"), "ok").expect("write");
        assert!(eventually(|| ping() == Ping::Ok), "back up");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
