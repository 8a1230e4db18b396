//! `standin`: the processes that stand in for Olympus services inside the sandbox's containers.
//!
//! One multi-call binary, linked fully static so it runs in a busybox rootfs:
//!
//! * `standin http --name NAME --port PORT [--flavour app|athena|kratos|hydra] [--admin-port PORT]
//!   [--requires-env VAR,...] [--state-dir /state] [--bind 127.0.0.1]`: a service's health
//!   endpoints (`GET /health/alive`; for Kratos and Hydra a public and an admin listener that
//!   answer like the real Ory servers, see `flavour.rs`) whose behaviour follows the fault file
//!   `STATE_DIR/NAME`; plus what the playbook's faults need (`playbook.rs`: database TLS failure,
//!   CSRF violation, Kratos's courier, a missing secret) and Ory's background log lines
//!   (`worker.rs`).
//! * `standin postgres --port PORT [--tls-dir DIR] [--state-dir /state] [--bind 127.0.0.1]`: a
//!   listener that speaks just enough of the PostgreSQL startup protocol for `pg_isready` and
//!   `openssl s_client -starttls postgres` (TLS when `DIR/server.crt` and `DIR/server.key` exist,
//!   see `tls.rs`); fault file `STATE_DIR/postgres`.
//! * invoked as `pg_isready` (or `standin pg_isready ...`): a work-alike of PostgreSQL's `pg_isready`.
//! * invoked as `pg_dumpall` (or `standin pg_dumpall ...`): a work-alike of `pg_dumpall` printing
//!   the sandbox's seeded data as a plain-SQL cluster dump (`pg_dumpall.rs`).
//! * invoked as `printenv`: coreutils' `printenv`, which busybox-static lacks (`printenv.rs`).
//!
//! Fault files hold one word and are re-read on every request (and polled every 100 ms for the
//! faults that close a listener). A missing or empty file means `ok`.

/// `eprintln!` in one `write` call: Rust's stderr is unbuffered, so `eprintln!` writes a line in
/// pieces, which podman's k8s-file log driver stores as partial records that `podman logs --tail`
/// then reassembles wrongly (lines garbled or lost). A whole line per write keeps the tail exact.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::logrus::emit(&format!($($arg)*))
    };
}

mod clock;
mod courier;
mod fault;
mod flavour;
mod http;
mod hydra;
mod json;
mod kratos;
mod listener;
mod logrus;
mod ory;
mod paging;
mod pg;
mod pg_dumpall;
mod pg_isready;
mod playbook;
mod printenv;
mod random;
mod request;
mod seed;
mod store;
mod tls;
mod worker;

use std::path::Path;

const USAGE: &str = "\
usage: standin http --name NAME --port PORT [--flavour app|athena|kratos|hydra]
                   [--admin-port PORT] [--requires-env VAR,...] [--state-dir DIR]
                   [--data-dir DIR] [--bind ADDR]
       standin postgres --port PORT [--tls-dir DIR] [--state-dir DIR] [--bind ADDR]
       standin pg_isready [pg_isready options]   (or invoke through a symlink named pg_isready)
       standin pg_dumpall [-U USER] [-h HOST] [-p PORT] [-f FILE] [-g|-r|-s]   (or pg_dumpall)

Fault files (one word, re-read on every request; missing = ok):
  DIR/NAME       ok | 503 | hang | refuse   (both listeners of kratos and hydra)
                 db-tls          kratos, hydra: health 503, database TLS errors logged
                 csrf            kratos: POST /self-service/login -> 400 security_csrf_violation
                 courier-stuck   kratos: courier worker stopped, queued messages pile up
  DIR/postgres   ok | reject | down | hang
--requires-env: a missing or empty variable is logged at start and every request answers 500.
--data-dir (kratos, hydra): where their admin API's state is kept (seed, journal, counts).
STANDIN_IDENTITIES: identities in the scope (default ciam 2400, others 300); pg_dumpall reads
STANDIN_IDENTITIES_CIAM and STANDIN_IDENTITIES_IAM.
--tls-dir: server.crt + server.key (PEM), re-read per connection; without them SSLRequest gets N.";

fn main() {
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let invoked_as = argv
        .first()
        .map(|a| basename(a).to_string())
        .unwrap_or_default();
    let code = if invoked_as == "pg_isready" {
        pg_isready::main(argv.get(1..).unwrap_or_default())
    } else if invoked_as == "pg_dumpall" {
        pg_dumpall::main(argv.get(1..).unwrap_or_default())
    } else if invoked_as == "printenv" {
        printenv::main(argv.get(1..).unwrap_or_default())
    } else {
        let rest = argv.get(2..).unwrap_or_default();
        match argv.get(1).map(String::as_str) {
            Some("http") => http::main(rest),
            Some("postgres") => pg::main(rest),
            Some("pg_isready") => pg_isready::main(rest),
            Some("pg_dumpall") => pg_dumpall::main(rest),
            Some("-h" | "--help" | "help") => {
                println!("{USAGE}");
                0
            }
            Some("-V" | "--version") => {
                println!("standin {}", env!("CARGO_PKG_VERSION"));
                0
            }
            _ => {
                eprintln!("{USAGE}");
                2
            }
        }
    };
    std::process::exit(code);
}

fn basename(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

/// Parses `--flag VALUE` / `--flag=VALUE` options for the server subcommands.
pub(crate) struct Flags {
    pairs: Vec<(String, String)>,
}

impl Flags {
    pub(crate) fn parse(args: &[String], known: &[&str]) -> Result<Flags, String> {
        let mut pairs = Vec::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let Some(body) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument {arg:?}"));
            };
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => {
                    let v = it
                        .next()
                        .ok_or_else(|| format!("option --{body} needs a value"))?;
                    (body.to_string(), v.clone())
                }
            };
            if !known.contains(&name.as_str()) {
                return Err(format!("unknown option --{name}"));
            }
            pairs.push((name, value));
        }
        Ok(Flags { pairs })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn port(&self) -> Result<u16, String> {
        let raw = self.get("port").ok_or("--port is required")?;
        match raw.parse::<u16>() {
            Ok(p) if p != 0 => Ok(p),
            _ => Err(format!("invalid port {raw:?}")),
        }
    }

    pub(crate) fn bind(&self) -> Result<std::net::IpAddr, String> {
        let raw = self.get("bind").unwrap_or("127.0.0.1");
        raw.parse()
            .map_err(|_| format!("invalid bind address {raw:?}"))
    }

    /// The address to listen on, from `--bind` (default 127.0.0.1) and `--port`.
    pub(crate) fn listen_addr(&self) -> Result<std::net::SocketAddr, String> {
        Ok(std::net::SocketAddr::new(self.bind()?, self.port()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_accept_both_spellings_and_reject_unknown() {
        let f = Flags::parse(
            &strings(&["--name", "ciam-kratos", "--port=42103"]),
            &["name", "port"],
        )
        .expect("parses");
        assert_eq!(f.get("name"), Some("ciam-kratos"));
        assert_eq!(f.port(), Ok(42103));
        assert!(Flags::parse(&strings(&["--nope", "1"]), &["name"]).is_err());
        assert!(Flags::parse(&strings(&["--name"]), &["name"]).is_err());
        assert!(Flags::parse(&strings(&["stray"]), &["name"]).is_err());
        let zero = Flags::parse(&strings(&["--port", "0"]), &["port"]).expect("parses");
        assert!(zero.port().is_err());
    }

    #[test]
    fn basename_of_symlink_path() {
        assert_eq!(basename("/usr/local/bin/pg_isready"), "pg_isready");
        assert_eq!(basename("standin"), "standin");
    }
}
